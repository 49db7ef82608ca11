"""What each Go release's linker does with a ``//go:linkname`` pull, from the real sources.

    >>> from codemod.knowledge import lookup
    >>> lookup("runtime.gcount", "1.23").status
    'blocked'

The data (``codemod/data/knowledge.bin``, made by ``scripts/gen_knowledge.py``) indexes the
``src/`` of Go 1.21-1.27: every function, method and variable of the standard library with its
linker name, signature, push marks and file constraints, plus each release's linker rules read
from ``cmd/link/internal/loader/loader.go``.  A query selects the definitions whose files are
built for the release and platform (file-name suffixes, ``//go:build``, default GOEXPERIMENTs,
``#ifdef`` in assembly), then applies that release's rules (:mod:`codemod.knowledge.rules`).

What it assumes: the pulling program links the package defining the target (a pull does not
import it; ``Symbol.package`` names it, and it may differ from the name's package:
``runtime.libfuzzerHookStrCmp`` is defined by ``internal/fuzz`` when not fuzzing),
``CGO_ENABLED=0`` file selection, and a function pull from a package without assembly (its
reference is ABIInternal).  A variable pull is judged against the source (exists, and pushed
where the linker checks), never by whether it links: a pull of a removed variable defines a
new zero-valued one and links.

Releases outside the indexed ones are answered from the nearest one, with ``approximate=True``;
:func:`use_goroot` adds the user's own toolchain (any patch release or a future Go).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from codemod import buildconstraint as bc
from codemod.knowledge import rules
from codemod.knowledge.store import (
    F_ABI0, F_BODY, F_GENERIC, F_NOSPLIT, F_PULL, LINK_NAMES, Store, package_of,
)

RELEASES: tuple[str, ...] = ("1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27")
DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64")
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "knowledge.bin"

# Build tags that hold by default besides GOOS/GOARCH/goexperiment: the first
# microarchitecture level of each port (GOAMD64=v1, GOARM64=v8.0).
_DEFAULT_FEATURE_TAGS = {"amd64": ("amd64.v1",), "arm64": ("arm64.v8.0",)}


@dataclass(frozen=True)
class Symbol:
    name: str            # linker symbol, "runtime.nanotime"
    kind: str            # "func" | "method" | "var"
    signature: str       # func: "func() int64"; var: its type text ("" if only an initializer: see value)
    file: str            # "src/runtime/time_nofake.go" (for assembly: the Go declaration's file, else the .s)
    has_body: bool       # False for assembly (or a declaration implemented nowhere)
    nosplit: bool
    pushed: bool         # marked by //go:linkname (or //go:linknamestd) in its own package
    note: str | None     # the "Do not remove or change the type signature..." comment text
    package: str         # the package whose source defines it ("runtime" for time.now)
    value: str = ""      # a var's initializer text, when it has no type written
    assembly: str = ""   # the .s file implementing it, for assembly functions
    generic: bool = False


@dataclass(frozen=True)
class Lookup:
    target: str
    requested_release: str     # what the caller asked, e.g. "1.29" or "1.23.4"
    release: str               # release actually answered, e.g. "1.27"
    approximate: bool          # requested release is outside the known ones: answered from the nearest
    goos: str
    goarch: str
    status: str                # "ok" | "blocked" | "undefined"
    reason: str                # "" for ok
    symbol: Symbol | None      # None when undefined for that release/platform
    defined_elsewhere: tuple[str, ...] = ()   # platforms defining it when undefined on this one


# ---------------------------------------------------------------------------------------------
# Stores: the shipped data plus user GOROOTs registered with use_goroot()

_stores: list[Store] = []


def _shipped() -> Store:
    if not _stores:
        _stores.append(Store(DATA_FILE))
    return _stores[0]


def add_store(store: Store) -> None:
    """Register another knowledge file (a user GOROOT); its releases win on exact version match."""
    _shipped()
    _stores.append(store)
    _resolve.cache_clear()
    lookup.cache_clear()


def use_goroot(path: str | Path) -> str:
    """Index (or reuse the cached index of) a GOROOT and answer for it; returns its release label."""
    from codemod.knowledge.user_goroot import load_goroot

    store = load_goroot(Path(path))
    if all(s.path != store.path for s in _stores):
        add_store(store)
    return store.releases[0]


def _minor(version: str) -> tuple[int, int] | None:
    m = re.match(r"^(?:go)?(\d+)\.(\d+)", version.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


@lru_cache(maxsize=None)
def _resolve(go_version: str) -> tuple[int, int, bool]:
    """(store index, release index, approximate) answering for a requested Go version."""
    _shipped()
    want = go_version.strip().removeprefix("go")
    for si in range(len(_stores) - 1, 0, -1):          # a user toolchain of exactly this version
        if want in _stores[si].meta["versions"] or want in _stores[si].releases:
            return si, _stores[si].releases.index(want) if want in _stores[si].releases else \
                _stores[si].meta["versions"].index(want), False
    minor = _minor(want)
    if minor is None:
        raise ValueError(f"not a Go version: {go_version!r}")
    candidates = []
    for si, store in enumerate(_stores):
        for ri, label in enumerate(store.releases):
            m = _minor(label)
            if m is not None:
                candidates.append((m, si, ri))
    exact = [c for c in candidates if c[0] == minor]
    if exact:
        _, si, ri = min(exact, key=lambda c: c[1])      # the shipped data first
        return si, ri, False
    m, si, ri = min(candidates, key=lambda c: (abs(c[0][1] - minor[1]) + 100 * abs(c[0][0] - minor[0]), -c[0][1]))
    return si, ri, True


def _label(si: int, ri: int) -> str:
    return _stores[si].releases[ri]


# ---------------------------------------------------------------------------------------------
# Which files a build selects


def _target(store: Store, ri: int, goos: str, goarch: str) -> bc.Target:
    exps = store.meta["experiments"][ri]
    port = f"{goos}/{goarch}"
    tags = {f"goexperiment.{e}" for e, ports in exps.items() if ports == "*" or port in ports}
    tags.update(_DEFAULT_FEATURE_TAGS.get(goarch, ()))
    minor = _minor(store.releases[ri])
    return bc.Target(f"{minor[0]}.{minor[1]}", goos, goarch, extra_tags=frozenset(tags))


@lru_cache(maxsize=4096)
def _parsed(constraint: str):
    return bc.parse_expr(constraint) if constraint else None


@lru_cache(maxsize=200_000)
def _built(path: str, constraint: str, cond: str, target: bc.Target) -> bool:
    return bc.file_matches(path, _parsed(constraint), target) and bc.evaluate(_parsed(cond), target.satisfies)


def regabi_wrappers(store: Store, ri: int, goos: str, goarch: str) -> bool:
    exps = store.meta["experiments"][ri].get("regabiwrappers")
    return exps == "*" or (exps is not None and f"{goos}/{goarch}" in exps)


# ---------------------------------------------------------------------------------------------
# Definitions of a target on one build


@dataclass(frozen=True)
class _Defs:
    go: tuple            # declaration rows with a body (funcs) or vars, built on this target
    asm: tuple           # TEXT rows built on this target
    decls: tuple         # every declaration row named target, built on this target
    chunk: dict
    target: bc.Target

    def push(self, row) -> str:
        """The row's //go:linkname kind, if its directive is in this build (see link_files)."""
        files = self.chunk["files"]
        if row[6] and (not row[9] or any(_built(*files[i], "", self.target) for i in row[9])):
            return LINK_NAMES[row[6]]
        return ""


