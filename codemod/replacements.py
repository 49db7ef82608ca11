"""The replacement table: the public API behind each linkname target that has one.

One entry per target: the public API (text for messages), the Go release that introduced it,
and a generator that writes a *companion implementation* of a local declaration with that API
(a Go function with a body, or an initialized variable).  Rules and the ``info`` command read
the table through two functions (:func:`codemod.fixkit.split_fix` builds the version-bounded
fixes on them):

``replacement_for(target, language=None) -> Replacement | None``
    The entry for ``target`` ("runtime.fastrand", "time.now"), with the API text chosen for a
    module whose language version (``go`` directive) is ``language``; ``to_dict()`` gives the
    JSON form ``info`` prints.

``companion(target, local_signature, language=None) -> Companion | None``
    ``local_signature`` is the text of the local declaration without its body, as it stands in
    the file: ``"func fastrand() uint32"``, ``"func memhash(p unsafe.Pointer, h, s uintptr)
    uintptr"``, or for a variable ``"var ncpu int32"``.  The result holds ``code`` (gofmt-style
    Go declarations: the function with a body, plus any package-level helper it needs,
    separated by blank lines, without a package clause), ``imports`` (``(path, name)`` pairs, name
    None for the default), ``helpers`` (package-level names the code declares besides the
    local one, so a caller can check for clashes), and ``safety``/``why_unsafe``.  None when
    the local declaration does not have the target's ABI shape (then the code would not mean
    the same thing: the signature rule reports it) or when the module's language version is
    too old for the API.

    Choices by language version: the fastrand family uses ``math/rand/v2`` when the module's
    ``go`` directive is 1.22 or newer, else ``math/rand``; ``memhash``/``strhash`` need 1.17
    (``unsafe.Slice``).  Imports are renamed (``stdrand``) when the local declaration already
    uses the package's name.

Safety: a companion is SAFE when it computes exactly what the target computes
(``runtime.NumGoroutine`` is ``int(gcount())``, ``runtime.NumCPU`` reads the CPU count the
runtime measured at start-up, which is what ``runtime.ncpu`` held), UNSAFE otherwise, with the
reason: another random source, a clock counted from another origin, hash values that differ.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from . import abi
from .buildconstraint import release_tuple
from .edits import CreateFile, Safety, TextEdit
from .model import parse


@dataclass(frozen=True)
class Companion:
    code: str
    imports: tuple[tuple[str, str | None], ...]
    safety: Safety
    why_unsafe: str = ""
    helpers: tuple[str, ...] = ()
    # Package names the local signature's types use besides the imports above (a caller adds
    # the original file's imports of these names).
    type_packages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Local:
    """A local declaration, read from its signature text."""

    kind: str  # "func" | "var"
    name: str
    params: tuple[tuple[str, str], ...]  # (name, type text); names made up where missing
    results: tuple[str, ...]  # result type texts
    var_type: str = ""
    text: str = ""
    params_text: str = "()"  # as written, when every parameter had a name
    results_text: str = ""  # as written ("", "uint32", "(sec int64, nsec int32, mono int64)")

    def param(self, i: int) -> str:
        return self.params[i][0]

    def result(self, i: int = 0) -> str:
        return self.results[i]


@dataclass(frozen=True)
class Replacement:
    target: str
    kind: str  # "func" | "var"
    api: str  # the public API, as a user would write it: "rand.Uint32 (math/rand/v2)"
    min_release: str  # the release that introduced the API
    signature: str  # the target's ABI shape this entry is written for
    exact: bool  # the companion computes exactly what the target does
    why_unsafe: str
    body: Callable[[Local, dict[str, str]], tuple[str, tuple[str, ...]]] = field(repr=False, compare=False)
    packages: tuple[str, ...] = ()  # import paths the body uses
    min_language: str = "1.0"  # language version the generated code needs
    fallback_api: str = ""  # what is used instead below the API's release

    def to_dict(self) -> dict:
        out = {"api": self.api, "since": f"Go {self.min_release}"}
        if self.fallback_api:
            out["before"] = self.fallback_api
        out["safety"] = "safe" if self.exact else "unsafe"
        if not self.exact:
            out["why_unsafe"] = self.why_unsafe
        return out


# ------------------------------------------------------------------------------ the bodies

_RAND_WHY = ("another random source: the values differ from the runtime's generator (both are "
             "unpredictable and unseeded, so only code that depends on the exact stream notices)")
_RAND_V1_WHY = _RAND_WHY + "; math/rand's global source takes a lock, so it is slower under contention"


def _conv(typ: str, natural: str, expr: str) -> str:
    return expr if typ == natural else f"{typ}({expr})"


def _ret(local: Local, natural: str, expr: str) -> str:
    return f"\treturn {_conv(local.result(), natural, expr)}\n"


def _b_random(target: str):
    """The companion body of one member of the random family (see :data:`RANDOM_FAMILY`)."""
    def body(local, imp):
        gen = RANDOM_FAMILY[target]
        template = gen.stand_in or (gen.v2 if imp.get("__rand_v2") else gen.v1)
        n = local.param(0) if gen.bounded else ""
        return _ret(local, gen.result, template.format(r=imp["rand"], n=n)), ()
    return body


def _b_nanotime(local, imp):
    origin = f"{local.name}Origin"
    return (_ret(local, "int64", f"int64({imp['time']}.Since({origin}))"),
            (f"// {origin} is where {local.name} counts from.\nvar {origin} = {imp['time']}.Now()\n",))


def _b_now(local, imp):
    origin = f"{local.name}Origin"
    t = imp["time"]
    sec, nsec, mono = local.results
    body = (f"\tt := {t}.Now()\n"
            f"\treturn {_conv(sec, 'int64', 't.Unix()')}, {nsec}(t.Nanosecond()), "
            f"{mono}(t.Sub({origin}))\n")
    return body, (f"// {origin} is where {local.name}'s monotonic reading counts from.\n"
                  f"var {origin} = {t}.Now()\n",)


def _b_gcount(local, imp):
    return _ret(local, "int", f"{imp['runtime']}.NumGoroutine()"), ()


def _b_ncpu(local, imp):
    return _conv(local.var_type, "int", f"{imp['runtime']}.NumCPU()"), ()


def _hash_body(local, imp, write: str) -> tuple[str, tuple[str, ...]]:
    seed = f"{local.name}Seed"
    mh = imp["hash/maphash"]
    h = local.param(1)
    body = (f"\tvar m {mh}.Hash\n"
            f"\tm.SetSeed({seed})\n"
            f"\tfor i := 0; i < 8; i++ {{\n"
            f"\t\tm.WriteByte(byte(uint64({h}) >> (8 * i)))\n"
            f"\t}}\n"
            f"\t{write}\n"
            + _ret(local, "uintptr", "uintptr(m.Sum64())"))
    return body, (f"// {seed} seeds {local.name}: hash values are stable within one process only.\n"
                  f"var {seed} = {mh}.MakeSeed()\n",)


def _b_memhash(local, imp):
    p, s = local.param(0), local.param(2)
    return _hash_body(local, imp, f"m.Write({imp['unsafe']}.Slice((*byte)({p}), {s}))")


def _b_strhash(local, imp):
    p = local.param(0)
    return _hash_body(local, imp, f"m.WriteString(*(*string)({p}))")


_HASH_WHY = ("hash values differ from the runtime's (both are seeded per process) and hashing "
             "through maphash.Hash is slower")
_CLOCK_WHY = ("counts from a time.Now() taken at package initialization instead of the runtime "
              "clock's origin: differences between readings are the same, absolute values are not")

@dataclass(frozen=True)
class RandomGenerator:
    """One of the runtime's internal random generators, and its public equivalents."""

    target: str
    result: str  # the Go result type of the runtime function
    bounded: bool  # takes the bound n uint32
    v2: str  # math/rand/v2 expression; {r} is the package name, {n} the bound
    v1: str  # math/rand expression
    v2_api: str  # the math/rand/v2 function named in messages
    v1_api: str  # the math/rand function named in messages
    size: int  # bytes of crypto/rand a value needs
    from_bytes: str  # turns {binary}.LittleEndian.UintXX({buf}[:]) into the result
    # A companion *replaces the function*, so it must also do what the runtime does for every
    # argument: fastrandn(0) is 0 (Lemire's multiply-shift), where rand.Uint32N(0) panics.
    stand_in: str = ""
    # From this release on the runtime keeps the name only for old pulls: its definition
    # (legacy_fastrand and friends in rand.go) is a wrapper over ``wraps``, the generator behind
    # math/rand/v2.  Read from the linked programs (tests/test_var_init_e2e.py).
    wrapper_since: str = ""
    wraps: str = ""

    @property
    def signature(self) -> str:
        return f"func({'n uint32' if self.bounded else ''}) {self.result}"


