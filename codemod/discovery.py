"""Which files a run looks at.

Paths may be files or directories (recursively); Go's ``./...`` and ``dir/...`` forms mean
the directory.  Only ``.go`` files are Go sources; ``vendor/``, ``testdata/`` and hidden
directories are skipped, as ``go build ./...`` skips them, and so is whatever ``.gitignore``
ignores inside a git work tree.  Symlinks are never followed out of the tree given, and
symlinked directories are not walked at all (that is also what keeps a link loop harmless).
"""
from __future__ import annotations

import os
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import parallel
from .writer import TEMP_SUFFIX, is_stale_temporary

SKIP_DIRS = {"vendor", "testdata", "node_modules"}
HIDDEN_BUILD_FILES = (".github/workflows/*", ".goreleaser.*")


@dataclass
class Discovery:
    go_files: list[Path] = field(default_factory=list)
    other_files: list[Path] = field(default_factory=list)  # for build-file rules
    errors: list[tuple[Path, str]] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    # A kept file -> its other names in the tree (symbolic links to it): one file that belongs
    # to several packages.
    aliases: dict[Path, list[Path]] = field(default_factory=dict)
    # Temporary files an earlier, killed --apply left behind (see codemod.writer).
    stale_temporaries: list[Path] = field(default_factory=list)
    # With ``listings=True``: each directory walked (as str(path)) -> codemod.cache.listing of
    # its entries (its regular files and the stats of its Go files, before any file was read).
    listings: dict[str, tuple[str, bytes] | None] = field(default_factory=dict)
    # With ``grouped=True``, the Go files instead of ``go_files``, in the same order: runs of
    # (directory as str(path), names of its files).  A run over a large tree builds a Path
    # only for the packages it has to read (a cached one needs none).  A directory the
    # tree's ``answer`` answered comes as (directory, that answer) instead: its files are the
    # visible Go files of its record (see :meth:`names`).
    segments: list[tuple[str, list[str] | object]] = field(default_factory=list)
    tree: "Tree | None" = None

    def names(self, directory: str, files) -> list[str]:
        """The file names of a segment ``(directory, files)``, answered or not."""
        if files.__class__ is list:
            return files
        return [n for n in _visible(self.tree.seen[directory][1]) if n.endswith(".go")]

    def go_paths_later(self) -> Callable[[], list[Path]]:
        """:meth:`go_paths` as a call for later, on the segments as they are now (a caller
        taking the segments apart may extend their lists, or drop them)."""
        kept = Discovery(go_files=self.go_files, tree=self.tree,
                         segments=[(d, list(n) if n.__class__ is list else n) for d, n in self.segments])
        return kept.go_paths

    def go_paths(self) -> list[Path]:
        """The Go files as paths, whether discovered grouped or not."""
        if not self.segments:
            return self.go_files
        out = []
        for directory, names in self.segments:
            d = Path(directory)
            out += [d / n for n in self.names(directory, names)]
        return out


def normalize_arg(arg: str) -> str:
    if arg == "...":
        return "."
    if arg.endswith("/..."):
        return arg[: -len("/...")] or "/"
    return arg


def _skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith(".") or name.startswith("_")


def _visible(joined: str) -> list[str]:
    """The names of a record's files (joined by NUL) that a run looks at: not those starting
    with ``.`` or ``_``, which go build ignores too."""
    if not joined:
        return []
    names = joined.split("\0")
    if joined[0] in "._" or "\0." in joined or "\0_" in joined:
        names = [n for n in names if not n.startswith((".", "_"))]
    return names


def _answerable(joined: str) -> bool:
    """Whether a directory recorded with the files ``joined`` may be answered as a whole from
    its record: no hidden Go file (which the run would leave out) and no temporary file of
    an earlier run's (which the walk has to look at)."""
    if not joined:
        return False
    if joined[0] not in "._" and "\0." not in joined and "\0_" not in joined:
        return True
    return not any(n.startswith((".", "_")) and n.endswith((".go", TEMP_SUFFIX)) for n in joined.split("\0"))


def _join(directory: str, name: str) -> str:
    """``str(Path(directory) / name)`` for a ``directory`` that is a str(path) already."""
    if directory == ".":
        return name
    return directory + name if directory.endswith("/") else f"{directory}/{name}"


