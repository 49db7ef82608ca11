"""From a commit on a branch to a pull request: the PR body, commit and title templates,
sign-off, push, and the forge's command to open it (``--pr-body``, ``--title``,
``--commit-message``, ``--signoff``, ``--push``, ``--open-pr``, ``--base``).

Each step after the commit reports failure in one line and keeps what the steps before it made:
a rejected push keeps the local branch; a missing or logged-out ``gh``/``glab`` leaves the branch
pushed and prints the command that opens the pull request.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import prbody

if TYPE_CHECKING:
    from .engine import RunResult

BODY_TITLE = "gofix-linkname: {summary}"


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("pull requests (with --apply --branch NAME)")
    g.add_argument("--pr-body", metavar="FILE", help="write the pull request description (Markdown) "
                   "to FILE, or to standard output with '-' (instead of the text report)")
    g.add_argument("--title", metavar="TEMPLATE", help="pull request title; placeholders: "
                   f"{prbody.PLACEHOLDER_HELP} (default {BODY_TITLE!r})")
    g.add_argument("--commit-message", metavar="TEMPLATE", help="commit message, same placeholders; "
                   "\\n starts a new line (default: a summary line and a count per rule)")
    g.add_argument("--signoff", action="store_true", help="add a Signed-off-by trailer with your git identity")
    g.add_argument("--push", nargs="?", const="origin", metavar="REMOTE",
                   help="push the branch to REMOTE (default origin); forced only with --force-branch")
    g.add_argument("--open-pr", action="store_true", help="push (to origin unless --push names a remote) "
                   "and open a pull request with gh, or a merge request with glab for GitLab remotes")
    g.add_argument("--base", metavar="BRANCH", help="the branch the pull request targets "
                   "(default: the remote's default branch)")


def wanted(args) -> bool:
    return bool(args.pr_body or args.push or args.open_pr)


def check_usage(args) -> str | None:
    """Why the publishing flags do not fit together, or None."""
    if (args.push or args.open_pr or args.signoff or args.commit_message) and not args.branch:
        return "--push, --open-pr, --signoff and --commit-message work on the commit --apply --branch NAME makes"
    if args.base and not args.open_pr:
        return "--base names the pull request's target; it goes with --open-pr"
    if args.pr_body == "-" and (args.diff or args.format != "text"):
        return (f"--pr-body - writes the description to standard output; it cannot share it with "
                f"{'--diff' if args.diff else '--format ' + args.format}")
    if args.push is not None and args.push.startswith("-"):
        return f"--push: {args.push!r} is not a remote name"
    from .engine import RunResult
    sample = {k: "0" for k in prbody.placeholders(RunResult(), False, None)}
    try:
        for flag, template in (("--title", args.title), ("--commit-message", args.commit_message)):
            if template is not None:
                prbody.fill(template, sample, flag)
    except prbody.TemplateError as e:
        return str(e)
    return None


def start_of(args) -> Path:
    start = Path(args.paths[0] if args.paths else ".")
    return start if start.is_dir() else start.parent


def commit_message(args, result: RunResult) -> str:
    from .gitops import commit_message as default_message, identity, open_repo

    values = prbody.placeholders(result, True, args.branch)
    if args.commit_message:
        message = prbody.fill(args.commit_message, values, "--commit-message").rstrip("\n") + "\n"
    else:
        from collections import Counter
        counts = Counter(f"{f.rule} {f.name}" for f in result.findings if result.fixed(f))
        message = default_message(counts, len(result.changes))
    if args.signoff:
        _author, committer = identity(open_repo(start_of(args)))
        trailer = f"Signed-off-by: {committer.name} <{committer.email}>"
        if trailer not in message:
            message = message.rstrip("\n") + "\n\n" + trailer + "\n"
    return message


_VALUE_FLAGS = {"--branch", "--pr-body", "--title", "--commit-message", "--format", "--base"}
_BARE_FLAGS = {"--apply", "--diff", "--signoff", "--open-pr", "--force-branch"}


def reproduce(argv: list[str], args) -> str:
    """The commands that show and make the same change: the user's options minus publishing."""
    kept, skip = [], False
    tokens = list(argv)
    for i, tok in enumerate(tokens):
        if skip:
            skip = False
            continue
        name = tok.split("=", 1)[0]
        if name in _VALUE_FLAGS:
            skip = "=" not in tok
            continue
        if tok in _BARE_FLAGS:
            continue
        if name == "--push":  # argparse took the next word as the remote when it equals args.push
            skip = "=" not in tok and i + 1 < len(tokens) and tokens[i + 1] == args.push
            continue
        kept.append(tok)
    lines = [shlex.join(["gofix-linkname", "--diff", *kept])]
    if args.branch:
        lines.append(shlex.join(["gofix-linkname", "--apply", "--branch", args.branch, *kept]))
    return "\n".join(lines)


