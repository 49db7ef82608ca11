"""Commit fixes on a new branch without touching the user's work tree, index or branch.

The commit is built from HEAD's tree plus the fixed contents in a private index, stored as
``refs/heads/<branch>``.  The user stays on the branch they were on; their uncommitted work
(including the files we fixed, which must be clean) is never read into or out of git.
"""
from __future__ import annotations

import logging
import re
import subprocess
from collections import Counter
from pathlib import Path

import git
from git.index.typ import BaseIndexEntry


class GitError(RuntimeError):
    pass


def branch_name_problem(branch: str) -> str | None:
    """Why ``branch`` is no name ``git branch`` would create, or None when it is one.

    git's own ``check-ref-format --branch`` decides; a name it would expand (``@{-1}``) is
    refused too, since the user typed a name, not a reference to one.
    """
    if not branch:
        return "an empty name is no branch name"
    try:
        p = subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True,
                           text=True, timeout=30)
    except OSError as e:
        return f"cannot run git to check the name: {e.strerror or e}"
    if p.returncode or p.stdout.strip() != branch:
        return f"{branch!r} is not a valid git branch name (see git check-ref-format)"
    return None


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


_IN_PROGRESS = (("MERGE_HEAD", "a merge", "commit or abort (git merge --abort)"),
                ("rebase-merge", "a rebase", "finish or abort (git rebase --abort)"),
                ("rebase-apply", "a rebase or git am", "finish or abort"),
                ("CHERRY_PICK_HEAD", "a cherry-pick", "finish or abort (git cherry-pick --abort)"),
                ("REVERT_HEAD", "a revert", "finish or abort (git revert --abort)"))


def check_branch(repo: git.Repo, branch: str, force: bool) -> None:
    try:
        repo.git.check_ref_format("--branch", branch)
    except git.GitCommandError as e:
        raise GitError(f"{branch!r} is not a valid branch name") from e
    if not repo.head.is_valid():
        raise GitError("the repository has no commit yet; --branch starts from HEAD")
    for marker, what, finish in _IN_PROGRESS:
        if (Path(repo.git_dir) / marker).exists():
            # HEAD is not what the operation will commit, and its files are in flux.
            raise GitError(f"{what} is in progress in {repo.working_tree_dir}; {finish} it first "
                           "(--branch starts from HEAD)")
    if branch in repo.heads:
        if not force:
            raise GitError(f"branch {branch!r} exists; choose another name or pass --force-branch")
        where = checked_out_at(repo, branch)
        if where:
            # git branch -f refuses this too: the other work tree's files would no longer
            # match its branch.
            raise GitError(f"branch {branch!r} is checked out in the work tree {where}; "
                           "it cannot be replaced")


def checked_out_at(repo: git.Repo, branch: str) -> str | None:
    """The work tree (this one or a linked one) whose HEAD is, or is being rebased onto, ``branch``."""
    ref = f"refs/heads/{branch}"
    try:
        listing = repo.git.worktree("list", "--porcelain")
    except git.GitCommandError:
        listing = ""
    path = None
    for line in listing.splitlines():
        if line.startswith("worktree "):
            path = line[len("worktree "):]
        elif line == f"branch {ref}":
            return path
    # A branch mid-rebase has a detached HEAD; git records which branch it belongs to.
    for gitdir in _worktree_gitdirs(repo):
        for name in ("rebase-merge/head-name", "rebase-apply/head-name"):
            f = gitdir / name
            if f.is_file() and f.read_text("utf-8", "replace").strip() == ref:
                link = gitdir / "gitdir"  # a linked work tree's: the path of its .git file
                return str(Path(link.read_text().strip()).parent if link.is_file() else gitdir.parent)
    return None


def _worktree_gitdirs(repo: git.Repo) -> list[Path]:
    common = Path(repo.common_dir)
    dirs = [common]
    wt = common / "worktrees"
    if wt.is_dir():
        dirs.extend(p for p in sorted(wt.iterdir()) if p.is_dir())
    return dirs


# What, besides the files it fixes, decides a package's findings and fixes: its other sources
# (which imports it has, which functions have bodies or assembly) and the module's files (the
# go directive picks math/rand or math/rand/v2).  Branch mode builds its commit from HEAD, so
# every one of them must be as HEAD holds it, or the commit would be fixed for another tree.
SHAPING_SUFFIXES = (".go", ".s", ".c", ".h", ".syso")
MODULE_FILES = ("go.mod", "go.sum", "go.work", "go.work.sum")


def _nested_repository(top: Path, path: Path) -> Path | None:
    """The directory of a submodule (or other repository) between ``top`` and ``path``."""
    d = (path.parent if path.exists() or not path.parent.exists() else path.parent).resolve()
    while d != top and top in d.parents:
        if (d / ".git").exists():
            return d
        d = d.parent
    return None


