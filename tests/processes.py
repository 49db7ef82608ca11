"""Which processes ran a piece of the tool: for tests of work shared out to forked processes."""
from __future__ import annotations

import os
from pathlib import Path


def pids_of(monkeypatch, log: Path, owner, name: str):
    """Have ``owner.name`` (a function of a module, or a method of a class) note each process
    that calls it, in the file ``log``; returns the reader of those notes, which empties them.
    (A file, since a child process cannot write to the test's memory.)"""
    call = getattr(owner, name)

    def logged(*args, **kwargs):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return call(*args, **kwargs)

    monkeypatch.setattr(owner, name, logged)

    def callers() -> set[str]:
        found = set(log.read_text().split()) if log.exists() else set()
        log.unlink(missing_ok=True)
        return found
    return callers
