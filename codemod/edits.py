"""Edits, fixes, and merging the fixes of one pass into a conflict-free set.

An edit is data: replace a byte range of a file, create a file, or delete one.  A fix is a
description, a safety level and the edits that make it; its edits apply together or not at
all.  Nothing here touches the disk.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path


class Safety(IntEnum):
    """Ordered like Ruff's applicability: apply every fix at or above the level asked for."""

    UNSAFE = 1  # changes behaviour (another random source, a clock read once): --unsafe-fixes
    SAFE = 2  # behaviour-preserving: applied by --apply

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class TextEdit:
    """Replace ``source[start:end]`` of ``path`` (offsets into the BOM-less bytes) with ``text``."""

    path: Path
    start: int
    end: int
    text: str

    def overlaps(self, other: "TextEdit") -> bool:
        if self.path != other.path:
            return False
        if self.start == self.end or other.start == other.end:
            # An insertion conflicts with an edit at the same point or inside it: the order of
            # the two would be a guess.
            lo, hi = (self, other) if self.start == self.end else (other, self)
            return hi.start <= lo.start <= hi.end if hi.start != hi.end else lo.start == hi.start
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class AddImport:
    """A request that ``path`` import ``import_path`` (as ``name``; None: the package's name).

    Rules ask; the engine reconciles every request for a file once per pass, after the pass's
    text edits (:func:`codemod.fixkit.reconcile_imports`), so two fixes asking for the same
    import get one.
    """

    path: Path
    import_path: str
    name: str | None = None

    @property
    def local_name(self) -> str:
        from .model import Import

        return Import(self.import_path, self.name, None, None, False).local_name  # type: ignore[arg-type]


@dataclass(frozen=True)
class CreateFile:
    path: Path
    text: str


@dataclass(frozen=True)
class DeleteFile:
    path: Path


Edit = TextEdit | AddImport | CreateFile | DeleteFile


@dataclass(frozen=True)
class Fix:
    description: str  # a verb phrase: "Add the blank unsafe import"
    safety: Safety
    edits: tuple[Edit, ...]
    why_unsafe: str = ""  # for unsafe fixes: what behaviour changes

    def touches(self) -> set[Path]:
        return {e.path for e in self.edits}


def conflicts(a: Edit, b: Edit) -> bool:
    if isinstance(a, TextEdit) and isinstance(b, TextEdit):
        return a.overlaps(b)
    if isinstance(a, AddImport) and isinstance(b, AddImport):
        # The same package under two names, or one name for two packages: the second fix
        # chooses again against the next pass's text.  A blank import goes with any other.
        if a.path != b.path or "_" in (a.name, b.name):
            return False
        return (a.import_path == b.import_path) != (a.local_name == b.local_name)
    if isinstance(a, AddImport) or isinstance(b, AddImport):
        text = a if isinstance(b, AddImport) else b
        return not isinstance(text, TextEdit) and a.path == b.path
    # Creating or deleting a file conflicts with anything else done to that path.
    return a.path == b.path


@dataclass
class Merge:
    accepted: list[Fix] = field(default_factory=list)
    deferred: list[Fix] = field(default_factory=list)


def merge(fixes: list[Fix]) -> Merge:
    """Accept fixes in order while they do not conflict with an accepted one; defer the rest.

    Deferred fixes are not lost: the engine re-runs the rules on the edited files and a rule
    whose finding still holds proposes its fix again against the new text.
    """
    result = Merge()
    taken: list[Edit] = []
    for fix in fixes:
        if any(conflicts(e, t) for e in fix.edits for t in taken) or _self_overlapping(fix):
            result.deferred.append(fix)
            continue
        result.accepted.append(fix)
        taken.extend(fix.edits)
    return result


def _self_overlapping(fix: Fix) -> bool:
    edits = fix.edits
    return any(conflicts(a, b) for i, a in enumerate(edits) for b in edits[i + 1:])


def apply_text_edits(source: bytes, edits: list[TextEdit], crlf: bool) -> bytes:
    """Apply non-overlapping edits to ``source``; new text takes the file's line endings."""
    out = source
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = e.text
        if crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        out = out[:e.start] + text.encode("utf-8") + out[e.end:]
    return out
