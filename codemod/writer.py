"""Writing fixed files: atomic per file, all-or-nothing across files, and interrupt-safe.

Each file is written to a temporary file in its own directory and renamed over the
original, keeping the original's mode.  Every file is checked first (still the bytes the
fixes were computed from, writable, directory writable, new files absent); then every
temporary file is written and synced, before any original is touched (a full disk stops the
write with nothing changed); then each file is checked again just before it is replaced, and
if a rename then fails, every file already replaced is put back as it was.  The temporary
files are synced together, from a few threads: one sync after another cost seconds of
waiting on a thousand files.

SIGINT, SIGTERM and SIGHUP are held while files are being replaced: the write stops at the
next file boundary, puts back every file already written, and raises :class:`Interrupted`;
a file is never left half-written and the tree is never left half-fixed.  A SIGKILL cannot
be held: it may leave a temporary file behind.  Temporary files are named
``.<file>.<pid>.<random>.gofix``; :func:`stale_temporaries` recognises one whose process is
gone, so the next run can remove it.
"""
from __future__ import annotations

import os
import re
import signal
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import trace

TEMP_SUFFIX = ".gofix"
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[1-9]\d*)\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")
HELD_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s)


class WriteError(RuntimeError):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class _Refused(Exception):
    """A file failed its check; the caller says what became of the others."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class Interrupted(WriteError):
    """A signal came during the write; the message says what became of the files."""

    def __init__(self, path: Path, signum: int, message: str) -> None:
        super().__init__(path, message)
        self.signum = signum


def is_temporary(name: str) -> bool:
    return _TEMP_NAME.match(name) is not None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OSError:
        return False
    return True


def is_stale_temporary(path: Path) -> bool:
    """A temporary file of ours whose writer is gone (killed before it could clean up)."""
    m = _TEMP_NAME.match(path.name)
    return bool(m) and path.is_file() and not path.is_symlink() and \
        int(m.group("pid")) != os.getpid() and not _pid_alive(int(m.group("pid")))


def remove_stale(paths) -> list[tuple[Path, str | None]]:
    """Remove stale temporaries: (path, None) when removed, (path, why not) otherwise."""
    out = []
    for p in paths:
        try:
            p.unlink()
            out.append((p, None))
        except FileNotFoundError:
            continue
        except OSError as e:
            out.append((p, e.strerror or str(e)))
    return out


def _check(path: Path, before: bytes | None, after: bytes | None) -> None:
    if before is None:
        if path.exists() or path.is_symlink():
            raise _Refused(path, f"would overwrite an existing file")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise _Refused(path, f"directory is not writable")
        return
    try:
        current = path.read_bytes()
        st = path.stat()
    except IsADirectoryError as e:
        raise _Refused(path, f"is a directory now") from e
    except OSError as e:
        raise _Refused(path, f"cannot read: {e.strerror}") from e
    if current != before:
        raise _Refused(path, f"changed on disk since it was read")
    # Root may write anything, so read-only is judged by the mode bits: a file its owner made
    # read-only is one the user does not want rewritten.
    if after is not None and not st.st_mode & stat.S_IWUSR:
        raise _Refused(path, f"file is read-only")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise _Refused(path, f"directory is not writable")


def _atomic_write(path: Path, data: bytes, mode: int | None) -> None:
    tmp = _stage(path, data, mode)
    try:
        _sync(tmp)
        os.replace(tmp, path)
    except BaseException:
        _discard([tmp])
        raise


def _stage(path: Path, data: bytes, mode: int | None) -> str:
    """A temporary file beside ``path`` holding ``data`` with ``mode``, not yet synced."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode if mode is not None else 0o644 & ~_umask())
    except BaseException:
        _discard([tmp])
        raise
    return tmp


def _sync(tmp: str) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_all(staged: dict[Path, str]) -> tuple[Path, OSError] | None:
    """fsync every temporary file; the first file that failed and its error, if any."""
    items = list(staged.items())
    if len(items) < 8:
        futures = None
    else:
        # fsync waits on the disk with the GIL released: a few at once let the file system
        # commit them together.
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(_sync, tmp) for _, tmp in items]
    for i, (path, tmp) in enumerate(items):
        try:
            _sync(tmp) if futures is None else futures[i].result()
        except OSError as e:
            return path, e
    return None