def checked_scope(args, options) -> tuple[list[str], list[str]]:
    from .model import parse_go_mod
    from .versions import release_range

    module = None
    for d in [start_of(args).resolve(), *start_of(args).resolve().parents]:
        if (d / "go.mod").is_file():
            try:
                module = parse_go_mod(d / "go.mod", (d / "go.mod").read_text("utf-8", "replace"))
            except OSError:
                pass
            break
    return list(release_range(module, options.release_range)), list(options.platforms)


@dataclass
class Published:
    """What publishing did, for --format json and for campaigns."""

    title: str
    body_path: str | None = None
    branch: str | None = None
    commit: str | None = None
    remote: str | None = None
    remote_url: str | None = None
    pushed: bool = False
    base: str | None = None
    pull_request_url: str | None = None
    pull_request_command: str | None = None
    pull_request_not_opened: str | None = None
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


def publish(args, argv: list[str], result: RunResult, options, applied: bool, prog: str,
            verify: Any = None) -> tuple[Published, str]:
    """Write the body, push, open the pull request, as asked.  Returns what was done and the
    body's text (the caller prints it for ``--pr-body -``).  Failures land in ``errors``."""
    from .forge import ForgeError, open_pull_request
    from .gitops import GitError, default_branch, open_repo, push_branch

    values = prbody.placeholders(result, applied, args.branch)
    title = prbody.fill(args.title or BODY_TITLE, values, "--title").strip().splitlines()[0]
    releases, platforms = checked_scope(args, options)
    body = prbody.render(result, title=title, applied=applied, branch=args.branch,
                         checked_releases=releases, checked_platforms=platforms,
                         reproduce=reproduce(argv, args), verify=verify)
    out = Published(title=title, branch=args.branch)
    if args.pr_body and args.pr_body != "-":
        try:
            Path(args.pr_body).write_text(body, "utf-8")
            out.body_path = str(Path(args.pr_body).resolve())
        except OSError as e:
            out.errors.append(f"--pr-body {args.pr_body}: cannot write: {e.strerror or e}")
            return out, body
    if not (args.push or args.open_pr) or not args.branch:
        return out, body
    start = start_of(args)
    try:
        repo = open_repo(start)
        if args.branch not in repo.heads:
            out.pull_request_not_opened = "no commit was made (nothing to fix), so nothing was pushed"
            return out, body
        out.commit = repo.heads[args.branch].commit.hexsha
        out.remote = args.push or "origin"
        out.remote_url = push_branch(start, args.branch, out.remote, force=args.force_branch)
        out.pushed = True
        print(f"Pushed branch {args.branch} to {out.remote} ({out.remote_url}).", file=sys.stderr)
        if not args.open_pr:
            return out, body
        out.base = args.base or default_branch(start, out.remote)
        body_file = Path(out.body_path) if out.body_path else _spare_body_file(repo, args.branch, body)
        pr = open_pull_request(Path(repo.working_tree_dir), out.remote_url, args.branch, out.base, title, body_file)
    except (GitError, ForgeError) as e:
        out.errors.append(str(e))
        return out, body
    out.pull_request_command = pr.shell
    if pr.url:
        out.pull_request_url = pr.url
        print(f"Opened {pr.url}", file=sys.stderr)
    elif pr.reason and not pr.url:
        out.pull_request_not_opened = pr.reason
        print(f"{prog}: {pr.reason}; the branch is pushed. Open the pull request with:\n  {pr.shell}",
              file=sys.stderr)
    return out, body


def _spare_body_file(repo, branch: str, body: str) -> Path:
    """Where the body goes when --open-pr needs a file and --pr-body named none: inside .git,
    so it is neither committed nor lost before the printed command runs."""
    d = Path(repo.git_dir) / "gofix-linkname"
    d.mkdir(exist_ok=True)
    path = d / ("pr-body-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in branch) + ".md")
    path.write_text(body, "utf-8")
    return path.resolve()
