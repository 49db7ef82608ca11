"""``gofix-linkname campaign REPOS.txt``: the same fix, branch and pull request across many
repositories.

Each repository is one job: clone it into the work directory (shallow for URLs), run
``gofix-linkname check --apply --branch NAME --format json --pr-body FILE`` in the clone with the
options shared by every repository, and hand back one summary row.  Jobs run on a
``concurrent.futures`` executor: processes on this machine (``-j N``) or an existing Dask cluster
(``--executor dask://HOST:PORT``, whose ``Client.get_executor()`` is the same interface), so
local and cluster runs share one code path and no scheduler of our own.

A job receives a small dict (where to clone from, the base branch, the work directory, the check
options) and returns a small dict (the counts, branch, pull request, error): nothing else crosses
to a worker and back.  A repository that fails is one row with its error; the others go on.  The
state file records each row with a fingerprint of the tool version and options, so a re-run skips
what is done, retries what failed, and ``--replace`` redoes everything.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_ERROR = 0, 2
DEFAULT_BRANCH = "gofix-linkname/fix-linkname"
JOB_TIMEOUT = 3600  # seconds for one repository's check (a clone has its own git timeouts)
CHECK_ENTRY = "import sys; del sys.path[0]; from codemod.cli import main; sys.exit(main())"
COLUMNS = ("repo", "status", "findings", "fixed", "held_back", "verified", "branch", "pull_request", "error")


@dataclass(frozen=True)
class Repo:
    source: str  # a clone URL, or an absolute local path
    base: str | None  # the branch to start from and to open the pull request against

    @property
    def key(self) -> str:
        return self.source + (f"@{self.base}" if self.base else "")

    @property
    def slug(self) -> str:
        name = re.sub(r"\.git$", "", self.source.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]) or "repo"
        name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
        return f"{name}-{hashlib.sha256(self.key.encode()).hexdigest()[:8]}"


def is_url(source: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", source) or re.match(r"^[^/@:\s]+@[^/:\s]+:", source))


class ReposError(ValueError):
    pass


def read_repos(path: Path) -> list[Repo]:
    """One repository a line: ``SOURCE [BASE]``; ``#`` starts a comment.  A relative local path
    is taken from the list file's directory, so the list means the same from anywhere."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ReposError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from e
    repos: dict[str, Repo] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        words = line.split()
        if len(words) > 2:
            raise ReposError(f"{path}:{n}: expected 'SOURCE [BASE-BRANCH]', got {len(words)} words")
        source = words[0]
        if not is_url(source):
            local = (path.parent / source).resolve()
            if not local.exists():
                raise ReposError(f"{path}:{n}: {source}: no such directory (and not a clone URL)")
            source = str(local)
        repo = Repo(source, words[1] if len(words) == 2 else None)
        repos.setdefault(repo.key, repo)
    return list(repos.values())


# --- One repository (runs on a worker) ---------------------------------------------------------

def _run(cmd: list[str], cwd: Path | None = None, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env)


def _last_line(text: str) -> str:
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    return lines[-1] if lines else ""


def process_repo(job: dict) -> dict:
    """Clone, fix, commit, push and open the pull request for one repository; one row back.

    Never raises for a problem of the repository: the row says what went wrong.
    """
    repo = Repo(job["source"], job.get("base"))
    row = {"repo": repo.key, "status": "failed", "findings": None, "fixed": None, "held_back": None,
           "verified": None, "branch": None, "pull_request": None, "error": None,
           "seconds": None, "worker": os.uname().nodename + f":{os.getpid()}"}
    started = time.monotonic()
    try:
        row.update(_process(repo, job))
    except subprocess.TimeoutExpired as e:
        row["error"] = f"timed out after {e.timeout:.0f}s: {' '.join(map(str, e.cmd[:3]))}"
    except Exception as e:  # a job must come back as a row whatever happened
        row["error"] = f"{type(e).__name__}: {e}"
    row["seconds"] = round(time.monotonic() - started, 3)
    return row


