"""The writer: atomic per file (temporary file + rename, mode kept), all-or-nothing across files,
and a refusal when a file changed on disk after it was read."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from codemod import cli, engine, writer
from codemod.writer import WriteError, write_all

MISSING = b"package p\n\n//go:linkname x runtime.x\nfunc x()\n"


def leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.endswith(".gofix"))


def fail_on_call(monkeypatch, n: int, module=os):
    """Make the n-th os.replace (and every later one when n is negative) raise ENOSPC."""
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == n or (n < 0 and calls["n"] >= -n):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace)
    return calls


def test_write_replaces_the_file_by_rename_and_keeps_its_mode(tmp_path):
    p = tmp_path / "a.go"
    p.write_bytes(b"old\n")
    p.chmod(0o751)
    inode = p.stat().st_ino
    write_all({p: (b"old\n", b"new\n")})
    assert p.read_bytes() == b"new\n"
    assert stat.S_IMODE(p.stat().st_mode) == 0o751
    assert p.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    assert leftovers(tmp_path) == []


def test_a_hard_link_keeps_the_old_bytes(tmp_path):
    # The rename proves atomicity from a reader's side: an open reader sees old or new, never half.
    p = tmp_path / "a.go"
    p.write_bytes(b"old\n")
    os.link(p, tmp_path / "hard")
    write_all({p: (b"old\n", b"new\n")})
    assert (tmp_path / "hard").read_bytes() == b"old\n"


def test_created_file_gets_umask_mode_and_deleted_file_goes(tmp_path):
    new, gone = tmp_path / "new.go", tmp_path / "gone.go"
    gone.write_bytes(b"bye\n")
    old = os.umask(0o022)
    try:
        write_all({new: (None, b"hi\n"), gone: (b"bye\n", None)})
    finally:
        os.umask(old)
    assert new.read_bytes() == b"hi\n"
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert not gone.exists()


def test_failure_on_the_second_file_restores_the_first(tmp_path, monkeypatch):
    files = {tmp_path / n: (f"old {n}\n".encode(), f"new {n}\n".encode()) for n in ("a.go", "b.go", "c.go")}
    for p, (before, _) in files.items():
        p.write_bytes(before)
    (tmp_path / "a.go").chmod(0o700)
    fail_on_call(monkeypatch, 2)
    with pytest.raises(WriteError) as e:
        write_all(files)
    assert str(e.value) == f"{tmp_path / 'b.go'}: cannot write: No space left on device; every file restored"
    for p, (before, _) in files.items():
        assert p.read_bytes() == before, p
    assert stat.S_IMODE((tmp_path / "a.go").stat().st_mode) == 0o700
    assert leftovers(tmp_path) == []


def test_failure_undoes_creations_and_deletions(tmp_path, monkeypatch):
    created, deleted, edited = tmp_path / "a_new.go", tmp_path / "b_gone.go", tmp_path / "c.go"
    deleted.write_bytes(b"keep me\n")
    edited.write_bytes(b"old\n")
    fail_on_call(monkeypatch, 2)  # 1: a_new.go written, b_gone.go unlinked, 2: c.go fails
    with pytest.raises(WriteError):
        write_all({created: (None, b"x\n"), deleted: (b"keep me\n", None), edited: (b"old\n", b"new\n")})
    assert not created.exists()
    assert deleted.read_bytes() == b"keep me\n"
    assert edited.read_bytes() == b"old\n"


def test_a_failed_restore_is_not_called_restored(tmp_path, monkeypatch):
    a, b = tmp_path / "a.go", tmp_path / "b.go"
    a.write_bytes(b"a\n")
    b.write_bytes(b"b\n")
    fail_on_call(monkeypatch, -2)  # the write of b.go and the restore of a.go both fail
    with pytest.raises(WriteError) as e:
        write_all({a: (b"a\n", b"A\n"), b: (b"b\n", b"B\n")})
    assert str(e.value).endswith(f"could not restore {a}")


def test_file_changed_since_it_was_read_is_refused_before_anything_is_written(tmp_path):
    a, b = tmp_path / "a.go", tmp_path / "b.go"
    a.write_bytes(b"a\n")
    b.write_bytes(b"b edited by the user\n")
    with pytest.raises(WriteError, match=r"b\.go: changed on disk since it was read; nothing written"):
        write_all({a: (b"a\n", b"A\n"), b: (b"b\n", b"B\n")})
    assert a.read_bytes() == b"a\n"
    assert b.read_bytes() == b"b edited by the user\n"


def test_read_only_is_judged_by_mode_bits(tmp_path):
    a, b = tmp_path / "a.go", tmp_path / "b.go"
    a.write_bytes(b"a\n")
    b.write_bytes(b"b\n")
    b.chmod(0o444)  # root could write it anyway; the mode says the owner does not want it written
    with pytest.raises(WriteError, match=r"b\.go: file is read-only; nothing written"):
        write_all({a: (b"a\n", b"A\n"), b: (b"b\n", b"B\n")})
    assert a.read_bytes() == b"a\n" and b.read_bytes() == b"b\n"


def test_creating_over_an_existing_file_is_refused(tmp_path):
    p = tmp_path / "x.go"
    p.write_bytes(b"mine\n")
    with pytest.raises(WriteError, match="would overwrite an existing file"):
        write_all({p: (None, b"theirs\n")})
    assert p.read_bytes() == b"mine\n"


def test_a_symlinked_file_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.go"
    real.write_bytes(b"old\n")
    real.chmod(0o640)
    link = tmp_path / "link.go"
    os.symlink("real.go", link)
    write_all({link: (b"old\n", b"new\n")})
    assert link.is_symlink() and os.readlink(link) == "real.go"
    assert real.read_bytes() == b"new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


# Through the command line, in process, so the failure can be injected.

def test_cli_apply_failing_mid_way_exits_2_and_restores_every_file(tmp_path, monkeypatch, capsys):
    for n in ("a.go", "b.go", "c.go"):
        (tmp_path / n).write_bytes(MISSING)
    monkeypatch.chdir(tmp_path)
    fail_on_call(monkeypatch, 2)
    assert cli.main(["--select", "LN001", "--apply", "."]) == 2
    err = capsys.readouterr().err
    assert "gofix-linkname: error: b.go: cannot write: No space left on device; every file restored\n" in err
    for n in ("a.go", "b.go", "c.go"):
        assert (tmp_path / n).read_bytes() == MISSING
    assert leftovers(tmp_path) == []


def test_cli_refuses_a_file_edited_between_check_and_write(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.go").write_bytes(MISSING)
    (tmp_path / "b.go").write_bytes(MISSING)
    monkeypatch.chdir(tmp_path)
    real_run = engine.run

    def run_then_user_edits(*a, **kw):
        result = real_run(*a, **kw)
        (tmp_path / "b.go").write_bytes(MISSING + b"// typed meanwhile\n")
        return result

    monkeypatch.setattr(engine, "run", run_then_user_edits)
    assert cli.main(["--select", "LN001", "--apply", "."]) == 2
    err = capsys.readouterr().err
    assert "gofix-linkname: error: b.go: changed on disk since it was read; nothing written\n" in err
    assert (tmp_path / "a.go").read_bytes() == MISSING
    assert (tmp_path / "b.go").read_bytes() == MISSING + b"// typed meanwhile\n"