def _glob_literal(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _status(repo: git.Repo, specs: list[str]) -> list[tuple[str, str]]:
    """(XY, path) of ``git status`` for ``specs``: through git's own eyes, so line-ending
    conversion (core.autocrlf, .gitattributes eol) counts as git counts it."""
    # --no-optional-locks: status would otherwise refresh and rewrite the user's index.
    out = repo.git.execute(["git", "--no-optional-locks", "status", "--porcelain=v1", "-z",
                            "--untracked-files=all", "--", *specs], strip_newline_in_stdout=False)
    entries, fields, i = [], out.split("\0"), 0
    while i < len(fields):
        f = fields[i]
        i += 1
        if len(f) < 4:
            continue
        xy, rel = f[:2], f[3:]
        if "R" in xy or "C" in xy:
            i += 1  # the rename's source path follows
        entries.append((xy, rel))
    return entries


def check_clean(repo: git.Repo, changes: dict[Path, tuple[bytes | None, bytes | None]]) -> None:
    """Refuse unless HEAD holds every file the fixes were computed from.

    That is the files to fix (exactly as committed, new ones absent), the other sources of
    their packages, and the module files above them: a dirty ``go.mod`` saying ``go 1.22``
    over a committed ``go 1.21`` would put a Go 1.22-only fix on a branch that builds with 1.21.
    """
    top = Path(repo.working_tree_dir).resolve()
    rels: dict[str, Path] = {}
    for path in sorted(changes):
        nested = _nested_repository(top, path)
        if nested is not None:
            kind = "submodule" if (top / ".gitmodules").is_file() and \
                nested.relative_to(top).as_posix() in (top / ".gitmodules").read_text("utf-8", "replace") \
                else "nested git repository"
            raise GitError(f"{path}: inside {kind} {nested.relative_to(top).as_posix()}; "
                           f"run gofix-linkname from within it to fix it on a branch there")
        rels[_relative(repo, path)] = path
    specs = set()
    for rel in rels:
        d = rel.rpartition("/")[0]
        # glob magic: "*" stays in one directory; the directory's own name is matched literally.
        specs.add(f":(glob){_glob_literal(d + '/') if d else ''}*")
        while True:
            specs.update(f":(literal){d + '/' if d else ''}{m}" for m in MODULE_FILES)
            if not d:
                break
            d = d.rpartition("/")[0]
    fixed, shaping = [], []
    for xy, rel in _status(repo, sorted(specs)):
        if rel in rels:
            fixed.append((xy, rel))
        elif rel.rpartition("/")[2] in MODULE_FILES or rel.endswith(SHAPING_SUFFIXES):
            shaping.append((xy, rel))
    for xy, rel in sorted(fixed, key=lambda e: e[1]):
        path = rels[rel]
        before = changes[path][0]
        if before is None:
            raise GitError(f"{path}: exists in HEAD but not in the work tree; commit or restore it first")
        if xy == "??":
            raise GitError(f"{path}: not committed (untracked); commit it before fixing on a branch")
        if xy[0] not in " ?":
            raise GitError(f"{path}: has staged changes; commit or unstage them first")
        raise GitError(f"{path}: has uncommitted changes; commit or stash them first")
    for xy, rel in sorted(shaping, key=lambda e: e[1]):
        what = ("is untracked" if xy == "??" else "has staged changes" if xy[0] != " "
                else "has uncommitted changes")
        raise GitError(f"{rel}: {what}, and the fixes depend on it; the branch starts from HEAD, "
                       "so commit, stash or remove it first")
    head = repo.head.commit.tree
    for rel, path in sorted(rels.items()):
        before = changes[path][0]
        try:
            head / rel
            in_head = True
        except KeyError:
            in_head = False
        if before is None and in_head:
            raise GitError(f"{path}: exists in HEAD but not in the work tree; commit or restore it first")
        if before is not None and not in_head:
            raise GitError(f"{path}: not committed (untracked); commit it before fixing on a branch")
        try:
            now = path.read_bytes() if before is not None else None
        except OSError as e:
            raise GitError(f"{path}: cannot read: {e.strerror or e}") from e
        if now != before:
            raise GitError(f"{path}: changed on disk since it was read; nothing committed")


def _store_blob(repo: git.Repo, rel: str, data: bytes) -> bytes:
    """Store ``data`` as git add would store the file ``rel``: through its clean conversion."""
    p = subprocess.run(["git", "hash-object", "-w", f"--path={rel}", "--stdin"], input=data,
                       cwd=repo.working_tree_dir, capture_output=True, timeout=120)
    if p.returncode:
        raise GitError(f"{rel}: git hash-object failed: {p.stderr.decode('utf-8', 'replace').strip()}")
    return bytes.fromhex(p.stdout.decode().strip())


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
        entries.append(BaseIndexEntry((mode, _store_blob(repo, rel, after), 0, rel)))
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
