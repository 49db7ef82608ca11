"""SARIF 2.1.0 output (``--format sarif``): what code-scanning dashboards and editors read.

One run: the rules that ran (their documentation from the rule modules), one result per
finding with its region, a fingerprint that survives unrelated edits, the fix as SARIF
``fixes`` (byte-exact ``artifactChanges``), and the per-release verdicts in ``properties``.
Suppressed findings appear with an ``inSource`` suppression, as the format intends, so a
dashboard shows them as dismissed rather than forgetting them.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__
from .diff import display_path
from .edits import CreateFile, DeleteFile, TextEdit
from .engine import RunResult
from .findings import Finding
from .model import BOM

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Where docs/rules.md is published; rule help links are anchors into it.
DOCS_URL = os.environ.get("GOFIX_LINKNAME_DOCS_URL",
                          "https://github.com/gofix-linkname/gofix-linkname/blob/main/docs/rules.md")
FINGERPRINT = "gofixLinkname/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def rule_anchor(rule) -> str:
    """The heading anchor of a rule in docs/rules.md (GitHub's slug of "LN001 name")."""
    return f"{rule.code.lower()}-{rule.name}"


def _doc_body(doc: str) -> str:
    return doc.split("\n", 1)[1].strip() if "\n" in doc else ""


def _first_paragraph(text: str) -> str:
    """The first prose paragraph of a rule's documentation (its "What it does")."""
    for para in text.strip().split("\n\n"):
        lines = [ln for ln in para.splitlines() if not ln.startswith("#")]
        if lines:
            return " ".join(" ".join(lines).split()).replace("``", "`")
    return ""


def rule_descriptor(rule) -> dict:
    body = _doc_body(rule.doc)
    full = _first_paragraph(body) or rule.summary
    markdown = f"**{rule.code} {rule.name}**: {rule.summary}.\n\n{body}".strip()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": body or rule.summary, "markdown": markdown},
        "helpUri": f"{DOCS_URL}#{rule_anchor(rule)}",
        "defaultConfiguration": {"level": _LEVEL[str(rule.severity)]},
        "properties": {"fixSafety": rule.fix_label(), "fixAvailability": str(rule.fix),
                       "tags": ["go", "linkname"]},
    }


class _Sources:
    """The bytes each finding was computed against (before any --apply wrote over them)."""

    def __init__(self, result: RunResult):
        self._before = {p: before for p, (before, _) in result.changes.items()}
        self._cache: dict[Path, bytes] = {}

    def get(self, path: Path) -> bytes:
        if path in self._before and self._before[path] is not None:
            return self._before[path]
        if path not in self._cache:
            try:
                self._cache[path] = path.read_bytes()
            except OSError:
                self._cache[path] = b""
        return self._cache[path]

    def line(self, path: Path, line: int) -> str:
        data = self.get(path)
        if data.startswith(BOM):
            data = data[len(BOM):]
        lines = data.split(b"\n")
        if 1 <= line <= len(lines):
            return lines[line - 1].rstrip(b"\r").decode("utf-8", "replace")
        return ""


def _char_column(line_text: str, byte_column: int) -> int:
    """A 1-based byte column as a 1-based Unicode code point column (SARIF's columnKind)."""
    raw = line_text.encode("utf-8")
    return len(raw[:byte_column - 1].decode("utf-8", "ignore")) + 1


def fingerprints(findings: list[Finding], sources: _Sources) -> dict[int, str]:
    """A hash per finding of rule, path, the whitespace-normalised text of its line, and which
    occurrence of that triple it is: line numbers are left out, so edits elsewhere in the file
    keep every fingerprint."""
    seen: dict[tuple, int] = {}
    out = {}
    for f in findings:
        text = " ".join(sources.line(f.path, f.span.line).split())
        key = (f.rule, display_path(f.path), text)
        index = seen.get(key, 0)
        seen[key] = index + 1
        digest = hashlib.sha256("\0".join((*key, str(index))).encode()).hexdigest()[:32]
        out[id(f)] = f"{digest}:{index + 1}"
    return out


def _location(path: Path) -> dict:
    return {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}


def _uri(path: Path) -> str:
    from urllib.parse import quote
    return quote(display_path(path))


