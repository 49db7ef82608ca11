"""--apply --branch NAME: the fixes become one commit on a new branch NAME made from HEAD, and the
user's branch, index, work tree and untracked files stay exactly as they were; every refusal
exits 2 and changes nothing (no branch, no file)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e import gofix
from tests.gitrepo import MISSING, MISSING_FIXED, SELECT, conflicting, git, make_repo, state

# A body on a declaration naming a symbol std defines: a duplicated definition (LN002).
PULL = b'package p\n\nimport _ "unsafe"\n\n//go:linkname y runtime.nanotime\nfunc y() int64 { return 1 }\n'
PULL_FIXED = b'package p\n\nimport _ "unsafe"\n\n//go:linkname y runtime.nanotime\nfunc y() int64\n'
BOTH = b"package p\n\n//go:linkname z runtime.nanotime\nfunc z() int64 { return 1 }\n"
BOTH_FIXED = b'package p\n\nimport _ "unsafe"\n\n//go:linkname z runtime.nanotime\nfunc z() int64\n'


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "repo", {
        "a.go": MISSING, "b.go": PULL, "c.go": BOTH, "clean.go": b"package p\n",
        "notes.txt": b"notes\n", "sub/d.go": MISSING,
    })


def changed_paths(repo: Path, branch: str) -> list[str]:
    return git(repo, "diff", "--name-only", "main", branch).split()


def test_branch_commit_holds_exactly_the_fixes_and_the_user_keeps_everything(repo):
    (repo / "notes.txt").write_bytes(b"notes\nmy unsaved thought\n")  # unrelated dirty file
    (repo / "other").mkdir()
    (repo / "other" / "clean.go").write_bytes(b"package q\n\n// staged work\n")
    git(repo, "add", "other/clean.go")  # a staged change in a package the fixes leave alone
    (repo / "scratch.txt").write_bytes(b"untracked\n")
    head = git(repo, "rev-parse", "HEAD").strip()
    before = state(repo)

    p = gofix(repo, *SELECT, "--apply", "--branch", "fix/linkname", ".")
    assert p.returncode == 0, p.stderr
    assert "Committed 4 file(s) on branch fix/linkname" in p.stderr

    assert state(repo)["files"] == before["files"]
    assert state(repo)["index"] == before["index"]
    assert state(repo)["HEAD"] == before["HEAD"] == "ref: refs/heads/main\n"
    assert git(repo, "rev-parse", "main").strip() == head
    assert git(repo, "rev-parse", "fix/linkname^").strip() == head
    assert changed_paths(repo, "fix/linkname") == ["a.go", "b.go", "c.go", "sub/d.go"]
    assert git(repo, "show", "fix/linkname:a.go").encode() == MISSING_FIXED
    assert git(repo, "show", "fix/linkname:b.go").encode() == PULL_FIXED
    assert git(repo, "show", "fix/linkname:c.go").encode() == BOTH_FIXED
    assert "other/clean.go" not in git(repo, "ls-tree", "-r", "--name-only", "fix/linkname")  # staged work stays out
    assert git(repo, "log", "-1", "--format=%B", "fix/linkname") == (
        "gofix-linkname: fix 5 linkname findings in 4 files\n\n"
        "- LN001 missing-unsafe-import: 3\n"
        "- LN002 pull-with-body: 2\n\n")
    assert git(repo, "log", "-1", "--format=%an <%ae>", "fix/linkname") == "Test User <test@example.com>\n"


def test_branch_from_a_subdirectory_commits_repository_paths(repo):
    p = gofix(repo / "sub", *SELECT, "--apply", "--branch", "fix", "./...")
    assert p.returncode == 0, p.stderr
    assert changed_paths(repo, "fix") == ["sub/d.go"]


def test_executable_mode_is_kept_in_the_commit(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.go": MISSING})
    (repo / "a.go").chmod(0o755)
    git(repo, "commit", "-qam", "x")
    assert gofix(repo, *SELECT, "--apply", "--branch", "fix", ".").returncode == 0
    assert git(repo, "ls-tree", "fix", "a.go").startswith("100755 ")


def test_detached_head_stays_detached(repo):
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "--detach")
    p = gofix(repo, *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 0, p.stderr
    assert (repo / ".git" / "HEAD").read_text() == head + "\n"
    assert git(repo, "rev-parse", "fix^").strip() == head


def refused(repo: Path, *args: str, message: str) -> None:
    before = state(repo)
    p = gofix(repo, *SELECT, "--apply", *args)
    assert p.returncode == 2, p.stderr
    errors = [line for line in p.stderr.splitlines() if line.startswith("gofix-linkname: error")]
    assert errors == [f"gofix-linkname: error: {message}"], p.stderr
    assert state(repo) == before


def test_dirty_file_to_fix_is_refused(repo):
    (repo / "a.go").write_bytes(MISSING + b"// wip\n")
    refused(repo, "--branch", "fix", ".", message="a.go: has uncommitted changes; commit or stash them first")


def test_staged_file_to_fix_is_refused(repo):
    (repo / "a.go").write_bytes(MISSING + b"// wip\n")
    git(repo, "add", "a.go")
    (repo / "a.go").write_bytes(MISSING)  # the work tree matches HEAD, the index does not
    refused(repo, "--branch", "fix", ".", message="a.go: has staged changes; commit or unstage them first")


def test_untracked_file_to_fix_is_refused(repo):
    (repo / "new.go").write_bytes(MISSING)
    refused(repo, "--branch", "fix", "new.go",
            message="new.go: not committed (untracked); commit it before fixing on a branch")


def test_existing_branch_is_refused(repo):
    git(repo, "branch", "fix")
    refused(repo, "--branch", "fix", ".",
            message="branch 'fix' exists; choose another name or pass --force-branch")


def test_force_branch_replaces_an_existing_branch(repo):
    git(repo, "commit", "-q", "--allow-empty", "-m", "later")
    git(repo, "branch", "fix", "HEAD~1")
    p = gofix(repo, *SELECT, "--apply", "--branch", "fix", "--force-branch", ".")
    assert p.returncode == 0, p.stderr
    assert git(repo, "rev-parse", "fix^").strip() == git(repo, "rev-parse", "HEAD").strip()


def test_force_branch_never_replaces_the_checked_out_branch(repo):
    refused(repo, "--branch", "main", "--force-branch", ".",
            message=f"branch 'main' is checked out in the work tree {repo}; it cannot be replaced")


def test_force_branch_never_replaces_a_branch_checked_out_in_a_linked_worktree(repo, tmp_path):
    git(repo, "worktree", "add", "-q", str(tmp_path / "other"), "-b", "fix")
    refused(repo, "--branch", "fix", "--force-branch", ".",
            message=f"branch 'fix' is checked out in the work tree {tmp_path / 'other'}; it cannot be replaced")


def test_force_branch_never_replaces_a_branch_being_rebased_in_another_worktree(repo, tmp_path):
    conflicting(repo)
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt), "topic")
    assert subprocess.run(["git", "rebase", "main"], cwd=wt, capture_output=True).returncode
    assert "branch refs/heads/topic" not in git(repo, "worktree", "list", "--porcelain")  # HEAD detached
    refused(repo, "--branch", "topic", "--force-branch", ".",
            message=f"branch 'topic' is checked out in the work tree {wt}; it cannot be replaced")


@pytest.mark.parametrize("name", ["", "bad..name", "-x", "HEAD", "a b", "x.lock", "fix/", "@{-1}", "a~1"])
def test_invalid_branch_name_is_refused(repo, name):
    refused(repo, f"--branch={name}", ".",
            message=("--branch: an empty name is no branch name" if not name else
                     f"--branch: {name!r} is not a valid git branch name (see git check-ref-format)"))


def test_outside_a_git_work_tree_is_refused(tmp_path):
    (tmp_path / "a.go").write_bytes(MISSING)
    p = gofix(tmp_path, *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 2
    assert "gofix-linkname: error: .: not inside a git work tree; --branch needs one\n" in p.stderr
    assert (tmp_path / "a.go").read_bytes() == MISSING


def test_repository_without_a_commit_is_refused(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "a.go").write_bytes(MISSING)
    before = state(repo)
    p = gofix(repo, *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 2
    assert "gofix-linkname: error: the repository has no commit yet; --branch starts from HEAD\n" in p.stderr
    assert state(repo) == before


@pytest.fixture
def no_git_identity(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "none"))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(var, raising=False)


def test_no_git_identity_is_a_clear_refusal(tmp_path, no_git_identity):
    # git itself would stop with "Author identity unknown"; GitPython alone would invent one.
    repo = make_repo(tmp_path / "r", {"a.go": MISSING}, identity=False)
    if subprocess.run(["git", "var", "GIT_AUTHOR_IDENT"], cwd=repo, capture_output=True).returncode == 0:
        pytest.skip("git finds an identity on this machine (a host name with a domain)")
    refused(repo, "--branch", "fix", ".", message="git has no identity to commit with; set one with "
            "git config user.name and git config user.email")
    assert "Traceback" not in gofix(repo, *SELECT, "--apply", "--branch", "fix", ".").stderr


def test_identity_from_the_environment_is_used(tmp_path, no_git_identity, monkeypatch):
    repo = make_repo(tmp_path / "r", {"a.go": MISSING}, identity=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ann Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ann@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Cy Committer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "cy@example.com")
    assert gofix(repo, *SELECT, "--apply", "--branch", "fix", ".").returncode == 0
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "fix") == \
        "Ann Author <ann@example.com>|Cy Committer <cy@example.com>\n"


def test_nothing_to_fix_creates_no_branch(repo):
    p = gofix(repo, *SELECT, "--apply", "--branch", "fix", "clean.go")
    assert p.returncode == 0, p.stderr
    assert "fix" not in git(repo, "branch", "--list", "fix")


def test_branch_needs_apply(repo):
    before = state(repo)
    p = gofix(repo, *SELECT, "--branch", "fix", ".")
    assert p.returncode == 2
    assert p.stderr == "gofix-linkname: error: --branch commits fixes, so it needs --apply\n"
    assert state(repo) == before


def test_a_name_clashing_with_another_branch_is_refused_without_a_traceback(repo):
    git(repo, "branch", "fix")
    refused(repo, "--branch", "fix/linkname", ".",
            message="cannot create branch 'fix/linkname': 'refs/heads/fix' exists; cannot create "
                    "'refs/heads/fix/linkname'")


def test_an_existing_packed_branch_is_refused(repo):
    git(repo, "branch", "fix")
    git(repo, "pack-refs", "--all")
    refused(repo, "--branch", "fix", ".",
            message="branch 'fix' exists; choose another name or pass --force-branch")


# ---------------------------------------------------------------------------------------------
# Branch mode builds the commit from HEAD: what the fixes were computed from must be HEAD's.

def test_a_dirty_go_mod_is_refused_since_the_branch_builds_from_head(repo):
    (repo / "go.mod").write_bytes(b"module example.com/p\n\ngo 1.21\n")
    git(repo, "add", "go.mod")
    git(repo, "commit", "-qm", "module")
    (repo / "go.mod").write_bytes(b"module example.com/p\n\ngo 1.22\n")
    refused(repo, "--branch", "fix", ".", message="go.mod: has uncommitted changes, and the fixes depend "
            "on it; the branch starts from HEAD, so commit, stash or remove it first")


def test_an_untracked_source_in_a_fixed_package_is_refused(repo):
    (repo / "sub" / "extra.go").write_bytes(b'package p\n\nimport _ "unsafe"\n')
    refused(repo, "--branch", "fix", ".", message="sub/extra.go: is untracked, and the fixes depend on it; "
            "the branch starts from HEAD, so commit, stash or remove it first")


def test_autocrlf_checkout_of_a_clean_tree_is_clean(repo):
    git(repo, "config", "core.autocrlf", "true")
    for name in ("a.go", "b.go", "c.go", "sub/d.go"):
        (repo / name).unlink()
    git(repo, "checkout", "--", ".")
    assert (repo / "a.go").read_bytes() == MISSING.replace(b"\n", b"\r\n")
    assert git(repo, "status", "--porcelain") == ""
    p = gofix(repo, *SELECT, "--apply", "--branch", "fix", ".")
    assert p.returncode == 0, p.stderr
    # Stored the way git add stores it: LF in the repository, as HEAD has it.
    assert git(repo, "cat-file", "blob", "fix:a.go").encode() == MISSING_FIXED
    assert (repo / "a.go").read_bytes() == MISSING.replace(b"\n", b"\r\n")


def test_files_of_a_submodule_are_named_as_such(tmp_path):
    lib = make_repo(tmp_path / "lib", {"a.go": MISSING})
    sup = make_repo(tmp_path / "sup", {"main.go": b"package main\n"})
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "lib")
    git(sup, "commit", "-qm", "submodule")
    refused(sup, "--branch", "fix", ".",
            message="lib/a.go: inside submodule lib; run gofix-linkname from within it "
                    "to fix it on a branch there")


def test_a_package_directory_with_glob_characters_is_matched_literally(tmp_path):
    repo = make_repo(tmp_path / "r", {"odd [x]*/a.go": MISSING, "odd x/b.go": b"package p\n"})
    (repo / "odd x" / "b.go").write_bytes(b"package p\n\n// dirty, in another package\n")
    p = gofix(repo, *SELECT, "--apply", "--branch", "fix", "odd [x]*")
    assert p.returncode == 0, p.stderr
    assert git(repo, "cat-file", "blob", "fix:odd [x]*/a.go").encode() == MISSING_FIXED
    (repo / "odd [x]*" / "c.go").write_bytes(b"package p\n")
    refused(repo, "--branch", "fix2", "odd [x]*", message="odd [x]*/c.go: is untracked, and the fixes depend "
            "on it; the branch starts from HEAD, so commit, stash or remove it first")
