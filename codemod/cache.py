"""The result cache: a package that did not change since the last run is not read again.

Like Ruff's ``.ruff_cache``, a run keeps one cache file for the paths it was given (from the
directory it was started in): loaded once when the run starts, written once when it ends.
It holds, per package (directory), what checking and fixing it produced
(:class:`codemod.engine.PackageResult`: findings, fixes, problems, the fixed contents),
the package's directory listing, and per Go file its size, modification and change times, inode and a
content hash.  The file lives in a directory addressed by everything a result depends on
besides the files themselves: the tool's version and code, the knowledge base, the Python
that wrote it, the options and rules; an entry also records which files the run gave for
the package and, when its result depended on it, the module's ``go.mod``.

Validation is stat-first: a warm run stats each directory (listing it only when that moved)
and each Go file as it walks the tree; when every stat matches, the entry is used without
reading a Go file (nor making a Path).  A package recorded empty that needs nothing else
compared (no go.mod) is answered in the walk itself (:meth:`ResultCache.tree`).  A file
whose stat differs is read and hashed, and the entry still holds when the hash does (a
``touch`` or a checkout that put back the same bytes); it then takes the new stats.  The change time is part of
the stat: a tool that writes a file and sets its modification time back (same size, same
mtime) still moves it.  A file modified within two seconds of the moment its entry was made
gets no trusted stat (the "racy" case git also knows: a second write in the same clock tick
would keep size and times), so the next run hashes it.

Safe under concurrency: the file is written to a temporary file and renamed into place, so
a reader sees a whole old file or a whole new one, and a run that finds the file changed
since it loaded it merges what the other run stored before writing its own.  An entry pairs
the stat each file had when the walk listed it, before anything read it, with the hash of
the bytes the check read: a file edited during the run (after the listing) has another
change time by the next run, which then compares the hash, finds what the check read is
not what the file holds, and checks the package again.  A damaged or unreadable cache file counts
as empty (it carries a checksum of its contents); a run that stops early writes nothing.
"""
from __future__ import annotations

import gc
import hashlib
import marshal
import os
import pickle
import struct
import sys
import time
# Bound once: the cache's writes are its own business, apart from the writer's (whose steps
# the fault-injection tests replace one at a time).
from os import fdopen as _fdopen, replace as _rename, unlink as _unlink
from tempfile import mkstemp as _mkstemp
from pathlib import Path

from . import __version__

# Bump when the file layout changes.
FORMAT = 4
RACY_SECONDS = 2.0
MAGIC = b"gofix-linkname cache\0"
_DIGEST = 16
# Per Go file of an entry: size, modification time (-1: racy, not trusted), change time, inode;
# and apart, its content hash (all zero: not read for the result, so any content will do).
_STAT = struct.Struct("<qqqQ")
_NOT_READ = bytes(16)


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
    h = hashlib.blake2b(f"{__version__}\0{FORMAT}\0{sys.version}".encode(), digest_size=16)
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


