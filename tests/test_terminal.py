"""Colour and the progress bar, seen through a real pseudo-terminal; neither when piped, neither
in JSON, SARIF or diff output, no colour with NO_COLOR."""
from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
MISSING = 'package p\n\n//go:linkname now runtime.nanotime\nfunc now() int64\n'


def env(**extra: str) -> dict:
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    e.update({"TERM": "xterm-256color", "COLUMNS": "120", **extra})
    return e


def run(cwd: Path, args: list[str], *, tty_out: bool, tty_err: bool, environ: dict) -> tuple[int, str, str]:
    """Run the command with stdout and/or stderr on a pseudo-terminal; returns (code, out, err)."""
    master, slave = pty.openpty()
    files = {}
    streams = {}
    for name, on_tty in (("out", tty_out), ("err", tty_err)):
        if on_tty:
            streams[name] = slave
        else:
            files[name] = tempfile.TemporaryFile()
            streams[name] = files[name]
    p = subprocess.Popen([sys.executable, "-m", "codemod", *args], cwd=cwd, env=environ,
                         stdin=subprocess.DEVNULL, stdout=streams["out"], stderr=streams["err"])
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    code = p.wait(timeout=300)
    os.close(master)
    tty_text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    out = tty_text if tty_out else (files["out"].seek(0), files["out"].read().decode())[1]
    err = tty_text if tty_err and not tty_out else (
        "" if tty_err else (files["err"].seek(0), files["err"].read().decode())[1])
    return code, out, err


@pytest.fixture
def tree(tmp_path) -> Path:
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (tmp_path / "a.go").write_text(MISSING)
    return tmp_path


def test_colour_on_a_terminal(tree):
    code, out, _ = run(tree, ["--select", "LN001", "."], tty_out=True, tty_err=True, environ=env())
    assert code == 1
    assert ANSI.search(out)
    plain = ANSI.sub("", out)
    assert "a.go:3:1: LN001 error: " in plain
    assert "\x1b[1;31merror\x1b[0m" in out  # the severity in red


def test_no_colour_with_no_color_or_a_dumb_terminal(tree):
    for extra in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        code, out, _ = run(tree, ["--select", "LN001", "."], tty_out=True, tty_err=True, environ=env(**extra))
        assert code == 1
        assert not ANSI.search(out), (extra, out)
        assert "a.go:3:1: LN001 error: " in out


def test_nothing_of_either_when_piped(tree):
    p = subprocess.run([sys.executable, "-m", "codemod", "--select", "LN001", "."], cwd=tree, env=env(),
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert not ANSI.search(p.stdout + p.stderr)


@pytest.mark.parametrize("args", [["--format", "json"], ["--format", "sarif"], ["--format", "github"], ["--diff"]])
def test_machine_outputs_never_coloured_even_on_a_terminal(tree, args):
    code, out, _ = run(tree, ["--select", "LN001", *args, "."], tty_out=True, tty_err=False, environ=env())
    assert code == 1
    assert out.strip() and not ANSI.search(out), out
    if args[-1] in ("json", "sarif"):
        json.loads(out)


def big_tree(root: Path, n: int) -> Path:
    root.mkdir()
    (root / "go.mod").write_text("module example.com/big\n\ngo 1.21\n")
    for i in range(n):
        d = root / f"p{i}"
        d.mkdir()
        (d / "a.go").write_text(f'package p{i}\n\nimport _ "unsafe"\n\n'
                                f"//go:linkname now runtime.nanotime\nfunc now() int64\n\n"
                                "func f() int64 {\n\tvar t int64\n\tfor i := 0; i < 3; i++ {\n"
                                "\t\tt += now()\n\t}\n\treturn t\n}\n")
    return root


def test_progress_bar_on_a_long_run_only_on_a_terminal(tmp_path):
    root = big_tree(tmp_path / "big", 600)
    # However fast the machine, the run counts as long: the bar's delay is taken away.
    code, _, err = run(root, ["--format", "json", "."], tty_out=False, tty_err=True,
                       environ=env(GOFIX_LINKNAME_PROGRESS_DELAY="0"))
    assert code == 1
    assert "Checking Go files" in err and ANSI.search(err), err[:500]
    assert re.search(r"\d+/1200", ANSI.sub("", err))  # M of N: reading and checking, 600 files each
    # Piped stderr: no bar, however long the run.
    p = subprocess.run([sys.executable, "-m", "codemod", "--format", "json", "."], cwd=root, env=env(),
                       capture_output=True, text=True)
    assert "Checking" not in p.stderr and not ANSI.search(p.stderr)
    json.loads(p.stdout)


def test_no_progress_bar_on_a_quick_run(tree):
    code, _, err = run(tree, ["--format", "json", "."], tty_out=False, tty_err=True, environ=env())
    assert code == 1
    assert "Checking" not in err
