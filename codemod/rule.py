"""What a rule is, and what it is given.

A rule module in ``rules/`` declares one ``RULE = Rule(...)`` and a ``check(ctx)`` function
that yields :class:`~codemod.findings.Finding` values built with :meth:`Context.finding`.
The module's docstring is the rule's documentation (``gofix-linkname explain``).  A rule
never prints, never reads or writes files, and never parses text: it reads the model.
"""
from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .edits import AddImport, Fix, Safety
from .findings import Finding, Severity
from .knowledge import DEFAULT_PLATFORMS
from .importgraph import ModuleImports
from .linkset import ModuleSymbols
from .model import GoFile, Module, PackageFacts, Span


class FixAvailability(str, enum.Enum):
    """Whether a rule's findings come with a fix (as Ruff says it): always, sometimes, never.
    How safe a particular fix is, is said by the fix itself (:class:`~codemod.edits.Safety`)."""

    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NEVER = "never"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Rule:
    code: str  # "LN001"
    name: str  # "missing-unsafe-import"
    summary: str  # one line, lowercase start, no final period
    severity: Severity  # the usual severity; a finding may say otherwise
    check: Callable[["Context"], Iterable[Finding]]
    # Whether findings carry a fix, and the safety levels those fixes can have (a test checks
    # both against what the rule emits on its snapshot cases).
    fix: FixAvailability = FixAvailability.NEVER
    fix_safeties: tuple[Safety, ...] = ()
    doc: str = ""  # the rule module's docstring
    # Words whose presence in a file makes the rule worth parsing it for; the engine's cheap
    # pre-filter skips files that contain none of any rule's triggers.
    triggers: tuple[str, ...] = ("go:linkname",)
    # A rule that follows calls of a pull by its local name runs on every file of a package
    # that pulls something, trigger words or not (a loop in a sibling file calling ``mono()``).
    follows_calls: bool = False
    # A rule that compares a file with the rest of its package (which names each file
    # declares and uses) runs, once a file triggers it or a file's name carries a GOOS/GOARCH
    # suffix (a constraint no word shows), with every file of the package parsed and on
    # every one of them.
    reads_package: bool = False
    # A cheap look at a package before anything is parsed for the rule: given the package's
    # :class:`codemod.sketch.PackageSketch`, False when the rule cannot find anything there.
    # The engine then neither parses files for the rule's trigger words nor reads the package
    # whole for it, and does not run it there.  None: the rule runs wherever it triggers.
    package_gate: Callable[[object], bool] | None = None
    # "go" rules see parsed Go files; "build-file" rules see other files (Makefiles, CI).
    scope: str = "go"
    # File names (globs, relative to a module or scan root) a build-file rule reads.
    file_patterns: tuple[str, ...] = ()

    def fix_label(self) -> str:
        """How ``rules`` and the docs show the fix: ``sometimes (safe or unsafe)``, ``never``."""
        if self.fix == FixAvailability.NEVER:
            return "never"
        levels = " or ".join(str(s) for s in sorted(set(self.fix_safeties), reverse=True))
        return f"{self.fix} ({levels})" if levels else str(self.fix)


