"""The symbols a module's own build defines, as the linker sees them.

A ``//go:linkname`` pull is satisfied by whatever defines the symbol in the final link, and
that is not only the standard library.  A module defines symbols under names of its own
choosing:

* a two-argument directive on a function *with* a body (a push): ``//go:linkname isNil
  routine.isNil`` defines ``routine.isNil``, whether or not a package ``routine`` exists, and
  ``//go:linkname getgp runtime.getgp`` defines ``runtime.getgp`` when std has none;
* a two-argument directive on a variable: a variable declaration always allocates the
  symbol, so it defines it when nothing else does; with an initializer it has contents, and
  the linker keeps it over a zero-valued definition of the same symbol (a push:
  ``var iscgo bool = true`` named ``runtime.iscgo``);
* assembly: ``TEXT ·name(SB)`` defines ``<import path>.name``, ``TEXT pkg·name(SB)`` (``∕``
  for ``/``) defines ``pkg.name``, and ``TEXT name(SB)`` or ``GLOBL name(SB)``, with no middle
  dot, the bare symbol ``name``;
* ``//go:cgo_import_dynamic local ...`` and ``//go:cgo_import_static local`` define the bare
  symbol ``local`` (a C function or variable the linker brings in).

C, C++, Objective-C and ``.syso`` sources, and cgo (a Go file importing ``"C"``), can define
any bare symbol; the scan does not read them, it keeps their directories in ``foreign``.

The scan covers the module's tree (skipping what ``go build ./...`` skips, and nested modules)
plus its ``vendor/`` directory when present.  Each definition keeps its file's name and build
constraint, so a question is asked per build target: a push in a file behind
``//go:build routinex`` defines nothing in a default build.  A definition in a ``_test.go``
file exists only in test binaries.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .buildconstraint import Expr, Target
from .model import Module, parse_file
from .sketch import file_header

_SKIP = {"testdata", "node_modules"}
# TEXT pkg·name(SB) or TEXT ·name(SB); ``∕`` (U+2215) stands for ``/`` in assembly names.
_TEXT = re.compile(r"^\s*TEXT\s+([^\s(·]*)·([A-Za-z_][\w.]*)(?:<[^>]*>)?\(SB\)", re.M)
_GO_BUILD = re.compile(r"^//go:build\s(.*)$", re.M)
# TEXT name(SB) or GLOBL name(SB) without a middle dot: a symbol named exactly ``name``.
_BARE_ASM = re.compile(r"^\s*(?:TEXT|GLOBL)\s+([A-Za-z_][\w.]*)(?:<[^>]*>)?\(SB\)", re.M)
_CGO_IMPORT = re.compile(rb"^//go:cgo_import_(?:dynamic|static)[ \t]+([^\s]+)", re.M)
# ``import "C"`` alone or inside an import block (a loose match: it only makes the scan careful).
_IMPORT_C = re.compile(rb'^[ \t]*(?:import[ \t]*)?"C"[ \t]*(?://.*)?$', re.M)
# Sources other than Go and Go assembly that the linker links into the program.
_FOREIGN = (".c", ".cc", ".cpp", ".cxx", ".m", ".S", ".sx", ".syso")


@dataclass(frozen=True)
class Definition:
    symbol: str
    path: Path
    line: int
    how: str  # "body" (a function push), "data" (an initialized variable), "var", "assembly", or "cgo"
    constraint: Expr | None

    @property
    def test_only(self) -> bool:
        return self.path.name.endswith("_test.go")


@dataclass
class ModuleSymbols:
    """Definitions by symbol name."""

    definitions: dict[str, list[Definition]] = field(default_factory=dict)
    # Directories with C-family or .syso sources or cgo files: they may define any bare symbol.
    foreign: set[Path] = field(default_factory=set)

    def add(self, d: Definition) -> None:
        self.definitions.setdefault(d.symbol, []).append(d)

    def defining(self, symbol: str, target: Target, tags=frozenset(), *, for_test: bool = False,
                 kinds: Iterable[str] = ("body", "data", "var", "assembly", "cgo")) -> list[Definition]:
        """The definitions of ``symbol`` that a build for ``target`` compiles."""
        from .versions import builds_on

        kinds = tuple(kinds)
        return [d for d in self.definitions.get(symbol, ())
                if d.how in kinds and (for_test or not d.test_only)
                and builds_on(d.path.name, d.constraint, target, tags)]

    def defines(self, symbol: str, target: Target, tags=frozenset(), **kw) -> bool:
        return bool(self.defining(symbol, target, tags, **kw))


def _skipped(name: str) -> bool:
    return name in _SKIP or name.startswith(".") or name.startswith("_")


def _walk(root: Path) -> Iterable[Path]:
    """The module's .go, .s and C-family files, its vendor/ directory included."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if _skipped(d) or (here / d).is_symlink():
                continue
            if d == "vendor" and here != root:
                continue
            if d != "vendor" and (here / d / "go.mod").is_file():
                continue  # another module
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.endswith((".go", ".s") + _FOREIGN):
                yield here / name


