"""The result cache: a package that did not change since the last run is not read again.

Like Ruff's ``.ruff_cache``, one entry per package (directory) holds what checking and fixing
it produced (:class:`codemod.engine.PackageResult`: findings, fixes, problems, the fixed
contents).  An entry is addressed by everything the result depends on besides the files
themselves: the tool's version and code, the knowledge base, the options and rules, the
directory as given, the files of the run in it, and the module's ``go.mod``.  Inside, it
records the package's directory listing and, per Go file, its size, modification time, inode
and a content hash.

Validation is stat-first: a warm run lists the directory and stats each Go file; when every
stat matches, the entry is used without reading a Go file.  A file whose stat differs is read
and hashed, and the entry still holds when the hash does (a ``touch`` or a checkout that put
back the same bytes).  A file modified within two seconds of the moment its entry was written
gets no trusted stat (the "racy" case git also knows: a second write in the same clock tick
would keep size and time), so the next run hashes it.

Safe under concurrency: entries are written to a temporary file and renamed into place, so a
reader sees a whole old entry or a whole new one; two runs storing the same entry both write
the same content.  An entry is stored only when every file read for it still has the stat it
had before it was read: a file edited during the run leaves no entry behind.  A damaged or
unreadable entry counts as absent.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import time
# Bound once: the cache's writes are its own business, apart from the writer's (whose steps
# the fault-injection tests replace one at a time).
from os import fdopen as _fdopen, replace as _rename, unlink as _unlink
from tempfile import mkstemp as _mkstemp
from dataclasses import dataclass
from pathlib import Path

from . import __version__

# Bump when the entry layout changes.
FORMAT = 1
RACY_SECONDS = 2.0


def default_dir() -> Path:
    """``$GOFIX_LINKNAME_CACHE_DIR``, else the user cache directory (platformdirs)."""
    env = os.environ.get("GOFIX_LINKNAME_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_cache_dir("gofix-linkname"))


def _code_stamp() -> str:
    """The tool's version, and the size and time of its own code and knowledge base.

    A development checkout changes its rules without changing its version number; the stamp
    changes with them.  Stats, not contents: this runs on every start (about 60 files).
    """
    here = Path(__file__).resolve().parent
    h = hashlib.blake2b(f"{__version__}\0{FORMAT}".encode(), digest_size=16)
    roots = [here, here.parent / "rules"]
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".bin")):
                    st = os.stat(os.path.join(dirpath, name))
                    h.update(f"{dirpath}/{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def _knowledge_stamp(goroot: str | None) -> str:
    """What the knowledge base answers from: the shipped file, plus a user GOROOT if given."""
    here = Path(__file__).resolve().parent
    kb = here / "data" / "knowledge.bin"
    h = hashlib.blake2b(digest_size=16)
    try:
        h.update(kb.read_bytes())
    except OSError:
        h.update(b"no knowledge base")
    if goroot:
        h.update(goroot.encode())
        try:
            h.update((Path(goroot) / "VERSION").read_bytes())
        except OSError:
            pass
    return h.hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class _Stored:
    """The pickled entry."""

    names: tuple[str, ...]  # every regular file in the directory
    stats: dict[str, tuple[int, int, int] | None]  # Go file -> (size, mtime_ns, inode); None: racy
    hashes: dict[str, str | None]  # Go file -> content hash; None: not read for the result
    result: object  # codemod.engine.PackageResult
    # When the check asked what the whole module defines (codemod.linkset), the stats of the
    # module's Go and assembly files then; None when the result did not depend on them.
    module_stamp: str | None = None


def _listing(directory: Path) -> tuple[tuple[str, ...], dict[str, tuple[int, int, int]]] | None:
    """The directory's regular files, and the stats of its Go files."""
    names, stats = [], {}
    try:
        with os.scandir(directory) as it:
            for e in it:
                try:
                    if not e.is_file():
                        continue
                    names.append(e.name)
                    if e.name.endswith(".go"):
                        st = e.stat()
                        stats[e.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
                except OSError:
                    return None
    except OSError:
        return None
    return tuple(sorted(names)), stats


class Entry:
    """One package's slot in the cache: ``result`` when valid, else ``store`` after checking."""

    def __init__(self, cache: "ResultCache", path: Path, listing, stored: _Stored | None,
                 result) -> None:
        self._cache = cache
        self._path = path
        self._listing = listing  # as seen before anything was read
        self._stored = stored
        self.result = result

    def store(self, ws, result) -> None:
        """Record ``result``, computed from the files ``ws`` (an engine Workspace) read."""
        if self._listing is None:
            return
        names, stats_before = self._listing
        hashes: dict[str, str | None] = {}
        directory = self._path
        for name in stats_before:
            data = ws.original.get(directory / name)
            # A Go file the check never read (outside the run, and no package fact was needed)
            # did not shape the result: only its presence counts.
            hashes[name] = None if data is None else content_hash(data)
        now = _listing(directory)
        if now is None or now != self._listing:
            return  # something changed while the package was being checked
        horizon = time.time_ns() - int(RACY_SECONDS * 1e9)
        stats = {n: (s if s[1] < horizon else None) for n, s in stats_before.items()}
        module_stamp = None
        if getattr(ws, "used_module_symbols", False):
            module_stamp = self._cache.module_stamp(self._symbols_root)
            if module_stamp is None:
                return
        self._cache.write(self._key_file, _Stored(names, stats, hashes, result, module_stamp))

    @property
    def _key_file(self) -> Path:
        return self._cache.entry_file(self._path, self._files_key)

    _files_key: str = ""
    _symbols_root: Path | None = None


class ResultCache:
    def __init__(self, root: Path, *, options_key: str, goroot: str | None = None) -> None:
        self.root = Path(root)
        self._global = hashlib.blake2b(
            "\0".join([_code_stamp(), _knowledge_stamp(goroot), options_key]).encode(),
            digest_size=16).hexdigest()
        self.dir = self.root / f"v{FORMAT}" / self._global
        self.hits = self.misses = 0
        self._modules: dict[Path, str] = {}
        self._module_stamps: dict[Path, str | None] = {}

    def entry_file(self, directory: Path, files_key: str) -> Path:
        h = hashlib.blake2b(f"{files_key}".encode(), digest_size=20).hexdigest()
        return self.dir / h[:2] / h[2:]

    def lookup(self, directory: Path, files: list[Path], module) -> Entry:
        """The entry for ``directory`` checked as ``files``; ``entry.result`` is None on a miss.

        ``module()`` gives the package's Module, whose go.mod contents key the entry.
        """
        mod = module()
        mod_key = ""
        if mod is not None:
            go_mod = mod.root / "go.mod"
            mod_key = self._modules.get(go_mod)
            if mod_key is None:
                try:
                    mod_key = f"{go_mod.resolve()}\0{content_hash(go_mod.read_bytes())}"
                except OSError:
                    mod_key = f"{go_mod}\0unreadable"
                self._modules[go_mod] = mod_key
        files_key = "\0".join([str(directory), os.path.abspath(directory), mod_key,
                               *sorted(p.name for p in files)])
        listing = _listing(directory)
        entry_file = self.entry_file(directory, files_key)
        stored = self._read(entry_file)
        result = None
        if stored is not None and listing is not None and self._valid(directory, stored, listing):
            result = stored.result
        symbols_root = (mod.root if mod is not None else directory).resolve()
        if result is not None and stored.module_stamp is not None \
                and stored.module_stamp != self.module_stamp(symbols_root):
            result = None
        entry = Entry(self, directory, listing, stored, result)
        entry._files_key = files_key
        entry._symbols_root = symbols_root
        if result is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def module_stamp(self, root: Path) -> str | None:
        """The stats of every file the module-symbol scan reads (codemod.linkset), once per run.

        Stat only: a result that depends on the whole module is checked again when any Go or
        assembly file of the module was touched."""
        if root not in self._module_stamps:
            from .linkset import _walk
            h = hashlib.blake2b(digest_size=16)
            try:
                for path in _walk(root):
                    st = os.stat(path)
                    h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0".encode())
                self._module_stamps[root] = h.hexdigest()
            except OSError:
                self._module_stamps[root] = None
        return self._module_stamps[root]

    def _valid(self, directory: Path, stored: _Stored, listing) -> bool:
        names, stats = listing
        if names != stored.names:
            return False
        for name, st in stats.items():
            if stored.stats.get(name) == st:
                continue
            if name in stored.hashes and stored.hashes[name] is None:
                continue  # never read for the result: any content will do
            # The stat moved (or was never trusted): the content decides.
            try:
                data = (directory / name).read_bytes()
            except OSError:
                return False
            if name not in stored.hashes:
                return False
            if stored.hashes[name] is not None and content_hash(data) != stored.hashes[name]:
                return False
        return True

    def _read(self, path: Path) -> _Stored | None:
        try:
            with open(path, "rb") as fh:
                stored = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged or foreign entry is a miss, never an error
            return None
        return stored if isinstance(stored, _Stored) else None

    def write(self, path: Path, stored: _Stored) -> None:
        """Write atomically: a temporary file in the same directory, renamed into place."""
        try:
            data = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return  # a result that cannot be pickled is simply not cached
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                _atomic_write(tag, b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                   b"# gofix-linkname's result cache (safe to delete).\n")
            _atomic_write(path, data)
        except OSError:
            pass  # a read-only or full cache directory slows the next run, nothing more


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = _mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with _fdopen(fd, "wb") as fh:
            fh.write(data)
        _rename(tmp, path)
    except BaseException:
        try:
            _unlink(tmp)
        except OSError:
            pass
        raise