def discover(args: list[str], want_other=lambda rel: False, *, listings: bool = False,
             grouped: bool = False, tree: "Tree | None" = None, skip_file=None) -> Discovery:
    """Walk ``args``; ``want_other(relative posix path)`` selects non-Go files to keep;
    ``listings`` records what each directory holds (for the result cache); ``grouped`` gives
    the Go files as ``segments`` instead of ``go_files``; ``tree`` spares listing the
    directories that did not change since it recorded them, and with its ``answer`` (and
    ``grouped``) answers for the packages of those directories; ``skip_file(path)`` leaves
    files out (configured excludes)."""
    found = Discovery(tree=tree)
    if listings:
        from .cache import listing, listing_of
    answer = tree.answer if tree is not None and grouped else None
    seen: dict[str, Path] = {}
    args = args or ["."]

    def add_go(path: Path) -> None:
        if skip_file is not None and skip_file(path):
            return
        if not grouped:
            found.go_files.append(path)
            return
        directory, name = str(path.parent), path.name
        if found.segments and found.segments[-1][0] == directory and found.segments[-1][1].__class__ is list:
            found.segments[-1][1].append(name)
        else:
            found.segments.append((directory, [name]))

    for n, raw in enumerate(args, 1):
        arg = Path(normalize_arg(raw))
        if arg.is_symlink() and not arg.exists():
            found.errors.append((arg, "broken or looping symbolic link"))
            continue
        if not arg.exists():
            found.errors.append((arg, "no such file or directory"))
            continue
        if not arg.is_dir():
            if not arg.is_file():
                # A FIFO or device would block or never end when read.
                found.errors.append((arg, "not a regular file"))
            elif arg.suffix != ".go":
                found.errors.append((arg, "not a .go file"))
            elif _first_sight(seen, arg) is None:
                add_go(arg)
            continue
        root = arg
        found.roots.append(root)
        real_root = root.resolve()
        # The candidate files, one run per directory: (directory as str(path), its real path,
        # its path relative to the root, the names of its files, and the names that are
        # symbolic links, or None).  Strings, not paths: a Path costs ~300 bytes and
        # microseconds to make, and a warm run needs none for a package the cache answers.
        # (Its real path and its path from the root follow from its name: see _Root.)
        runs: list[tuple[str, list[str], set[str] | None]] = []
        where = _Root(str(root), str(real_root))
        linked = False
        gitignores = False  # a .gitignore in a directory walked
        for here, entries, plain in _walk(str(root), tree):
            if plain is not None:
                # A directory the tree answered for: regular files only, nothing to ask of
                # each but its name (and, for the cache, a Go file's stat).
                if not gitignores and ".gitignore" in plain:
                    gitignores = True
                if answer is not None and _answerable(plain) and (hit := answer(here, plain)) is not None:
                    # And the package it holds, as a whole: no name, stat or listing is kept.
                    runs.append((here, hit, _ANSWERED))
                    continue
                files = plain.split("\0") if plain else []
                if listings:
                    found.listings[here] = listing_of(here, plain, files, tree.stats)
                names = [name for name in files if not name.startswith((".", "_"))]
                if len(names) != len(files):
                    for name in files:
                        if name.endswith(TEMP_SUFFIX) and name.startswith((".", "_")) \
                                and is_stale_temporary(p := Path(here) / name):
                            found.stale_temporaries.append(p)
                if names:
                    runs.append((here, names, None))
                continue
            if listings:
                found.listings[here] = listed = listing(entries)
                record = tree.seen.get(here) if tree is not None else None
                if listed is not None and record is not None and record[1] == listed[0]:
                    found.listings[here] = (record[1], listed[1])  # one string for both
            names: list[str] = []
            links: set[str] | None = None
            for entry in entries:
                name = entry.name
                if name.startswith((".", "_")):  # go build ignores these too
                    if name == ".gitignore":
                        gitignores = True
                    if name.endswith(TEMP_SUFFIX):
                        p = Path(here) / name
                        if is_stale_temporary(p):
                            found.stale_temporaries.append(p)
                    continue
                try:
                    is_link = entry.is_symlink()
                    is_file = entry.is_file() if not is_link else os.path.isfile(entry.path)
                except OSError:
                    is_link, is_file = False, False
                if is_link:
                    p = Path(here) / name
                    try:
                        target = p.resolve(strict=True)
                    except (OSError, RuntimeError):
                        if name.endswith(".go"):
                            found.errors.append((p, "broken or looping symbolic link"))
                        continue
                    if not target.is_relative_to(real_root):
                        continue  # never follow a link out of the tree given
                if not is_file:
                    if name.endswith(".go"):
                        found.errors.append((Path(here) / name, "not a regular file"))
                    continue
                if is_link:
                    # Its real path is resolved when needed; a plain file's is its directory's
                    # plus its name: the walk knows each directory's real path (it enters no
                    # linked directory), which saves a realpath (a stat per path component).
                    links = links or set()
                    links.add(name)
                    linked = True
                names.append(name)
            if names:
                runs.append((here, names, links))
        # Hidden build files a build-file rule may ask for (CI workflows, release configs) live
        # under the root given, in places the walk above skips.
        hidden = []
        for pattern in HIDDEN_BUILD_FILES:
            hidden += [p for p in sorted(root.glob(pattern))
                       if p.is_file() and not p.is_symlink() and want_other(p.relative_to(root).as_posix())]
        ignored = _git_ignored(root, where, runs, hidden, tree, gitignores)
        simple = n == len(args) and not seen and not linked
        if answer is not None and (ignored or not simple):
            # An answer holds for the directory's files as the record has them: not when git
            # ignores one of them, nor when a link or another path could reach one twice.
            for i, (here, names, links) in enumerate(runs):
                if links is _ANSWERED and (not simple or any((here, name) in ignored
                                                             for name in _visible(tree.seen[here][1]))):
                    runs[i] = _unanswered(found, here, tree, listings)
        if simple:
            # The only tree, or the last, with nothing recorded before it and no link in it:
            # no file can be reached twice, and nothing after it needs the record.
            for here, names, links in runs:
                if links is _ANSWERED:
                    if not _keep_answered(found, here, where, names, want_other, skip_file):
                        _, names, _ = _unanswered(found, here, tree, listings)
                        _keep(found, here, where, names, want_other, grouped, skip_file)
                    continue
                kept = [name for name in names if (here, name) not in ignored] if ignored else names
                _keep(found, here, where, kept, want_other, grouped, skip_file)
            for p in hidden:
                if p not in ignored:
                    _keep_path(found, root, p, want_other, add_go, skip_file)
            continue
        # One file reached by two names (a link to a file of the tree, or the same file given
        # twice) is checked, fixed and diffed once, under its own name rather than the link's:
        # fixing it under both names would write it twice and print two patches for it.
        kept_names: set[tuple[str, str]] = set()
        kept_hidden: set[Path] = set()
        for pass_links in (False, True):  # real files before links
            for here, names, links in runs:
                for name in names:
                    if (links is not None and name in links) != pass_links or (here, name) in ignored:
                        continue
                    p = Path(here) / name
                    real = None if pass_links else _join(where.real(here), name)
                    first = _first_sight(seen, p, real)
                    if first is None:
                        kept_names.add((here, name))
                    elif first != p:
                        found.aliases.setdefault(first, []).append(p)
            if not pass_links:
                for p in hidden:
                    if p in ignored:
                        continue
                    if _first_sight(seen, p, str(p.resolve())) is None:
                        kept_hidden.add(p)
        for here, names, _ in runs:
            _keep(found, here, where, [name for name in names if (here, name) in kept_names],
                  want_other, grouped, skip_file)
        for p in hidden:
            if p in kept_hidden:
                _keep_path(found, root, p, want_other, add_go, skip_file)
    return found


