"""Commit fixes on a new branch without touching the user's work tree, index or branch.

The commit is built from HEAD's tree plus the fixed contents in a private index, stored as
``refs/heads/<branch>``.  The user stays on the branch they were on; their uncommitted work
(including the files we fixed, which must be clean) is never read into or out of git.
"""
from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path

import git
from git.index.typ import BaseIndexEntry
from gitdb.base import IStream


class GitError(RuntimeError):
    pass


def open_repo(start: Path) -> git.Repo:
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as e:
        raise GitError(f"{start}: not inside a git work tree; --branch needs one") from e
    if repo.bare:
        raise GitError(f"{start}: a bare repository has no work tree; --branch needs one")
    return repo


def _relative(repo: git.Repo, path: Path) -> str:
    top = Path(repo.working_tree_dir).resolve()
    full = path.resolve() if path.exists() else path.parent.resolve() / path.name
    try:
        return full.relative_to(top).as_posix()
    except ValueError as e:
        raise GitError(f"{path}: outside the git work tree {top}") from e


def check_branch(repo: git.Repo, branch: str, force: bool) -> None:
    try:
        repo.git.check_ref_format("--branch", branch)
    except git.GitCommandError as e:
        raise GitError(f"{branch!r} is not a valid branch name") from e
    if not repo.head.is_valid():
        raise GitError("the repository has no commit yet; --branch starts from HEAD")
    if branch in repo.heads:
        if not force:
            raise GitError(f"branch {branch!r} exists; choose another name or pass --force-branch")
        if repo.head.is_detached is False and repo.active_branch.name == branch:
            raise GitError(f"branch {branch!r} is checked out; it cannot be replaced")


def check_clean(repo: git.Repo, changes: dict[Path, tuple[bytes | None, bytes | None]]) -> None:
    """Refuse unless each file to fix is exactly as committed in HEAD (and new ones are absent)."""
    head = repo.head.commit.tree
    for path, (before, _after) in sorted(changes.items()):
        rel = _relative(repo, path)
        try:
            blob = head / rel
        except KeyError:
            blob = None
        if before is None:
            if blob is not None:
                raise GitError(f"{path}: exists in HEAD but not in the work tree; commit or restore it first")
            continue
        if blob is None:
            raise GitError(f"{path}: not committed (untracked); commit it before fixing on a branch")
        if blob.data_stream.read() != before:
            raise GitError(f"{path}: has uncommitted changes; commit or stash them first")
        if repo.git.diff("--cached", "--name-only", "--", rel):
            raise GitError(f"{path}: has staged changes; commit or unstage them first")


def identity(repo: git.Repo) -> tuple[git.Actor, git.Actor]:
    """The author and committer ``git commit`` would use, or GitError when git would refuse.

    GitPython alone falls back to an invented ``user@hostname`` where git itself stops with
    "Author identity unknown"; asking ``git var`` keeps git's own rules (config, GIT_AUTHOR_*
    and EMAIL variables, auto-detection).
    """
    actors = []
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            ident = repo.git.var(var)
        except git.GitCommandError as e:
            raise GitError("git has no identity to commit with; set one with git config user.name "
                           "and git config user.email") from e
        name, _, rest = ident.partition(" <")
        actors.append(git.Actor(name, rest.split(">", 1)[0]))
    return actors[0], actors[1]


def commit_message(rule_counts: Counter, files: int) -> str:
    total = sum(rule_counts.values())
    lines = [f"gofix-linkname: fix {total} linkname finding{'s' * (total != 1)} in {files} file{'s' * (files != 1)}", ""]
    for rule, count in sorted(rule_counts.items()):
        lines.append(f"- {rule}: {count}")
    return "\n".join(lines) + "\n"