def _definitions(store: Store, ri: int, target: str, t: bc.Target) -> _Defs:
    chunk = store.chunk_for(target)
    bit = 1 << ri
    files = chunk["files"]
    decls = tuple(r for r in chunk["decls"].get(target, ()) if r[-1] & bit and _built(*files[r[4]], "", t))
    asm = tuple(r for r in chunk["asm"].get(target, ()) if r[-1] & bit and _built(*files[r[2]], r[3], t))
    go = tuple(r for r in decls if not r[5] & F_PULL and (r[1] == "var" or r[5] & F_BODY) and not r[5] & F_GENERIC)
    return _Defs(go, asm, decls, chunk, t)


def _symbol_from(defs: _Defs) -> Symbol | None:
    chunk = defs.chunk
    if defs.go:
        return _row_symbol(defs.go[0], chunk, bool(defs.push(defs.go[0])))
    if defs.asm:
        a = defs.asm[0]
        decl = _asm_go_decl(defs)
        base = _row_symbol(decl, chunk, bool(defs.push(decl))) if decl else None
        return Symbol(
            name=a[0], kind="func", signature=base.signature if base else "",
            file=base.file if base and base.package == a[5] else chunk["files"][a[2]][0],
            has_body=False, nosplit=bool(a[4]) or bool(base and base.nosplit),
            pushed=bool(base and base.pushed), note=base.note if base else None, package=a[5],
            assembly=chunk["files"][a[2]][0],
        )
    return None