def _import_path(root: Path, module: Module | None, directory: Path) -> str | None:
    rel = directory.relative_to(root).as_posix()
    if rel == "vendor" or rel.startswith("vendor/"):
        return rel[len("vendor/"):] or None
    if module is None or not module.path:
        return None
    return module.path if rel == "." else f"{module.path}/{rel}"


def _asm_constraint(text: str) -> Expr | None:
    from .buildconstraint import ConstraintError, parse_expr

    m = _GO_BUILD.search(text.split("\nTEXT", 1)[0])
    if not m:
        return None
    try:
        return parse_expr(m.group(1))
    except ConstraintError:
        return None


def scan(root: Path, module: Module | None, read: Callable[[Path], bytes | None]) -> ModuleSymbols:
    """Every definition in the tree at ``root`` (a module root, or a directory outside modules)."""
    out = ModuleSymbols()
    for path in _walk(root):
        if path.name.endswith(_FOREIGN):
            out.foreign.add(path.parent)
            continue
        try:
            data = read(path)
        except OSError:
            continue
        if data is None:
            continue
        if path.suffix == ".s":
            if b"TEXT" not in data:
                continue
            text = data.decode("utf-8", "replace")
            constraint = _asm_constraint(text)
            for m in _TEXT.finditer(text):
                pkg = m.group(1).replace("\u2215", "/")
                if not pkg:
                    pkg = _import_path(root, module, path.parent)
                    if pkg is None:
                        continue
                line = text.count("\n", 0, m.start()) + 1
                out.add(Definition(f"{pkg}.{m.group(2)}", path, line, "assembly", constraint))
            for m in _BARE_ASM.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                out.add(Definition(m.group(1), path, line, "assembly", constraint))
            continue
        if b"go:cgo_import_" in data or b'"C"' in data:
            _scan_cgo(path, data, out)
        if b"go:linkname" not in data or b"\0" in data:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        f = parse_file(path, data)
        if f.constraint.error:
            continue
        for d in f.directives:
            decl = d.declaration
            if d.target is None or decl is None:
                continue
            if decl.kind == "func" and decl.has_body:
                how = "body"
            elif decl.kind == "var" and decl.defines:
                how = "data"
            elif decl.kind == "var":
                how = "var"
            else:
                continue
            out.add(Definition(d.target, path, d.span.line, how, f.constraint.expr))
    return out


def _scan_cgo(path: Path, data: bytes, out: ModuleSymbols) -> None:
    """A Go file's cgo imports (bare symbols it defines) and whether it uses cgo."""
    if b"\0" in data:
        return
    imports = list(_CGO_IMPORT.finditer(data))
    if _IMPORT_C.search(data):
        out.foreign.add(path.parent)
    if not imports:
        return
    header = file_header(path.name, data)  # (its constraint is all this needs: no parse)
    if header is None:
        return  # not UTF-8 text
    for m in imports:
        line = data.count(b"\n", 0, m.start()) + 1
        out.add(Definition(m.group(1).decode(), path, line, "cgo",
                           header.constraint if header.constraint_ok else None))


def std_defines(symbol: str, targets: Iterable[Target]) -> list[Target]:
    """The targets whose standard library defines ``symbol`` (any package may define it: the
    runtime defines ``time.now``)."""
    from . import knowledge
    from .model import package_of

    pkg = package_of(symbol)
    if not pkg or not knowledge.known_package(pkg):
        return []
    return [t for t in targets if knowledge.lookup(symbol, t.release, t.goos, t.goarch).symbol is not None]