def _region(f: Finding, sources: _Sources) -> dict:
    start = sources.line(f.path, f.span.line)
    end = start if f.span.end_line == f.span.line else sources.line(f.path, f.span.end_line)
    region = {"startLine": f.span.line, "startColumn": _char_column(start, f.span.column),
              "endLine": f.span.end_line, "endColumn": _char_column(end, f.span.end_column)}
    if f.span.end_line == f.span.line and region["endColumn"] <= region["startColumn"]:
        region["endColumn"] = region["startColumn"] + 1
    if start:
        region["snippet"] = {"text": start}
    return region


def _fix(f: Finding, sources: _Sources) -> dict:
    changes: dict[Path, list[dict]] = {}
    from .fixkit import resolved_edits

    for e in resolved_edits(f.fix, sources.get):
        if isinstance(e, TextEdit):
            data = sources.get(e.path)
            offset = len(BOM) if data.startswith(BOM) else 0
            body = data[offset:]
            text = e.text
            if body.count(b"\r\n") * 2 > body.count(b"\n"):  # as the engine writes it
                text = text.replace("\r\n", "\n").replace("\n", "\r\n")
            rep = {"deletedRegion": {"byteOffset": e.start + offset, "byteLength": e.end - e.start},
                   "insertedContent": {"text": text}}
        elif isinstance(e, CreateFile):
            rep = {"deletedRegion": {"byteOffset": 0, "byteLength": 0}, "insertedContent": {"text": e.text}}
        elif isinstance(e, DeleteFile):
            rep = {"deletedRegion": {"byteOffset": 0, "byteLength": len(sources.get(e.path))}}
        else:  # pragma: no cover - every edit kind is handled above
            continue
        changes.setdefault(e.path, []).append(rep)
    description = f.fix.description + (f" ({f.fix.safety} fix: {f.fix.why_unsafe})" if f.fix.why_unsafe
                                       else f" ({f.fix.safety} fix)")
    return {"description": {"text": description},
            "artifactChanges": [{"artifactLocation": _location(p), "replacements": reps}
                                for p, reps in changes.items()]}


def result_object(f: Finding, result: RunResult, sources: _Sources, fingerprint: str,
                  rule_index: dict[str, int], suppression: dict | None = None) -> dict:
    obj = {
        "ruleId": f.rule,
        "level": _LEVEL[str(f.severity)],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": _location(f.path),
                                            "region": _region(f, sources)}}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    if f.rule in rule_index:
        obj["ruleIndex"] = rule_index[f.rule]
    props: dict = {"severity": str(f.severity), "ruleName": f.name}
    if f.failing_releases is not None:
        props["goVersions"] = f.failing_releases
    if f.fix:
        obj["fixes"] = [_fix(f, sources)]
        props["fixSafety"] = str(f.fix.safety)
        props["fixApplicable"] = result.fixed(f)
    extra = {k: v for k, v in f.extra.items() if k not in props}
    if extra:
        props["details"] = json.loads(json.dumps(extra, default=str))
    obj["properties"] = props
    if suppression is not None:
        obj["suppressions"] = [suppression]
    return obj


def report(result: RunResult, rules, applied: bool = False) -> str:
    """The whole SARIF log, as text."""
    sources = _Sources(result)
    used = {f.rule for f in result.findings} | {s.finding.rule for s in getattr(result, "suppressed", [])}
    descriptors = [r for r in rules] + [r for r in _registry() if r.code in used and r not in rules]
    rule_index = {r.code: i for i, r in enumerate(descriptors)}
    suppressed = list(getattr(result, "suppressed", []))
    everything = list(result.findings) + [s.finding for s in suppressed]
    prints = fingerprints(sorted(everything, key=lambda f: f.sort_key), sources)
    results = [result_object(f, result, sources, prints[id(f)], rule_index) for f in result.findings]
    for s in suppressed:
        just = {"kind": "inSource", "status": "accepted"}
        if s.reason:
            just["justification"] = s.reason
        results.append(result_object(s.finding, result, sources, prints[id(s.finding)], rule_index, just))
    notifications = [{"level": "error" if p.error else "note", "message": {"text": p.message},
                      "locations": [{"physicalLocation": {"artifactLocation": _location(p.path)}}]}
                     for p in result.problems]
    root = Path.cwd().as_uri() + "/"
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gofix-linkname",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": DOCS_URL.rsplit("/docs/", 1)[0],
                "rules": [rule_descriptor(r) for r in descriptors],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
            "invocations": [{"executionSuccessful": not result.has_errors,
                             "toolExecutionNotifications": notifications,
                             "properties": {"applied": applied}}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


def _registry():
    from rules import ALL
    return ALL