_U32 = "{binary}.LittleEndian.Uint32({buf}[:])"
_U64 = "{binary}.LittleEndian.Uint64({buf}[:])"
_LEMIRE = "uint32(uint64({r}.Uint32()) * uint64({n}) >> 32)"


def _gen(target, result, v2, v1, v2_api, v1_api, size, from_bytes="", stand_in="", wrapper_since=""):
    return RandomGenerator(target, result, "{n}" in v2, v2, v1, v2_api, v1_api, size, from_bytes, stand_in,
                           wrapper_since, "runtime.rand" if wrapper_since else "")


# The random family: signatures read from src/runtime of Go 1.21-1.27 (stubs.go, rand.go).
# The one table of these targets: the companion bodies, the call-site rewrites of
# replace-fastrand and the messages all read it.
RANDOM_FAMILY: dict[str, RandomGenerator] = {g.target: g for g in [
    _gen("runtime.fastrand", "uint32", "{r}.Uint32()", "{r}.Uint32()", "Uint32", "Uint32", 4, _U32,
         wrapper_since="1.22"),
    _gen("runtime.fastrandn", "uint32", "{r}.Uint32N({n})", "uint32({r}.Int63n(int64({n})))",
         "Uint32N", "Uint32", 4, stand_in=_LEMIRE, wrapper_since="1.22"),
    _gen("runtime.fastrand64", "uint64", "{r}.Uint64()", "{r}.Uint64()", "Uint64", "Uint64", 8, _U64,
         wrapper_since="1.22"),
    _gen("runtime.fastrandu", "uint", "uint({r}.Uint64())", "uint({r}.Uint64())", "Uint64", "Uint64", 8,
         "uint(" + _U64 + ")"),
    _gen("runtime.cheaprand", "uint32", "{r}.Uint32()", "{r}.Uint32()", "Uint32", "Uint32", 4, _U32),
    _gen("runtime.cheaprandn", "uint32", "{r}.Uint32N({n})", "uint32({r}.Int63n(int64({n})))",
         "Uint32N", "Uint32", 4, stand_in=_LEMIRE),
    # Both a non-negative 63-bit value.
    _gen("runtime.cheaprand64", "int64", "{r}.Int64()", "{r}.Int63()", "Int64", "Int63", 8,
         "int64(" + _U64 + " >> 1)"),
    _gen("runtime.cheaprandu64", "uint64", "{r}.Uint64()", "{r}.Uint64()", "Uint64", "Uint64", 8, _U64),
    _gen("runtime.rand", "uint64", "{r}.Uint64()", "{r}.Uint64()", "Uint64", "Uint64", 8, _U64),
]}

