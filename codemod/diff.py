"""Unified diffs of the fixes, made with difflib and proven with unidiff before they are shown.

Paths are written ``a/<path>`` and ``b/<path>`` relative to the current directory, so the
output applies there with ``git apply`` or ``patch -p1``; when a fixed file lies outside it
(``--diff ..``), relative to the git work tree holding the files, or else to the files' common
directory, so that no path climbs out with ``..``.  Names git would quote (a newline, a tab,
a quote, a backslash, a non-ASCII byte) are quoted as git quotes them.  A created file diffs
against ``/dev/null``.  Every diff is parsed back with unidiff and applied to the original text; a
diff that does not reproduce the new text exactly is an internal error, never shown.
"""
from __future__ import annotations

import bisect
import difflib
import hashlib
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import unidiff

NO_NEWLINE = "\\ No newline at end of file\n"


class DiffError(RuntimeError):
    pass


def display_path(path: Path) -> str:
    return _display_path(path, os.getcwd())


@functools.lru_cache(maxsize=1024)
def _display_path(path: Path, cwd: str) -> str:
    # Cached: a report names the same file once per finding (10,000 findings in one file
    # took seconds of relpath).
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path.as_posix()
    return Path(rel).as_posix() if not rel.startswith("..") else path.as_posix()


def shown_path(path: Path) -> str:
    """``display_path`` for a line of text: a name holding a newline or other control byte
    is quoted as git quotes it, so that one finding or error stays one line."""
    name = display_path(path)
    return quote_path(name) if any(ord(c) < 0x20 or c == "\x7f" for c in name) else name


def diff_root(paths) -> Path:
    """The directory diff paths are relative to: see the module docstring."""
    return _root_of([_absolute(p) for p in paths])


def _root_of(full: list[Path]) -> Path:
    cwd = Path.cwd().resolve()
    if all(p.is_relative_to(cwd) for p in full):
        return cwd
    common = Path(os.path.commonpath([p.parent for p in full]))
    top = _work_tree_of(common)
    if top is not None and all(p.is_relative_to(top) for p in full):
        return top
    return common


def _absolute(path: Path) -> Path:
    # The directory resolved (as the current directory is), the file's own name kept.
    return Path(os.path.abspath(path)).parent.resolve() / Path(os.path.abspath(path)).name


def _work_tree_of(directory: Path) -> Path | None:
    d = directory
    while True:
        if (d / ".git").exists():
            return d
        if d.parent == d:
            return None
        d = d.parent


# git's quote_c_style: these get a backslash letter, other control and non-ASCII bytes an
# octal escape (git's default core.quotePath).
_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f",
            0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}


def quote_path(name: str) -> str:
    """``name`` as git writes it in a diff header: as is, or in double quotes with escapes."""
    raw = os.fsencode(name)
    if not any(b < 0x20 or b >= 0x7F or b in (0x22, 0x5C) for b in raw):
        return name
    out = []
    for b in raw:
        if b in _ESCAPES:
            out.append(_ESCAPES[b])
        elif b < 0x20 or b >= 0x7F:
            out.append(f"\\{b:03o}")
        else:
            out.append(chr(b))
    return '"' + "".join(out) + '"'


def _label(prefix: str, name: str) -> str:
    # git ends a ---/+++ name holding a space with a tab, so that no reader takes the part
    # after the space for a timestamp.
    return quote_path(prefix + name) + ("\t" if " " in name else "")