# The third member of a walked run the tree's ``answer`` answered (whose second is the answer).
_ANSWERED = object()


def _unanswered(found: Discovery, here: str, tree: "Tree", listings: bool) -> tuple:
    """The run of an answered directory as the walk would have made it without the answer."""
    files = tree.seen[here][1]
    if listings:
        from .cache import listing_of
        found.listings[here] = listing_of(here, files, files.split("\0"), tree.stats)
    return here, _visible(files), None


def _keep_answered(found: Discovery, here: str, where: "_Root", hit, want_other, skip_file) -> bool:
    """Take an answered directory whole; False when a configured exclude leaves out one of its
    Go files (then the answer, made for all of them, does not hold)."""
    files = found.tree.seen[here][1]
    if "\0" in files or not files.endswith(".go") or skip_file is not None:
        names = _visible(files)
        d = Path(here)
        if skip_file is not None and any(skip_file(d / n) for n in names if n.endswith(".go")):
            return False
        others = [n for n in names if not n.endswith(".go")]
        if others:
            rel = where.rel(here)
            found.other_files += [d / n for n in others if want_other(f"{rel}/{n}" if rel else n)
                                  and (skip_file is None or not skip_file(d / n))]
    found.segments.append((here, hit))
    return True


class _Root:
    """A walked root: a directory's real path and its path relative to the root, from its
    str(path) (the walk enters no linked directory, so they differ only by their prefix)."""

    def __init__(self, root: str, real_root: str) -> None:
        self.root, self.real_root = root, real_root

    def rel(self, here: str) -> str:
        root = self.root
        if here == root:
            return ""
        if root == ".":
            return here
        return here[len(root):] if root.endswith("/") else here[len(root) + 1:]

    def real(self, here: str) -> str:
        rel = self.rel(here)
        if not rel:
            return self.real_root
        return self.real_root + rel if self.real_root.endswith("/") else f"{self.real_root}/{rel}"