# math/rand/v2 is new in Go 1.22: the release that has it, and the language version whose
# files may import it (go vet's stdversion check).
RAND_V2 = "math/rand/v2"
RAND_V2_SINCE = "1.22"
_RAND_PKG = RAND_V2


def rand_v2_allowed(min_release: str | None, language: str | None) -> bool:
    """Whether code may use math/rand/v2: the oldest release that builds it has the package,
    and its language version (the module's or the file's) is new enough for go vet."""
    return all(v is not None and _at_least(v, RAND_V2_SINCE) for v in (min_release, language)) \
        if language is not None else _at_least(min_release, RAND_V2_SINCE)


def _rand(g: RandomGenerator) -> Replacement:
    return Replacement(g.target, "func", "", RAND_V2_SINCE, g.signature, False, _RAND_WHY,
                       _b_random(g.target), (_RAND_PKG,), fallback_api="math/rand")


_TABLE: dict[str, Replacement] = {r.target: r for r in [
    *(_rand(g) for g in RANDOM_FAMILY.values()),
    Replacement("runtime.nanotime", "func", "time.Since(t0) (time)", "1.0", "func() int64", False,
                _CLOCK_WHY, _b_nanotime, ("time",)),
    Replacement("time.now", "func", "time.Now() (time)", "1.0",
                "func() (sec int64, nsec int32, mono int64)", False,
                "the monotonic reading counts from a time.Now() taken at package initialization "
                "instead of the runtime clock's origin", _b_now, ("time",)),
    Replacement("runtime.gcount", "func", "runtime.NumGoroutine()", "1.0", "func() int32", True, "",
                _b_gcount, ("runtime",)),
    Replacement("runtime.ncpu", "var", "runtime.NumCPU()", "1.0", "int32", True, "", _b_ncpu,
                ("runtime",)),
    Replacement("runtime.memhash", "func", "maphash.Hash (hash/maphash)", "1.14",
                "func(p unsafe.Pointer, h, s uintptr) uintptr", False, _HASH_WHY, _b_memhash,
                ("hash/maphash", "unsafe"), min_language="1.17"),
    Replacement("runtime.strhash", "func", "maphash.Hash (hash/maphash)", "1.14",
                "func(p unsafe.Pointer, h uintptr) uintptr", False, _HASH_WHY, _b_strhash,
                ("hash/maphash", "unsafe"), min_language="1.17"),
]}