def _lines(data: bytes | None) -> list[str]:
    """The lines of ``data`` as git and patch see them: ended by "\n" only.

    str.splitlines would also split at a lone "\r", form feed, U+2028 and the like, which Go
    source may hold in comments and strings; the diff would then mark "no newline" in
    mid-file and no patch tool would apply it.
    """
    if data is None:
        return []
    parts = data.decode("utf-8").split("\n")
    return [line + "\n" for line in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def unified_diff(path: Path, before: bytes | None, after: bytes | None, context: int = 3,
                 root: Path | None = None) -> str:
    if root is not None:
        name = _absolute(path).relative_to(root).as_posix()
    else:
        name = display_path(path).lstrip("/")  # an absolute path reads a/abs/..., as git writes it
    return _named_diff(name, before, after, context)


def _named_diff(name: str, before: bytes | None, after: bytes | None, context: int = 3) -> str:
    old, new = _lines(before), _lines(after)
    fromfile = "/dev/null" if before is None else _label("a/", name)
    tofile = "/dev/null" if after is None else _label("b/", name)
    out = []
    for line in _unified(old, new, fromfile, tofile, context):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
            continue
        if line.endswith("\n"):
            out.append(line)
        else:
            # difflib leaves the last line of a file without a newline as it is; diff(1) and
            # git mark it instead.
            out.append(line + "\n" + NO_NEWLINE)
    if not out and (before is None) != (after is None):
        # Creating or deleting an empty file has no lines to diff; git's extended header says
        # it (git apply, patch and unidiff all read it), else --diff would drop the file.
        how = "new" if before is None else "deleted"
        return f"diff --git {quote_path('a/' + name)} {quote_path('b/' + name)}\n{how} file mode 100644\n"
    return "".join(out)


# Below this many line pairs difflib aligns the lines itself (its answers are what the snapshots
# show); above, its worst case is quadratic (10,000 changed lines took a minute), so lines that
# occur once in both texts anchor the alignment first and difflib only fills the gaps.
_DIFFLIB_PAIRS = 4_000_000


def _unified(old: list[str], new: list[str], fromfile: str, tofile: str, context: int):
    if len(old) * len(new) <= _DIFFLIB_PAIRS:
        yield from difflib.unified_diff(old, new, fromfile, tofile, n=context)
        return
    matcher = _AnchoredMatcher(old, new)
    started = False
    for group in matcher.get_grouped_opcodes(context):
        if not started:
            started = True
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in old[i1:i2]:
                    yield " " + line
                continue
            if tag in ("replace", "delete"):
                for line in old[i1:i2]:
                    yield "-" + line
            if tag in ("replace", "insert"):
                for line in new[j1:j2]:
                    yield "+" + line


def _range(start: int, stop: int) -> str:
    """A hunk's line range as unified diffs write it: 1-based start, length when not 1."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


class _AnchoredMatcher(difflib.SequenceMatcher):
    """difflib's grouping and opcodes over matching blocks found by unique-line anchors
    (the "patience" idea): linear in the common case of scattered, local changes."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        super().__init__(None, a, b, autojunk=True)

    def get_matching_blocks(self):
        if self.matching_blocks is not None:
            return self.matching_blocks
        a, b = self.a, self.b
        found: list[tuple[int, int, int]] = []
        todo = [(0, len(a), 0, len(b))]
        while todo:
            alo, ahi, blo, bhi = todo.pop()
            while alo < ahi and blo < bhi and a[alo] == b[blo]:
                found.append((alo, blo, 1))
                alo, blo = alo + 1, blo + 1
            while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
                found.append((ahi - 1, bhi - 1, 1))
                ahi, bhi = ahi - 1, bhi - 1
            if alo == ahi or blo == bhi:
                continue
            anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
            if not anchors:
                gap = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi])
                found.extend((alo + i, blo + j, n) for i, j, n in gap.get_matching_blocks() if n)
                continue
            pa, pb = alo, blo
            for i, j in anchors:
                found.append((i, j, 1))
                todo.append((pa, i, pb, j))
                pa, pb = i + 1, j + 1
            todo.append((pa, ahi, pb, bhi))
        found.sort()
        blocks: list[tuple[int, int, int]] = []
        for i, j, n in found:
            if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
                pi, pj, pn = blocks[-1]
                blocks[-1] = (pi, pj, pn + n)
            else:
                blocks.append((i, j, n))
        blocks.append((len(a), len(b), 0))
        self.matching_blocks = [difflib.Match(*m) for m in blocks]
        return self.matching_blocks