def _process(repo: Repo, job: dict) -> dict:
    workdir = Path(job["workdir"])
    clone = workdir / "repos" / repo.slug
    body = workdir / "bodies" / f"{repo.slug}.md"
    body.parent.mkdir(parents=True, exist_ok=True)
    if clone.exists():
        shutil.rmtree(clone)
    clone.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["git", "clone", "--quiet"]
    if is_url(repo.source):
        cmd += ["--depth", "1", "--no-tags"]
    if repo.base:
        cmd += ["--branch", repo.base]
    started = time.monotonic()
    p = _run([*cmd, "--", repo.source, str(clone)], timeout=job.get("clone_timeout", 1800))
    if p.returncode:
        return {"error": f"clone failed: {_last_line(p.stderr) or p.returncode}"}
    cloned = time.monotonic()

    # Not "python -m codemod": that puts the clone first on sys.path, where a directory of the
    # repository's own (a "rules/" one, say) would shadow this tool's packages.
    argv = [sys.executable, "-c", CHECK_ENTRY, "check", "--apply", "--branch", job["branch"],
            "--format", "json", "--pr-body", str(body)]
    if repo.base and job.get("open_pr"):
        argv += ["--base", repo.base]
    argv += [*job["check_args"], "."]
    p = _run(argv, cwd=clone, timeout=job.get("timeout", JOB_TIMEOUT))
    timing = {"clone_seconds": round(cloned - started, 3), "check_seconds": round(time.monotonic() - cloned, 3)}
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = None
    out: dict = {"exit": p.returncode, **timing}
    if doc is not None:
        findings = doc.get("findings", [])
        out["findings"] = len(findings)
        out["fixed"] = sum(1 for f in findings if doc.get("applied") and f.get("fix") and f["fix"].get("applicable"))
        out["held_back"] = sum(1 for f in findings if f.get("fix") and not f["fix"].get("applicable")
                               and f["fix"].get("safety") == "unsafe")
        out["verified"] = _verified(doc)
        pub = doc.get("publish") or {}
        out["branch"] = job["branch"] if pub.get("commit") or _has_branch(clone, job["branch"]) else None
        out["commit"] = pub.get("commit")
        out["pushed"] = pub.get("pushed")
        out["pull_request"] = pub.get("pull_request_url") or pub.get("pull_request_command")
        if body.exists():
            out["pr_body"] = str(body)
        errors = list(pub.get("errors") or []) + [e.get("path", "") + ": " + e.get("message", "")
                                                  for e in doc.get("errors", [])]
        if errors:
            out["error"] = errors[0] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    if p.returncode == 2 or doc is None:
        out.setdefault("error", None)
        out["error"] = out["error"] or _last_line(p.stderr) or f"exit status {p.returncode}"
        return out
    out["status"] = "done"
    return out


def _has_branch(clone: Path, branch: str) -> bool:
    return _run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=clone, timeout=60).returncode == 0


def _verified(doc: dict):
    """What --verify said: None when it was not asked for, else "yes", "nothing to verify", or
    which packages it withdrew (the JSON report's "verify" object)."""
    if "verify" not in doc:
        return None
    v = doc["verify"]
    if v is None:
        return "nothing to verify"
    if not isinstance(v, dict):
        return v
    withdrawn = [w.get("package") for w in v.get("withdrawn") or [] if isinstance(w, dict)]
    if withdrawn:
        return "withdrawn: " + ", ".join(str(w) for w in withdrawn)
    return "yes" if v.get("clean", True) else "no"


# --- The campaign (runs here) ------------------------------------------------------------------

def fingerprint(repo: Repo, job: dict) -> str:
    what = {"version": __version__, "repo": repo.key, "branch": job["branch"],
            "check_args": job["check_args"], "open_pr": job.get("open_pr", False)}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


class State:
    """The outcome of each repository, saved after each one finishes (atomic rename)."""

    def __init__(self, path: Path):
        self.path = path
        self.repos: dict[str, dict] = {}
        if path.exists():
            try:
                self.repos = json.loads(path.read_text("utf-8")).get("repos", {})
            except (OSError, ValueError) as e:
                raise ReposError(f"{path}: unreadable state file ({e}); remove it or pass --replace") from e

    def done(self, repo: Repo, fp: str) -> dict | None:
        rec = self.repos.get(repo.key)
        if rec and rec.get("fingerprint") == fp and rec.get("row", {}).get("status") == "done":
            return rec["row"]
        return None

    def record(self, repo: Repo, fp: str, row: dict) -> None:
        self.repos[repo.key] = {"fingerprint": fp, "row": row}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"version": __version__, "repos": self.repos}, indent=2), "utf-8")
        os.replace(tmp, self.path)


