"""Which files a run looks at: Go's ./... forms, the directories go build skips, .gitignore in a
git work tree, and symbolic links never followed out of the tree."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from codemod.discovery import discover, normalize_arg
from tests.e2e import gofix

MISSING = b"package p\n\n//go:linkname x runtime.x\nfunc x()\n"


def files(root: Path, *names: str) -> Path:
    for n in names:
        (root / n).parent.mkdir(parents=True, exist_ok=True)
        (root / n).write_bytes(b"package p\n")
    return root


def found(*args: str) -> list[str]:
    return [p.as_posix() for p in discover(list(args)).go_files]


@pytest.fixture
def layout(tmp_path, monkeypatch) -> Path:
    files(tmp_path, "a.go", "b.txt", "dir/c.go", "dir/deep/d.go",
          "vendor/v.go", "dir/vendor/v.go", "testdata/t.go", "dir/testdata/t.go",
          ".hidden/h.go", "dir/.git2/g.go", "_tools/u.go", "dir/_x.go", "dir/.y.go", "node_modules/n.go")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("args", [[], ["."], ["./..."], ["..."]])
def test_the_current_directory_forms_are_the_same(layout, args):
    assert found(*args) == ["a.go", "dir/c.go", "dir/deep/d.go"]


@pytest.mark.parametrize("arg", ["dir", "dir/...", "./dir/..."])
def test_dir_forms_are_the_same(layout, arg):
    assert found(arg) == ["dir/c.go", "dir/deep/d.go"]


def test_normalize_arg():
    assert [normalize_arg(a) for a in ("./...", "...", "a/b/...", "a", "/...")] == [".", ".", "a/b", "a", "/"]


def test_an_explicit_file_is_taken_even_where_a_walk_would_skip_it(layout):
    assert found("vendor/v.go", "dir/_x.go") == ["vendor/v.go", "dir/_x.go"]


def test_the_same_file_twice_is_checked_once(layout):
    assert found("a.go", "./a.go", str(layout / "a.go"), ".") == ["a.go", "dir/c.go", "dir/deep/d.go"]


def test_errors_name_the_argument(layout):
    d = discover(["nope", "b.txt"])
    assert d.go_files == []
    assert [(p.as_posix(), m) for p, m in d.errors] == [("nope", "no such file or directory"),
                                                       ("b.txt", "not a .go file")]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_gitignored_files_are_skipped_in_a_work_tree(layout):
    git(layout, "init", "-q")
    (layout / ".gitignore").write_text("dir/deep/\n/a.go\n")
    (layout / "dir" / ".gitignore").write_text("c.go\n")
    files(layout, "kept.go")
    assert found(".") == ["kept.go"]
    assert found("dir") == []


def test_gitignore_outside_a_work_tree_means_nothing(tmp_path, monkeypatch):
    files(tmp_path, "a.go")
    (tmp_path / ".gitignore").write_text("a.go\n")
    monkeypatch.chdir(tmp_path)
    assert found(".") == ["a.go"]


def test_gitignore_from_a_subdirectory_of_the_work_tree(layout, monkeypatch):
    git(layout, "init", "-q")
    (layout / ".gitignore").write_text("deep/\n")
    assert found("dir") == ["dir/c.go"]
    monkeypatch.chdir(layout / "dir")
    assert found(".") == ["c.go"]


def test_tracked_files_are_checked_even_if_a_pattern_matches(layout):
    git(layout, "init", "-q")
    git(layout, "add", "a.go")
    (layout / ".gitignore").write_text("a.go\n")
    assert "a.go" in found(".")


def test_links_out_of_the_tree_are_not_followed(tmp_path, monkeypatch):
    outside = files(tmp_path / "outside", "o.go", "sub/s.go")
    tree = files(tmp_path / "tree", "t.go")
    os.symlink(outside / "o.go", tree / "file_link.go")
    os.symlink(outside, tree / "dir_link")
    os.symlink("../outside/o.go", tree / "rel_link.go")
    monkeypatch.chdir(tree)
    d = discover(["."])
    assert [p.as_posix() for p in d.go_files] == ["t.go"]
    assert d.errors == []


def test_symlinked_directories_inside_the_tree_are_not_walked(tmp_path, monkeypatch):
    files(tmp_path, "real/r.go")
    os.symlink("real", tmp_path / "alias")
    os.symlink(".", tmp_path / "real" / "self")
    monkeypatch.chdir(tmp_path)
    assert found(".") == ["real/r.go"]


def test_a_link_to_a_file_of_the_tree_is_not_a_second_file(tmp_path, monkeypatch):
    files(tmp_path, "z_real.go")
    os.symlink("z_real.go", tmp_path / "a_link.go")  # sorts first, yet the real name is kept
    monkeypatch.chdir(tmp_path)
    assert found(".") == ["z_real.go"]


def test_a_link_into_a_skipped_directory_of_the_tree_is_kept(tmp_path, monkeypatch):
    files(tmp_path, "testdata/shared.go")
    os.symlink("testdata/shared.go", tmp_path / "shared.go")
    monkeypatch.chdir(tmp_path)
    assert found(".") == ["shared.go"]


def test_broken_and_looping_links(tmp_path, monkeypatch):
    os.symlink("missing.go", tmp_path / "broken.go")
    os.symlink("loop.go", tmp_path / "loop.go")
    os.symlink("nowhere", tmp_path / "README")  # not Go: silently skipped
    monkeypatch.chdir(tmp_path)
    d = discover(["."])
    assert d.go_files == []
    assert sorted((p.as_posix(), m) for p, m in d.errors) == [
        ("broken.go", "broken or looping symbolic link"), ("loop.go", "broken or looping symbolic link")]


def test_a_fifo_is_not_read(tmp_path, monkeypatch):
    os.mkfifo(tmp_path / "p.go")
    monkeypatch.chdir(tmp_path)
    for arg in (".", "p.go"):
        d = discover([arg])
        assert d.go_files == []
        assert [(p.as_posix(), m) for p, m in d.errors] == [("p.go", "not a regular file")]


def test_cli_dir_dots_and_vendor_skip(tmp_path):
    (tmp_path / "pkg" / "vendor").mkdir(parents=True)
    (tmp_path / "pkg" / "a.go").write_bytes(MISSING)
    (tmp_path / "pkg" / "vendor" / "v.go").write_bytes(MISSING)
    (tmp_path / "top.go").write_bytes(MISSING)
    p = gofix(tmp_path, "--select", "LN001", "pkg/...")
    assert p.returncode == 1
    assert [line.split(":")[0] for line in p.stdout.splitlines() if ": LN" in line] == ["pkg/a.go"]


# ---------------------------------------------------------------------------------------------
# A walk that knows the last one's directories (the result cache's) lists only what changed


OLD = 1_600_000_000


def _age(root: Path) -> None:
    """Every directory under ``root`` modified long ago (not "racy")."""
    for d, dirs, _ in os.walk(root):
        os.utime(d, (OLD, OLD))


def _walked(root: Path, known: dict | None = None):
    from codemod.discovery import Tree

    tree = Tree(dict(known or {}))  # (the walk takes the records it finds out of it)
    d = discover([str(root)], listings=True, grouped=True, tree=tree)
    return tree, [p.as_posix() for p in d.go_paths()], d.listings


def test_a_directory_as_recorded_is_not_listed_again(tmp_path, monkeypatch):
    files(tmp_path, "a/x.go", "a/b/y.go", "a/b/.hidden.go", "c/z.txt", "vendor/v.go", "a/_u.go")
    _age(tmp_path)
    first, go, listings = _walked(tmp_path)
    assert first.listed == 4 and set(first.seen) == {str(tmp_path / p) for p in ("", "a", "a/b", "c")} | {str(tmp_path)}
    listed = []
    real = os.scandir
    # (The root is always looked into for the hidden build files, .github/workflows/...)
    monkeypatch.setattr(os, "scandir", lambda p: str(p) != str(tmp_path) and listed.append(str(p)) or real(p))
    again, go2, listings2 = _walked(tmp_path, first.seen)
    assert (again.listed, listed) == (0, [])
    assert (go2, listings2) == (go, listings) and again.seen == first.seen
    # A file added, the directory's time put back: its change time moved all the same.
    st = os.stat(tmp_path / "a/b")
    (tmp_path / "a/b/new.go").write_bytes(b"package p\n")
    os.utime(tmp_path / "a/b", ns=(st.st_atime_ns, st.st_mtime_ns))
    third, go3, _ = _walked(tmp_path, again.seen)
    assert listed == [str(tmp_path / "a/b")] and str(tmp_path / "a/b/new.go") in go3
    # A new directory is walked; a file gone is gone.
    files(tmp_path, "c/d/w.go")
    (tmp_path / "a/x.go").unlink()
    listed.clear()
    fourth, go4, _ = _walked(tmp_path, third.seen)
    assert sorted(listed) == [str(tmp_path / "a"), str(tmp_path / "c"), str(tmp_path / "c/d")]
    assert str(tmp_path / "c/d/w.go") in go4 and str(tmp_path / "a/x.go") not in go4
    assert go4 == _walked(tmp_path)[1]


def test_a_directory_with_a_link_or_modified_just_now_is_listed_every_time(tmp_path):
    files(tmp_path, "links/a.go", "plain/b.go", "fresh/c.go")
    os.symlink("a.go", tmp_path / "links/l.go")
    _age(tmp_path)
    os.utime(tmp_path / "fresh")  # now: an entry added in this clock tick would not show
    first, _, _ = _walked(tmp_path)
    assert str(tmp_path / "plain") in first.seen
    assert str(tmp_path / "links") not in first.seen and str(tmp_path / "fresh") not in first.seen
    again, _, _ = _walked(tmp_path, first.seen)
    assert again.listed == 2


# ---------------------------------------------------------------------------------------------
# A directory found as recorded can be answered whole (the result cache's warm run): the walk
# keeps no name of it, unless something the record does not say leaves out or doubles a file.


def _answering(root: Path, known: dict, *args: Path, **kw):
    """Walk ``root`` (or ``args``) with the records ``known`` and an answer for every
    directory asked."""
    from codemod.discovery import Tree

    asked = []
    tree = Tree(dict(known))

    def answer(directory: str, joined: str):
        asked.append(os.path.relpath(directory, root))
        return ("answer", joined)

    tree.answer = answer
    d = discover([str(a) for a in args or [root]], listings=True, grouped=True, tree=tree, **kw)
    segments = {os.path.relpath(k, root): v for k, v in d.segments}
    return d, sorted(asked), segments


def test_a_recorded_directory_hiding_no_go_file_is_answered_whole(tmp_path):
    files(tmp_path, "a/x.go", "b/y.go", "b/_h.go", "c/z.go", "c/.editorconfig", "d/w.go",
          "d/.w.go.99999999.abcdefgh.gofix", "e/v.go", "e/notes.txt")
    _age(tmp_path)
    first, _, _ = _walked(tmp_path)
    d, asked, segments = _answering(tmp_path, first.seen)
    # b/ holds a Go file the run leaves out, d/ a temporary the walk must look at.
    assert asked == ["a", "c", "e"]
    assert segments["a"] == ("answer", "x.go") and segments["c"] == ("answer", ".editorconfig\0z.go")
    assert segments["b"] == ["y.go"] and segments["d"] == ["w.go"]
    assert str(tmp_path / "a") not in d.listings and str(tmp_path / "b") in d.listings
    assert [os.path.relpath(p, tmp_path) for p in d.go_paths()] == ["a/x.go", "b/y.go", "c/z.go", "d/w.go", "e/v.go"]
    assert [os.path.relpath(p, tmp_path) for p in d.stale_temporaries] == ["d/.w.go.99999999.abcdefgh.gofix"]
    # A file a build-file rule wants is kept from an answered directory too.
    d, _, _ = _answering(tmp_path, first.seen, want_other=lambda rel: rel.endswith(".txt"))
    assert [os.path.relpath(p, tmp_path) for p in d.other_files] == ["e/notes.txt"]


def test_an_answer_does_not_hold_for_a_directory_with_a_file_git_ignores(tmp_path):
    git(tmp_path, "init", "-q")
    files(tmp_path, "a/x.go", "a/y.go", "b/z.go")
    _age(tmp_path)
    first, _, _ = _walked(tmp_path)
    # The ignore file sits above: a/ is as recorded, but its package has one file fewer.
    (tmp_path / ".gitignore").write_text("a/y.go\n")
    d, asked, segments = _answering(tmp_path, first.seen)
    assert asked == ["a", "b"]
    assert segments["a"] == ["x.go"] and segments["b"] == ("answer", "z.go")
    assert str(tmp_path / "a") in d.listings  # the cache's lookup compares the listing


def test_an_answer_does_not_hold_when_a_file_is_reached_twice(tmp_path):
    files(tmp_path, "a/x.go", "b/z.go")
    os.symlink("../a/x.go", files(tmp_path, "l/o.go") / "l/link.go")
    _age(tmp_path)
    first, _, _ = _walked(tmp_path)
    d, asked, segments = _answering(tmp_path, first.seen)
    assert asked == ["a", "b"]  # (l/ holds a link: never recorded)
    assert segments == {"a": ["x.go"], "b": ["z.go"], "l": ["o.go"]}
    assert d.aliases == {tmp_path / "a/x.go": [tmp_path / "l/link.go"]}
    # Nor when a path given before the tree holds some of its files.
    (tmp_path / "l/link.go").unlink()
    _age(tmp_path)
    first, _, _ = _walked(tmp_path)
    d, asked, segments = _answering(tmp_path, first.seen, tmp_path / "b/z.go", tmp_path)
    assert asked == ["a", "b", "l"]
    assert segments == {"b": ["z.go"], "a": ["x.go"], "l": ["o.go"]}
    assert [os.path.relpath(p, tmp_path) for p in d.go_paths()] == ["b/z.go", "a/x.go", "l/o.go"]


def test_an_answer_does_not_hold_when_an_exclude_leaves_out_one_of_its_files(tmp_path):
    files(tmp_path, "a/x.go", "a/y.go", "b/z.go")
    _age(tmp_path)
    first, _, _ = _walked(tmp_path)
    d, _, segments = _answering(tmp_path, first.seen, skip_file=lambda p: p.name == "y.go")
    assert segments["a"] == ["x.go"] and segments["b"] == ("answer", "z.go")


# ---------------------------------------------------------------------------------------------
# git is asked about each file only when some pattern could ignore one


@pytest.fixture
def asked_git(tmp_path, monkeypatch) -> list[list[str]]:
    """The git commands discovery runs, without the user's own ignore files."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    asked = []
    real = subprocess.run

    def run(cmd, *a, **kw):
        if cmd[0] == "git":
            asked.append([c for c in cmd if not c.startswith("-")][1])
        return real(cmd, *a, **kw)

    monkeypatch.setattr(subprocess, "run", run)
    return asked


