"""Which files of a module import a package, under which build constraints.

A package that does not compile on some target matters only where something builds it
there.  For a package under ``internal/`` that is known: only its module may import it, so
the files importing it (each with its name and build constraint) say on which targets it is
built.  ``sonic/internal/native/avx2`` is imported by ``dispatch_amd64.go`` alone; that it
cannot compile for arm64 is no defect.  An importing file counts where its own package is
built, so the question follows internal importers up (``internal/jit`` is imported by an
unconstrained file of ``internal/decoder/jitdec``, which only amd64 files import).  Any
other package may be imported from anywhere.

The scan reads the module's ``.go`` files (as :mod:`codemod.linkset` walks them) that mention
the package's path between quotes, and parses only their import declarations.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .buildconstraint import Expr, Target
from .linkset import _import_path, _walk
from .model import Module, parse_file


@dataclass(frozen=True)
class Importer:
    path: Path
    constraint: Expr | None

    @property
    def test_only(self) -> bool:
        return self.path.name.endswith("_test.go")


def is_internal(import_path: str) -> bool:
    """Go's rule: a path with an ``internal`` element is importable only from its parent tree."""
    return "internal" in import_path.split("/")


class ModuleImports:
    """Importers of the module's packages, found on demand and remembered."""

    def __init__(self, root: Path, module: Module | None, read: Callable[[Path], bytes | None]):
        self.root = Path(root).resolve()
        self.module = module
        self.read = read
        self._files: list[Path] | None = None
        self._found: dict[str, list[Importer]] = {}
        self._built: dict[tuple, set[Target]] = {}

    def importers(self, import_path: str) -> list[Importer]:
        if import_path not in self._found:
            self._found[import_path] = list(self._scan(import_path))
        return self._found[import_path]

    def _scan(self, import_path: str) -> Iterable[Importer]:
        if self._files is None:
            self._files = [p for p in _walk(self.root) if p.suffix == ".go"]
        quoted = f'"{import_path}"'.encode()
        for path in self._files:
            try:
                data = self.read(path)
            except OSError:
                continue
            if not data or quoted not in data:
                continue
            f = parse_file(path, data)
            if f.constraint.error or f.syntax_errors:
                yield Importer(path, None)  # unreadable constraint: assume it builds anywhere
                continue
            if any(i.path == import_path for i in f.imports):
                yield Importer(path, f.constraint.expr)

    def built_on(self, import_path: str, directory: Path, targets: Iterable[Target], tags=frozenset(),
                 *, for_test: bool = False) -> set[Target] | None:
        """The targets where some file of the module that imports ``import_path`` (whose files
        are in ``directory``) is built; None when the package may be imported from outside the
        module (not ``internal``).  The package's own external tests (``package x_test`` in
        its directory) do not count: they are built only where the package is."""
        from .versions import builds_on

        if not is_internal(import_path):
            return None
        targets = list(targets)
        key = (import_path, tuple(targets), frozenset(tags), for_test)
        if key in self._built:
            return self._built[key]
        self._built[key] = set()  # an import cycle (never valid Go) reaches nothing more
        here = directory.resolve()
        users = [i for i in self.importers(import_path) if (for_test or not i.test_only)
                 and i.path.parent.resolve() != here]
        out: set[Target] = set()
        for i in users:
            where = {t for t in targets if t not in out and builds_on(i.path.name, i.constraint, t, tags)}
            if not where:
                continue
            # The importing file counts where its own package is built: an internal importer
            # only where something imports it in turn (jit imported by jitdec, itself
            # imported only from amd64 files).
            parent = _import_path(self.root, self.module, i.path.parent.resolve())
            if parent is not None:
                reached = self.built_on(parent, i.path.parent, where, tags, for_test=for_test)
                if reached is not None:
                    where &= reached
            out |= where
        self._built[key] = out
        return out
