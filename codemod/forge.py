"""Opening the pull request (GitHub, ``gh``) or merge request (GitLab, ``glab``) for a pushed branch.

The forge's own command line does the talking, so its login, host and enterprise settings are
the user's.  When that command is missing or not logged in, the exact command is handed back for
the user to run: the branch is already pushed, so nothing is lost.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 300


@dataclass(frozen=True)
class PullRequest:
    command: list[str]  # what opens it, run in ``cwd``
    cwd: Path
    url: str | None = None  # set when it was opened
    reason: str | None = None  # why it was not opened, when it was not

    @property
    def shell(self) -> str:
        return f"cd {shlex.quote(str(self.cwd))} && {shlex.join(self.command)}"


class ForgeError(RuntimeError):
    pass


def forge_of(url: str) -> str:
    """``glab`` for a GitLab remote, ``gh`` for anything else (GitHub and GitHub Enterprise)."""
    host = re.sub(r"^[a-z+]+://([^@/]*@)?|^[^@/]*@", "", url).split("/", 1)[0].split(":", 1)[0]
    return "glab" if "gitlab" in host.lower() else "gh"


def command(tool: str, head: str, base: str, title: str, body_file: Path) -> list[str]:
    if tool == "glab":
        return ["glab", "mr", "create", "--source-branch", head, "--target-branch", base,
                "--title", title, "--description", body_file.read_text("utf-8"), "--yes"]
    return ["gh", "pr", "create", "--head", head, "--base", base, "--title", title,
            "--body-file", str(body_file)]


def _printable(tool: str, cmd: list[str], body_file: Path) -> list[str]:
    if tool == "glab":  # the description is the body file's text: show where it comes from
        i = cmd.index("--description") + 1
        return cmd[:i] + [f"$(cat {body_file})"] + cmd[i + 1:]
    return cmd


def open_pull_request(cwd: Path, remote_url: str, head: str, base: str, title: str,
                      body_file: Path) -> PullRequest:
    """Open the pull request, or say why not and what to run; ForgeError when the forge refused."""
    tool = forge_of(remote_url)
    cmd = command(tool, head, base, title, body_file)
    shown = _printable(tool, cmd, body_file)
    exe = shutil.which(tool)
    if exe is None:
        return PullRequest(shown, cwd, reason=f"{tool} is not installed (or not on PATH)")
    try:
        auth = subprocess.run([exe, "auth", "status"], cwd=cwd, capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        return PullRequest(shown, cwd, reason=f"{tool} auth status did not answer ({e})")
    if auth.returncode != 0:
        return PullRequest(shown, cwd, reason=f"{tool} is not logged in ({tool} auth login)")
    try:
        done = subprocess.run([exe, *cmd[1:]], cwd=cwd, capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ForgeError(f"{tool} did not finish: {e}; to retry: {PullRequest(shown, cwd).shell}") from e
    if done.returncode != 0:
        lines = [x for x in (done.stderr or done.stdout).splitlines() if x.strip()]
        why = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise ForgeError(f"{tool} could not open the pull request: {why}; "
                         f"to retry: {PullRequest(shown, cwd).shell}")
    urls = re.findall(r"https?://\S+", done.stdout + "\n" + done.stderr)
    return PullRequest(shown, cwd, url=urls[-1] if urls else None)
