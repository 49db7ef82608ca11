"""--pr-body, --title, --commit-message, --signoff, --push and --open-pr on one repository.

Everything up to the network boundary is real: commits, pushes to local bare repositories,
refusals.  The forge CLIs (gh, glab) are the boundary: a recording script placed first on PATH
stands in for them, so the test asserts the exact argument list each would get.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import git, make_repo

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MISSING = b"package main\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n\nfunc main() { println(nanotime()) }\n"
IDENTITY = {"GIT_AUTHOR_NAME": "Ada Fixer", "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Ada Fixer", "GIT_COMMITTER_EMAIL": "ada@example.com"}


def run(cwd: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **IDENTITY)
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "codemod", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)


def with_remote(tmp_path: Path, files: dict[str, bytes], name: str = "repo") -> tuple[Path, Path]:
    """A work tree whose origin is a local bare repository that has its main branch."""
    work = make_repo(tmp_path / name, files)
    bare = tmp_path / f"{name}.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main")
    return work, bare


def fake_forge(tmp_path: Path, tool: str, logged_in: bool = True, url: str = "https://example.test/o/r/pull/7") -> tuple[str, Path]:
    """A PATH whose first directory holds a recording ``tool``; returns (PATH, the log file)."""
    bindir = tmp_path / f"bin-{tool}"
    bindir.mkdir()
    log = tmp_path / f"{tool}.calls"  # one file per call: its arguments, each ended by NUL
    log.mkdir()
    script = bindir / tool
    script.write_text(
        "#!/bin/sh\n"
        f'n=$(ls "{log}" | wc -l); printf "%s\\0" "$@" > "{log}/$n"\n'
        f'if [ "$1" = auth ]; then exit {0 if logged_in else 1}; fi\n'
        f'echo "{url}"\n')
    script.chmod(0o755)
    return f"{bindir}{os.pathsep}{os.environ['PATH']}", log


def calls(log: Path) -> list[list[str]]:
    files = sorted(log.iterdir(), key=lambda p: int(p.name))
    return [p.read_text().removesuffix("\0").split("\0") for p in files]


def no_forge_path(tmp_path: Path) -> str:
    """A PATH with git and nothing else, so neither gh nor glab can be found."""
    bindir = tmp_path / "bin-plain"
    bindir.mkdir()
    (bindir / "git").symlink_to(shutil.which("git"))
    return str(bindir)


def examples_repo(tmp_path: Path) -> Path:
    files = {str(p.relative_to(EXAMPLES)): p.read_bytes() for p in EXAMPLES.rglob("*") if p.is_file()}
    return make_repo(tmp_path / "examples", files)


def test_pr_body_reports_rules_locations_releases_unsafe_fixes_and_how_to_reproduce(tmp_path):
    repo = examples_repo(tmp_path)
    body_file = tmp_path / "body.md"
    p = run(repo, "--apply", "--branch", "fix/ln", "--pr-body", str(body_file), "--select", "LN001,LN101,LN202")
    assert p.returncode == 1, p.stderr  # the unsafe fixes are held back, so findings remain
    body = body_file.read_text()
    doc = json.loads(run(repo, "--format", "json", "--select", "LN001,LN101,LN202").stdout)
    fixed = sum(1 for f in doc["findings"] if f["fix"] and f["fix"]["applicable"])
    held = sum(1 for f in doc["findings"] if f["fix"] and not f["fix"]["applicable"])
    title = f"gofix-linkname: fix {fixed} linkname finding{'s' * (fixed != 1)}"
    assert body.startswith(f"# {title} in ")
    assert f"**{len(doc['findings'])} findings**: **{fixed} fixed** on branch `fix/ln`" in body
    assert f"**{held} held back**" in body
    for code in {f["rule"] for f in doc["findings"]}:
        assert f"\n### {code} " in body
    # each finding, with path:line and the releases it breaks on
    for f in doc["findings"]:
        assert f"`{f['path']}:{f['line']}`" in body
    assert "| `versions/goroutines_v.go:9` | error | blocked by the linker on Go 1.23-1.27 | all checked | fixed (safe)" in body
    assert "| `migrate/split_m.go:11` | error | undefined on Go 1.21 |" in body
    # unsafe fixes, with the reason each is unsafe
    unsafe = body.split("## Unsafe fixes held back", 1)[1].split("\n## ", 1)[0]
    for f in doc["findings"]:
        if f["fix"] and not f["fix"]["applicable"]:
            assert f"`{f['path']}:{f['line']}` {f['rule']}: {f['fix']['description']}. Why unsafe: {f['fix']['why_unsafe']}." in unsafe
    assert "## Verified" not in body  # no --verify, no matrix
    assert "```sh\ngofix-linkname --diff --select LN001,LN101,LN202\n" \
           "gofix-linkname --apply --branch fix/ln --select LN001,LN101,LN202\n```" in body
    # the reproduce command shows exactly the committed change
    patch = run(repo, "--diff", "--select", "LN001,LN101,LN202", ".").stdout
    subprocess.run(["git", "apply"], cwd=repo, input=patch, text=True, check=True)
    git(repo, "add", "-A")
    assert git(repo, "diff", "--cached", "--stat", "fix/ln") == ""


def test_pr_body_to_stdout_replaces_the_text_report_and_clean_code_says_so(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.go": MISSING})
    p = run(repo, "--pr-body", "-")
    assert p.returncode == 1
    assert p.stdout.startswith("# gofix-linkname: fix 0 linkname findings in 0 files\n")
    assert "fixable (safe) with --apply: Add the blank import" in p.stdout
    assert "a.go:3:1: LN001" not in p.stdout  # the text report is not mixed in
    clean = make_repo(tmp_path / "c", {"a.go": b"package main\n\nfunc main() {}\n"})
    p = run(clean, "--pr-body", "-")
    assert p.returncode == 0 and "found no hazardous `//go:linkname` use" in p.stdout
    p = run(clean, "--pr-body", "-", "--format", "json")
    assert p.returncode == 2 and p.stderr.count("\n") <= 2 and "--pr-body -" in p.stderr


def test_commit_message_and_title_templates_and_signoff(tmp_path):
    work, _bare = with_remote(tmp_path, {"a.go": MISSING})
    path, log = fake_forge(tmp_path, "gh")
    p = run(work, "--apply", "--branch", "fix/ln", "--signoff", "--open-pr",
            "--commit-message", "build: {summary}\\n\\nRules: {rules}\\n{rule_lines}",
            "--title", "[{branch}] {fixed} of {findings} fixed (gofix-linkname {version})", path=path)
    assert p.returncode == 0, p.stderr
    message = git(work, "log", "-1", "--format=%B", "fix/ln")
    assert message == ("build: fix 1 linkname finding in 1 file\n\nRules: LN001\n"
                       "- LN001 missing-unsafe-import: 1\n\nSigned-off-by: Ada Fixer <ada@example.com>\n\n")
    create = calls(log)[-1]
    from codemod import __version__
    assert create[create.index("--title") + 1] == f"[fix/ln] 1 of 1 fixed (gofix-linkname {__version__})"


@pytest.mark.parametrize("flag,value", [("--title", "{nope}"), ("--commit-message", "fix {files")])
def test_a_bad_template_is_refused_before_anything_is_done(tmp_path, flag, value):
    repo = make_repo(tmp_path / "r", {"a.go": MISSING})
    p = run(repo, "--apply", "--branch", "fix/ln", flag, value)
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0, p.stderr
    assert flag in p.stderr
    assert "fix/ln" not in git(repo, "branch")
    assert (repo / "a.go").read_bytes() == MISSING


def test_publishing_flags_need_a_branch(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.go": MISSING})
    for flags in (["--push"], ["--open-pr"], ["--signoff"], ["--apply", "--push"]):
        p = run(repo, *flags)
        assert p.returncode == 2 and "--branch" in p.stderr, (flags, p.stderr)


def test_push_sends_the_branch_to_the_bare_remote_and_never_forces_unless_asked(tmp_path):
    work, bare = with_remote(tmp_path, {"a.go": MISSING})
    p = run(work, "--apply", "--branch", "fix/ln", "--push")
    assert p.returncode == 0, p.stderr
    local = git(work, "rev-parse", "fix/ln").strip()
    assert git(bare, "rev-parse", "fix/ln").strip() == local
    assert "Pushed branch fix/ln to origin" in p.stderr

    # Someone else's commit on the remote branch: a push without --force-branch is rejected
    # in one line, and the new local branch is kept.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "fix/ln", str(bare), str(other))
    (other / "note.txt").write_text("review notes\n")
    git(other, "add", "note.txt")
    git(other, "-c", "user.name=O", "-c", "user.email=o@example.com", "commit", "-qm", "notes")
    git(other, "push", "-q", "origin", "fix/ln")
    theirs = git(bare, "rev-parse", "fix/ln").strip()
    p = run(work, "--apply", "--branch", "fix/ln", "--force-branch", "--push", "--select", "LN001")
    assert p.returncode == 0, p.stderr  # --force-branch: replaced locally and on the remote
    assert git(bare, "rev-parse", "fix/ln").strip() == git(work, "rev-parse", "fix/ln").strip() != theirs

    (other / "note.txt").write_text("more notes\n")
    git(other, "-c", "user.name=O", "-c", "user.email=o@example.com", "commit", "-qam", "more")
    git(other, "push", "-q", "--force", "origin", "fix/ln")
    theirs = git(bare, "rev-parse", "fix/ln").strip()
    git(work, "branch", "-D", "fix/ln")
    p = run(work, "--apply", "--branch", "fix/ln", "--push")
    assert p.returncode == 2
    errors = [x for x in p.stderr.splitlines() if x.startswith("gofix-linkname: error")]
    assert len(errors) == 1 and "rejected: fetch first;" in errors[0], p.stderr
    assert "Error lines" not in p.stderr
    assert "local branch 'fix/ln' is kept" in errors[0]
    assert git(bare, "rev-parse", "fix/ln").strip() == theirs
    assert git(work, "rev-parse", "--verify", "fix/ln").strip() != theirs


def test_push_to_a_missing_remote_is_one_line(tmp_path):
    work, _bare = with_remote(tmp_path, {"a.go": MISSING})
    p = run(work, "--apply", "--branch", "fix/ln", "--push", "upstream")
    assert p.returncode == 2
    assert [x for x in p.stderr.splitlines() if x.startswith("gofix-linkname: error")] == [
        f"gofix-linkname: error: no remote 'upstream' in {work}; add it or name another with --push REMOTE"]
    assert git(work, "rev-parse", "--verify", "fix/ln")  # the commit stays


def test_open_pr_runs_gh_with_head_base_title_and_body_file(tmp_path):
    work, bare = with_remote(tmp_path, {"a.go": MISSING})
    path, log = fake_forge(tmp_path, "gh")
    body = tmp_path / "body.md"
    p = run(work, "--apply", "--branch", "fix/ln", "--open-pr", "--pr-body", str(body), "--format", "json", path=path)
    assert p.returncode == 0, p.stderr
    assert calls(log) == [
        ["auth", "status"],
        ["pr", "create", "--head", "fix/ln", "--base", "main",
         "--title", "gofix-linkname: fix 1 linkname finding in 1 file", "--body-file", str(body.resolve())],
    ]
    assert git(bare, "rev-parse", "fix/ln").strip() == git(work, "rev-parse", "fix/ln").strip()
    pub = json.loads(p.stdout)["publish"]
    assert pub["pull_request_url"] == "https://example.test/o/r/pull/7"
    assert pub["pushed"] is True and pub["base"] == "main" and pub["errors"] == []


def test_open_pr_without_body_file_keeps_one_in_the_git_dir(tmp_path):
    work, _bare = with_remote(tmp_path, {"a.go": MISSING})
    path, log = fake_forge(tmp_path, "gh")
    p = run(work, "--apply", "--branch", "fix/ln", "--open-pr", path=path)
    assert p.returncode == 0, p.stderr
    create = calls(log)[-1]
    body_file = Path(create[create.index("--body-file") + 1])
    assert body_file.parent == (work / ".git" / "gofix-linkname").resolve()
    assert body_file.read_text().startswith("# gofix-linkname: fix 1 linkname finding in 1 file\n")


@pytest.mark.parametrize("logged_in", [False, None])  # not logged in; not installed at all
def test_without_a_usable_gh_the_command_is_printed_and_the_branch_is_pushed(tmp_path, logged_in):
    work, bare = with_remote(tmp_path, {"a.go": MISSING})
    if logged_in is None:
        path, log = no_forge_path(tmp_path), None
    else:
        path, log = fake_forge(tmp_path, "gh", logged_in=False)
    body = tmp_path / "body.md"
    p = run(work, "--apply", "--branch", "fix/ln", "--open-pr", "--pr-body", str(body), path=path)
    assert p.returncode == 0, p.stderr
    assert git(bare, "rev-parse", "fix/ln").strip() == git(work, "rev-parse", "fix/ln").strip()
    command = (f"cd {work} && gh pr create --head fix/ln --base main --title "
               f"'gofix-linkname: fix 1 linkname finding in 1 file' --body-file {body.resolve()}")
    assert f"\n  {command}\n" in p.stderr
    assert ("not logged in" if logged_in is False else "not installed") in p.stderr
    if log is not None:
        assert calls(log) == [["auth", "status"]]


def test_gitlab_remote_opens_a_merge_request_with_glab(tmp_path):
    work, bare = with_remote(tmp_path, {"a.go": MISSING})
    # Fetch URL on GitLab, pushes to the local bare repository: the network boundary stays local.
    git(work, "remote", "set-url", "origin", "https://gitlab.example.com/group/proj.git")
    git(work, "remote", "set-url", "--push", "origin", str(bare))
    path, log = fake_forge(tmp_path, "glab", url="https://gitlab.example.com/group/proj/-/merge_requests/3")
    p = run(work, "--apply", "--branch", "fix/ln", "--open-pr", "--base", "main", "--format", "json", path=path)
    assert p.returncode == 0, p.stderr
    assert git(bare, "rev-parse", "fix/ln").strip() == git(work, "rev-parse", "fix/ln").strip()
    auth, create = calls(log)
    assert auth == ["auth", "status"]
    assert create[:8] == ["mr", "create", "--source-branch", "fix/ln", "--target-branch", "main",
                          "--title", "gofix-linkname: fix 1 linkname finding in 1 file"]
    assert create[8] == "--description" and create[9].startswith("# gofix-linkname: fix 1 linkname finding")
    assert create[10:] == ["--yes"]
    assert json.loads(p.stdout)["publish"]["pull_request_url"].endswith("/merge_requests/3")


def test_a_forge_that_refuses_is_one_error_line_with_the_command_to_retry(tmp_path):
    work, _bare = with_remote(tmp_path, {"a.go": MISSING})
    path, log = fake_forge(tmp_path, "gh")
    script = Path(path.split(os.pathsep)[0]) / "gh"
    script.write_text(script.read_text().replace('echo "https', 'echo "a pull request for branch fix/ln already exists" >&2; exit 1\necho "https'))
    p = run(work, "--apply", "--branch", "fix/ln", "--open-pr", path=path)
    assert p.returncode == 2
    errors = [x for x in p.stderr.splitlines() if x.startswith("gofix-linkname: error")]
    assert len(errors) == 1 and "already exists" in errors[0] and "to retry: cd " in errors[0]


def test_nothing_to_fix_pushes_nothing(tmp_path):
    work, bare = with_remote(tmp_path, {"a.go": b"package main\n\nfunc main() {}\n"})
    path, log = fake_forge(tmp_path, "gh")
    p = run(work, "--apply", "--branch", "fix/ln", "--open-pr", "--format", "json", path=path)
    assert p.returncode == 0, p.stderr
    assert calls(log) == []
    assert "fix/ln" not in git(bare, "branch")
    assert json.loads(p.stdout)["publish"]["pushed"] is False


def test_the_verify_matrix_goes_into_the_body_when_verification_ran():
    from types import SimpleNamespace as NS

    from codemod import prbody
    from codemod.engine import RunResult

    ok, fail = NS(status="ok", step=""), NS(status="fail", step="build")
    report = NS(cells=[
        NS(package="clock", column="go1.21.13", before=fail, after=ok, worse=False, why=""),
        NS(package="clock", column="go1.27.3", before=fail, after=ok, worse=False, why=""),
        NS(package="legacy", column="go1.27.3", before=ok, after=fail, worse=True, why="undefined: x"),
    ], withdrawn={"legacy": "worse on go1.27.3: undefined: x"})
    body = prbody.render(RunResult(), title="t", applied=True, verify=report)
    assert ("| Package | go1.21.13 | go1.27.3 |\n|---|---|---|\n"
            "| `clock` | fail (build) -> ok | fail (build) -> ok |\n"
            "| `legacy` |  | ok -> fail (build) **worse**: undefined: x |\n") in body
    assert "- `legacy`: worse on go1.27.3: undefined: x" in body
    assert "## Verified" not in prbody.render(RunResult(), title="t", applied=True)


def test_campaign_rows_say_what_verify_did():
    from codemod.campaign import _verified

    assert _verified({"findings": []}) is None
    assert _verified({"verify": None}) == "nothing to verify"
    assert _verified({"verify": {"clean": True, "withdrawn": []}}) == "yes"
    assert _verified({"verify": {"clean": False, "withdrawn": [{"package": "a/b", "why": "x"}]}}) == "withdrawn: a/b"
