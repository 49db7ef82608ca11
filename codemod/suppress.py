"""Applying in-source suppressions to findings, for every rule alike.

The model reads the comments (:class:`codemod.model.Suppression`); this module decides which
finding each one silences.  A finding is suppressed when a suppression of its file covers the
finding's first line and lists its rule (by code or name) or lists none.  A suppressed finding
is neither reported nor fixed; ``--report-unused-ignores`` lists the suppressions that
silenced nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .findings import Finding
from .model import GoFile, Suppression


@dataclass(frozen=True)
class FileSuppressions:
    """A file's suppression comments as a run keeps them: the file's model, whose tree no
    other process can receive, stays with its package's check."""
    path: Path
    suppressions: tuple[Suppression, ...]


@dataclass(frozen=True)
class Suppressed:
    finding: Finding
    suppression: Suppression

    @property
    def reason(self) -> str:
        return self.suppression.reason


def matches(s: Suppression, f: Finding) -> bool:
    if not s.lines[0] <= f.span.line <= s.lines[1]:
        return False
    return s.codes is None or f.rule in s.codes or f.name in s.codes


def split(findings: list[Finding], models: dict) -> tuple[list[Finding], list[Suppressed]]:
    """(the findings that stand, the ones a suppression silences)."""
    kept, silenced = [], []
    for f in findings:
        model = models.get(f.path)
        hit = next((s for s in model.suppressions if matches(s, f)), None) \
            if isinstance(model, GoFile) else None
        if hit is None:
            kept.append(f)
        else:
            silenced.append(Suppressed(f, hit))
    return kept, silenced


def unused(models: dict, silenced: list[Suppressed], ran, known) -> list[tuple[FileSuppressions, Suppression]]:
    """Suppressions naming gofix-linkname that silenced no finding of the rules that ran.

    One whose every entry is a known rule that did not run (``--select``/``--ignore``) is not
    reported: a full run may need it.  An entry naming no rule at all is always reported.
    """
    used = {id(s.suppression) for s in silenced}
    ran_ids = {r.code for r in ran} | {r.name for r in ran}
    known_ids = {r.code for r in known} | {r.name for r in known}
    out = []
    for model in models.values():
        for s in model.suppressions:
            if not s.specific or id(s) in used:
                continue
            if s.codes is not None and all(c in known_ids and c not in ran_ids for c in s.codes):
                continue
            out.append((model, s))
    return sorted(out, key=lambda ms: (str(ms[0].path), ms[1].span.start))