def make_executor(spec: str | None, jobs: int):
    """A concurrent.futures executor and what closes it: local processes or a Dask cluster."""
    if spec:
        m = re.match(r"^dask://(.+)$", spec)
        if not m:
            raise ReposError(f"--executor: {spec!r} is not dask://HOST:PORT")
        try:
            from distributed import Client
        except ImportError as e:
            raise ReposError("--executor dask://... needs the distributed package (pip install distributed)") from e
        try:
            client = Client(f"tcp://{m.group(1)}", timeout="30s")
        except (OSError, TimeoutError) as e:
            raise ReposError(f"--executor: cannot reach the Dask scheduler at {m.group(1)}: {e}") from e
        executor = client.get_executor(pure=False)

        def close():
            executor.shutdown(wait=True)
            client.close()
        return executor, close
    executor = cf.ProcessPoolExecutor(max_workers=max(1, jobs))
    return executor, lambda: executor.shutdown(wait=True)


class Progress:
    """done/failed/left and an ETA on one stderr line, only when stderr is a terminal."""

    def __init__(self, total: int, stream=None):
        self.stream = stream or sys.stderr
        self.on = self.stream.isatty()
        self.total, self.done, self.failed = total, 0, 0
        self.start = time.monotonic()

    def update(self, row: dict) -> None:
        if row["status"] == "done":
            self.done += 1
        else:
            self.failed += 1
        if not self.on:
            return
        finished = self.done + self.failed
        left = self.total - finished
        eta = (time.monotonic() - self.start) / finished * left if finished else 0
        self.stream.write(f"\r{self.done} done, {self.failed} failed, {left} left, ETA {_duration(eta)}   ")
        if not left:
            self.stream.write("\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def run_campaign(repos: list[Repo], job: dict, state: State, *, replace: bool, executor_spec: str | None,
                 jobs: int, progress: Progress | None = None) -> list[dict]:
    rows: dict[str, dict] = {}
    todo: list[tuple[Repo, dict, str]] = []
    for repo in repos:
        j = dict(job, source=repo.source, base=repo.base)
        fp = fingerprint(repo, j)
        prior = None if replace else state.done(repo, fp)
        if prior is not None:
            rows[repo.key] = dict(prior, skipped=True)
        else:
            todo.append((repo, j, fp))
    progress = progress or Progress(len(todo))
    if todo:
        executor, close = make_executor(executor_spec, jobs)
        try:
            futures = {executor.submit(process_repo, j): (repo, fp) for repo, j, fp in todo}
            for fut in cf.as_completed(futures):
                repo, fp = futures[fut]
                try:
                    row = fut.result()
                except Exception as e:  # the worker itself died (killed, lost, unpicklable)
                    row = {"repo": repo.key, "status": "failed", "error": f"worker lost: {type(e).__name__}: {e}"}
                row["skipped"] = False
                state.record(repo, fp, row)
                rows[repo.key] = row
                progress.update(row)
        finally:
            close()
    return [rows[r.key] for r in repos]