def _at_least(language: str | None, release: str) -> bool:
    return language is not None and release_tuple(language) >= release_tuple(release)


def targets() -> list[str]:
    return sorted(_TABLE)


def replacement_for(target: str, language: str | None = None) -> Replacement | None:
    """The table's entry for ``target``, its API text chosen for the module's language version."""
    r = _TABLE.get(target)
    if r is None:
        return None
    if target in RANDOM_FAMILY:
        g = RANDOM_FAMILY[target]
        if language is not None and not _at_least(language, RAND_V2_SINCE):
            return _replace(r, api=f"rand.{g.v1_api} (math/rand; math/rand/v2 from Go {RAND_V2_SINCE})",
                            why_unsafe=_RAND_V1_WHY, packages=("math/rand",), min_release="1.0")
        return _replace(r, api=f"rand.{g.v2_api} (math/rand/v2)")
    return r


def _replace(r: Replacement, **kw) -> Replacement:
    from dataclasses import replace
    return replace(r, **kw)


# ------------------------------------------------------------------------------ reading the local side


def read_local(signature: str) -> Local | None:
    """Parse ``func name(params) results`` or ``var name T`` (the local declaration's header)."""
    text = signature.strip()
    src = f"package p\n\n{text}\n".encode()
    tree = parse(src)
    if tree.root_node.has_error or not tree.root_node.named_children:
        return None
    decl = tree.root_node.named_children[-1]
    t = lambda n: src[n.start_byte:n.end_byte].decode()  # noqa: E731
    if decl.type == "var_declaration":
        spec = next((c for c in decl.named_children if c.type == "var_spec"), None)
        typ = spec.child_by_field_name("type") if spec is not None else None
        names = spec.children_by_field_name("name") if spec is not None else []
        if typ is None or len(names) != 1:
            return None
        return Local("var", t(names[0]), (), (), var_type=t(typ), text=text)
    if decl.type != "function_declaration" or decl.child_by_field_name("type_parameters") is not None:
        return None
    params: list[tuple[str, str]] = []
    plist = decl.child_by_field_name("parameters")
    used = set()
    for p in plist.named_children if plist is not None else []:
        if p.type != "parameter_declaration":
            return None  # variadic: no entry takes one
        ptype = t(p.child_by_field_name("type"))
        names = [t(n) for n in p.children_by_field_name("name")] or [""]
        for n in names:
            params.append((n, ptype))
            used.add(n)
    fixed = []
    renamed = False
    for i, (n, ty) in enumerate(params):
        if n in ("", "_"):
            n = next(c for c in (f"a{i}", f"arg{i}", f"x{i}_") if c not in used)
            used.add(n)
            renamed = True
        fixed.append((n, ty))
    res = decl.child_by_field_name("result")
    results: list[str] = []
    if res is not None and res.type == "parameter_list":
        for p in res.named_children:
            if p.type != "parameter_declaration":
                continue
            ty = t(p.child_by_field_name("type"))
            results.extend([ty] * max(1, len(p.children_by_field_name("name"))))
    elif res is not None:
        results.append(t(res))
    name = t(decl.child_by_field_name("name"))
    params_text = "(" + ", ".join(f"{n} {ty}" for n, ty in fixed) + ")" if renamed or plist is None \
        else t(plist)
    return Local("func", name, tuple(fixed), tuple(results), text=text, params_text=params_text,
                 results_text=t(res) if res is not None else "")