def _row_symbol(row, chunk, pushed: bool) -> Symbol:
    name, kind, sig, value, fi, flags, link, note, pkg, _, _ = row
    return Symbol(name=name, kind=kind, signature=sig, file=chunk["files"][fi][0],
                  has_body=bool(flags & F_BODY), nosplit=bool(flags & F_NOSPLIT), pushed=pushed,
                  note=chunk["notes"][note] or None, package=pkg, value=value,
                  generic=bool(flags & F_GENERIC))


def _asm_go_decl(defs: _Defs):
    """The Go declaration the compiler builds the assembly function's ABI wrapper from.

    It is a bodyless declaration with the symbol's linker name in the package whose assembly
    defines it (directly, or renamed by //go:linkname: internal/bytealg's
    abigen_runtime_memequal); its //go:linkname is what marks the wrapper as pushed.
    """
    asm_pkgs = {a[5] for a in defs.asm}
    best = None
    for r in defs.decls:
        if r[8] in asm_pkgs and not r[5] & F_BODY and r[1] == "func":
            if best is None or (defs.push(r) and not defs.push(best)):
                best = r
    return best


# ---------------------------------------------------------------------------------------------
# Public API


def _std_package(pkg: str, si: int, ri: int) -> bool:
    """Whether the linker sees ``pkg`` as standard library (compiled with -std)."""
    if pkg.startswith("cmd/"):
        return True
    mask = _stores[si].meta["packages"].get(pkg.removesuffix("_test"))
    return bool(mask and mask >> ri & 1)


@lru_cache(maxsize=65536)
def lookup(target: str, go_version: str, goos: str = "linux", goarch: str = "amd64",
           from_package: str = "main") -> Lookup:
    """What ``//go:linkname local target`` in ``from_package`` does on this release and platform."""
    si, ri, approximate = _resolve(go_version)
    store = _stores[si]
    release = _label(si, ri)
    t = _target(store, ri, goos, goarch)
    defs = _definitions(store, ri, target, t)
    base = dict(target=target, requested_release=go_version, release=release,
                approximate=approximate, goos=goos, goarch=goarch)
    symbol = _symbol_from(defs)
    linker = store.linker(ri)
    if linker.check_linkname:
        # The blocked list is consulted before the symbol is even resolved: a listed name is
        # refused on a platform that does not define it, too (internal/cpu.riscvHWProbe).
        listed = rules.blocked_list_verdict(linker, target, from_package)
        if listed is not None and listed[0] == "blocked":
            return Lookup(**base, status="blocked", reason=listed[1], symbol=symbol)
    if symbol is None:
        elsewhere = _defined_elsewhere(si, ri, target)
        reason = _undefined_reason(si, ri, target, defs, goos, goarch, elsewhere)
        return Lookup(**base, status="undefined", reason=reason, symbol=None, defined_elsewhere=elsewhere)
    if defs.go:
        row = defs.go[0]
        definition = rules.Definition(package=symbol.package, kind=symbol.kind, assembly=False,
                                      push=defs.push(row), abi="ABI0" if row[5] & F_ABI0 else "ABIInternal")
    else:
        decl = _asm_go_decl(defs)
        definition = rules.Definition(package=symbol.package, kind="func", assembly=True,
                                      push=defs.push(decl) if decl else "", has_go_decl=decl is not None,
                                      abi=defs.asm[0][1])
    status, reason = rules.judge_pull(
        linker, target, definition, puller=from_package,
        puller_std=_std_package(from_package, si, ri),
        regabi_wrappers=regabi_wrappers(store, ri, goos, goarch))
    return Lookup(**base, status=status, reason=reason, symbol=symbol)


