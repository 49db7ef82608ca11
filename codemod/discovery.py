"""Which files a run looks at.

Paths may be files or directories (recursively); Go's ``./...`` and ``dir/...`` forms mean
the directory.  Only ``.go`` files are Go sources; ``vendor/``, ``testdata/`` and hidden
directories are skipped, as ``go build ./...`` skips them, and so is whatever ``.gitignore``
ignores inside a git work tree.  Symlinks are never followed out of the tree given, and
symlinked directories are not walked at all (that is also what keeps a link loop harmless).
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

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


def normalize_arg(arg: str) -> str:
    if arg == "...":
        return "."
    if arg.endswith("/..."):
        return arg[: -len("/...")] or "/"
    return arg


def _skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith(".") or name.startswith("_")


def discover(args: list[str], want_other=lambda rel: False, *, listings: bool = False) -> Discovery:
    """Walk ``args``; ``want_other(relative posix path)`` selects non-Go files to keep;
    ``listings`` records what each directory holds (for the result cache)."""
    found = Discovery()
    if listings:
        from .cache import listing
    seen: dict[str, Path] = {}
    args = args or ["."]
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
                found.go_files.append(arg)
            continue
        root = arg
        found.roots.append(root)
        real_root = root.resolve()
        candidates: list[Path] = []
        # Aligned with candidates: the real path of a plain file (None: a link, resolved when
        # needed); lists rather than dicts keyed by path, which would hash every path.
        reals: list[str | None] = []
        for here, real_dir, entries in _walk(root, real_root):
            if listings:
                found.listings[str(here)] = listing(entries)
            for entry in entries:
                name = entry.name
                p = here / name
                if name.startswith((".", "_")):  # go build ignores these too
                    if name.endswith(TEMP_SUFFIX) and is_stale_temporary(p):
                        found.stale_temporaries.append(p)
                    continue
                try:
                    is_link = entry.is_symlink()
                    is_file = entry.is_file() if not is_link else p.is_file()
                except OSError:
                    is_link, is_file = False, False
                if is_link:
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
                        found.errors.append((p, "not a regular file"))
                    continue
                # A plain file's real path is its directory's plus its name: the walk knows each
                # directory's real path (it enters no linked directory), which saves a realpath
                # (a stat per path component) per file and directory.
                reals.append(None if is_link else f"{real_dir}/{name}" if real_dir != "/" else "/" + name)
                candidates.append(p)
        # Hidden build files a build-file rule may ask for (CI workflows, release configs) live
        # under the root given, in places the walk above skips.
        for pattern in HIDDEN_BUILD_FILES:
            hidden = [p for p in sorted(root.glob(pattern))
                      if p.is_file() and not p.is_symlink() and want_other(p.relative_to(root).as_posix())]
            candidates += hidden
            reals += [str(p.resolve()) for p in hidden]
        ignored = _git_ignored(root, candidates)
        # One file reached by two names (a link to a file of the tree, or the same file given
        # twice) is checked, fixed and diffed once, under its own name rather than the link's:
        # fixing it under both names would write it twice and print two patches for it.
        kept = [False] * len(candidates)
        plain = [i for i, r in enumerate(reals) if r is not None]
        order = plain if len(plain) == len(reals) else \
            plain + [i for i, r in enumerate(reals) if r is None]  # real files before links
        if n == len(args) and not seen and len(plain) == len(reals):
            # The only tree, or the last, with nothing recorded before it and no link in it:
            # no file can be reached twice, and nothing after it needs the record.
            kept = [not (ignored and p in ignored) for p in candidates]
            order = []
        for i in order:
            p = candidates[i]
            if ignored and p in ignored:
                continue
            first = _first_sight(seen, p, reals[i])
            if first is None:
                kept[i] = True
            elif first != p:
                found.aliases.setdefault(first, []).append(p)
        del reals, order, plain
        for p, keep in zip(candidates, kept):
            if not keep:
                continue
            if p.name.endswith(".go"):
                found.go_files.append(p)
            elif want_other(p.relative_to(root).as_posix()):
                found.other_files.append(p)
    return found


def _walk(root: Path, real_root: Path):
    """(directory, its real path, its entries sorted by name) for ``root`` (whose real path is
    ``real_root``) and the directories under it, in ``os.walk`` order; skipped and symlinked
    directories are not entered, so a directory's real path is its parent's plus its name."""
    stack = [(root, str(real_root))]
    while stack:
        here, real_here = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        files, dirs = [], []
        for e in entries:
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                files.append(e)
            elif not _skipped_dir(e.name) and not e.is_symlink():
                dirs.append((here / e.name, f"{real_here}/{e.name}" if real_here != "/" else "/" + e.name))
        yield here, real_here, files
        stack.extend(reversed(dirs))


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


def _git_ignored(root: Path, paths: list[Path]) -> set[Path]:
    """The subset of ``paths`` that git ignores, when ``root`` is inside a work tree."""
    if not paths:
        return set()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if top.returncode != 0:
        return set()
    rels = "\0".join(str(p.resolve().relative_to(Path(top.stdout.strip()).resolve())) for p in paths)
    res = subprocess.run(["git", "check-ignore", "-z", "--stdin"], cwd=top.stdout.strip(),
                         input=rels + "\0", capture_output=True, text=True, timeout=60)
    ignored = {x for x in res.stdout.split("\0") if x}
    top_path = Path(top.stdout.strip()).resolve()
    return {p for p in paths if str(p.resolve().relative_to(top_path)) in ignored}