def _text(value) -> str:
    if value is None:
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def table(rows: list[dict]) -> str:
    heads = ["repository", "status", "findings", "fixed", "held back", "verified", "branch",
             "PR or command", "error"]
    cells = [[_text(r.get(c)) + (" (skipped: done)" if c == "status" and r.get("skipped") else "")
              for c in COLUMNS] for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


def markdown(rows: list[dict]) -> str:
    heads = ["Repository", "Status", "Findings", "Fixed", "Held back", "Verified", "Branch",
             "Pull request or command", "Error"]
    out = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for r in rows:
        cells = [_text(r.get(c)) + (" (skipped: done)" if c == "status" and r.get("skipped") else "")
                 for c in COLUMNS]
        out.append("| " + " | ".join(" ".join(c.split()).replace("|", "\\|") for c in cells) + " |")
    done = sum(1 for r in rows if r.get("status") == "done")
    return (f"# gofix-linkname campaign\n\n{done} of {len(rows)} repositories done, "
            f"{len(rows) - done} failed.\n\n" + "\n".join(out) + "\n")


def report_json(rows: list[dict]) -> str:
    return json.dumps({"version": __version__, "repositories": rows}, indent=2) + "\n"


# --- Command line ------------------------------------------------------------------------------

def parser(prog: str) -> argparse.ArgumentParser:
    from .cli import _Parser

    p = _Parser(prog=prog, description="Fix, commit, push and open pull requests across many "
                "repositories. Options not listed here are check's (--unsafe-fixes, --select, "
                "--go-versions, --push, --open-pr, --title, --signoff, ...) and apply to every repository.")
    p.add_argument("repos_file", metavar="REPOS.txt", help="one repository a line: a local path or clone URL, "
                   "then optionally the base branch")
    p.add_argument("--branch", metavar="NAME", default=DEFAULT_BRANCH, help=f"branch to commit on (default {DEFAULT_BRANCH})")
    p.add_argument("--workdir", metavar="DIR", default="gofix-linkname-campaign",
                   help="where clones, PR bodies and the state file go (default ./gofix-linkname-campaign)")
    p.add_argument("--state", metavar="FILE", help="state file (default WORKDIR/state.json)")
    p.add_argument("--replace", action="store_true", help="redo every repository, even those done")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="repositories at once, in processes here")
    p.add_argument("--executor", metavar="dask://HOST:PORT", help="run the jobs on an existing Dask cluster")
    p.add_argument("--report", metavar="FILE", action="append", default=[],
                   help="also write the summary to FILE: JSON for *.json, Markdown otherwise (repeatable)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="summary on stdout")
    p.add_argument("--timeout", type=int, default=JOB_TIMEOUT, metavar="SECONDS", help="per repository")
    return p


def split_argv(argv: list[str], own: argparse.ArgumentParser, check: argparse.ArgumentParser):
    """Campaign's own words and check's options, told apart by the two parsers' option tables
    (the campaign's win where both have one: --branch, --format)."""
    def table(p):
        return {o: a.nargs for a in p._actions for o in a.option_strings}
    mine, theirs = table(own), table(check)
    ours, rest, i = [], [], 0
    while i < len(argv):
        tok = argv[i]
        name = tok.split("=", 1)[0] if tok.startswith("--") else tok
        target = ours if name in mine or name not in theirs else rest
        nargs = mine.get(name, theirs.get(name, 0))
        target.append(tok)
        i += 1
        if tok.startswith("-") and "=" not in tok and nargs != 0 and i < len(argv):
            if nargs is None or (nargs == "?" and not argv[i].startswith("-")):
                target.append(argv[i])
                i += 1
    return ours, rest


def _check_usage(check) -> str | None:
    """The problems check itself would stop at, found once here instead of once per repository."""
    from rules import select

    from .cli import UsageError, _options, _split
    from .publish import check_usage

    try:
        _options(check)
    except UsageError as e:
        return str(e)
    if not select(_split(check.select), _split(check.ignore)):
        return "--select/--ignore leave no rule to run"
    return check_usage(check)


def run(argv: list[str], prog: str = "gofix-linkname campaign") -> int:
    from .cli import _check_parser

    p = parser(prog)
    ours, rest = split_argv(argv, p, _check_parser("x"))
    args = p.parse_args(ours)
    # What is left are check's options; check's own parser validates them the same way.
    check = _check_parser("gofix-linkname campaign").parse_args([*rest, "--apply", "--branch", args.branch])
    for flag in ("--pr-body", "--diff", "--base"):
        if any(t == flag or t.startswith(flag + "=") for t in rest):
            p.error(f"{flag} is set by the campaign for each repository")
    problem = _check_usage(check)
    if problem:
        p.error(problem)
    if args.jobs < 1:
        p.error("-j must be at least 1")
    if args.executor and args.jobs != 1:
        p.error("-j and --executor choose where jobs run; give one")
    try:
        repos = read_repos(Path(args.repos_file))
        workdir = Path(args.workdir).resolve()
        state = State(Path(args.state).resolve() if args.state else workdir / "state.json")
        job = {"workdir": str(workdir), "branch": args.branch, "check_args": rest,
               "open_pr": bool(check.open_pr), "timeout": args.timeout}
        rows = run_campaign(repos, job, state, replace=args.replace, executor_spec=args.executor, jobs=args.jobs)
    except ReposError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    for target in args.report:
        try:
            Path(target).write_text(report_json(rows) if target.endswith(".json") else markdown(rows), "utf-8")
        except OSError as e:
            print(f"{prog}: error: --report {target}: {e.strerror or e}", file=sys.stderr)
            return EXIT_ERROR
    sys.stdout.write({"json": report_json, "markdown": markdown}.get(args.format, table)(rows))
    failed = sum(1 for r in rows if r.get("status") != "done")
    skipped = sum(1 for r in rows if r.get("skipped"))
    print(f"{len(rows)} repositories: {len(rows) - failed} done ({skipped} skipped, done before), "
          f"{failed} failed. State: {state.path}", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK
