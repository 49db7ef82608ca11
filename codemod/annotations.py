"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

    ::error file=pkg/a.go,line=3,endLine=3,col=1,endColumn=40,title=LN101 target-unavailable::message

Escaping follows the Actions runner (``actions/toolkit`` command.ts): in the message ``%``,
CR and LF become ``%25``, ``%0D``, ``%0A``; in a property value ``:`` and ``,`` are escaped
too (``%3A``, ``%2C``), since they separate properties.
"""
from __future__ import annotations

from .diff import display_path
from .engine import RunResult
from .findings import Finding

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = {
        "file": display_path(f.path),
        "line": str(f.span.line),
        "endLine": str(f.span.end_line),
        "title": f"{f.rule} {f.name}",
    }
    if f.span.line == f.span.end_line:  # the runner ignores columns on multi-line ranges
        props["col"] = str(f.span.column)
        props["endColumn"] = str(f.span.end_column)
    message = f.message
    if f.fix:
        message += f"\nfix ({f.fix.safety}): {f.fix.description}"
    if f.failing_releases:
        message += "\nper release: " + ", ".join(f"Go {r}: {v}" for r, v in f.failing_releases.items())
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return f"::{_COMMAND[str(f.severity)]} {head}::{escape_data(message)}"


def report(result: RunResult) -> str:
    lines = [annotation(f) for f in result.findings]
    for p in result.problems:
        # A note (no error: a file read with newer syntax masked) is a notice.
        lines.append(f"::{'error' if p.error else 'notice'} file={escape_property(display_path(p.path))},"
                     f"title=gofix-linkname::{escape_data(p.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