def _keep(found: Discovery, here: str, where: _Root, names: list[str], want_other, grouped: bool,
          skip_file=None) -> None:
    """Take one directory's kept files: Go files as Go files, others when a rule wants them;
    none that ``skip_file`` leaves out."""
    if skip_file is not None:
        d = Path(here)
        names = [name for name in names if not skip_file(d / name)]
    go = [name for name in names if name.endswith(".go")]
    if len(go) != len(names):
        rel = where.rel(here)
        for name in names:
            if not name.endswith(".go") and want_other(f"{rel}/{name}" if rel else name):
                found.other_files.append(Path(here) / name)
    if not go:
        return
    if grouped:
        if found.segments and found.segments[-1][0] == here:
            found.segments[-1][1].extend(go)
        else:
            found.segments.append((here, go))
    else:
        d = Path(here)
        found.go_files += [d / name for name in go]


def _keep_path(found: Discovery, root: Path, p: Path, want_other, add_go, skip_file=None) -> None:
    if p.name.endswith(".go"):
        add_go(p)
    elif want_other(p.relative_to(root).as_posix()) and (skip_file is None or not skip_file(p)):
        found.other_files.append(p)


class Tree:
    """What the walk learnt of each directory, for the next walk: its stat, and its entries
    when they are plain (regular files, and directories to enter).

    A directory's modification time moves whenever an entry is added, removed or renamed in
    it (the kernel sets it; no tool puts it back without a write of its own to the change
    time), so a directory whose stat is the recorded one holds the recorded entries, and the
    walk stats them instead of listing it.  A directory modified within
    :data:`RACY_SECONDS` of its stat is not recorded: an entry added in the same clock tick
    would leave the time as it was.  Nor is one holding a symbolic link or anything but
    regular files and directories: what those are is decided by following them, which a
    listing does and a record could not.
    """

    RACY_SECONDS = 2.0

    def __init__(self, known: dict | None = None, stats=None) -> None:
        self.known: dict[str, tuple[bytes, str, str]] = known or {}  # from the last walk
        self.seen: dict[str, tuple[bytes, str, str]] = {}           # this walk's records
        self.horizon = time.time_ns() - int(self.RACY_SECONDS * 1e9)
        self.listed = 0  # directories this walk had to list
        # ``stats(directory)``: the Go files' stats the cache holds for it (None: none), so
        # that a listing equal to them is that very object, not a copy per directory.
        self.stats = stats
        self.changed = False  # a directory is not as recorded (or was not recorded)
        # ``answer(directory, its files joined by NUL)``, for a directory found as recorded
        # whose files hide no Go file: what stands for its package's whole result (anything
        # but a list), or None to have its files listed as usual.  An answer must hold for
        # the package of every visible Go file of the record, the stats of which are the
        # answerer's to check (the walk stats none of them).  With ``checked=True``, they
        # were checked already and found as recorded (see :meth:`check_ahead`).
        self.answer = None
        # Directories found as recorded before the walk (see :meth:`check_ahead`): HELD, or
        # ANSWERED when their package's answer held too.
        self.ahead: dict[str, int] = {}

    # A fork costs a few milliseconds and each directory two stats (about 5 us): below this
    # many recorded directories, checking them ahead in two processes gains nothing.
    AHEAD_DIRECTORIES = 4000
    HELD, ANSWERED = 1, 2

    def check_ahead(self, jobs: int) -> None:
        """Compare each recorded directory with the disk (its stat, and the answer for its
        package) before the walk, in ``jobs`` processes: on a large tree that nothing
        changed, these stats are most of a warm run, and they are independent of each other
        and of the walk's order.  The walk then takes a directory found as recorded without a
        stat of its own.  (A directory that changes between the check and the walk is seen
        as it was at the check, as one that changes after the walk is seen as it was then.)"""
        if jobs < 2 or not self.known or len(self.known) < self.AHEAD_DIRECTORIES:
            return
        keys = list(self.known)
        codes = parallel.split(self._compare, keys, jobs)
        ahead = self.ahead
        for key, code in zip(keys, codes):
            if code:
                ahead[key] = code
        check = self.answer
        if check is not None:
            def answer(directory: str, joined: str) -> tuple | None:
                code = ahead.get(directory)
                if code is None:
                    return check(directory, joined)
                return check(directory, joined, checked=True) if code == self.ANSWERED else None

            self.answer = answer

    def _compare(self, keys: list[str]) -> bytes:
        """For each recorded directory of ``keys``: 0 when its stat is not the recorded one,
        else HELD, or ANSWERED when the answer for its package holds."""
        stat, pack, known, answer = os.stat, _DIR_STAT.pack, self.known, self.answer
        codes = bytearray(len(keys))
        for i, key in enumerate(keys):
            try:
                st = stat(key)
            except OSError:
                continue
            record = known[key]
            if pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) != record[0]:
                continue
            files = record[1]
            codes[i] = self.ANSWERED if answer is not None and _answerable(files) \
                and answer(key, files) is not None else self.HELD
        return bytes(codes)


