"""Bad input through the real command line: a clear one-line message naming the file, the right
exit code (0 nothing found, 1 findings, 2 usage or processing error), and bytes unchanged."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from tests.e2e import gofix

SELECT = ("--select", "LN001,LN002,LN003")  # the rules under test; others are added concurrently

MISSING = b"package p\n\n//go:linkname x runtime.x\nfunc x()\n"
MISSING_FIXED = b'package p\n\nimport _ "unsafe"\n\n//go:linkname x runtime.x\nfunc x()\n'
BOM = b"\xef\xbb\xbf"


def snapshot(root: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every entry under ``root`` (links not followed): its bytes or link target, and its mode."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[str(p.relative_to(root))] = (os.readlink(p), st.st_mode)
            elif stat.S_ISREG(st.st_mode):
                out[str(p.relative_to(root))] = (p.read_bytes(), st.st_mode)
            else:
                out[str(p.relative_to(root))] = (b"", st.st_mode)
    return out


def error_lines(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"{name}:")]


def one_error(p: subprocess.CompletedProcess, name: str, pattern: str) -> None:
    lines = error_lines(p.stderr, name)
    assert len(lines) == 1, p.stderr
    assert re.fullmatch(pattern, lines[0]), lines[0]


def test_syntax_error_is_reported_in_one_line_and_left_unchanged(tmp_path):
    bad = b"package p\n\n//go:linkname x runtime.x\nfunc x( {\n"
    (tmp_path / "syn.go").write_bytes(bad)
    for mode in ("--apply", "--diff"):
        p = gofix(tmp_path, *SELECT, mode, ".")
        assert p.returncode == 2
        one_error(p, "syn.go", r"syn\.go: error: syntax error at line 4, column \d+; file left unchanged")
        assert (tmp_path / "syn.go").read_bytes() == bad
    assert p.stdout == ""  # --diff: no patch


def test_a_bad_file_blocks_every_write_of_the_run(tmp_path):
    """All-or-nothing: a processing error anywhere means nothing is written anywhere."""
    (tmp_path / "syn.go").write_bytes(b"package p\n\n//go:linkname x runtime.x\nfunc x( {\n")
    (tmp_path / "good.go").write_bytes(MISSING)
    before = snapshot(tmp_path)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 2
    assert snapshot(tmp_path) == before


def test_syntax_error_in_a_file_without_directives_is_not_parsed(tmp_path):
    # The cheap pre-filter: no rule trigger word, never parsed, so no complaint.
    (tmp_path / "other.go").write_bytes(b"package p\n\nfunc f( {\n")
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert "error" not in p.stderr
    assert (tmp_path / "other.go").read_bytes() == b"package p\n\nfunc f( {\n"


def test_empty_file_is_nothing_found(tmp_path):
    (tmp_path / "empty.go").write_bytes(b"")
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert error_lines(p.stderr, "empty.go") == []
    assert (tmp_path / "empty.go").read_bytes() == b""


def test_binary_file_named_go_is_skipped_with_an_error(tmp_path):
    blob = b"\x7fELF\x00\x01//go:linkname x runtime.x\x00\xff\xfe"
    (tmp_path / "bin.go").write_bytes(blob)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 2
    one_error(p, "bin.go", r"bin\.go: error: binary file \(contains NUL bytes\), skipped")
    assert (tmp_path / "bin.go").read_bytes() == blob


def test_non_utf8_file_is_skipped_with_an_error(tmp_path):
    latin1 = b"package p\n\n// caf\xe9\n//go:linkname x runtime.x\nfunc x()\n"
    (tmp_path / "latin.go").write_bytes(latin1)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 2
    one_error(p, "latin.go", r"latin\.go: error: not valid UTF-8 \(byte 17\), skipped")
    assert (tmp_path / "latin.go").read_bytes() == latin1


def test_crlf_file_is_fixed_with_crlf_kept(tmp_path):
    crlf = MISSING.replace(b"\n", b"\r\n")
    (tmp_path / "crlf.go").write_bytes(crlf)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "crlf.go").read_bytes() == MISSING_FIXED.replace(b"\n", b"\r\n")
    again = gofix(tmp_path, *SELECT, ".")
    assert again.returncode == 0, again.stdout


def test_crlf_pull_with_body_is_fixed_with_crlf_kept(tmp_path):
    src = b'package p\r\n\r\nimport (\r\n\t"time"\r\n\t_ "unsafe"\r\n)\r\n\r\n' \
          b'//go:linkname now runtime.nanotime\r\nfunc now() int64 {\r\n\treturn time.Now().UnixNano()\r\n}\r\n'
    (tmp_path / "c.go").write_bytes(src)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "c.go").read_bytes() == (
        b'package p\r\n\r\nimport (\r\n\t_ "unsafe"\r\n)\r\n\r\n'
        b'//go:linkname now runtime.nanotime\r\nfunc now() int64\r\n')


def test_bom_file_is_fixed_with_bom_kept(tmp_path):
    (tmp_path / "bom.go").write_bytes(BOM + MISSING)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "bom.go").read_bytes() == BOM + MISSING_FIXED
    assert gofix(tmp_path, *SELECT, ".").returncode == 0


def test_bom_and_crlf_together_are_kept(tmp_path):
    (tmp_path / "both.go").write_bytes(BOM + MISSING.replace(b"\n", b"\r\n"))
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "both.go").read_bytes() == BOM + MISSING_FIXED.replace(b"\n", b"\r\n")


def test_read_only_file_refuses_the_whole_apply(tmp_path):
    (tmp_path / "a.go").write_bytes(MISSING)
    (tmp_path / "b.go").write_bytes(MISSING.replace(b"x", b"y"))
    (tmp_path / "b.go").chmod(0o444)
    before = snapshot(tmp_path)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 2
    one_error(p, "gofix-linkname", r"gofix-linkname: error: b\.go: file is read-only; nothing written")
    assert snapshot(tmp_path) == before  # a.go, which sorts first, was not written either
    assert not (tmp_path / "a.go").read_bytes().count(b"unsafe")


def test_read_only_file_is_still_checked_in_a_dry_run(tmp_path):
    (tmp_path / "b.go").write_bytes(MISSING)
    (tmp_path / "b.go").chmod(0o444)
    p = gofix(tmp_path, *SELECT, ".")
    assert p.returncode == 1
    assert p.stdout.startswith("b.go:3:1: LN001 error:")


def test_symlink_loop_as_argument(tmp_path):
    os.symlink("loop.go", tmp_path / "loop.go")
    os.symlink("d", tmp_path / "d")
    for arg in ("loop.go", "d/..."):
        p = gofix(tmp_path, *SELECT, arg)
        assert p.returncode == 2, arg
        name = arg.split("/")[0]
        one_error(p, name, rf"{re.escape(name)}: error: broken or looping symbolic link")
    assert os.readlink(tmp_path / "loop.go") == "loop.go"


def test_symlink_loops_inside_a_tree(tmp_path):
    (tmp_path / "a.go").write_bytes(MISSING)
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")  # a directory loop: never walked
    os.symlink("l2.go", tmp_path / "l1.go")  # a file loop: reported
    os.symlink("l1.go", tmp_path / "l2.go")
    before = snapshot(tmp_path)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 2
    one_error(p, "l1.go", r"l1\.go: error: broken or looping symbolic link")
    one_error(p, "l2.go", r"l2\.go: error: broken or looping symbolic link")
    assert "sub/up" not in p.stdout + p.stderr
    assert snapshot(tmp_path) == before


def test_directory_loop_inside_a_tree_is_harmless(tmp_path):
    (tmp_path / "a.go").write_bytes(MISSING)
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0].startswith("a.go:3:1: LN001")
    assert (tmp_path / "a.go").read_bytes() == MISSING_FIXED


def test_symlink_out_of_the_tree_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.go").write_bytes(MISSING)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "in.go").write_bytes(MISSING)
    os.symlink(outside / "o.go", tree / "link.go")
    os.symlink(outside, tree / "linkdir")
    p = gofix(tree, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert [line.split(":")[0] for line in p.stdout.splitlines() if ": LN" in line] == ["in.go"]
    assert (outside / "o.go").read_bytes() == MISSING
    assert (tree / "link.go").is_symlink() and (tree / "linkdir").is_symlink()


def test_generated_file_reports_but_withholds_fixes(tmp_path):
    gen = b"// Code generated by stringer; DO NOT EDIT.\n\n" + MISSING
    (tmp_path / "gen.go").write_bytes(gen)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("gen.go:5:1: LN001 error:")
    assert lines[1] == "    no fix: generated file: fixes are not applied (use --include-generated)"
    assert (tmp_path / "gen.go").read_bytes() == gen


def test_generated_crlf_file_is_recognised(tmp_path):
    gen = (b"// Code generated by stringer; DO NOT EDIT.\n\n" + MISSING).replace(b"\n", b"\r\n")
    (tmp_path / "gen.go").write_bytes(gen)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 1
    assert "    no fix: generated file" in p.stdout
    assert (tmp_path / "gen.go").read_bytes() == gen


def test_generated_file_is_fixed_with_include_generated(tmp_path):
    gen = b"// Code generated by stringer; DO NOT EDIT.\n\n" + MISSING
    (tmp_path / "gen.go").write_bytes(gen)
    p = gofix(tmp_path, *SELECT, "--apply", "--include-generated", ".")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "gen.go").read_bytes() == b"// Code generated by stringer; DO NOT EDIT.\n\n" + MISSING_FIXED


def test_generated_marker_after_the_package_clause_does_not_count(tmp_path):
    src = MISSING + b"\n// Code generated by stringer; DO NOT EDIT.\n"
    (tmp_path / "g.go").write_bytes(src)
    p = gofix(tmp_path, *SELECT, "--apply", ".")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "g.go").read_bytes() == MISSING_FIXED + b"\n// Code generated by stringer; DO NOT EDIT.\n"


def test_fifo_named_go_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.go")
    (tmp_path / "a.go").write_bytes(MISSING)
    p = subprocess.run([sys.executable, "-m", "codemod", *SELECT, "--apply", "."], cwd=tmp_path,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    one_error(p, "pipe.go", r"pipe\.go: error: not a regular file")
    assert (tmp_path / "a.go").read_bytes() == MISSING


def test_missing_path_and_non_go_file(tmp_path):
    (tmp_path / "notes.txt").write_text("//go:linkname x runtime.x\n")
    p = gofix(tmp_path, *SELECT, "nope.go", "notes.txt")
    assert p.returncode == 2
    one_error(p, "nope.go", r"nope\.go: error: no such file or directory")
    one_error(p, "notes.txt", r"notes\.txt: error: not a \.go file")
