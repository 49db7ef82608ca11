"""Edits, fixes, and merging the fixes of one pass into a conflict-free set.

An edit is data: replace a byte range of a file, create a file, or delete one.  A fix is a
description, a safety level and the edits that make it; its edits apply together or not at
all.  Nothing here touches the disk.
"""
from __future__ import annotations

import bisect
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

    Accepted text edits are kept sorted per file, so each check is a binary search among them
    rather than a comparison with every edit taken so far: 10,000 fixes in one file merge in
    milliseconds, not minutes.
    """
    result = Merge()
    taken = _Taken()
    for fix in fixes:
        if _self_overlapping(fix) or any(taken.conflicts(e) for e in fix.edits):
            result.deferred.append(fix)
            continue
        result.accepted.append(fix)
        for e in fix.edits:
            taken.add(e)
    return result


class _Taken:
    """Edits accepted so far, indexed for conflict checks."""

    def __init__(self) -> None:
        # path -> sorted (start, end, edit) of text edits; they never conflict with each other,
        # so sorted by start their ends never decrease either.
        self.text: dict[Path, list[tuple[int, int, TextEdit]]] = {}
        self.other: dict[Path, list[Edit]] = {}  # imports, created and deleted files

    def conflicts(self, e: Edit) -> bool:
        if any(conflicts(e, o) for o in self.other.get(e.path, ())):
            return True
        spans = self.text.get(e.path)
        if not spans:
            return False
        if isinstance(e, TextEdit):
            # Candidates start at or before e.end; walk back while they reach e.start.
            i = bisect.bisect_right(spans, (e.end, float("inf")))
            while i > 0:
                i -= 1
                start, end, t = spans[i]
                if end < e.start:
                    break
                if e.overlaps(t):
                    return True
            return False
        return any(conflicts(e, t) for _, _, t in spans)

    def add(self, e: Edit) -> bool:
        if isinstance(e, TextEdit):
            bisect.insort(self.text.setdefault(e.path, []), (e.start, e.end, e), key=lambda x: x[:2])
        else:
            self.other.setdefault(e.path, []).append(e)
        return True


def _self_overlapping(fix: Fix) -> bool:
    own = _Taken()
    for e in fix.edits:
        if own.conflicts(e):
            return True
        own.add(e)
    return False


def apply_text_edits(source: bytes, edits: list[TextEdit], crlf: bool,
                     seams: list[tuple[int, int]] | None = None) -> bytes:
    """Apply non-overlapping edits to ``source``; new text takes the file's line endings.

    With ``seams``, append to it the byte range of the result each edit wrote (empty where an
    edit only removed text), for :func:`codemod.layout.tidy`."""
    # One pass from the start, joined once: slicing the whole file per edit made 10,000 edits
    # in one file quadratic.  Among edits at one point, the later in sorted order lands first,
    # as applying them back to front used to place it.
    parts: list[bytes] = []
    written = 0
    pos = 0
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and (ordered[j + 1].start, ordered[j + 1].end) == (ordered[i].start, ordered[i].end):
            j += 1
        group = ordered[i:j + 1]
        e = group[0]
        kept = source[pos:e.start]
        parts.append(kept)
        written += len(kept)
        seam_start = written
        for g in reversed(group):
            text = g.text
            if crlf:
                text = text.replace("\r\n", "\n").replace("\n", "\r\n")
            data = text.encode("utf-8")
            parts.append(data)
            written += len(data)
        if seams is not None:
            seams.append((seam_start, written))
        pos = max(pos, e.end)
        i = j + 1
    parts.append(source[pos:])
    return b"".join(parts)