def test_git_is_asked_about_each_file_only_when_a_pattern_could_ignore_one(tmp_path, monkeypatch, asked_git):
    root = tmp_path / "repo"
    files(root, "a.go", "sub/b.go", "sub/deep/c.go")
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    asked_git.clear()
    assert found(".") == ["a.go", "sub/b.go", "sub/deep/c.go"]
    assert "check-ignore" not in asked_git
    # A pattern in the repository's info/exclude,
    (root / ".git/info/exclude").write_text("# comment\n\nsub/deep/\n")
    assert found(".") == ["a.go", "sub/b.go"]
    assert "check-ignore" in asked_git
    (root / ".git/info/exclude").write_text("# only a comment\n")
    asked_git.clear()
    assert found("sub") == ["sub/b.go", "sub/deep/c.go"] and "check-ignore" not in asked_git
    # in the user's excludes file (git's default place, or core.excludesFile),
    (tmp_path / "xdg/git").mkdir(parents=True)
    (tmp_path / "xdg/git/ignore").write_text("b.go\n")
    assert found(".") == ["a.go", "sub/deep/c.go"]
    (tmp_path / "xdg/git/ignore").unlink()
    (tmp_path / "mine").write_text("a.go\n")
    git(root, "config", "core.excludesFile", str(tmp_path / "mine"))
    assert found(".") == ["sub/b.go", "sub/deep/c.go"]
    git(root, "config", "--unset", "core.excludesFile")
    # in a .gitignore above the paths given, or below them.
    (root / ".gitignore").write_text("c.go\n")
    assert found("sub") == ["sub/b.go"]
    (root / ".gitignore").unlink()
    (root / "sub/deep/.gitignore").write_text("c.go\n")
    assert found("sub") == ["sub/b.go"]
    # A tracked file is never ignored.
    git(root, "add", "-f", "sub/deep/c.go")
    assert found("sub") == ["sub/b.go", "sub/deep/c.go"]