_DIR_STAT = struct.Struct("<qqqQ")


def _walk(root: str, tree: Tree | None = None):
    """(directory, its non-directory entries sorted by name, None) for ``root`` and the
    directories under it, in ``os.walk`` order, directories as ``str(path)``; skipped and
    symlinked directories are not entered (so a directory's real path is its parent's plus its
    name: see :class:`_Root`).  With a ``tree``, a directory it recorded unchanged is not
    listed again: it comes as (directory, None, the names of its files joined by NUL)."""
    stack = [root]
    pop, push = stack.pop, stack.extend
    if tree is not None:
        stat, pack = os.stat, _DIR_STAT.pack
        known_pop, seen, ahead = tree.known.pop, tree.seen, tree.ahead
    while stack:
        here = pop()
        record = None
        if tree is not None:
            if ahead and here in ahead and (known := known_pop(here, None)) is not None:
                # Found as recorded by the check ahead of the walk.
                seen[here] = known
                yield here, None, known[1]
                if known[2]:
                    push(reversed([_join(here, name) for name in known[2].split("\0")]))
                continue
            try:
                # Before the listing: an entry added after it moves the time past this stat.
                st = stat(here)
            except OSError:
                continue
            record = pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            known = known_pop(here, None)
            if known is not None and known[0] == record:
                seen[here] = known
                yield here, None, known[1]
                if known[2]:
                    push(reversed([_join(here, name) for name in known[2].split("\0")]))
                continue
            tree.listed += 1
            if known is not None:
                tree.changed = True  # its record is stale
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=_name)
        except OSError:
            continue
        files, dirs, subdirs = [], [], []
        plain = record is not None and _DIR_STAT.unpack(record)[1] < tree.horizon
        for e in entries:
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                files.append(e)
                if plain:
                    try:
                        plain = not e.is_symlink() and e.is_file()
                    except OSError:
                        plain = False
            elif not _skipped_dir(name := e.name) and not e.is_symlink():
                subdirs.append(name)
                dirs.append(_join(here, name))
            elif plain and e.is_symlink():
                plain = False
        if plain:
            seen[here] = (record, "\0".join(e.name for e in files), "\0".join(subdirs))
            tree.changed = True  # a record to write
        yield here, files, None
        push(reversed(dirs))


def _name(entry: os.DirEntry) -> str:
    return entry.name


def _first_sight(seen: dict[str, Path], path: Path, real: str | None = None) -> Path | None:
    """Record ``path`` by the file it names (its real path, ``real`` when known); the name
    recorded first when that file was already recorded, else None."""
    try:
        key = real if real is not None else str(path.resolve(strict=True))
    except (OSError, RuntimeError):
        key = str(path.absolute())
    if key in seen:
        return seen[key]
    seen[key] = path
    return None