def commit_on_branch(start: Path, branch: str, changes: dict[Path, tuple[bytes | None, bytes | None]],
                     message: str, force: bool = False) -> str:
    """Create ``branch`` from HEAD with one commit holding ``changes``; returns the commit sha."""
    repo = open_repo(start)
    check_branch(repo, branch, force)
    check_clean(repo, changes)
    author, committer = identity(repo)
    head = repo.head.commit
    index = git.IndexFile.from_tree(repo, head)
    entries, removed = [], []
    for path, (_before, after) in sorted(changes.items()):
        rel = _relative(repo, path)
        if after is None:
            removed.append(rel)
            continue
        try:
            mode = (head.tree / rel).mode
        except KeyError:
            mode = 0o100644  # a new Go source file
        stream = repo.odb.store(IStream("blob", len(after), io.BytesIO(after)))
        entries.append(BaseIndexEntry((mode, stream.binsha, 0, rel)))
    if entries:
        index.add(entries, write=False)
    if removed:
        index.remove(removed, working_tree=False, write=False)
    tree = index.write_tree()
    commit = git.Commit.create_from_tree(repo, tree, message, parent_commits=[head], head=False,
                                         author=author, committer=committer)
    # git update-ref, not GitPython's create_head: git knows packed refs and refuses a name that
    # clashes with another branch ("fix" vs "fix/x") instead of failing with a traceback; without
    # --force-branch the all-zero old value makes "the branch must not exist" part of the update.
    ref = f"refs/heads/{branch}"
    try:
        repo.git.update_ref("-m", "gofix-linkname: fixes", ref, commit.hexsha, *([] if force else ["0" * 40]))
    except git.GitCommandError as e:
        text = " ".join(str(e.stderr).split())
        m = re.search(r"cannot lock ref '[^']*': (.*)'$", text) or re.search(r"fatal: (.*?)'?$", text)
        raise GitError(f"cannot create branch {branch!r}: {m.group(1) if m else text}") from e
    return commit.hexsha


# --- Publishing a branch: push it, find the base a pull request goes to ---------------------

def remote_url(repo: git.Repo, remote: str) -> str:
    if remote not in [r.name for r in repo.remotes]:
        raise GitError(f"no remote {remote!r} in {repo.working_tree_dir}; add it or name another with --push REMOTE")
    return repo.git.remote("get-url", remote)


def push_branch(start: Path, branch: str, remote: str = "origin", force: bool = False) -> str:
    """Push ``branch`` to ``remote`` under the same name; returns the remote's URL.

    Never forced unless ``force`` (``--force-branch``): a branch that already exists there with
    other commits is rejected by the remote, and that rejection is raised as one GitError line.
    The local branch is left as it is either way.
    """
    repo = open_repo(start)
    url = remote_url(repo, remote)
    refspec = f"{'+' * force}refs/heads/{branch}:refs/heads/{branch}"
    quiet = logging.getLogger("git.remote")  # GitPython logs git's stderr; we say it in one line
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        infos = repo.remote(remote).push(refspec)
    except git.GitCommandError as e:
        text = " ".join(str(e.stderr or e).split())
        m = re.search(r"! \[(?:remote )?rejected\][^(]*\(([^)]*)\)", text)
        why = m.group(1) if m else (re.search(r"(?:fatal|error): (.*?)'?$", text) or [None, text])[1]
        raise GitError(f"push of {branch!r} to {remote} ({url}) rejected: {why}; "
                       f"the local branch {branch!r} is kept") from e
    finally:
        quiet.level = level
    for info in infos:
        if info.flags & (info.ERROR | info.REJECTED | info.REMOTE_REJECTED | info.REMOTE_FAILURE):
            summary = " ".join((info.summary or "").split())
            why = re.sub(r"^\[(?:remote )?rejected\]\s*\((.*)\)$", r"\1", summary) or "refused"
            raise GitError(f"push of {branch!r} to {remote} ({url}) rejected: {why}; "
                           f"the local branch {branch!r} is kept")
    if not infos:
        raise GitError(f"push of {branch!r} to {remote} ({url}) did not update anything; "
                       f"the local branch {branch!r} is kept")
    return url


def default_branch(start: Path, remote: str = "origin") -> str:
    """The branch a pull request targets: the remote's HEAD, else the local current branch."""
    repo = open_repo(start)
    try:
        out = repo.git.ls_remote("--symref", remote, "HEAD")
        m = re.search(r"^ref: refs/heads/(\S+)\s+HEAD$", out, re.M)
        if m:
            return m.group(1)
    except git.GitCommandError:
        pass
    try:
        ref = repo.git.symbolic_ref("--short", f"refs/remotes/{remote}/HEAD")
        return ref.split("/", 1)[1]
    except git.GitCommandError:
        pass
    if not repo.head.is_detached:
        return repo.active_branch.name
    raise GitError(f"cannot tell the default branch of {remote}; name it with --base")