def _undefined_reason(si, ri, target, defs: _Defs, goos, goarch, elsewhere) -> str:
    release = _label(si, ri)
    generic = [r for r in defs.decls if r[5] & F_GENERIC]
    if generic:
        return f"generic: Go {release} has no single linker symbol named {target} (only instantiations)"
    if elsewhere:
        shown = ", ".join(elsewhere[:6]) + (", ..." if len(elsewhere) > 6 else "")
        return f"not defined for {goos}/{goarch} in Go {release} (defined for {shown})"
    own = [r for r in defs.decls if not r[5] & F_PULL]
    if own:
        return (f"declared without a body and implemented nowhere in Go {release} "
                f"(a compiler intrinsic, or provided only inside the toolchain)")
    store = _stores[si]
    other = [label for i, label in enumerate(store.releases) if i != ri and _symbol_from(
        _definitions(store, i, target, _target(store, i, goos, goarch)))]
    if other:
        return f"not defined in Go {release} (defined in Go {', '.join(other)})"
    pkg = package_of(target)
    if not known_package(pkg):
        return f"no standard-library package {pkg!r}"
    return f"not defined in Go {release}"


@lru_cache(maxsize=4096)
def _defined_elsewhere(si: int, ri: int, target: str) -> tuple[str, ...]:
    store = _stores[si]
    chunk = store.chunk_for(target)
    if target not in chunk["decls"] and target not in chunk["asm"]:
        return ()
    bit = 1 << ri
    out = []
    for port, mask in sorted(store.meta["ports"].items()):
        if mask & bit:
            goos, goarch = port.split("/")
            if _symbol_from(_definitions(store, ri, target, _target(store, ri, goos, goarch))):
                out.append(port)
    first = [p for p in DEFAULT_PLATFORMS if p in out]
    return tuple(first + [p for p in out if p not in first])


def releases_where(target: str, status: str = "ok", goos: str = "linux", goarch: str = "amd64",
                   from_package: str = "main") -> list[str]:
    """Shipped releases where ``target`` has ``status`` ("ok", "blocked", "undefined", or "defined")."""
    out = []
    for r in RELEASES:
        got = lookup(target, r, goos, goarch, from_package).status
        if got == status or (status == "defined" and got != "undefined"):
            out.append(r)
    return out


def known_package(path: str, release: str | None = None) -> bool:
    """Is ``path`` a standard-library package (of ``release``, or of any known release)?"""
    if release is None:
        return any(path in s.meta["packages"] for s in (_shipped(), *_stores[1:]))
    si, ri, _ = _resolve(release)
    mask = _stores[si].meta["packages"].get(path, 0)
    return bool(mask >> ri & 1)


def std_packages(release: str | None = None) -> list[str]:
    if release is None:
        return sorted({p for s in (_shipped(), *_stores[1:]) for p in s.meta["packages"]})
    si, ri, _ = _resolve(release)
    return sorted(p for p, m in _stores[si].meta["packages"].items() if m >> ri & 1)


def package_symbols(path: str, release: str) -> list[str]:
    """Linker names defined under ``path.`` in a release, on any platform (for typo suggestions)."""
    si, ri, _ = _resolve(release)
    store = _stores[si]
    bit = 1 << ri
    names: set[str] = set()
    for bucket in store.buckets(path):
        chunk = store.chunk(path, bucket)
        names.update(n for n, rows in chunk["decls"].items()
                     if any(r[-1] & bit and not r[5] & (F_PULL | F_GENERIC) for r in rows))
        names.update(n for n, rows in chunk["asm"].items() if any(r[-1] & bit for r in rows))
    return sorted(names)


def release_info(release: str) -> dict:
    """Which release answers for ``release``, its full version and linker rules (for messages)."""
    si, ri, approximate = _resolve(release)
    store = _stores[si]
    return {"release": _label(si, ri), "version": store.meta["versions"][ri],
            "approximate": approximate, "linker": store.linker(ri)}


__all__ = [
    "RELEASES", "DEFAULT_PLATFORMS", "Symbol", "Lookup", "lookup", "known_package",
    "package_symbols", "std_packages", "releases_where", "use_goroot", "release_info",
]