@dataclass(frozen=True)
class Options:
    """The user's choices that rules may consult."""

    # --go-versions 1.22-1.27: the (lowest, highest) release the code is built with.
    release_range: tuple[str, str] | None = None
    platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    goroot: str | None = None
    tags: frozenset[str] = frozenset()  # --tags a,b: build tags set as with ``go build -tags``
    cgo: bool | None = None   # --cgo on|off|both (None): which cgo settings verdicts cover


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
    # Computes, on first use, the symbols the module's own code defines (codemod.linkset).
    symbols_provider: Callable[[], ModuleSymbols] | None = None
    # Computes, on first use, which files of the module import a package (codemod.importgraph).
    imports_provider: Callable[[], ModuleImports] | None = None

    def finding(self, where, message: str, *, fix: Fix | None = None,
                severity: Severity | None = None, failing_releases: dict[str, str] | None = None,
                **extra) -> Finding:
        span = where if isinstance(where, Span) else Span.of(where)
        return Finding(self.rule.code, self.rule.name, self.file.path, span,
                       severity or self.rule.severity, message, fix, failing_releases, extra)

    def fix(self, description: str, *edits, safety: Safety, why_unsafe: str = "") -> Fix:
        """A fix of this file: text edits, new files, and imports asked for with :meth:`add_import`."""
        return Fix(description, safety, tuple(edits), why_unsafe)

    def add_import(self, import_path: str, name: str | None = None) -> AddImport:
        """A request that this file import ``import_path`` (as ``name``), to put among a fix's
        edits; the engine adds it once, however many fixes of the pass ask for it."""
        return AddImport(self.file.path, import_path, name)

    def new_file_path(self, word: str, taken=()) -> Path | None:
        """A free name for a new file next to this one (see :func:`codemod.fixkit.new_file_path`)."""
        from .fixkit import new_file_path
        return new_file_path(self.file.path, word, {*self.package.go_files, *self.package.entries, *taken})

    @functools.cached_property
    def releases(self) -> tuple[str, ...]:
        """The known releases the module is built with (``--go-versions``, else go.mod), oldest
        first, before the file's own constraint filters them."""
        from .versions import release_range
        return release_range(self.module, self.options.release_range)

    @functools.cached_property
    def min_release(self) -> str | None:
        """The oldest release that compiles this file: the low end of ``--go-versions`` or the
        module's ``go`` line, raised by a ``go1.N`` lower bound in the file's constraint."""
        from .versions import file_min_release
        return file_min_release(self.file, self.module, self.options.release_range)

    @functools.cached_property
    def language(self) -> str | None:
        """The file's language version, what its code may use (go vet's stdversion check): the
        module's ``go`` line, replaced by the file's ``go1.N`` constraint (never below 1.21)."""
        from .versions import file_language
        return file_language(self.file, self.module)

    @functools.cached_property
    def build_matrix(self) -> list:
        """The (release, GOOS, GOARCH) targets that compile this file (see codemod.versions)."""
        from .versions import build_matrix
        return build_matrix(self.file, self.module, self.options.release_range, self.options.platforms,
                            self.options.tags)

    def whole_package_seen(self) -> bool:
        """Whether every file of the package that some build compiles was parsed (a file the
        pre-filter skipped, or one that could not be parsed, may use any name)."""
        # Asked per directive and rule: the package's unseen files are worked out once per pass.
        key = ("unseen", id(self.siblings))
        hit = self.package.memo.get(key)
        if hit is None or hit[0] is not self.siblings:
            # Seen means parsed: a file whose parse was deferred is parsed now, and one that
            # does not parse starts the package's check over (codemod.model.Unparsable).
            for g in self.siblings.values():
                g.parse_now()
            built = (n for n in self.package.go_files if n not in self.package.never_built)
            hit = self.package.memo[key] = (self.siblings, frozenset(built) - {p.name for p in self.siblings})
        return hit[1] <= {self.file.path.name}

    @functools.cached_property
    def module_symbols(self) -> ModuleSymbols:
        return self.symbols_provider() if self.symbols_provider is not None else ModuleSymbols()

    def defined_by_build(self, directive) -> list:
        """The targets of the file's build matrix where the module's own code defines the
        directive's target (a push with a body, assembly, or another variable declaration
        naming it, when std does not define it there).

        A pull of such a symbol is satisfied by the module, whatever std does.
        """
        from . import knowledge

        out = []
        symbol = directive.target
        if symbol not in self.module_symbols.definitions:
            return out  # the usual case: nothing in the module names it
        test = self.file.path.name.endswith("_test.go")
        here = (self.file.path.resolve(), directive.span.line)
        for t in self.build_matrix:
            defs = [d for d in self.module_symbols.defining(symbol, t, self.options.tags, for_test=test)
                    if (d.path.resolve(), d.line) != here]
            if any(d.how != "var" for d in defs):
                out.append(t)
            elif defs and knowledge.lookup(symbol, t.release, t.goos, t.goarch).symbol is None:
                out.append(t)
        return out

    def built_for(self, targets) -> set | None:
        """Of ``targets``, those where the module builds this file's package: for a package
        under ``internal/``, where a file importing it is built (tests included); None for any
        other package (importable from outside, so built wherever someone wants it) and a
        ``main`` package."""
        path = self.import_path
        if path is None or self.imports_provider is None or self.file.package == "main":
            return None
        return self.imports_provider().built_on(path, self.file.path.parent, targets, self.options.tags,
                                                for_test=True)

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

    @functools.cached_property
    def releases(self) -> tuple[str, ...]:
        """The known releases the module is built with, oldest first (see :attr:`Context.releases`)."""
        from .versions import release_range
        return release_range(self.module, self.options.release_range)

    def finding(self, line: int, column: int, message: str, *, severity: Severity | None = None,
                **extra) -> Finding:
        span = Span(0, 0, line, column, line, column)
        return Finding(self.rule.code, self.rule.name, self.path, span,
                       severity or self.rule.severity, message, None, None, extra)