def _unique_anchors(a, alo, ahi, b, blo, bhi) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines occurring once in a[alo:ahi] and once in b[blo:bhi], equal, in
    the longest run increasing on both sides."""
    count_a: dict[str, int] = {}
    for i in range(alo, ahi):
        count_a[a[i]] = count_a.get(a[i], 0) + 1
    where_b: dict[str, int] = {}
    count_b: dict[str, int] = {}
    for j in range(blo, bhi):
        count_b[b[j]] = count_b.get(b[j], 0) + 1
        where_b[b[j]] = j
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi)
             if count_a[a[i]] == 1 and count_b.get(a[i]) == 1]
    # Longest increasing subsequence on j (patience sorting).
    tails: list[int] = []  # tails[k]: index into pairs ending the best run of length k+1
    back: list[int] = [-1] * len(pairs)
    tail_js: list[int] = []
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tail_js, j)
        if pos:
            back[k] = tails[pos - 1]
        if pos == len(tails):
            tails.append(k)
            tail_js.append(j)
        else:
            tails[pos] = k
            tail_js[pos] = j
    out = []
    k = tails[-1] if tails else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


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
    try:
        import unidiff  # here: a warm run prints its diffs from the cache, and checks none

        patch = unidiff.PatchSet(diff_text)
    except unidiff.UnidiffParseError as e:
        raise DiffError(f"the diff does not parse back: {e}") from e
    if len(patch) != 1:
        raise DiffError(f"expected one file in the diff, found {len(patch)}")
    # unidiff calls any hunk at -0,0 "added"; what creates or deletes a file is /dev/null.
    created, deleted = patch[0].source_file == "/dev/null", patch[0].target_file == "/dev/null"
    if (before is None) != created or (after is None) != deleted:
        raise DiffError(f"{patch[0].path}: the diff does not create or delete the file as the fix does")
    result = apply_patch_to(before, patch[0])
    expected = "" if after is None else after.decode("utf-8")
    if result != expected:
        raise DiffError(f"{patch[0].path}: the diff does not reproduce the fixed file")


def render(changes: dict[Path, tuple[bytes | None, bytes | None]], memo: dict | None = None,
           used: dict | None = None) -> str:
    """The checked diff of all changes, files in path order.

    ``memo`` (the result cache's, kept from run to run) maps a hash of a file's name and
    contents before and after to its checked diff: a warm run prints the diffs of the last
    without aligning lines or checking them again.  ``used`` gets the entries this call
    needed, for the next run's memo."""
    parts = []
    # Each path resolved once (its directory's links followed: system calls per level).
    full = {p: _absolute(p) for p in changes}
    root = _root_of(list(full.values())) if changes else None
    names = {p: a.relative_to(root).as_posix() for p, a in full.items()}
    for path in sorted(changes, key=names.__getitem__):
        before, after = changes[path]
        key = None
        if memo is not None or used is not None:
            key = memo_key(names[path], before, after)
            text = memo.get(key) if memo is not None else None
            if text is not None:
                if used is not None:
                    used[key] = text
                if text:
                    parts.append(text)
                continue
        text = _named_diff(names[path], before, after)
        if text:
            verify(text, before, after)
            parts.append(text)
        if used is not None:
            used[key] = text
    return "".join(parts)


def memo_key(name: str, before: bytes | None, after: bytes | None) -> bytes:
    """What a file's diff depends on: its shown name, and its contents before and after."""
    h = hashlib.blake2b(digest_size=24)
    for part in (name.encode("utf-8", "surrogateescape"), before, after):
        h.update(b"-" if part is None else b"+%d:" % len(part))
        h.update(part or b"")
    return h.digest()
