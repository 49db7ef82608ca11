"""``gofix-linkname campaign``: many repositories, each cloned, fixed, committed, pushed to its
(local, bare) remote, with its pull request opened through a recording ``gh``; on local processes
(-j 2) and on a Dask cluster (a LocalCluster of two single-thread worker processes on loopback),
through the same code path; a re-run skips what is done."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codemod.campaign import Repo, ReposError, read_repos, split_argv
from tests.e2e import go_build
from tests.gotoolchains import goroot
from tests.gitrepo import git, make_repo
from tests.test_publish import IDENTITY, calls, fake_forge

BRANCH = "fix/linkname-campaign"
CLEAN = {"go.mod": b"module example.com/clean\n\ngo 1.21\n",
         "main.go": b"package main\n\nfunc main() { println(\"hello\") }\n"}
FIXES = {"go.mod": b"module example.com/fixes\n\ngo 1.21\n",
         # LN001 (no unsafe import: no release compiles it) and LN002 (a body on a pull: the
         # link fails); both fixes are safe, and the fixed program must link.
         "main.go": b"package main\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n\n"
                    b"func main() { println(nanotime() > 0, procPin()) }\n",
         "pin.go": b"package main\n\nimport _ \"unsafe\"\n\n//go:linkname procPin runtime.procPin\n"
                   b"func procPin() int { return 0 }\n\n//go:linkname procUnpin runtime.procUnpin\nfunc procUnpin()\n"}
# The fix of worse/a.go is made wrong on purpose (tests/sabotage): --verify must withdraw it.
WITHDRAWN = {"go.mod": b"module example.com/withdrawn\n\ngo 1.21\n",
             "worse/a.go": b"package worse\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n\n"
                           b"// Now is the monotonic clock.\nfunc Now() int64 { return nanotime() }\n"}
SABOTAGE = Path(__file__).resolve().parent / "sabotage"
BROKEN = {"go.mod": b"module example.com/broken\n\ngo 1.21\n",
          "main.go": b"package main\n\nimport _ \"unsafe\"\n\n//go:linkname nanotime runtime.nanotime\n"
                     b"func nanotime() int64 {\n"}


def bare_with(tmp_path: Path, name: str, files: dict[str, bytes]) -> Path:
    seed = make_repo(tmp_path / "seeds" / name, files)
    bare = tmp_path / "remotes" / f"{name}.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def campaign(cwd: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codemod", "campaign", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture
def forge_env(tmp_path, monkeypatch):
    """Identity and the recording gh on PATH, for this process and every worker it starts."""
    path, log = fake_forge(tmp_path, "gh")
    for k, v in IDENTITY.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("PATH", path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(SABOTAGE), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("GOFIX_TEST_BREAK_FIXES_IN", "worse")
    return dict(os.environ), log


@pytest.fixture
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        with distributed.Client(cluster.scheduler_address) as client:
            pids = set(client.run(os.getpid).values())
        yield cluster.scheduler_address.removeprefix("tcp://"), pids


@pytest.mark.go
@pytest.mark.parametrize("where", ["processes", "dask"])
def test_campaign_end_to_end(tmp_path, forge_env, where, request):
    env, gh_log = forge_env
    remotes = {name: bare_with(tmp_path, name, files)
               for name, files in (("clean", CLEAN), ("fixes", FIXES), ("withdrawn", WITHDRAWN), ("broken", BROKEN))}
    listing = tmp_path / "repos.txt"
    listing.write_text("# the fleet\nremotes/clean.git\nremotes/fixes.git main\n\nremotes/withdrawn.git\n"
                       "remotes/broken.git  # fails\n")
    if where == "dask":
        address, worker_pids = request.getfixturevalue("dask_cluster")
        run_on = ["--executor", f"dask://{address}"]
    else:
        run_on, worker_pids = ["-j", "2"], None
    work = tmp_path / "work"
    args = ["repos.txt", *run_on, "--branch", BRANCH, "--workdir", str(work), "--open-pr",
            "--verify", "--go", str(goroot("1.23")),
            "--report", "summary.json", "--report", "summary.md"]
    p = campaign(tmp_path, *args, env=env)
    assert p.returncode == 2, p.stderr  # one repository failed
    rows = {Path(r["repo"].split("@")[0]).name: r for r in json.loads((tmp_path / "summary.json").read_text())["repositories"]}

    clean, fixes, broken = rows["clean.git"], rows["fixes.git"], rows["broken.git"]
    withdrawn = rows["withdrawn.git"]
    assert (clean["status"], clean["findings"], clean["fixed"], clean["branch"], clean["pull_request"],
            clean["verified"]) == ("done", 0, 0, None, None, "nothing to verify")
    assert (fixes["status"], fixes["findings"], fixes["fixed"], fixes["held_back"], fixes["branch"],
            fixes["verified"]) == ("done", 2, 2, 0, BRANCH, "yes")
    # --verify built the sabotaged fix with Go 1.23, found it worse and withdrew it: nothing to
    # commit, so no branch and no pull request; the finding stays.
    assert (withdrawn["status"], withdrawn["findings"], withdrawn["fixed"], withdrawn["verified"],
            withdrawn["branch"], withdrawn["pull_request"]) == ("done", 1, 0, "withdrawn: worse", None, None)
    assert fixes["pull_request"] == "https://example.test/o/r/pull/7"
    assert broken["status"] == "failed" and broken["branch"] is None
    assert broken["error"] == "main.go: syntax error at line 6, column 23; file left unchanged"
    if worker_pids is not None:  # the jobs ran on the cluster's workers
        assert {int(r["worker"].rsplit(":", 1)[1]) for r in rows.values()} <= worker_pids

    # The branch is on the fixes repository's bare remote, and only there; the program links.
    assert git(remotes["fixes"], "rev-parse", "--verify", f"refs/heads/{BRANCH}")
    for name in ("clean", "withdrawn", "broken"):
        assert BRANCH not in git(remotes[name], "branch")
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(remotes["fixes"]), str(checkout))
    built = go_build("1.23", checkout)
    assert built.returncode == 0, built.stderr
    assert git(checkout, "log", "-1", "--format=%s") == "gofix-linkname: fix 2 linkname findings in 2 files\n"

    # gh was asked once, for the repository with fixes, with the PR body the campaign wrote.
    body = work / "bodies" / f"{Repo(str(remotes['fixes']), 'main').slug}.md"
    assert calls(gh_log) == [
        ["auth", "status"],
        ["pr", "create", "--head", BRANCH, "--base", "main",
         "--title", "gofix-linkname: fix 2 linkname findings in 2 files", "--body-file", str(body)],
    ]
    text = body.read_text()
    assert text.startswith("# gofix-linkname: fix 2 linkname findings in 2 files\n")
    assert "### LN001 missing-unsafe-import: 1 finding, 1 fixed" in text
    assert "### LN002 pull-with-body: 1 finding, 1 fixed" in text
    assert "| `main.go:3` |" in text and "| `pin.go:6` |" in text
    assert "## Verified with real Go toolchains" in text and f"| `.` | fail (build) -> ok |" in text
    withdrawn_body = (work / "bodies" / f"{Repo(str(remotes['withdrawn']), None).slug}.md").read_text()
    assert "withdrawn by --verify (the build got worse): Add the blank import" in withdrawn_body
    assert "- `worse`: worse on go1.23" in withdrawn_body and "notDeclaredAnywhere" in withdrawn_body
    md = (tmp_path / "summary.md").read_text()
    assert "3 of 4 repositories done, 1 failed." in md
    assert "| " + str(remotes["fixes"]) + "@main | done | 2 | 2 | 0 | yes | " + BRANCH in md

    # A re-run skips the two done repositories (no new push, no second PR) and retries the failed one.
    before = git(remotes["fixes"], "rev-parse", BRANCH)
    p = campaign(tmp_path, *args, "--format", "json", env=env)
    assert p.returncode == 2, p.stderr
    again = {Path(r["repo"].split("@")[0]).name: r for r in json.loads(p.stdout)["repositories"]}
    assert again["clean.git"]["skipped"] and again["fixes.git"]["skipped"] and again["withdrawn.git"]["skipped"]
    assert again["fixes.git"]["pull_request"] == fixes["pull_request"]
    assert not again["broken.git"]["skipped"] and again["broken.git"]["status"] == "failed"
    assert len(calls(gh_log)) == 2
    assert git(remotes["fixes"], "rev-parse", BRANCH) == before
    assert "4 repositories: 3 done (3 skipped, done before), 1 failed." in p.stderr

    # Other options make other work: the state does not count as done for them.
    p = campaign(tmp_path, *args, "--select", "LN001", "--format", "json", env=env)
    third = {Path(r["repo"].split("@")[0]).name: r for r in json.loads(p.stdout)["repositories"]}
    assert not third["clean.git"]["skipped"]
    # the remote already has the branch with other commits: never forced without --force-branch
    assert third["fixes.git"]["status"] == "failed" and "rejected" in third["fixes.git"]["error"]


def test_repos_file_lines_comments_bases_and_bad_lines(tmp_path):
    (tmp_path / "a").mkdir()
    listing = tmp_path / "list" / "repos.txt"
    listing.parent.mkdir()
    listing.write_text("../a\nhttps://example.test/o/r.git develop  # a URL\n"
                       "git@example.test:o/s.git\n../a\n")
    assert read_repos(listing) == [Repo(str(tmp_path / "a"), None),
                                   Repo("https://example.test/o/r.git", "develop"),
                                   Repo("git@example.test:o/s.git", None)]
    listing.write_text("../missing\n")
    with pytest.raises(ReposError, match=r"repos.txt:1: \.\./missing: no such directory"):
        read_repos(listing)
    listing.write_text("../a main extra\n")
    with pytest.raises(ReposError, match=r"repos.txt:1: expected 'SOURCE \[BASE-BRANCH\]'"):
        read_repos(listing)


def test_campaign_and_check_options_are_told_apart():
    from codemod.campaign import parser
    from codemod.cli import _check_parser
    ours, rest = split_argv(["repos.txt", "-j", "2", "--select", "LN001", "--push", "up", "--unsafe-fixes",
                             "--branch", "b", "--report=r.md", "--title", "{fixed} fixes"],
                            parser("c"), _check_parser("x"))
    assert ours == ["repos.txt", "-j", "2", "--branch", "b", "--report=r.md"]
    assert rest == ["--select", "LN001", "--push", "up", "--unsafe-fixes", "--title", "{fixed} fixes"]


def test_campaign_refuses_what_it_sets_itself_and_bad_lists(tmp_path):
    listing = tmp_path / "repos.txt"
    listing.write_text("nowhere\n")
    for extra, message in ((["--pr-body", "x.md"], "--pr-body is set by the campaign"),
                           (["-j", "0"], "-j must be at least 1"),
                           (["--select", "NOPE"], "no rule"),
                           ([], "nowhere: no such directory")):
        p = campaign(tmp_path, "repos.txt", *extra, env=dict(os.environ))
        assert p.returncode == 2 and message in p.stderr, (extra, p.stderr)


class _Stream:
    def __init__(self, tty: bool):
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_only_on_a_terminal_with_done_failed_left_and_eta():
    from codemod.campaign import Progress

    quiet = Progress(3, _Stream(False))
    quiet.update({"status": "done"})
    assert quiet.stream.text == "" and quiet.done == 1
    tty = Progress(3, _Stream(True))
    for status in ("done", "failed", "done"):
        tty.update({"status": status})
    lines = tty.stream.text.split("\r")[1:]
    assert lines[0].startswith("1 done, 0 failed, 2 left, ETA ")
    assert lines[1].startswith("1 done, 1 failed, 1 left, ETA ")
    assert lines[2].startswith("2 done, 1 failed, 0 left, ETA 0m00s") and lines[2].endswith("\n")


def test_a_repository_with_its_own_rules_package_does_not_shadow_the_tool(tmp_path):
    """The check runs in the clone; a directory there named like one of our packages must not
    be imported in its place (found on a real repository with a top-level rules/)."""
    from codemod.campaign import process_repo

    bare = bare_with(tmp_path, "shadow", {**FIXES, "rules/__init__.py": b"raise SystemExit('shadowed')\n",
                                          "codemod/__init__.py": b"raise SystemExit('shadowed')\n"})
    env = dict(os.environ, **IDENTITY)
    old = dict(os.environ)
    os.environ.update(env)
    try:
        row = process_repo({"source": str(bare), "base": None, "workdir": str(tmp_path / "w"),
                            "branch": BRANCH, "check_args": []})
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert (row["status"], row["findings"], row["fixed"], row["branch"]) == ("done", 2, 2, BRANCH), row