def content_hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def listing(entries) -> tuple[str, bytes] | None:
    """What a directory's ``os.DirEntry`` values (sorted by name) say for an entry: its regular
    files' names joined by NUL, and the packed stats of its Go files; None when a stat fails.
    Discovery computes it while it walks, so a run lists each directory once."""
    names, stats = [], []
    try:
        for e in entries:
            if not e.is_file():
                continue
            names.append(e.name)
            if e.name.endswith(".go"):
                st = e.stat()
                stats.append(_STAT.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    except OSError:
        return None
    return "\0".join(names), b"".join(stats)


def listing_of(directory: str, joined: str, names: list[str], known=None) -> tuple[str, bytes] | None:
    """:func:`listing` of a directory known to hold the regular files ``names`` (``joined``
    by NUL), and nothing else that is not a directory: only its Go files are stat'ed.
    ``known(directory)``: stats the cache holds for it, returned instead of an equal copy."""
    stats = []
    pack = _STAT.pack
    try:
        for name in names:
            if name.endswith(".go"):
                st = os.stat(_join(directory, name))
                stats.append(pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    except OSError:
        return None
    packed = b"".join(stats)
    if known is not None and (held := known(directory)) == packed:
        packed = held
    return joined, packed


def _trusted(stats: bytes) -> bytes:
    """Go files' packed stats as an entry keeps them: a file modified within
    :data:`RACY_SECONDS` of now gets no trusted modification time (-1)."""
    horizon = time.time_ns() - int(RACY_SECONDS * 1e9)
    size = _STAT.size
    out = []
    for i in range(0, len(stats), size):
        st_size, mtime, ctime, ino = _STAT.unpack_from(stats, i)
        out.append(stats[i:i + size] if mtime < horizon else _STAT.pack(st_size, -1, ctime, ino))
    return b"".join(out)


def _listing(directory) -> tuple[str, bytes] | None:
    try:
        with os.scandir(directory) as it:
            return listing(sorted(it, key=lambda e: e.name))
    except OSError:
        return None


def _join(directory: str, name: str) -> str:
    return name if directory == "." else directory + name if directory.endswith("/") else f"{directory}/{name}"


def _go_names(joined: str) -> list[str]:
    return [n for n in joined.split("\0") if n.endswith(".go")]


# An entry, as stored: (regular file names joined by NUL, the run's Go file names joined by NUL
# or None when they are all of them, _STAT records of the Go files in name order, their content
# hashes, go.mod key or None, module stamp or None, result: the pickled PackageResult, or the
# number of passes of an empty one).
_NAMES, _RUN, _STATS, _HASHES, _MOD, _STAMP, _RESULT = range(7)


class Entry:
    """One package's slot in the cache: ``result`` when valid, else ``store`` after checking."""

    def __init__(self, cache: "ResultCache", directory: str, run: str, listing, result) -> None:
        self._cache = cache
        self._key = directory  # str(path)
        self._run = run
        self._listing = listing  # as seen before anything was read
        self.result = result

    @property
    def names(self) -> list[str] | None:
        """The directory's regular files when it was looked up (None: it could not be listed)."""
        return None if self._listing is None else self._listing[0].split("\0")

    def __getstate__(self) -> dict:
        # Sent to a worker process, which has its own (forked) copy of the cache.
        return {k: v for k, v in self.__dict__.items() if k != "_cache"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._cache = None

    def attach(self, cache: "ResultCache") -> "Entry":
        """Bind an entry sent to another process to that process's copy of its cache."""
        if self._cache is None:
            self._cache = cache
        return self

    def store(self, ws, result, *, module=None) -> None:
        """Record ``result``, computed from the files ``ws`` (an engine Workspace) read.

        ``module()`` gives the package's Module, whose go.mod keys the entry; None: the result
        did not depend on it."""
        self._cache.put(self.record(ws, result, module=module))

    def record(self, ws, result, *, module=None) -> tuple[str, tuple] | None:
        """What :meth:`store` puts in the cache, as ``(key, value)``; None: nothing to store
        (the directory could not be listed, or the result cannot be pickled).  Made where the
        package was checked, put by the run's own process.  Each file's stat is the one the
        listing took before anything read it (see the module's docstring for why that is
        safe without a second stat)."""
        if self._listing is None:
            return None
        joined, stats = self._listing
        go_names = _go_names(joined)
        horizon = time.time_ns() - int(RACY_SECONDS * 1e9)
        records, hashes = [], []
        size = _STAT.size
        original = ws.original
        by_name = getattr(ws, "by_name", False)  # keyed by name, not path
        directory = None if by_name else Path(self._key)
        for i, name in enumerate(go_names):
            record = stats[i * size:(i + 1) * size]
            data = original.get(name if by_name else directory / name)
            # A Go file the check never read (outside the run, and no package fact was needed)
            # did not shape the result: only its presence counts.
            hashes.append(_NOT_READ if data is None else content_hash(data))
            st_size, mtime, ctime, ino = _STAT.unpack(record)
            records.append(record if mtime < horizon else _STAT.pack(st_size, -1, ctime, ino))
        module_stamp = None
        if getattr(ws, "used_module_symbols", False):
            module_stamp = self._cache.module_stamp(self._cache.symbols_root(module, Path(self._key)))
            if module_stamp is None:
                return None
        if isinstance(result, int):
            stored = result
        else:
            try:
                stored = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                return None  # a result that cannot be pickled is simply not cached
        return self._key, (joined, self._run if self._run != "\0".join(go_names) else None,
                           records[0] if len(records) == 1 else b"".join(records), b"".join(hashes),
                           self._cache.module_key(module), module_stamp, stored)


class ResultCache:
    def __init__(self, root: Path, *, options_key: str, goroot: str | None = None) -> None:
        self.root = Path(root)
        self._global = hashlib.blake2b(
            "\0".join([_code_stamp(), _knowledge_stamp(goroot), options_key]).encode(),
            digest_size=16).hexdigest()
        self.dir = self.root / f"v{FORMAT}" / self._global
        self.hits = self.misses = 0
        self.file: Path | None = None
        self._loaded: dict[str, tuple] = {}
        self._loaded_stat = None
        self._dirs: dict = {}
        self._tree = None
        # The packages this run looked up, those it found no valid entry for, and the entries
        # it made: what it writes (kept lean: a warm run holds little beyond the loaded file).
        self._seen: list[str] = []
        self._missed: set[str] = set()
        self._stored: dict[str, tuple] = {}
        self._modules: dict[Path, str] = {}
        self._module_stamps: dict[Path, str | None] = {}

    # ------------------------------------------------------------------ the run's file

    def begin(self, paths: list[str]) -> None:
        """Load the cache file of a run over ``paths`` from the current directory."""
        key = "\0".join([os.getcwd(), *paths])
        name = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        self.file = self.dir / f"{name}.cache"
        self._loaded, self._loaded_stat, self._dirs = _read_file(self.file)
        self._seen, self._missed, self._stored = [], set(), {}
        self._tree = None

    def tree(self):
        """What the last run over these paths learnt of each directory (a
        :class:`codemod.discovery.Tree`), for this run's walk; recorded again when it ends."""
        from .discovery import Tree

        loaded = self._loaded

        def stats(directory: str) -> bytes | None:
            entry = loaded.get(directory)
            return entry[_STATS] if entry is not None else None

        # The walk takes the records it finds out of ``self._dirs``: what is left is gone.
        self._tree = Tree(self._dirs, stats)
        self._tree.answer = self._answerer()
        return self._tree

    def _answerer(self):
        """The tree's ``answer``: a warm run's common case decided in the walk, with one stat
        per Go file and no object made for the package (see :meth:`answered`)."""
        loaded = self._loaded
        pack = _STAT.pack
        stat = os.stat

        def answer(directory: str, joined: str, checked: bool = False) -> tuple | None:
            """The stored entry of the package in ``directory``, whose regular files are
            ``joined`` (NUL between names) and none of them a hidden Go file, when it holds
            for all its Go files: recorded for them all, with the same names and stats, an
            empty result and nothing else to compare (no go.mod, no module stamp).  None
            leaves the package to :meth:`lookup`, which also hashes a file whose stat moved.
            ``checked``: an earlier call found the stats as stored (none is made again)."""
            stored = loaded.get(directory)
            if stored is None or stored[_RESULT].__class__ is not int or stored[_RUN] is not None \
                    or stored[_MOD] is not None or stored[_STAMP] is not None or stored[_NAMES] != joined:
                return None
            if checked:
                return stored
            try:
                if "\0" not in joined:
                    st = stat(_join(directory, joined))
                    packed = pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                else:
                    records = []
                    for name in joined.split("\0"):
                        if name.endswith(".go"):
                            st = stat(_join(directory, name))
                            records.append(pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
                    packed = b"".join(records)
            except OSError:
                return None
            return stored if packed == stored[_STATS] else None

        return answer

    def answered(self, segments: list) -> tuple[int, int]:
        """Count the packages the walk answered (the discovery segments whose files are an entry
        from the tree's ``answer``) as hits, kept for the next run: the most passes of their
        (empty) results, and how many Go files they hold."""
        hits = [(key, stored) for key, stored in segments if stored.__class__ is tuple]
        if not hits:
            return 0, 0
        self._seen += [key for key, _ in hits]
        self.hits += len(hits)
        return max(stored[_RESULT] for _, stored in hits), \
            sum(len(stored[_STATS]) for _, stored in hits) // _STAT.size

    def finish(self) -> None:
        """Write the entries of this run once, when anything changed; merged with what another
        run wrote meanwhile (for the packages this run saw without making an entry)."""
        if self.file is None:
            return
        tree = self._tree
        dirs = tree.seen if tree is not None else {}
        if not self._missed and not self._stored and len(self._seen) == len(self._loaded) \
                and (not tree.changed and not tree.known if tree is not None else not self._dirs):
            return  # every entry held, none is gone, and every directory is as recorded
        loaded, missed = self._loaded, self._missed
        if loaded:
            entries = {k: loaded[k] for k in self._seen if k in loaded and k not in missed}
            entries.update(self._stored)
        else:
            entries = self._stored  # a cold run: what it stored is all there is
        try:
            st = os.stat(self.file)
            on_disk = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            on_disk = None
        if on_disk is not None and on_disk != self._loaded_stat:
            seen = set(self._seen)
            for key, value in _read_file(self.file)[0].items():
                if key in seen and key not in entries:
                    entries[key] = value
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                _atomic_write(tag, b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                   b"# gofix-linkname's result cache (safe to delete).\n")
            _write_frames(self.file, entries, dirs)
        except OSError:
            pass  # a read-only or full cache directory slows the next run, nothing more

    # ------------------------------------------------------------------ rendered diffs

    def diffs(self) -> dict[bytes, str]:
        """The checked diffs the last run over these paths printed (codemod.diff.render's memo),
        kept beside the cache file; read when a run has changes to show."""
        if self.file is None:
            return {}
        memo = _read_file(self.file.with_suffix(".diffs"))[0]
        self._diffs_loaded = set(memo)
        return memo

    def keep_diffs(self, memo: dict[bytes, str]) -> None:
        """Write the diffs this run printed, when they are not the ones it read: only the
        entries it used, so the file follows the changes and never grows without bound."""
        if self.file is None or set(memo) == getattr(self, "_diffs_loaded", None):
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            _write_frames(self.file.with_suffix(".diffs"), memo, {})
        except OSError:
            pass

    def put(self, record: tuple[str, tuple] | None) -> None:
        """Keep an :meth:`Entry.record` for this run's file (None: nothing)."""
        if record is not None:
            key, value = record
            self._stored[key] = value

    # --------------------------------------------------------------------- packages

    def lookup(self, directory: str | Path, names: list[str], module, listed=False) -> Entry:
        """The entry for ``directory`` (best as str(path): then a hit builds no Path) checked as
        its files ``names``; ``entry.result`` is None on a miss.

        ``module()`` gives the package's Module, whose go.mod contents key the entry when its
        result depended on them.  ``listed``: the directory's :func:`listing`, taken before
        any of its files was read, when the caller has it."""
        if self.file is None:
            self.begin(["."])
        key = directory if isinstance(directory, str) else str(directory)
        self._seen.append(key)
        run = names[0] if len(names) == 1 else "\0".join(sorted(names))
        listing = _listing(key) if listed is False else listed
        stored = self._loaded.get(key)
        result = None
        if stored is not None and listing is not None:
            try:
                if self._valid(key, stored, run, listing, module):
                    result = stored[_RESULT]
                    result = pickle.loads(result) if isinstance(result, bytes) else result
            except Exception:  # a damaged or foreign entry is a miss, never an error
                result = None
        if result is None:
            self.misses += 1
            self._missed.add(key)
        else:
            self.hits += 1
            if stored[_STATS] != listing[1]:
                # Its files were hashed, a stat having moved (a touch, a checkout): the entry
                # takes the stats they had before the hash read them, so that the next run
                # compares stats alone (or again hashes a file modified just now).
                self._stored[key] = stored[:_STATS] + (_trusted(listing[1]),) + stored[_STATS + 1:]
        return Entry(self, key, run, listing, result)

    def module_key(self, module) -> str | None:
        """What names the package's module: its go.mod's real path and contents (None: the
        result did not depend on it)."""
        if module is None:
            return None
        mod = module()
        if mod is None:
            return ""
        go_mod = mod.root / "go.mod"
        mod_key = self._modules.get(go_mod)
        if mod_key is None:
            try:
                mod_key = f"{go_mod.resolve()}\0{content_hash(go_mod.read_bytes()).hex()}"
            except OSError:
                mod_key = f"{go_mod}\0unreadable"
            self._modules[go_mod] = mod_key
        return mod_key

    def symbols_root(self, module, directory: Path) -> Path:
        mod = module() if module is not None else None
        return (mod.root if mod is not None else directory).resolve()

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
                    h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\0".encode())
                self._module_stamps[root] = h.hexdigest()
            except OSError:
                self._module_stamps[root] = None
        return self._module_stamps[root]

    def _valid(self, directory: str, stored: tuple, run: str, listing, module) -> bool:
        joined, stats = listing
        if joined != stored[_NAMES]:
            return False
        if stored[_RUN] is not None:
            if stored[_RUN] != run:
                return False
        elif run != joined and "\0".join(_go_names(joined)) != run:
            return False  # (run == joined: the directory holds the run's Go files and no other file)
        if stored[_STATS] != stats:
            go_names = _go_names(joined)
            records, hashes = stored[_STATS], stored[_HASHES]
            size = _STAT.size
            if len(records) != size * len(go_names) or len(hashes) != 16 * len(go_names):
                return False
            for i, name in enumerate(go_names):
                digest = hashes[16 * i:16 * (i + 1)]
                if records[i * size:(i + 1) * size] == stats[i * size:(i + 1) * size] \
                        or digest == _NOT_READ:
                    continue  # unchanged, or never read for the result: any content will do
                # The stat moved (or was never trusted): the content decides.
                try:
                    with open(_join(directory, name), "rb") as fh:
                        data = fh.read()
                except OSError:
                    return False
                if content_hash(data) != digest:
                    return False
        if stored[_MOD] is not None and stored[_MOD] != self.module_key(module):
            return False
        if stored[_STAMP] is not None \
                and stored[_STAMP] != self.module_stamp(self.symbols_root(module, Path(directory))):
            return False
        return True


def _read_file(path: Path) -> tuple[dict, tuple | None, dict]:
    """The entries of a cache file, its stat when read, and its directories (see
    :class:`codemod.discovery.Tree`); a damaged file has none."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            raw = memoryview(fh.read())
    except OSError:
        return {}, None, {}
    stat = (st.st_size, st.st_mtime_ns, st.st_ino)
    head = len(MAGIC) + _DIGEST
    if raw[:len(MAGIC)] != MAGIC or len(raw) < head:
        return {}, stat, {}
    if hashlib.blake2b(raw[head:], digest_size=_DIGEST).digest() != raw[len(MAGIC):head]:
        return {}, stat, {}
    # A large tree's file is a million small objects, none of them in a cycle, that live as
    # long as the run: the collector would walk them over and over, while they are made and
    # at each of its later passes.  (Frozen, they are still freed when no longer referenced.)
    collecting = gc.isenabled()
    gc.disable()
    entries: dict = {}
    dirs: dict = {}
    try:
        at = head
        while at < len(raw):
            (size,) = _FRAME.unpack_from(raw, at)
            at += _FRAME.size
            if at + size > len(raw):
                return {}, stat, {}
            some_entries, some_dirs = marshal.loads(raw[at:at + size])
            at += size
            entries.update(some_entries)
            dirs.update(some_dirs)
    except Exception:
        return {}, stat, {}
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
    return entries, stat, dirs


def read_entries(path: Path) -> dict[str, dict]:
    """A cache file's entries, readable: directory -> names, per Go file (size, mtime_ns or
    None when racy, inode, hash or None when not read), and whether a result is stored."""
    out = {}
    for key, e in _read_file(path)[0].items():
        files = {}
        for i, name in enumerate(_go_names(e[_NAMES])):
            size, mtime, _, ino = _STAT.unpack_from(e[_STATS], i * _STAT.size)
            digest = e[_HASHES][16 * i:16 * (i + 1)]
            files[name] = (size, None if mtime < 0 else mtime, ino,
                           None if digest == _NOT_READ else digest.hex())
        out[key] = {"names": e[_NAMES].split("\0"), "files": files, "go.mod": e[_MOD],
                    "module": e[_STAMP]}
    return out


# A cache file after its header: frames, each the length of its marshal data (8 bytes) and the
# data, a pair (entries, directories) of at most _FRAME_KEYS keys.  Made and written one
# frame at a time: one marshal of a large tree's file was the run's largest object (16 MB
# for 100,000 packages, and more while it grew).  A directory's entry and record share their
# names (one object in the same frame).
_FRAME = struct.Struct("<Q")
_FRAME_KEYS = 4096


def _write_frames(path: Path, entries: dict, dirs: dict) -> None:
    """Write ``entries`` and ``dirs`` as a cache file at ``path`` (atomically: see
    :func:`_atomic_write`), with its checksum."""
    keys = list(dirs)
    keys += [k for k in entries if k not in dirs]
    digest = hashlib.blake2b(digest_size=_DIGEST)

    def frames():
        for i in range(0, len(keys), _FRAME_KEYS):
            part = keys[i:i + _FRAME_KEYS]
            data = marshal.dumps(({k: entries[k] for k in part if k in entries},
                                  {k: dirs[k] for k in part if k in dirs}))
            size = _FRAME.pack(len(data))
            digest.update(size)
            digest.update(data)
            yield size
            yield data

    # (The checksum is known at the end: its place is written then.)
    _atomic_write(path, MAGIC, bytes(_DIGEST), frames(), at=len(MAGIC), then=digest)


def _atomic_write(path: Path, *pieces, at: int | None = None, then=None) -> None:
    """Write ``pieces`` (bytes, or an iterable of bytes) to a temporary file renamed to
    ``path``; with ``then`` (a hash), its digest is written at offset ``at`` last."""
    fd, tmp = _mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with _fdopen(fd, "wb") as fh:
            for data in pieces:
                if isinstance(data, (bytes, bytearray, memoryview)):
                    fh.write(data)
                else:
                    for piece in data:
                        fh.write(piece)
            if then is not None:
                fh.seek(at)
                fh.write(then.digest())
        _rename(tmp, path)
    except BaseException:
        try:
            _unlink(tmp)
        except OSError:
            pass
        raise
