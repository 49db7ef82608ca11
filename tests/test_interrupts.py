"""Ctrl-C, kill and crashes during --apply: every file wholly old or wholly new, all of them or
none, and a clear line saying which; a SIGKILL's temporary files are removed by the next run."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codemod import cli, writer

MISSING = b"package p\n\n//go:linkname x%d runtime.x%d\nfunc x%d()\n"
FIXED = b'package p\n\nimport _ "unsafe"\n\n//go:linkname x%d runtime.x%d\nfunc x%d()\n'
FILES = 300

pytestmark = pytest.mark.usefixtures("default_signals")


def big_tree(root: Path) -> dict[Path, tuple[bytes, bytes]]:
    files = {}
    for i in range(FILES):
        p = root / f"d{i % 10}" / f"f{i:03d}.go"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(MISSING % (i, i, i))
        files[p] = (MISSING % (i, i, i), FIXED % (i, i, i))
    return files


def states(files) -> tuple[int, int]:
    """(files still old, files new); anything else fails the test."""
    old = new = 0
    for p, (before, after) in files.items():
        data = p.read_bytes()
        assert data in (before, after), f"{p} is neither old nor new: {data!r}"
        old += data == before
        new += data == after
    return old, new


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if writer.is_temporary(p.name)]


def start(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "codemod", "--select", "LN001", "--apply", "."],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.parametrize("attempt", [*range(6), *(pytest.param(n, marks=pytest.mark.slow) for n in range(6, 40))])
def test_a_signal_at_a_random_point_of_a_large_apply_leaves_all_or_none(tmp_path, attempt):
    rng = random.Random(attempt)
    files = big_tree(tmp_path)
    first = min(files)  # written first: the writer goes in path order
    sig = (signal.SIGINT, signal.SIGTERM)[attempt % 2]
    proc = start(tmp_path)
    if attempt % 3 == 0:
        time.sleep(rng.uniform(0, 1.5))  # anywhere, analysis included
    else:
        # Wait for the write phase to begin, then strike somewhere inside it.
        deadline = time.monotonic() + 120
        while first.read_bytes() == files[first][0] and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, 0.05))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    err = err.decode()
    old, new = states(files)
    assert (old, new) in ((FILES, 0), (0, FILES)), (old, new, err)
    assert temporaries(tmp_path) == []
    if proc.returncode == 128 + sig:
        line = [x for x in err.splitlines() if "interrupted" in x]
        assert len(line) == 1, err
        if new:
            assert "the write completed" in line[0]
        else:
            assert "nothing written" in line[0] or "put back, nothing changed" in line[0]
    else:
        # The run ended before the signal came (or Python's default handler ran before ours was
        # installed): then it finished writing, or never started.
        assert proc.returncode in (0, -sig, 128 + sig), (proc.returncode, err)
        assert proc.returncode != 0 or new == FILES


def test_a_signal_inside_the_write_puts_back_every_file_written(tmp_path, monkeypatch, capsys):
    """In process, deterministically: SIGINT arrives while the 5th file is being replaced."""
    files = big_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    real, calls = os.replace, {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 5:
            os.kill(os.getpid(), signal.SIGINT)
        return real(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace)
    with pytest.raises(SystemExit) as e:
        cli.main(["--select", "LN001", "--apply", "."])
    assert e.value.code == 130
    assert states(files) == (FILES, 0)
    err = capsys.readouterr().err
    assert "gofix-linkname: interrupted: d0/f050.go: SIGINT stopped the write before this file; " \
           "the 5 file(s) already written were put back, nothing changed\n" in err
    assert temporaries(tmp_path) == []


def test_a_signal_just_after_the_write_says_the_write_completed(tmp_path, monkeypatch, capsys):
    """SIGINT after every file was replaced, before the run ends: not "nothing written"."""
    files = big_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    real = writer.write_all

    def write_then_signal(changes):
        real(changes)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(writer, "write_all", write_then_signal)
    assert cli.main(["--select", "LN001", "--apply", "."]) == 130
    assert states(files) == (0, FILES)
    assert capsys.readouterr().err.endswith(
        f"gofix-linkname: interrupted after the write; the write completed, all {FILES} file(s) fixed\n")
    # The next run, interrupted before it writes anything, says so again.
    monkeypatch.setattr(writer, "write_all", real)
    from codemod import engine
    monkeypatch.setattr(engine, "run", lambda *a, **k: os.kill(os.getpid(), signal.SIGINT))
    assert cli.main(["--select", "LN001", "--apply", "."]) == 130
    assert capsys.readouterr().err.endswith("gofix-linkname: interrupted; nothing written\n")


def test_temporaries_of_a_killed_run_are_removed_by_the_next_run_which_says_so(tmp_path):
    files = big_tree(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that is surely gone
    stale = tmp_path / "d1" / f".f001.go.{dead.pid}.abcd1234.gofix"
    stale.write_bytes(b"half a fi")
    alive = tmp_path / "d1" / f".f011.go.{os.getpid()}.abcd1234.gofix"  # a live writer's: left
    alive.write_bytes(b"in progress")
    unrelated = tmp_path / "d1" / ".f001.go.swp"
    unrelated.write_bytes(b"vim")
    p = subprocess.run([sys.executable, "-m", "codemod", "--select", "LN001", "."], cwd=tmp_path,
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert f"gofix-linkname: note: removed d1/{stale.name}, a temporary file left by an interrupted " \
           "gofix-linkname run\n" in p.stderr
    assert not stale.exists() and alive.exists() and unrelated.exists()
    assert states(files) == (FILES, 0)


def test_sigkill_mid_write_leaves_each_file_whole_and_the_next_apply_finishes(tmp_path):
    files = big_tree(tmp_path)
    first = min(files)
    proc = start(tmp_path)
    while first.read_bytes() == files[first][0] and proc.poll() is None:
        time.sleep(0.0005)
    proc.kill()
    proc.wait()
    states(files)  # each file wholly old or wholly new (all-or-none cannot survive SIGKILL)
    p = subprocess.run([sys.executable, "-m", "codemod", "--select", "LN001", "--apply", "."],
                       cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert states(files) == (0, FILES)
    assert temporaries(tmp_path) == []


def _catches(pid: int, sig: int) -> bool:
    """Whether process ``pid`` has a handler installed for ``sig`` (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("mode", ["--apply", "--diff"])
def test_sigterm_during_the_analysis_stops_like_ctrl_c(tmp_path, sig, mode):
    """SIGTERM (and SIGHUP) while the files are still being analysed: one line, exit 128+signal
    as for SIGINT, no traceback, nothing written, no output."""
    files = big_tree(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "codemod", "--select", "LN001", mode, "."],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Python itself catches neither: once one is caught, the command's handler is in place and
    # the analysis of 300 files has only begun.
    deadline = time.monotonic() + 60
    while not _catches(proc.pid, sig) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    assert proc.poll() is None, "the run ended before the handler was seen"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert err.decode() == f"gofix-linkname: interrupted by {signal.Signals(sig).name}; nothing written\n"
    assert out == b""
    assert states(files) == (FILES, 0)
    assert temporaries(tmp_path) == []


def test_sigint_during_the_analysis_keeps_its_message_and_code(tmp_path, monkeypatch, capsys):
    """In process: Ctrl-C while parsing; the same line and 130 as before SIGTERM joined it."""
    files = big_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    from codemod import engine
    real = engine.run

    def run(*a, **k):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*a, **k)

    monkeypatch.setattr(engine, "run", run)
    assert cli.main(["--select", "LN001", "--apply", "."]) == 130
    assert capsys.readouterr().err == "gofix-linkname: interrupted; nothing written\n"
    assert states(files) == (FILES, 0)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_an_ignored_signal_stays_ignored(tmp_path, monkeypatch, sig):
    """nohup's SIGHUP (or an ignored SIGTERM) neither stops the analysis nor the write."""
    files = big_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    from codemod import engine
    real = engine.run

    def run(*a, **k):
        os.kill(os.getpid(), sig)
        return real(*a, **k)

    replace = writer.os.replace
    sent = {"n": 0}

    def replace_and_signal(src, dst):
        sent["n"] += 1
        if sent["n"] == 3:
            os.kill(os.getpid(), sig)
        return replace(src, dst)

    monkeypatch.setattr(engine, "run", run)
    monkeypatch.setattr(writer.os, "replace", replace_and_signal)
    previous = signal.signal(sig, signal.SIG_IGN)
    try:
        assert cli.main(["--select", "LN001", "--apply", "."]) == 0
        assert signal.getsignal(sig) is signal.SIG_IGN
    finally:
        signal.signal(sig, previous)
    assert states(files) == (0, FILES)


def test_the_handlers_are_put_back_after_a_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.go").write_bytes(MISSING % (1, 1, 1))
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    assert cli.main(["--select", "LN001", "."]) == 1
    assert {s: signal.getsignal(s) for s in before} == before
