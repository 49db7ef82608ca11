"""Fault injection at every step of the write: creating the temporary file, writing it, syncing
it, setting its mode, renaming it over the file, deleting a file; with EACCES, ENOSPC, EIO, a
cross-device rename, a file changed on disk between read and write, and a signal.  Whichever
step of whichever file fails, every file ends byte-identical to before (or the one line says
which could not be restored), no temporary file is left, and the command says it in one line."""
from __future__ import annotations

import errno
import os
import signal
import tempfile
from pathlib import Path

import pytest

from codemod import cli, writer
from codemod.writer import WriteError, write_all

ERRORS = {"EACCES": errno.EACCES, "ENOSPC": errno.ENOSPC, "EIO": errno.EIO, "EXDEV": errno.EXDEV}


def layout(root: Path) -> dict[Path, tuple[bytes | None, bytes | None]]:
    """Edits, a creation and a deletion, in two directories."""
    changes = {}
    for i, name in enumerate(("a/e1.go", "a/e2.go", "b/e3.go", "b/e4.go")):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"old %d\r\n" % i)
        os.chmod(p, 0o640 + i)
        changes[p] = (b"old %d\r\n" % i, b"new %d\r\n" % i)
    gone = root / "a" / "gone.go"
    gone.write_bytes(b"bye\n")
    changes[gone] = (b"bye\n", None)
    changes[root / "b" / "new.go"] = (None, b"hello\n")
    return changes


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mode) for p in sorted(root.rglob("*"))
            if p.is_file()}


class Faults:
    """Make the n-th call of one step raise; once (transient) or from then on (persistent)."""

    def __init__(self, monkeypatch, step: str, n: int, err: int, persistent: bool):
        self.calls, self.n, self.err, self.persistent = 0, n, err, persistent
        self.fired = False
        if step == "mkstemp":
            self._wrap(monkeypatch, writer.tempfile, "mkstemp")
        elif step == "write":
            real_fdopen = os.fdopen
            faults = self

            class FailingFile:
                def __init__(self, f):
                    self.f = f

                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    self.f.close()

                def write(self, data):
                    faults.maybe_fail()
                    return self.f.write(data)

                def __getattr__(self, name):
                    return getattr(self.f, name)

            monkeypatch.setattr(writer.os, "fdopen", lambda fd, mode: FailingFile(real_fdopen(fd, mode)))
        elif step == "unlink":
            real_unlink = Path.unlink
            faults = self

            def unlink(path, missing_ok=False):
                faults.maybe_fail()
                return real_unlink(path, missing_ok=missing_ok)

            monkeypatch.setattr(writer.Path, "unlink", unlink)
        else:
            self._wrap(monkeypatch, writer.os, step)

    def _wrap(self, monkeypatch, module, name):
        real = getattr(module, name)

        def wrapper(*a, **kw):
            self.maybe_fail()
            return real(*a, **kw)

        monkeypatch.setattr(module, name, wrapper)

    def maybe_fail(self):
        self.calls += 1
        if self.calls == self.n or (self.persistent and self.calls > self.n):
            self.fired = True
            raise OSError(self.err, os.strerror(self.err))


STEPS = {"mkstemp": 5, "write": 5, "fsync": 5, "chmod": 5, "replace": 5, "unlink": 1}


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("error", list(ERRORS))
def test_a_transient_failure_at_any_call_of_any_step_leaves_every_file_as_it_was(tmp_path, monkeypatch, step, error):
    for n in range(1, STEPS[step] + 1):
        root = tmp_path / f"{n}"
        root.mkdir()
        changes = layout(root)
        before = snapshot(root)
        with monkeypatch.context() as m:
            faults = Faults(m, step, n, ERRORS[error], persistent=False)
            with pytest.raises(WriteError) as e:
                write_all(changes)
        assert faults.fired
        assert snapshot(root) == before, (step, error, n)
        msg = str(e.value)
        assert "\n" not in msg and msg.endswith(("; every file restored", "; nothing written")), msg
        assert os.strerror(ERRORS[error]) in msg


@pytest.mark.parametrize("step", ["replace", "mkstemp", "write"])
def test_a_persistent_failure_says_which_files_it_could_not_restore(tmp_path, monkeypatch, step):
    changes = layout(tmp_path)
    before = snapshot(tmp_path)
    with monkeypatch.context() as m:
        Faults(m, step, 3, errno.ENOSPC, persistent=True)
        with pytest.raises(WriteError) as e:
            write_all(changes)
    msg = str(e.value)
    after = snapshot(tmp_path)
    differ = sorted(str(tmp_path / n) for n in set(before) | set(after) if before.get(n) != after.get(n))
    if differ:
        assert msg.endswith(f"could not restore {', '.join(differ)}"), (msg, differ)
    else:
        assert msg.endswith(("every file restored", "nothing written")), msg
    assert not [p for p in tmp_path.rglob("*") if writer.is_temporary(p.name)]


def test_a_file_changed_on_disk_during_the_write_stops_it_and_everything_is_put_back(tmp_path, monkeypatch):
    changes = layout(tmp_path)
    later = tmp_path / "b" / "e4.go"
    real, calls = os.replace, {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            later.write_bytes(b"saved by an editor meanwhile\n")
        return real(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace)
    expected = snapshot(tmp_path)
    with pytest.raises(WriteError) as e:
        write_all(changes)
    assert str(e.value) == f"{later}: changed on disk since it was read; every file restored"
    expected["b/e4.go"] = (b"saved by an editor meanwhile\n", expected["b/e4.go"][1])
    assert snapshot(tmp_path) == expected


@pytest.mark.usefixtures("default_signals")
@pytest.mark.parametrize("n", range(1, 6))
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_at_any_rename_puts_every_file_back(tmp_path, monkeypatch, n, sig):
    changes = layout(tmp_path)
    before = snapshot(tmp_path)
    real, calls = os.replace, {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == n:
            os.kill(os.getpid(), getattr(signal, sig))
        return real(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace)
    with pytest.raises(writer.Interrupted) as e:
        write_all(changes)
    if n < 5:
        assert f"{sig} stopped the write before this file" in str(e.value)
        assert snapshot(tmp_path) == before
    else:  # the last rename: the write is whole, and the message says so
        assert str(e.value).endswith(f"{sig} came as the last file was written; the write completed, "
                                     "all 6 file(s) fixed")
        assert {p: p.read_bytes() if p.exists() else None for p in changes} == \
            {p: after for p, (_, after) in changes.items()}


@pytest.mark.parametrize("step", [s for s in STEPS if s != "unlink"])  # LN001 deletes nothing
def test_through_the_command_line_one_clear_line_and_nothing_changed(tmp_path, monkeypatch, capsys, step):
    missing = b"package p\n\n//go:linkname x runtime.x\nfunc x()\n"
    for name in ("a.go", "b.go", "sub/c.go"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(missing)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    n = 2
    with monkeypatch.context() as m:
        Faults(m, step, n, errno.ENOSPC, persistent=False)
        code = cli.main(["--select", "LN001", "--apply", "."])
    err = capsys.readouterr().err
    assert snapshot(tmp_path) == before
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("gofix-linkname: error: ")]
    assert len(errors) == 1 and "No space left on device" in errors[0], err
