"""A second opinion on Go syntax, from a real toolchain's gofmt when one is at hand.

tree-sitter-go can lag the language.  The constructs we know it lacks are read masked
(:class:`codemod.model.NewerSyntax`); for any other parse error the run asks gofmt (``-e``, the
source on standard input) whether the file parses.  When it does, the file is valid Go that the
grammar cannot read, not a broken file: the engine says so instead of calling it a syntax error.
The tool never needs Go: without a gofmt every parse error stays an error, as it always was.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT = 60  # seconds; gofmt parses a large file in milliseconds


@dataclass(frozen=True)
class Gofmt:
    path: str
    version: str  # "go1.27.3", or "" when its toolchain does not say

    def accepts(self, source: bytes) -> bool | None:
        """Whether gofmt parses ``source`` (None: it could not be run)."""
        try:
            p = subprocess.run([self.path, "-e"], input=source, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=_TIMEOUT)
        except (OSError, subprocess.SubprocessError):
            return None
        return p.returncode == 0

    @property
    def name(self) -> str:
        return f"gofmt of {self.version}" if self.version else f"gofmt ({self.path})"


def _version(gofmt: Path) -> str:
    """The release of the toolchain holding ``gofmt`` (GOROOT/bin/gofmt), from its VERSION file."""
    try:
        first = (gofmt.resolve().parent.parent / "VERSION").read_text("utf-8").split("\n", 1)[0].strip()
    except OSError:
        return ""
    return first if first.startswith("go") else ""


@functools.lru_cache(maxsize=8)
def find(goroot: str | None) -> Gofmt | None:
    """The gofmt of ``--goroot`` (a directory), else of ``$GOROOT``, else on ``PATH``."""
    roots = [r for r in (goroot if goroot not in (None, "auto") else None, os.environ.get("GOROOT")) if r]
    candidates = [Path(r) / "bin" / ("gofmt.exe" if os.name == "nt" else "gofmt") for r in roots]
    on_path = shutil.which("gofmt")
    if on_path:
        candidates.append(Path(on_path))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return Gofmt(str(c), _version(c))
    return None
