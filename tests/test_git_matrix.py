"""--apply --branch in every git state a user can be in: detached HEAD, unborn branch, mid-merge,
mid-rebase, a linked work tree, a submodule (from inside it and from its superproject), a bare
repository, core.autocrlf and a sparse checkout.  Each is handled (the branch holds exactly the
fixes) or refused in one clear line; either way nothing of the user's changes."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e import gofix
from tests.gitrepo import MISSING, MISSING_FIXED, SELECT, conflicting, git, make_repo, state


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("gofix-linkname: error")]


def refused(cwd: Path, repo: Path, message: str, *args: str) -> None:
    before = state(repo)
    p = gofix(cwd, *SELECT, "--apply", "--branch", "fix", *args, ".")
    assert p.returncode == 2, p.stderr
    assert error_lines(p.stderr) == [f"gofix-linkname: error: {message}"], p.stderr
    assert state(repo) == before


def handled(cwd: Path, repo: Path, *, path: str = "a.go") -> None:
    before = state(repo)
    p = gofix(cwd, *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 0, p.stderr
    after = state(repo)
    assert after["files"] == before["files"] and after["index"] == before["index"]
    assert after["HEAD"] == before["HEAD"]
    assert git(repo, "cat-file", "blob", f"fix:{path}").encode() == MISSING_FIXED


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "repo", {"a.go": MISSING, "notes.txt": b"notes\n", "sub/d.go": MISSING})


def test_detached_head_is_handled(repo):
    git(repo, "checkout", "-q", "--detach")
    handled(repo, repo)


def test_unborn_branch_is_refused(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.go").write_bytes(MISSING)
    refused(repo, repo, "the repository has no commit yet; --branch starts from HEAD")


def test_mid_merge_is_refused(repo):
    conflicting(repo)
    assert subprocess.run(["git", "merge", "topic"], cwd=repo, capture_output=True).returncode
    refused(repo, repo, f"a merge is in progress in {repo}; commit or abort (git merge --abort) it first "
            "(--branch starts from HEAD)")


def test_mid_rebase_is_refused(repo):
    conflicting(repo)
    git(repo, "checkout", "-q", "topic")
    assert subprocess.run(["git", "rebase", "main"], cwd=repo, capture_output=True).returncode
    refused(repo, repo, f"a rebase is in progress in {repo}; finish or abort (git rebase --abort) it first "
            "(--branch starts from HEAD)")


def test_a_linked_worktree_is_handled(repo, tmp_path):
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt), "-b", "side")
    files = {p: p.read_bytes() for p in wt.rglob("*.go")}
    main_before = state(repo)
    p = gofix(wt, *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 0, p.stderr
    assert {p: p.read_bytes() for p in wt.rglob("*.go")} == files
    assert git(wt, "rev-parse", "--abbrev-ref", "HEAD").strip() == "side"
    assert git(repo, "cat-file", "blob", "fix:a.go").encode() == MISSING_FIXED
    assert state(repo)["files"] == main_before["files"] and state(repo)["HEAD"] == main_before["HEAD"]
    assert git(repo, "rev-parse", "fix^").strip() == git(repo, "rev-parse", "side").strip()


def test_inside_a_submodule_is_handled_and_from_the_superproject_named(tmp_path):
    lib = make_repo(tmp_path / "lib", {"a.go": MISSING})
    sup = make_repo(tmp_path / "sup", {"main.go": b"package main\n"})
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "lib")
    git(sup, "commit", "-qm", "submodule")
    refused(sup, sup, "lib/a.go: inside submodule lib; run gofix-linkname from within it to fix it on a "
            "branch there")
    for who in ("user.name", "user.email"):
        git(sup / "lib", "config", who, "x@example.com")
    p = gofix(sup / "lib", *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 0, p.stderr
    assert git(sup / "lib", "cat-file", "blob", "fix:a.go").encode() == MISSING_FIXED
    assert (sup / "lib" / "a.go").read_bytes() == MISSING


def test_a_bare_repository_is_refused(repo):
    git(repo, "config", "core.bare", "true")
    refused(repo, repo, ".: a bare repository has no work tree; --branch needs one")


def test_autocrlf_is_handled(repo):
    git(repo, "config", "core.autocrlf", "true")
    for name in ("a.go", "sub/d.go"):
        (repo / name).unlink()
    git(repo, "checkout", "--", ".")
    handled(repo, repo)


def test_a_sparse_checkout_is_handled(repo):
    git(repo, "sparse-checkout", "set", "--no-cone", "/sub/")
    assert not (repo / "a.go").exists() and (repo / "sub" / "d.go").exists()
    before = state(repo)
    p = gofix(repo, *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 0, p.stderr
    assert state(repo)["files"] == before["files"]
    assert git(repo, "cat-file", "blob", "fix:sub/d.go").encode() == MISSING_FIXED
    assert git(repo, "cat-file", "blob", "fix:a.go").encode() == MISSING  # outside the cone: as in HEAD
