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
``runtime.libfuzzerHookStrCmp`` is defined by ``internal/fuzz`` when not fuzzing), and a
function pull from a package without assembly (its reference is ABIInternal).

cgo is a dimension of a verdict: with cgo on, files importing "C" or constrained by ``cgo`` are
built and ``runtime/cgo`` is linked (``syscall.cgo_libc_setegid`` gets its pushed definition
there); with cgo off (``CGO_ENABLED=0``, the default when cross-compiling) neither.  ``lookup``
takes ``cgo=True``/``False``, or ``None`` for both: then a verdict that differs is the worse of
the two, and its reason says what cgo changes ("undefined without cgo").  ``None`` is the
default unless :func:`set_cgo` chose another (``--cgo`` on the command line).

A variable pull is judged against the source (exists, and pushed where the linker checks),
never by whether it links: a pull of a removed variable defines a new zero-valued one and
links (:func:`linker_answer` says what a build of a pull prints).

Releases outside the indexed ones are answered from the nearest one, with ``approximate=True``;
:func:`use_goroot` adds the user's own toolchain (any patch release or a future Go).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from codemod import buildconstraint as bc
from codemod.knowledge import rules
from codemod.knowledge.store import (
    F_ABI0, F_BODY, F_GENERIC, F_NOSPLIT, F_PULL, F_WRAPPER, LINK_NAMES, Store, package_of,
    path_to_prefix,
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
    generated: bool = False  # the compiler's (*T).m wrapper of T.m: no source declares it
    push_file: str = ""      # where the //go:linkname marking it sits, when not on its own declaration


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
    rule: str = ""             # the rules.RULES key that decided the status
    cgo: bool | None = False   # the cgo setting answered (None: both, and they agree or status is the worse)
    cgo_other: str = ""        # with cgo=None: the status of the other cgo setting, when it differs


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


def _target(store: Store, ri: int, goos: str, goarch: str, cgo: bool = False) -> bc.Target:
    exps = store.meta["experiments"][ri]
    port = f"{goos}/{goarch}"
    tags = {f"goexperiment.{e}" for e, ports in exps.items() if ports == "*" or port in ports}
    tags.update(_DEFAULT_FEATURE_TAGS.get(goarch, ()))
    minor = _minor(store.releases[ri])
    return bc.Target(f"{minor[0]}.{minor[1]}", goos, goarch, cgo=cgo and cgo_supported(store, ri, port),
                     extra_tags=frozenset(tags))


def cgo_supported(store: Store, ri: int, port: str) -> bool:
    """cmd/dist's cgoEnabled table: can this port build with cgo at all?"""
    ports = store.meta.get("cgo_ports")
    return ports is None or bool(ports.get(port, 0) >> ri & 1)


@lru_cache(maxsize=4096)
def _parsed(constraint: str):
    # An assembly #ifdef on a macro nothing sets is the tag asmmacro.NAME (never true).
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


def _linked(pkg: str, t: bc.Target) -> bool:
    """runtime/cgo is linked only into cgo builds (the cgo tool's code imports it)."""
    return t.cgo or pkg != "runtime/cgo"


def _definitions(store: Store, ri: int, target: str, t: bc.Target) -> _Defs:
    chunk = store.chunk_for(target)
    bit = 1 << ri
    files = chunk["files"]
    decls = tuple(r for r in chunk["decls"].get(target, ())
                  if r[-1] & bit and _linked(r[8], t) and _built(*files[r[4]], "", t))
    asm = tuple(r for r in chunk["asm"].get(target, ())
                if r[-1] & bit and _linked(r[5], t) and _built(*files[r[2]], r[3], t))
    go = [r for r in decls if not r[5] & F_PULL and (r[1] == "var" or r[5] & F_BODY) and not r[5] & F_GENERIC]
    # Two definitions of a variable: the loader keeps the one with content (an initializer:
    # runtime/cgo's syscall.cgo_libc_setegid) over a zero-valued one (syscall's); of two
    # zero-valued ones, cite the home package's, not a pull's (reflect's runtime.zeroVal).
    go.sort(key=lambda r: (r[1] == "var" and not r[3], not _home(r)))
    return _Defs(tuple(go), asm, decls, chunk, t)


def _home(row) -> bool:
    """The declaration is in the package its linker name says (not renamed in from another)."""
    return package_of(row[0]) == path_to_prefix(row[8])


def _push_of(defs: _Defs, pkg: str, own) -> tuple[str, str]:
    """(push kind, file of the directive if on another declaration) of a symbol defined in ``pkg``.

    cmd/compile/internal/noder (reader.linkname) sets the linkname flag on the linker symbol a
    directive names, so any declaration of the defining package whose directive names the
    symbol marks it: its own, or a bodyless one under another local name (reflect's
    badlinkname_rtype_Align for reflect.(*rtype).Align).  "linkname" passes every pull, so it
    wins over "linknamestd".
    """
    best, where = (defs.push(own), "") if own is not None else ("", "")
    for r in defs.decls:
        if r is own or r[8] != pkg:
            continue
        kind = defs.push(r)
        if kind and (not best or (best == "linknamestd" and kind == "linkname")):
            best, where = kind, defs.chunk["files"][r[4]][0]
    return best, where


def _symbol_from(defs: _Defs) -> Symbol | None:
    chunk = defs.chunk
    if defs.go:
        row = defs.go[0]
        push, where = _push_of(defs, row[8], row)
        return _row_symbol(row, chunk, bool(push), where, _note(defs, row))
    if defs.asm:
        a = defs.asm[0]
        decl = _asm_go_decl(defs)
        push, where = _push_of(defs, a[5], decl)
        base = _row_symbol(decl, chunk, bool(push), where, _note(defs, decl)) if decl else None
        return Symbol(
            name=a[0], kind="func", signature=base.signature if base else "",
            file=base.file if base and base.package == a[5] else chunk["files"][a[2]][0],
            has_body=False, nosplit=bool(a[4]) or bool(base and base.nosplit),
            pushed=bool(push), note=base.note if base else None, package=a[5],
            assembly=chunk["files"][a[2]][0], push_file=where,
        )
    return None


def _note(defs: _Defs, row) -> int:
    """The issue-67401 note: on the definition, else on the declaration pushing it."""
    if row[7]:
        return row[7]
    return next((r[7] for r in defs.decls if r[7] and r[8] == row[8]), 0)


def _row_symbol(row, chunk, pushed: bool, push_file: str = "", note: int | None = None) -> Symbol:
    name, kind, sig, value, fi, flags, link, own_note, pkg, _, _ = row
    note = own_note if note is None else note
    return Symbol(name=name, kind=kind, signature=sig, file=chunk["files"][fi][0],
                  has_body=bool(flags & F_BODY), nosplit=bool(flags & F_NOSPLIT), pushed=pushed,
                  note=chunk["notes"][note] or None, package=pkg, value=value,
                  generic=bool(flags & F_GENERIC), generated=bool(flags & F_WRAPPER),
                  push_file=push_file)


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


_cgo_default: list[bool | None] = [None]


def set_cgo(mode: bool | None) -> None:
    """The cgo setting ``lookup`` answers for when not told: True, False, or None (both)."""
    _cgo_default[0] = mode


def cgo_mode(text: str) -> bool | None:
    """``--cgo on|off|both`` -> True | False | None."""
    modes = {"on": True, "off": False, "both": None}
    if text not in modes:
        raise ValueError(f"--cgo {text!r}: want on, off or both")
    return modes[text]


STATUS_ORDER = {"ok": 0, "blocked": 1, "undefined": 2}


def lookup(target: str, go_version: str, goos: str = "linux", goarch: str = "amd64",
           from_package: str = "main", cgo: bool | None | str = "default") -> Lookup:
    """What ``//go:linkname local target`` in ``from_package`` does on this release and platform.

    ``cgo``: True (cgo on), False (``CGO_ENABLED=0``), None (both: the worse verdict when
    they differ, saying so in ``reason`` and ``cgo_other``); by default :func:`set_cgo`'s.
    """
    if cgo == "default":
        cgo = _cgo_default[0]
    return _lookup(target, go_version, goos, goarch, _judged_as(target, from_package), cgo)


# Stands for every puller the linker judges alike (see _judged_as): it has a space, which no
# package path, blocked-list allowance or linker symbol holds.
_ANY_OUTSIDE_STD = "outside std"
_named_by_linker: list[frozenset[str]] = []  # every package a store names: std, or allowed to pull


def _judged_as(target: str, pkg: str) -> str:
    """``pkg``, or :data:`_ANY_OUTSIDE_STD` when the answer for ``target`` cannot depend on
    which package ``pkg`` is: a package outside the standard library (a dot in its first path
    element, which no std package has), that no store names (as std, or as allowed to pull a
    blocked name), and whose path does not begin the target's name.  The linker then judges
    it by the target alone, so a thousand packages pulling runtime.nanotime ask once."""
    first = pkg.split("/", 1)[0]
    if "." not in first or target.startswith(pkg):
        return pkg
    if not _named_by_linker:
        _shipped()
        names: set[str] = set()
        for store in _stores:
            names.update(store.meta["packages"])
            for ri in range(len(store.releases)):
                for allowed in store.linker(ri).blocked.values():
                    names.update(allowed)
        _named_by_linker.append(frozenset(names))
    if pkg.removesuffix("_test") in _named_by_linker[0] or pkg in _named_by_linker[0]:
        return pkg
    return _ANY_OUTSIDE_STD


@lru_cache(maxsize=65536)
def _lookup(target, go_version, goos, goarch, from_package, cgo) -> Lookup:
    if cgo is not None:
        return _lookup_one(target, go_version, goos, goarch, from_package, bool(cgo))
    off = _lookup_one(target, go_version, goos, goarch, from_package, False)
    on = _lookup_one(target, go_version, goos, goarch, from_package, True)
    if off.status == on.status:
        return replace(off, cgo=None)
    worse, other, worse_cgo = (on, off, "with") if STATUS_ORDER[on.status] > STATUS_ORDER[off.status] \
        else (off, on, "without")
    other_text = {"ok": "links", "blocked": "is refused by the linker", "undefined": "is not defined"}[other.status]
    other_cgo = "without" if worse_cgo == "with" else "with"
    said = worse.reason if "cgo" in worse.reason else f"{worse.reason} ({worse_cgo} cgo)"
    reason = f"{said}; {other_cgo} cgo it {other_text}"
    return replace(worse, cgo=None, reason=reason, cgo_other=other.status)


def _clear_lookups() -> None:
    _lookup.cache_clear()
    _named_by_linker.clear()
    _definition_of.cache_clear()


lookup.cache_clear = _clear_lookups   # add_store() clears it


@lru_cache(maxsize=65536)
def _definition_of(target: str, go_version: str, goos: str, goarch: str, cgo: bool):
    """What one release and platform define for ``target``, whoever pulls it: the pulling
    package only enters the linker's judgement (a thousand pulling packages share this)."""
    si, ri, approximate = _resolve(go_version)
    store = _stores[si]
    t = _target(store, ri, goos, goarch, cgo)
    defs = _definitions(store, ri, target, t)
    return si, ri, approximate, t, defs, _symbol_from(defs)


def _lookup_one(target: str, go_version: str, goos: str, goarch: str, from_package: str,
                cgo: bool) -> Lookup:
    si, ri, approximate, t, defs, symbol = _definition_of(target, go_version, goos, goarch, cgo)
    store = _stores[si]
    release = _label(si, ri)
    base = dict(target=target, requested_release=go_version, release=release,
                approximate=approximate, goos=goos, goarch=goarch, cgo=t.cgo)
    linker = store.linker(ri)
    if linker.check_linkname:
        # The blocked list is consulted before the symbol is even resolved: a listed name is
        # refused on a platform that does not define it, too (internal/cpu.riscvHWProbe).
        listed = rules.blocked_list_verdict(linker, target, from_package)
        if listed is not None and listed[0] == "blocked":
            return Lookup(**base, status="blocked", reason=listed[1], symbol=symbol, rule="blocked-list")
    if symbol is None:
        elsewhere = _defined_elsewhere(si, ri, target, cgo)
        reason = _undefined_reason(si, ri, target, defs, goos, goarch, elsewhere, t.cgo)
        return Lookup(**base, status="undefined", reason=reason, symbol=None, defined_elsewhere=elsewhere,
                      rule="undefined")
    if defs.go:
        row = defs.go[0]
        push, where = _push_of(defs, row[8], row)
        definition = rules.Definition(package=symbol.package, kind=symbol.kind, assembly=False,
                                      push=push, abi="ABI0" if row[5] & F_ABI0 else "ABIInternal",
                                      push_elsewhere=bool(where))
    else:
        decl = _asm_go_decl(defs)
        push, where = _push_of(defs, defs.asm[0][5], decl)
        definition = rules.Definition(package=symbol.package, kind="func", assembly=True,
                                      push=push, has_go_decl=decl is not None,
                                      abi=defs.asm[0][1], push_elsewhere=bool(where))
    status, reason, rule = rules.judge(
        linker, target, definition, puller=from_package,
        puller_std=_std_package(from_package, si, ri),
        regabi_wrappers=regabi_wrappers(store, ri, goos, goarch))
    return Lookup(**base, status=status, reason=reason, symbol=symbol, rule=rule)


def linker_answer(target: str, go_version: str, goos: str = "linux", goarch: str = "amd64",
                  kind: str = "func", from_package: str = "main", cgo: bool | None | str = "default",
                  external_link: bool = False) -> str:
    """What ``go build`` says of one pull: ``//go:linkname p target`` on ``func p()`` (kind
    "func") or on ``var p byte`` (kind "var"), from the cmd/link loader's rules.

    ``lookup`` judges a variable by the source; a build answers differently in two places:
    a function pull references the ABIInternal function symbol, so a variable of that name
    does not satisfy it ("not defined"); and a variable pull is itself a definition, so with
    no variable to meet it defines one and links (loader.addSym keeps one of the two
    definitions, the standard library's when it has one, and checkLinkname judges that).
    """
    found = lookup(target, go_version, goos, goarch, from_package, cgo)
    sym = found.symbol
    if kind == "func":
        if sym is not None and sym.kind == "var" and found.status != "blocked":
            # ``external_link``: with cgo on, a package with C code outside cmd/link's
            # internalpkg list (plugin's) makes the link external (ld/lib.go, config.go), and
            # the C linker matches names without ABIs: the variable satisfies the reference.
            return "ok" if external_link else "undefined"
        return found.status
    if found.status == "undefined" or (sym is not None and sym.kind != "var" and found.status != "blocked"):
        return "ok"
    return found.status


def _undefined_reason(si, ri, target, defs: _Defs, goos, goarch, elsewhere, cgo: bool = False) -> str:
    release = _label(si, ri)
    store = _stores[si]
    if not cgo and cgo_supported(store, ri, f"{goos}/{goarch}") and _symbol_from(
            _definitions(store, ri, target, _target(store, ri, goos, goarch, True))):
        return f"not defined without cgo for {goos}/{goarch} in Go {release} (defined only when cgo is on)"
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
    other = [label for i, label in enumerate(store.releases) if i != ri and _symbol_from(
        _definitions(store, i, target, _target(store, i, goos, goarch, cgo)))]
    if other:
        return f"not defined in Go {release} (defined in Go {', '.join(other)})"
    pkg = package_of(target)
    if not pkg:
        return ("a bare symbol name, with no package path: only assembly, C code or a cgo import "
                "defines one")
    if pkg == "cmd" or pkg.startswith("cmd/"):
        return (f"{pkg!r} is one of the toolchain's own packages (cmd/...), whose symbols the "
                f"knowledge base does not record")
    if not known_package(pkg):
        return f"no standard-library package {pkg!r}"
    return f"not defined in Go {release}"


@lru_cache(maxsize=4096)
def _defined_elsewhere(si: int, ri: int, target: str, cgo: bool = False) -> tuple[str, ...]:
    store = _stores[si]
    chunk = store.chunk_for(target)
    if target not in chunk["decls"] and target not in chunk["asm"]:
        return ()
    bit = 1 << ri
    out = []
    for port, mask in sorted(store.meta["ports"].items()):
        if mask & bit:
            goos, goarch = port.split("/")
            if _symbol_from(_definitions(store, ri, target, _target(store, ri, goos, goarch, cgo))):
                out.append(port)
    first = [p for p in DEFAULT_PLATFORMS if p in out]
    return tuple(first + [p for p in out if p not in first])


def releases_where(target: str, status: str = "ok", goos: str = "linux", goarch: str = "amd64",
                   from_package: str = "main", cgo: bool | None | str = "default") -> list[str]:
    """Shipped releases where ``target`` has ``status`` ("ok", "blocked", "undefined", or "defined")."""
    out = []
    for r in RELEASES:
        got = lookup(target, r, goos, goarch, from_package, cgo).status
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
    return sorted(_defined_names(path, {si: 1 << ri}))


def package_symbols_anywhere(path: str) -> frozenset[str]:
    """What :func:`package_symbols` gives for any known release, together: each store's chunks
    of the package read once, not once per release (runtime's thousands of names, seven times)."""
    bits: dict[int, int] = {}  # store -> the bits of its releases
    for release in RELEASES:
        si, ri, _ = _resolve(release)
        bits[si] = bits.get(si, 0) | 1 << ri
    return frozenset(_defined_names(path, bits))


def _defined_names(path: str, masks: dict[int, int]) -> set[str]:
    """Names under ``path.`` that Go code (not a pull, not a generic) or assembly defines in
    any release of ``masks`` (store index -> the bits of its releases)."""
    names: set[str] = set()
    for si, mask in masks.items():
        store = _stores[si]
        for bucket in store.buckets(path):
            chunk = store.chunk(path, bucket)
            names.update(n for n, rows in chunk["decls"].items()
                         if any(r[-1] & mask and not r[5] & (F_PULL | F_GENERIC) for r in rows))
            names.update(n for n, rows in chunk["asm"].items() if any(r[-1] & mask for r in rows))
    return names


def release_info(release: str) -> dict:
    """Which release answers for ``release``, its full version and linker rules (for messages)."""
    si, ri, approximate = _resolve(release)
    store = _stores[si]
    return {"release": _label(si, ri), "version": store.meta["versions"][ri],
            "approximate": approximate, "linker": store.linker(ri)}


__all__ = [
    "RELEASES", "DEFAULT_PLATFORMS", "Symbol", "Lookup", "lookup", "linker_answer", "set_cgo", "cgo_mode",
    "known_package",
    "package_symbols", "package_symbols_anywhere", "std_packages", "releases_where", "use_goroot", "release_info",
]