_INTEGERS = frozenset("int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr".split())


def _shapes_agree(local: Local, real_signature: str, kind: str) -> bool:
    if kind == "var":
        # The companion converts (``uintptr(runtime.NumCPU())``): any one integer will do, even
        # one whose size differs from the real variable's (that was the bug).
        return local.var_type in _INTEGERS
    else:
        a = abi.shape_of_text(local.text)
        b = abi.shape_of_text(real_signature)
    return a is not None and b is not None and a == b


def _render_signature(local: Local) -> str:
    res = f" {local.results_text}" if local.results_text else ""
    return f"func {local.name}{local.params_text}{res}"


def type_qualifiers(local: Local) -> set[str]:
    """Package names the declaration's types use (``unsafe`` in ``p unsafe.Pointer``)."""
    texts = [ty for _, ty in local.params] + list(local.results) + [local.var_type]
    return {m for ty in texts for m in re.findall(r"\b([A-Za-z_]\w*)\.", ty)}


def companion(target: str, local_signature: str, language: str | None = None) -> Companion | None:
    """A public implementation of the local declaration that pulls ``target`` (see the module doc)."""
    entry = replacement_for(target, language)
    if entry is None:
        return None
    if language is not None and not _at_least(language, entry.min_language):
        return None
    local = read_local(local_signature)
    if local is None or local.kind != entry.kind or not _shapes_agree(local, entry.signature, entry.kind):
        return None
    # Name each package in the companion file; rename one that the declaration already uses.
    # A package name clashes with the function's or a parameter's name, never with a type's
    # qualifier (``unsafe`` in ``unsafe.Pointer`` *is* the import).
    taken = {local.name} | {n for n, _ in local.params}
    names: dict[str, str] = {}  # "rand" | "time" | "runtime" | "hash/maphash" | "unsafe" -> name
    imports: list[tuple[str, str | None]] = []
    for path in entry.packages:
        default = "rand" if path.startswith("math/rand") else path.rsplit("/", 1)[-1]
        name = default if default not in taken else "std" + default
        names["rand" if default == "rand" else path] = name
        imports.append((path, None if name == default else name))
    if "math/rand/v2" in entry.packages:
        names["__rand_v2"] = "1"
    body, helpers = entry.body(local, names)
    helper_names = tuple(m.group(1) for h in helpers for m in [re.search(r"^var (\w+)", h, re.M)] if m)
    if entry.kind == "var":
        code = f"var {local.name} = {body}\n"
    else:
        code = f"{_render_signature(local)} {{\n{body}}}\n"
    code = "\n".join([code, *helpers])
    safety = Safety.SAFE if entry.exact else Safety.UNSAFE
    own = {n or ("rand" if p.startswith("math/rand") else p.rsplit("/", 1)[-1]) for p, n in imports}
    extra = sorted(type_qualifiers(local) - own)
    if "unsafe" in extra:
        imports.append(("unsafe", None))
        extra.remove("unsafe")
    return Companion(code, tuple(sorted(imports, key=lambda i: (i[0], i[1] or ""))), safety, entry.why_unsafe, helper_names, tuple(extra))
