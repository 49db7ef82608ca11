"""Hostile input through the command line: odd file names, a directory where a companion file
would go, paths outside the current directory, and unexpected exceptions: one clear line, exit
0/1/2, never a traceback (unless --debug asks for it), nothing written."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from codemod import cli, engine, writer
from tests.e2e import gofix

SELECT = ("--select", "LN001,LN002,LN003")
MISSING = b"package p\n\n//go:linkname x runtime.x\nfunc x()\n"
FIXED = b'package p\n\nimport _ "unsafe"\n\n//go:linkname x runtime.x\nfunc x()\n'


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".git" not in p.parts}


def git_apply_check(cwd: Path, patch: str) -> None:
    p = subprocess.run(["git", "apply", "--check", "-"], cwd=cwd, input=patch.encode(), capture_output=True)
    assert p.returncode == 0, (p.stderr.decode(), patch)


@pytest.mark.parametrize("name", ["new\nline.go", "tab\there.go", 'q"uote.go', "spa ce.go", "é.go"])
def test_odd_names_give_a_diff_git_applies_json_and_one_line_findings(tmp_path, name):
    (tmp_path / name).write_bytes(MISSING)
    p = gofix(tmp_path, *SELECT, "--diff", ".")
    assert p.returncode == 1, p.stderr
    git_apply_check(tmp_path, p.stdout)
    j = gofix(tmp_path, *SELECT, "--format", "json", ".")
    assert j.returncode == 1, j.stderr
    assert [f["path"] for f in json.loads(j.stdout)["findings"]] == [name]
    t = gofix(tmp_path, *SELECT, ".")
    finding = [line for line in t.stdout.splitlines() if "LN001" in line]
    assert len(finding) == 1 and finding[0].endswith('the same file; no Go release compiles the file '
                                                     'without it: //go:linkname only allowed in Go files '
                                                     'that import "unsafe"'), t.stdout
    subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=p.stdout.encode(), check=True)
    assert (tmp_path / name).read_bytes() == FIXED


def test_diff_of_a_parent_directory_uses_work_tree_paths(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "clock").mkdir()
    (tmp_path / "clock" / "clock.go").write_bytes(MISSING)
    (tmp_path / "cmd").mkdir()
    p = gofix(tmp_path / "cmd", *SELECT, "--diff", "..")
    assert p.returncode == 1, p.stderr
    assert p.stdout.startswith("--- a/clock/clock.go\n+++ b/clock/clock.go\n"), p.stdout
    assert ".." not in "".join(line for line in p.stdout.splitlines() if line.startswith(("---", "+++")))
    git_apply_check(tmp_path, p.stdout)


def test_a_directory_named_like_a_companion_file_is_one_clear_line(tmp_path):
    import shutil
    shutil.copytree(Path(__file__).parent.parent / "snapshots/split-linkname-file/different-releases/input",
                    tmp_path, dirs_exist_ok=True)
    (tmp_path / "clock_cheaprand_fallback.go").mkdir()
    before = files(tmp_path)
    p = gofix(tmp_path, "--apply", ".")
    assert "Traceback" not in p.stderr
    assert (tmp_path / "clock_cheaprand_fallback.go").is_dir()
    if p.returncode == 2:  # refused in one line, nothing written
        assert "clock_cheaprand_fallback.go: error: not created, a directory of that name exists (" in p.stderr
        assert files(tmp_path) == before
    else:  # the fix chose another name for its companion
        assert p.returncode == 1, p.stderr
        assert list((tmp_path / "clock_cheaprand_fallback.go").iterdir()) == []


def test_the_engine_never_creates_a_file_over_a_directory(tmp_path):
    from codemod.edits import CreateFile, Fix, Safety
    (tmp_path / "x.go").mkdir()
    fix = Fix("Create x.go", Safety.SAFE, (CreateFile(tmp_path / "x.go", "package p\n"),))
    problem = engine._creation_problem(engine.Workspace(), fix)
    assert problem == engine.Problem(tmp_path / "x.go", "not created, a directory of that name exists (Create x.go)")


def boom_on(monkeypatch, name: str):
    real = engine.parse_file

    def parse(path, data):
        if path.name == name:
            raise ValueError("an unforeseen\nbug")
        return real(path, data)

    monkeypatch.setattr(engine, "parse_file", parse)


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_exception_is_one_line_naming_the_file_exit_2_nothing_written(tmp_path, monkeypatch, capsys, debug):
    for n in ("a.go", "b.go", "c.go"):
        (tmp_path / n).write_bytes(MISSING)
    monkeypatch.chdir(tmp_path)
    boom_on(monkeypatch, "b.go")
    code = cli.main([*SELECT, "--apply", ".", *(["--debug"] if debug else [])])
    out, err = capsys.readouterr()
    assert code == 2
    line = ("gofix-linkname: internal error while processing b.go: ValueError: an unforeseen bug; nothing "
            f"written; {cli.REPORT_HOW}\n")
    assert err.endswith(line)
    if debug:
        assert "Traceback (most recent call last):" in err
    else:
        assert err == line
    assert files(tmp_path) == {n: MISSING for n in ("a.go", "b.go", "c.go")}


def test_an_unexpected_exception_mid_write_puts_every_file_back(tmp_path, monkeypatch, capsys):
    for n in ("a.go", "b.go", "c.go"):
        (tmp_path / n).write_bytes(MISSING)
    monkeypatch.chdir(tmp_path)
    real, calls = os.replace, {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise TypeError("not an OSError")
        return real(src, dst)

    monkeypatch.setattr(writer.os, "replace", replace)
    assert cli.main([*SELECT, "--apply", "."]) == 2
    err = capsys.readouterr().err
    assert "gofix-linkname: internal error while processing b.go: TypeError: not an OSError; nothing written" in err
    assert files(tmp_path) == {n: MISSING for n in ("a.go", "b.go", "c.go")}


def test_the_real_command_never_prints_a_traceback_for_a_bug(tmp_path):
    """Through a subprocess: a bug planted by a sitecustomize-free route, a rule that raises."""
    (tmp_path / "a.go").write_bytes(MISSING)
    code = ("import sys; from codemod import cli, engine\n"
            "def bad(*a, **k): raise KeyError('x')\n"
            "engine.parse_file = bad\n"
            "sys.exit(cli.main(sys.argv[1:]))\n")
    import sys
    p = subprocess.run([sys.executable, "-c", code, *SELECT, "."], cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.startswith("gofix-linkname: internal error while processing a.go: KeyError: 'x'; nothing written;")
    assert "Traceback" not in p.stderr
