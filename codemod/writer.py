"""Writing fixed files: atomic per file, all-or-nothing across files.

Each file is written to a temporary file in its own directory and renamed over the
original, keeping the original's mode.  Every file is checked first (still the bytes the
fixes were computed from, writable, directory writable, new files absent); if any write then
fails, every file already written is put back as it was.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class WriteError(RuntimeError):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def _check(path: Path, before: bytes | None, after: bytes | None) -> None:
    if before is None:
        if path.exists() or path.is_symlink():
            raise WriteError(path, "would overwrite an existing file; nothing written")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise WriteError(path, "directory is not writable; nothing written")
        return
    try:
        current = path.read_bytes()
        st = path.stat()
    except OSError as e:
        raise WriteError(path, f"cannot read: {e.strerror}; nothing written") from e
    if current != before:
        raise WriteError(path, "changed on disk since it was read; nothing written")
    # Root may write anything, so read-only is judged by the mode bits: a file its owner made
    # read-only is one the user does not want rewritten.
    if after is not None and not st.st_mode & stat.S_IWUSR:
        raise WriteError(path, "file is read-only; nothing written")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise WriteError(path, "directory is not writable; nothing written")


def _atomic_write(path: Path, data: bytes, mode: int | None) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gofix", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode if mode is not None else 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _through_links(path: Path) -> Path:
    """The file a symbolic link names: renaming over the link would replace it with a copy."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def write_all(changes: dict[Path, tuple[bytes | None, bytes | None]]) -> None:
    """Write every change or none; raises WriteError naming the file that stopped it."""
    for path, (before, after) in sorted(changes.items()):
        _check(path, before, after)
    done: list[tuple[Path, bytes | None, int | None]] = []
    try:
        for path, (before, after) in sorted(changes.items()):
            if before is not None and after is not None:
                path = _through_links(path)
            mode = stat.S_IMODE(path.stat().st_mode) if before is not None else None
            if after is None:
                path.unlink()
            else:
                _atomic_write(path, after, mode)
            done.append((path, before, mode))
    except OSError as e:
        failed = path
        lost = []
        for p, before, mode in reversed(done):
            try:
                if before is None:
                    p.unlink()
                else:
                    _atomic_write(p, before, mode)
            except OSError:
                lost.append(str(p))
        # Say so when a restore failed too: "every file restored" must never be a guess.
        restored = f"could not restore {', '.join(sorted(lost))}" if lost else "every file restored"
        raise WriteError(failed, f"cannot write: {e.strerror or e}; {restored}") from e
