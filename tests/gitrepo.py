"""Git repositories for tests: a throwaway repository with given files, git run in it, and
a record of everything a run must leave alone (files, index, HEAD, branches)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

SELECT = ("--select", "LN001,LN002,LN003")
# A file LN001 fixes by adding the unsafe import.
MISSING = b"package p\n\n//go:linkname x runtime.x\nfunc x()\n"
MISSING_FIXED = b'package p\n\nimport _ "unsafe"\n\n//go:linkname x runtime.x\nfunc x()\n'


def git(repo: Path, *args: str, check: bool = True) -> str:
    p = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=60)
    if check and p.returncode:
        raise AssertionError(f"git {' '.join(args)}: {p.stderr}")
    return p.stdout


def make_repo(root: Path, files: dict[str, bytes], identity: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    if identity:
        git(root, "config", "user.name", "Test User")
        git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    git(root, "add", ".")
    git(root, "-c", "user.name=Setup", "-c", "user.email=setup@example.com", "commit", "-qm", "init")
    return root


def state(repo: Path) -> dict:
    """Everything of the user's a run must not touch: files, index, HEAD, branches."""
    files = {}
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for n in filenames:
            p = Path(dirpath, n)
            files[str(p.relative_to(repo))] = (p.read_bytes(), p.stat().st_mode)
    return {
        "files": files,
        "index": (repo / ".git" / "index").read_bytes() if (repo / ".git" / "index").exists() else None,
        "HEAD": (repo / ".git" / "HEAD").read_text(),
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
    }


def conflicting(repo: Path) -> None:
    """Branches topic and main changing notes.txt differently; main checked out."""
    git(repo, "checkout", "-q", "-b", "topic")
    (repo / "notes.txt").write_bytes(b"topic\n")
    git(repo, "commit", "-qam", "topic")
    git(repo, "checkout", "-q", "main")
    (repo / "notes.txt").write_bytes(b"main\n")
    git(repo, "commit", "-qam", "main")
