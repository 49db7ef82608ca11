"""Every way a run is shown to people and programs, from the same findings data."""
from __future__ import annotations

import json
from collections import Counter

from .diff import display_path, shown_path
from .engine import RunResult
from .findings import Finding


def finding_line(f: Finding) -> str:
    return f"{shown_path(f.path)}:{f.span.line}:{f.span.column}: {f.rule} {f.severity}: {f.message}"


def text_report(result: RunResult, applied: bool = False, show_fixes: bool = True) -> str:
    out = []
    for f in result.findings:
        out.append(finding_line(f))
        if show_fixes and f.fix:
            if result.fixed(f):
                state = " (applied)" if applied else ""
            elif result.is_withdrawn(f):
                state = " (withdrawn: --verify found it makes the build worse)"
            else:
                state = " (held back: needs --unsafe-fixes)" if f.fix.safety < (result.fix_level or 0) else " (not applied)"
            why = f" [{f.fix.why_unsafe}]" if f.fix.why_unsafe else ""
            out.append(f"    fix ({f.fix.safety}){state}: {f.fix.description}{why}")
        elif show_fixes and f.extra.get("fix_withheld"):
            out.append(f"    no fix: {f.extra['fix_withheld']}")
    return "\n".join(out) + ("\n" if out else "")


def unused_ignores_text(unused) -> str:
    return "".join(f"{display_path(m.path)}:{s.span.line}:{s.span.column}: unused suppression: "
                   f"{s.text.strip()} silences no finding\n" for m, s in unused)


def unused_ignores_json(unused) -> list[dict]:
    return [{"path": display_path(m.path), "line": s.span.line, "column": s.span.column,
             "kind": s.kind, "rules": list(s.codes) if s.codes else None, "text": s.text.strip()}
            for m, s in unused]


def summary(result: RunResult, applying: bool) -> str:
    n = len(result.findings)
    quiet = len(getattr(result, "suppressed", ()))
    silenced = f" {quiet} suppressed in the source." if quiet else ""
    if not n:
        return "No linkname hazards found." + silenced
    by_sev = Counter(str(f.severity) for f in result.findings)
    files = len({f.path for f in result.findings})
    parts = [f"Found {n} finding{'s' * (n != 1)} in {files} file{'s' * (files != 1)} "
             f"({', '.join(f'{c} {s}' for s, c in sorted(by_sev.items()))})."]
    fixed = sum(1 for f in result.findings if result.fixed(f))
    if applying:
        parts.append(f"Applied {fixed} fix{'es' * (fixed != 1)} to {len(result.changes)} "
                     f"file{'s' * (len(result.changes) != 1)}.")
    elif fixed:
        parts.append(f"{fixed} fixable with --apply.")
    held = len(result.held_back)
    if held:
        parts.append(f"{held} unsafe fix{'es' * (held != 1)} held back (they change behaviour; "
                     f"review them and add --unsafe-fixes).")
    return " ".join(parts) + silenced


def finding_json(f: Finding, result: RunResult) -> dict:
    fix = None
    if f.fix:
        fix = {"safety": str(f.fix.safety), "description": f.fix.description,
               "applicable": result.fixed(f)}
        if result.is_withdrawn(f):
            fix["withdrawn"] = True
        if f.fix.why_unsafe:
            fix["why_unsafe"] = f.fix.why_unsafe
    obj = {
        "path": display_path(f.path),
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "rule": f.rule,
        "name": f.name,
        "severity": str(f.severity),
        "message": f.message,
        "fix": fix,
    }
    if f.failing_releases is not None:
        obj["go_versions"] = f.failing_releases
    for k, v in f.extra.items():
        if k not in obj:
            obj[k] = v
    return obj


def json_report(result: RunResult, applied: bool, extra: dict | None = None) -> str:
    doc = {
        "findings": [finding_json(f, result) for f in result.findings],
        "errors": [{"path": display_path(p.path), "message": p.message}
                   for p in result.problems if p.error],
        "applied": applied,
        **(extra or {}),
    }
    notes = [{"path": display_path(p.path), "message": p.message} for p in result.problems if not p.error]
    if notes:
        doc["notes"] = notes  # what the run says about a file that is no error (exit code kept)
    if getattr(result, "suppressed", None):
        doc["suppressed"] = [{**finding_json(s.finding, result),
                              "suppression": {"kind": s.suppression.kind, "reason": s.reason,
                                              "line": s.suppression.span.line}}
                             for s in result.suppressed]
    if getattr(result, "unused_ignores", None) is not None:
        doc["unused_ignores"] = unused_ignores_json(result.unused_ignores)
    return json.dumps(doc, indent=2, default=str) + "\n"