def _git_ignored(root: Path, where: "_Root", runs: list, hidden: list[Path], tree: Tree | None = None,
                 gitignores: bool = True) -> set:
    """Which of the walk's files (``(directory, name)`` of ``runs``, and the ``hidden`` paths)
    git ignores, when ``root`` is inside a work tree.  ``gitignores``: whether the walk saw a
    ``.gitignore`` file (False: git is asked only when one above the root, the repository's
    ``info/exclude`` or the user's excludes file holds a pattern)."""
    if not runs and not hidden:
        return set()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel", "--git-path", "info/exclude"], cwd=root,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if top.returncode != 0:
        return set()
    lines = top.stdout.splitlines()
    if not lines:
        return set()
    top_path = Path(lines[0]).resolve()
    if not gitignores and not _ignore_sources(root, top_path, lines[1:], hidden):
        return set()  # nothing could be ignored: no need to ask about each file
    prefix = str(top_path).rstrip("/") + "/"

    def candidates():
        """(key, path relative to the work tree) of each file git has a say on; made twice
        rather than kept: a large tree's worth of strings and tuples is memory."""
        for here, names, links in runs:
            if links is _ANSWERED:
                names, links = _visible(tree.seen[here][1]), None
            real_dir = where.real(here)
            for name in names:
                if links is not None and name in links:
                    real = str((Path(here) / name).resolve())
                else:
                    real = _join(real_dir, name)
                if real.startswith(prefix):  # (outside the work tree git has no say)
                    yield (here, name), real[len(prefix):]
        for p in hidden:
            yield p, str(p.resolve().relative_to(top_path))

    stdin = "".join([f"{rel}\0" for _, rel in candidates()])
    if not stdin:
        return set()
    # Without the index: with it, git looks each path up against every index entry (quadratic:
    # 100,000 files took minutes).  A tracked file is never ignored, which is asked apart for
    # the few paths a pattern matches.
    res = subprocess.run(["git", "check-ignore", "--no-index", "-z", "--stdin"],
                         cwd=top_path, input=stdin, capture_output=True, text=True, timeout=600)
    del stdin
    ignored = {x for x in res.stdout.split("\0") if x}
    if ignored:
        ignored -= _tracked(top_path, sorted(ignored))
    if not ignored:
        return set()
    return {k for k, r in candidates() if r in ignored}


def _tracked(top: Path, rels: list[str]) -> set[str]:
    """Which of ``rels`` (paths relative to the work tree ``top``) git tracks."""
    out: set[str] = set()
    for i in range(0, len(rels), 1000):
        res = subprocess.run(["git", "--literal-pathspecs", "ls-files", "-z", "--", *rels[i:i + 1000]], cwd=top,
                             capture_output=True, text=True, timeout=600)
        out.update(x for x in res.stdout.split("\0") if x)
    return out


def _ignore_sources(root: Path, top: Path, exclude: list[str], hidden: list[Path]) -> bool:
    """Whether anything but a ``.gitignore`` in a directory the walk listed could make git
    ignore a file under ``root``: one in a directory between the work tree's top and
    ``root``, or between ``root`` and a ``hidden`` file, a pattern in the repository's
    ``info/exclude`` (``exclude``: its path, from ``git rev-parse --git-path``) or in the
    user's excludes file (``core.excludesFile``)."""
    real = root.resolve()
    for d in [real, *real.parents]:
        if (d / ".gitignore").exists():
            return True
        if d == top:
            break
    for p in hidden:
        for d in p.parents:
            if d == root:
                break
            if (d / ".gitignore").exists():
                return True
    files = [root / exclude[0]] if exclude else []
    try:
        configured = subprocess.run(["git", "config", "--path", "--get", "core.excludesFile"], cwd=root,
                                    capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return True
    if configured.returncode == 0 and configured.stdout.strip():
        files.append(Path(configured.stdout.strip()))
    elif configured.returncode == 1:  # not set: git's default
        xdg = os.environ.get("XDG_CONFIG_HOME") or (os.path.join(os.environ["HOME"], ".config")
                                                      if os.environ.get("HOME") else None)
        if xdg:
            files.append(Path(xdg) / "git" / "ignore")
    else:
        return True  # git could not say: ask it about every file
    for f in files:
        try:
            text = f.read_bytes()
        except FileNotFoundError:
            continue
        except OSError:
            return True
        if any(line.strip() and not line.startswith(b"#") for line in text.splitlines()):
            return True
    return False
