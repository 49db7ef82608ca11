"""What a rule is, and what it is given.

A rule module in ``rules/`` declares one ``RULE = Rule(...)`` and a ``check(ctx)`` function
that yields :class:`~codemod.findings.Finding` values built with :meth:`Context.finding`.
The module's docstring is the rule's documentation (``gofix-linkname explain``).  A rule
never prints, never reads or writes files, and never parses text: it reads the model.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .edits import Fix, Safety
from .findings import Finding, Severity
from .model import GoFile, Module, PackageFacts, Span


@dataclass(frozen=True)
class Rule:
    code: str  # "LN001"
    name: str  # "missing-unsafe-import"
    summary: str  # one line, lowercase start, no final period
    severity: Severity  # the usual severity; a finding may say otherwise
    fix_safety: Safety | None  # the safety of the rule's fix, None when it has no fix
    check: Callable[["Context"], Iterable[Finding]]
    doc: str = ""  # the rule module's docstring
    # Words whose presence in a file makes the rule worth parsing it for; the engine's cheap
    # pre-filter skips files that contain none of any rule's triggers.
    triggers: tuple[str, ...] = ("go:linkname",)
    # "go" rules see parsed Go files; "build-file" rules see other files (Makefiles, CI).
    scope: str = "go"
    # File names (globs, relative to a module or scan root) a build-file rule reads.
    file_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    """The user's choices that rules may consult."""

    go_versions: tuple[str, str] | None = None  # --go-versions 1.22-1.27
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64")
    goroot: str | None = None


@dataclass
class Context:
    """Everything one rule sees for one Go file."""

    rule: Rule
    file: GoFile
    package: PackageFacts
    module: Module | None
    options: Options
    # All parsed files of the same directory (the package), this one included.
    siblings: dict[Path, GoFile] = field(default_factory=dict)

    def finding(self, where, message: str, *, fix: Fix | None = None,
                severity: Severity | None = None, go_versions: dict[str, str] | None = None,
                **extra) -> Finding:
        span = where if isinstance(where, Span) else Span.of(where)
        return Finding(self.rule.code, self.rule.name, self.file.path, span,
                       severity or self.rule.severity, message, fix, go_versions, extra)

    def fix(self, description: str, *edits, safety: Safety | None = None, why_unsafe: str = "") -> Fix:
        return Fix(description, safety or self.rule.fix_safety or Safety.SAFE, tuple(edits), why_unsafe)

    @functools.cached_property
    def build_matrix(self) -> list:
        """The (release, GOOS, GOARCH) targets that compile this file (see codemod.versions)."""
        from .versions import build_matrix
        return build_matrix(self.file, self.module, self.options.go_versions, self.options.platforms)

    @functools.cached_property
    def import_path(self) -> str | None:
        """The file's own import path, when it sits in a module."""
        if self.module is None or not self.module.path:
            return None
        try:
            return self.module.import_path_of(self.file.path.parent)
        except ValueError:
            return None


@dataclass
class BuildFileContext:
    """What a build-file rule sees: one non-Go file and the Go files of its module."""

    rule: Rule
    path: Path
    text: str
    module: Module | None
    go_files: dict[Path, GoFile]
    options: Options

    def finding(self, line: int, column: int, message: str, *, severity: Severity | None = None,
                **extra) -> Finding:
        span = Span(0, 0, line, column, line, column)
        return Finding(self.rule.code, self.rule.name, self.path, span,
                       severity or self.rule.severity, message, None, None, extra)
