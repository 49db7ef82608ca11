"""Unified diffs: proven with unidiff before they are shown, and accepted by ``git apply`` for
every shape of file: no newline at end, CRLF, odd line separators, created and deleted files."""
from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codemod import diff
from codemod.diff import DiffError, render, unified_diff, verify


def git_apply(workdir: Path, patch: str, files: dict[str, bytes | None]) -> dict[str, bytes | None]:
    """Lay out ``files`` in a fresh git repository, ``git apply --check`` then apply ``patch``."""
    subprocess.run(["git", "init", "-q"], cwd=workdir, check=True)
    for name, data in files.items():
        if data is not None:
            (workdir / name).parent.mkdir(parents=True, exist_ok=True)
            (workdir / name).write_bytes(data)
    for args in (["--check"], []):
        p = subprocess.run(["git", "apply", *args, "-"], cwd=workdir, input=patch.encode(),
                           capture_output=True)
        assert p.returncode == 0, (p.stderr.decode(), patch)
    return {n: (workdir / n).read_bytes() if (workdir / n).exists() else None for n in files}


CASES = {
    "plain": (b"package p\n\nvar a = 1\n", b"package p\n\nvar a = 2\n"),
    "no newline at end, before": (b"package p\n\nvar a = 1", b"package p\n\nvar a = 1\n"),
    "no newline at end, after": (b"package p\n\nvar a = 1\n", b"package p\n\nvar a = 1"),
    "no newline at end, both": (b"package p\nvar a = 1", b"package p\nvar a = 2"),
    "no newline, unchanged last line": (b"a\nb\nc\nd\ne\nf\ng", b"A\nb\nc\nd\ne\nf\ng"),
    "crlf": (b"package p\r\n\r\nvar a = 1\r\n", b"package p\r\n\r\nimport _ \"unsafe\"\r\n\r\nvar a = 1\r\n"),
    "bom": (b"\xef\xbb\xbfpackage p\n", b"\xef\xbb\xbfpackage p\n\nimport _ \"unsafe\"\n"),
    "form feed, lone cr, U+2028": ("package p\n// a\x0cb\rc\u2028d\x85e\nvar a = 1\n".encode(),
                                   "package p\n// a\x0cb\rc\u2028d\x85e\nvar a = 2\n".encode()),
    "empty before": (b"", b"package p\n"),
    "to empty": (b"package p\n", b""),
    "created": (None, b"package p\n\nvar a = 1\n"),
    "created without newline": (None, b"package p"),
    "deleted": (b"package p\n\nvar a = 1\n", None),
    "created empty": (None, b""),
    "deleted empty": (b"", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_diff_verifies_and_git_applies(case, tmp_path, monkeypatch):
    before, after = CASES[case]
    monkeypatch.chdir(tmp_path)
    patch = render({Path("pkg/f.go"): (before, after)})
    verify(patch, before, after)
    assert git_apply(tmp_path, patch, {"pkg/f.go": before}) == {"pkg/f.go": after}


def test_created_and_deleted_files_use_dev_null(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert unified_diff(Path("new.go"), None, b"x\n").startswith("--- /dev/null\n+++ b/new.go\n@@ -0,0 +1 @@\n")
    assert unified_diff(Path("old.go"), b"x\n", None).startswith("--- a/old.go\n+++ /dev/null\n@@ -1 +0,0 @@\n")


def test_no_newline_marker_only_at_the_end(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = unified_diff(Path("f.go"), b"a\nb", b"a\nc")
    assert text == "--- a/f.go\n+++ b/f.go\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n" \
                   "+c\n\\ No newline at end of file\n"
    # A form feed or U+2028 is not a line end for git: no marker in mid-file.
    odd = "a\x0cb\u2028c\nd\n".encode()
    assert "No newline" not in unified_diff(Path("f.go"), odd, odd.replace(b"d", b"e"))


def test_several_files_in_path_order_and_unchanged_ones_left_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    patch = render({Path("b.go"): (b"1\n", b"2\n"), Path("a/z.go"): (b"1\n", b"3\n"), Path("c.go"): (b"x\n", b"x\n")})
    assert [line for line in patch.splitlines() if line.startswith("+++")] == ["+++ b/a/z.go", "+++ b/b.go"]
    out = git_apply(tmp_path, patch, {"b.go": b"1\n", "a/z.go": b"1\n", "c.go": b"x\n"})
    assert out == {"b.go": b"2\n", "a/z.go": b"3\n", "c.go": b"x\n"}


def test_paths_are_relative_to_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    text = unified_diff(tmp_path / "sub" / "f.go", b"a\n", b"b\n")
    assert text.startswith("--- a/f.go\n+++ b/f.go\n")


def test_verify_rejects_a_diff_that_does_not_reproduce_the_fix():
    good = unified_diff(Path("f.go"), b"a\nb\nc\n", b"a\nB\nc\n")
    with pytest.raises(DiffError, match="does not reproduce"):
        verify(good, b"a\nb\nc\n", b"a\nX\nc\n")
    with pytest.raises(DiffError, match="does not match"):
        verify(good, b"a\nq\nc\n", b"a\nB\nc\n")
    with pytest.raises(DiffError, match="does not create or delete the file"):
        verify(unified_diff(Path("f.go"), b"", b"x\n"), None, b"x\n")  # an edit, not a creation
    with pytest.raises(DiffError, match="does not create or delete the file"):
        verify(unified_diff(Path("f.go"), None, b"x\n"), b"", b"x\n")
    with pytest.raises(DiffError, match="expected one file"):
        verify(good + good.replace("f.go", "g.go"), b"a\nb\nc\n", b"a\nB\nc\n")


def test_render_refuses_to_show_a_diff_that_fails_verification(monkeypatch):
    monkeypatch.setattr(diff, "_named_diff", lambda name, b, a, context=3: "--- a/f.go\n+++ b/f.go\n@@ -1 +1 @@\n-a\n+z\n")
    with pytest.raises(DiffError):
        render({Path("f.go"): (b"a\n", b"b\n")})


line = st.text(st.sampled_from(list("ab \t{}\r\x0c\u2028é")), max_size=6)
content = st.lists(line, max_size=8).map(lambda ls: "\n".join(ls).encode())


@settings(max_examples=40, deadline=None)
@given(before=st.one_of(st.none(), content), after=st.one_of(st.none(), content))
def test_any_diff_verifies_and_git_applies(before, after):
    if before is None and after is None:
        return
    with tempfile.TemporaryDirectory() as d:
        old = os.getcwd()
        os.chdir(d)
        try:
            patch = render({Path("f.go"): (before, after)})
            if before == after:
                assert patch == ""
                return
            verify(patch, before, after)
            assert git_apply(Path(d), patch, {"f.go": before}) == {"f.go": after}
        finally:
            os.chdir(old)


# Names git quotes, and one it leaves bare but ends with a tab (a space): each diff must be the
# one git itself would write, and apply.
ODD_NAMES = ["new\nline.go", "tab\there.go", 'quote"d.go', "back\\slash.go", "spa ce.go", "é.go",
             "bell\x07.go", "dir with space/x.go", "cr\rname.go"]


@pytest.mark.parametrize("name", ODD_NAMES)
@pytest.mark.parametrize("case", ["plain", "created", "deleted", "created empty"])
def test_odd_file_names_are_quoted_as_git_quotes_them_and_apply(name, case, tmp_path, monkeypatch):
    before, after = CASES[case]
    monkeypatch.chdir(tmp_path)
    patch = render({Path(name): (before, after)})
    verify(patch, before, after) if case != "created empty" else None
    assert git_apply(tmp_path, patch, {name: before}) == {name: after}
    # The header lines git writes for the same change.
    repo = tmp_path / "theirs"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    if before is not None:
        (repo / name).write_bytes(before)
        subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    if after is None:
        (repo / name).unlink()
    else:
        (repo / name).write_bytes(after)
    if before is None:
        subprocess.run(["git", "add", "-N", "--", name], cwd=repo, check=True)  # a creation shows as one
    theirs = subprocess.run(["git", "diff", "--no-color"], cwd=repo, capture_output=True,
                            check=True).stdout.decode()
    ours_headers = [line for line in patch.splitlines() if line.startswith(("--- ", "+++ ", "diff --git"))]
    their_headers = [line for line in theirs.splitlines() if line.startswith(("--- ", "+++ ", "diff --git"))]
    assert all(h in their_headers for h in ours_headers), (ours_headers, their_headers)


def test_diff_paths_never_climb_out_with_dot_dot(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()  # the work tree's root
    (tmp_path / "clock").mkdir()
    (tmp_path / "cmd").mkdir()
    monkeypatch.chdir(tmp_path / "cmd")
    patch = render({Path("../clock/clock.go"): (b"a\n", b"b\n"), Path("main.go"): (b"a\n", b"c\n")})
    assert [line for line in patch.splitlines() if line.startswith(("---", "+++"))] == \
        ["--- a/clock/clock.go", "+++ b/clock/clock.go", "--- a/cmd/main.go", "+++ b/cmd/main.go"]


def test_outside_any_work_tree_diff_paths_are_relative_to_the_files_common_directory(tmp_path, monkeypatch):
    (tmp_path / "mod" / "clock").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    if diff._work_tree_of(tmp_path) is not None:
        pytest.skip("the temporary directory is inside a git work tree")
    patch = render({tmp_path / "mod" / "clock" / "c.go": (b"a\n", b"b\n"), tmp_path / "mod" / "m.go": (b"a\n", b"b\n")})
    assert [line for line in patch.splitlines() if line.startswith("+++")] == ["+++ b/clock/c.go", "+++ b/m.go"]


def test_large_inputs_diff_by_unique_line_anchors_and_still_apply(monkeypatch):
    # Above a size difflib's alignment can go quadratic; the anchored alignment must produce a
    # diff that reproduces the new text exactly, whatever the edits.
    import random

    from codemod import diff as diffmod

    monkeypatch.setattr(diffmod, "_DIFFLIB_PAIRS", 0)
    rnd = random.Random(7)
    for _ in range(300):
        lines = [rnd.choice(["a\n", "b\n", "\n", f"u{rnd.randint(0, 40)}\n"]) for _ in range(rnd.randint(0, 50))]
        new = list(lines)
        for _ in range(rnd.randint(1, 6)):
            pos = rnd.randint(0, len(new))
            op = rnd.random()
            if op < 0.4:
                new.insert(pos, rnd.choice(["x\n", "a\n", f"u{rnd.randint(0, 40)}\n"]))
            elif new and op < 0.7:
                del new[min(pos, len(new) - 1)]
            elif new:
                new[min(pos, len(new) - 1)] = "z\n"
        before, after = "".join(lines).encode(), "".join(new).encode()
        if rnd.random() < 0.3:
            after = after.rstrip(b"\n")
        text = diffmod.unified_diff(Path("f.go"), before, after)
        if before != after:
            diffmod.verify(text, before, after)


def test_ten_thousand_scattered_changes_diff_line_for_line():
    from codemod import diff as diffmod

    before = "".join(f"//go:linkname f{i} runtime.nanotim\nfunc f{i}() int64\n\n" for i in range(10000)).encode()
    after = before.replace(b"nanotim\n", b"nanotime\n")
    text = diffmod.unified_diff(Path("a.go"), before, after)
    diffmod.verify(text, before, after)
    body = text.splitlines()[2:]
    assert sum(line.startswith("-") for line in body) == sum(line.startswith("+") for line in body) == 10000
