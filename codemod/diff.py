"""Unified diffs of the fixes, made with difflib and proven with unidiff before they are shown.

Paths are written ``a/<path>`` and ``b/<path>`` relative to the current directory, so the
output applies with ``git apply`` or ``patch -p1``.  A created file diffs against
``/dev/null``.  Every diff is parsed back with unidiff and applied to the original text; a
diff that does not reproduce the new text exactly is an internal error, never shown.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import unidiff

NO_NEWLINE = "\\ No newline at end of file\n"


class DiffError(RuntimeError):
    pass


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path.as_posix()
    return Path(rel).as_posix() if not rel.startswith("..") else path.as_posix()


def _lines(data: bytes | None) -> list[str]:
    return [] if data is None else data.decode("utf-8").splitlines(keepends=True)


def unified_diff(path: Path, before: bytes | None, after: bytes | None, context: int = 3) -> str:
    name = display_path(path)
    old, new = _lines(before), _lines(after)
    fromfile = "/dev/null" if before is None else f"a/{name}"
    tofile = "/dev/null" if after is None else f"b/{name}"
    out = []
    for line in difflib.unified_diff(old, new, fromfile, tofile, n=context):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
            continue
        if line.endswith("\n"):
            out.append(line)
        else:
            # difflib leaves the last line of a file without a newline as it is; diff(1) and
            # git mark it instead.
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


def apply_patch_to(before: bytes | None, patched: unidiff.PatchedFile) -> str:
    """Apply one file's hunks to ``before`` the way ``patch`` does, checking every line."""
    src = _lines(before)
    out: list[str] = []
    pos = 0
    for hunk in patched:
        start = max(hunk.source_start - 1, 0)
        if start < pos:
            raise DiffError(f"{patched.path}: overlapping hunks")
        out.extend(src[pos:start])
        pos = start
        lines = list(hunk)
        for i, line in enumerate(lines):
            value = line.value
            if i + 1 < len(lines) and lines[i + 1].line_type == "\\":
                value = value[:-1] if value.endswith("\n") else value
            if line.is_context or line.is_removed:
                if pos >= len(src) or src[pos] != value:
                    raise DiffError(f"{patched.path}: hunk does not match at line {pos + 1}")
                if line.is_context:
                    out.append(value)
                pos += 1
            elif line.is_added:
                out.append(value)
    out.extend(src[pos:])
    return "".join(out)


def verify(diff_text: str, before: bytes | None, after: bytes | None) -> None:
    """Raise DiffError unless ``diff_text`` turns ``before`` into ``after``."""
    patch = unidiff.PatchSet(diff_text)
    if len(patch) != 1:
        raise DiffError(f"expected one file in the diff, found {len(patch)}")
    result = apply_patch_to(before, patch[0])
    expected = "" if after is None else after.decode("utf-8")
    if result != expected:
        raise DiffError(f"{patch[0].path}: the diff does not reproduce the fixed file")


def render(changes: dict[Path, tuple[bytes | None, bytes | None]]) -> str:
    """The checked diff of all changes, files in path order."""
    parts = []
    for path in sorted(changes, key=lambda p: display_path(p)):
        before, after = changes[path]
        text = unified_diff(path, before, after)
        if not text:
            continue
        verify(text, before, after)
        parts.append(text)
    return "".join(parts)