def _discard(temps) -> None:
    for t in temps:
        try:
            os.unlink(t)
        except OSError:
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _through_links(path: Path) -> Path:
    """The file a symbolic link names: renaming over the link would replace it with a copy."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextmanager
def _signals_held():
    """Record SIGINT/SIGTERM/SIGHUP instead of acting on them; yields the list they go to.
    A signal the caller ignores (``nohup`` ignores SIGHUP) stays ignored: it must not stop
    the write either."""
    caught: list[int] = []
    previous = {}
    try:
        for s in HELD_SIGNALS:
            if signal.getsignal(s) is signal.SIG_IGN:
                continue
            previous[s] = signal.signal(s, lambda signum, frame: caught.append(signum))
    except ValueError:  # not the main thread: signals cannot be handled here, nor arrive
        pass
    try:
        yield caught
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _restore(done) -> list[str]:
    lost = []
    for p, before, mode in reversed(done):
        try:
            if before is None:
                p.unlink()
            else:
                _atomic_write(p, before, mode)
        except OSError:
            lost.append(str(p))
    return lost


def write_all(changes: dict[Path, tuple[bytes | None, bytes | None]]) -> None:
    """Write every change or none; raises WriteError naming the file that stopped it."""
    order = sorted(changes.items())
    for path, (before, after) in order:
        trace.at(path)
        try:
            _check(path, before, after)
        except _Refused as e:
            raise WriteError(e.path, f"{e.reason}; nothing written") from None
    done: list[tuple[Path, bytes | None, int | None]] = []
    staged: dict[Path, str] = {}
    with _signals_held() as caught:
        path = None
        try:
            # Every new text in a temporary file, synced, before any original is replaced.
            targets = []
            for path, (before, after) in order:
                if caught:
                    break
                trace.at(path)
                if before is not None and after is not None:
                    path = _through_links(path)
                mode = stat.S_IMODE(path.stat().st_mode) if before is not None else None
                if after is not None:
                    staged[path] = _stage(path, after, mode)
                targets.append((path, before, after, mode))
            failed = _sync_all(staged) if not caught else None
            if failed is not None:
                path = failed[0]
                raise failed[1]
            for path, before, after, mode in targets:
                if caught:
                    break
                trace.at(path)
                # Checked again right before the rename: an editor may have saved meanwhile.
                _check(path, before, after)
                if after is None:
                    path.unlink()
                else:
                    os.replace(staged[path], path)
                    del staged[path]
                done.append((path, before, mode))
        except _Refused as e:
            _discard(staged.values())
            lost = _restore(done)
            outcome = (f"could not restore {', '.join(sorted(lost))}" if lost else
                       "every file restored" if done else "nothing written")
            raise WriteError(e.path, f"{e.reason}; {outcome}") from None
        except OSError as e:
            failed = path
            _discard(staged.values())
            lost = _restore(done)
            # Say so when a restore failed too: "every file restored" must never be a guess.
            restored = (f"could not restore {', '.join(sorted(lost))}" if lost else
                        "every file restored" if done else "nothing written")
            raise WriteError(failed, f"cannot write: {e.strerror or e}; {restored}") from e
        except BaseException:
            _discard(staged.values())
            _restore(done)
            raise
        if len(done) == len(changes):
            trace.written = len(done)  # before the signals are let go
        if caught and len(done) < len(changes):
            _discard(staged.values())
            lost = _restore(done)
            name = signal.Signals(caught[0]).name
            if lost:
                raise Interrupted(path, caught[0], f"{name} stopped the write before this file; "
                                  f"could not restore {', '.join(sorted(lost))}")
            what = (f"the {len(done)} file(s) already written were put back, nothing changed" if done
                    else "nothing written")
            raise Interrupted(path, caught[0], f"{name} stopped the write before this file; {what}")
        if caught:
            # The signal came while the last file was being replaced: the write is complete.
            raise Interrupted(path, caught[0], f"{signal.Signals(caught[0]).name} came as the last "
                              f"file was written; the write completed, all {len(done)} file(s) fixed")
