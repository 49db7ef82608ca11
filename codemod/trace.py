"""Which file the run is working on: named in the one-line report of an unexpected error."""
from __future__ import annotations

from pathlib import Path

current: Path | None = None
# How many files the write replaced, once it has completed (None before): a signal that
# comes after it must not be reported as "nothing written".
written: int | None = None


def at(path: Path | None) -> None:
    global current
    current = path
