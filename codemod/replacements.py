"""The replacement table: the public API behind each linkname target that has one.

One entry per target: the public API (text for messages), the Go release that introduced it,
and a generator that writes a *companion implementation* of a local declaration with that API
(a Go function with a body, or an initialized variable).  Rules and the ``info`` command read
the table through two functions; the migrations rules build on the same two plus
:func:`split_fix`:

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

``split_fix(...)`` (below) assembles the whole version-bounded fix for a set of pulls that
fail on the same releases: bound the file's constraint (or move the pulls into a bounded
file of their own when the file has other code) and add the companion file for the
remaining releases, or replace the pulls outright when they work on no release in range.

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


def _b_uint32(local, imp):
    return _ret(local, "uint32", f"{imp['rand']}.Uint32()"), ()


def _b_uint64(local, imp):
    return _ret(local, "uint64", f"{imp['rand']}.Uint64()"), ()


def _b_uint(local, imp):
    return _ret(local, "uint", f"uint({imp['rand']}.Uint64())"), ()


def _b_int64(local, imp):
    fn = "Int64" if imp.get("__rand_v2") else "Int63"  # both: a non-negative 63-bit value
    return _ret(local, "int64", f"{imp['rand']}.{fn}()"), ()


def _b_randn(local, imp):
    # The runtime's own reduction (Lemire's multiply-shift): never panics, fastrandn(0) == 0.
    n = local.param(0)
    return _ret(local, "uint32", f"uint32(uint64({imp['rand']}.Uint32()) * uint64({n}) >> 32)"), ()


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

_RAND_PKG = "math/rand/v2"


def _rand(target, sig, body, v1_ok=True) -> Replacement:
    return Replacement(target, "func", "", "1.22", sig, False, _RAND_WHY, body, (_RAND_PKG,),
                       fallback_api="math/rand" if v1_ok else "")


_TABLE: dict[str, Replacement] = {r.target: r for r in [
    _rand("runtime.fastrand", "func() uint32", _b_uint32),
    _rand("runtime.fastrandn", "func(n uint32) uint32", _b_randn),
    _rand("runtime.fastrand64", "func() uint64", _b_uint64),
    _rand("runtime.fastrandu", "func() uint", _b_uint),
    _rand("runtime.cheaprand", "func() uint32", _b_uint32),
    _rand("runtime.cheaprandn", "func(n uint32) uint32", _b_randn),
    _rand("runtime.cheaprand64", "func() int64", _b_int64),
    _rand("runtime.rand", "func() uint64", _b_uint64),
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
    if r.packages == (_RAND_PKG,):
        name = {"fastrand": "Uint32", "fastrandn": "Uint32N", "fastrand64": "Uint64",
                "fastrandu": "Uint64", "cheaprand": "Uint32", "cheaprandn": "Uint32N",
                "cheaprand64": "Int64", "rand": "Uint64"}[target.split(".", 1)[1]]
        if language is not None and not _at_least(language, "1.22"):
            v1 = {"Uint32N": "Uint32", "Int64": "Int63"}.get(name, name)
            return _replace(r, api=f"rand.{v1} (math/rand; math/rand/v2 from Go 1.22)",
                            why_unsafe=_RAND_V1_WHY, packages=("math/rand",), min_release="1.0")
        return _replace(r, api=f"rand.{name} (math/rand/v2)")
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


def import_block(imports) -> str:
    """gofmt's form of an import declaration for ``(path, name)`` pairs (empty text for none)."""
    specs = sorted(set(imports), key=lambda i: (i[0], i[1] or ""))
    if not specs:
        return ""
    text = [f'{n} "{p}"' if n else f'"{p}"' for p, n in specs]
    if len(text) == 1:
        return f"import {text[0]}\n"
    return "import (\n" + "".join(f"\t{s}\n" for s in text) + ")\n"


# ------------------------------------------------------------------------------ the version split


@dataclass(frozen=True)
class SplitFix:
    description: str
    edits: tuple
    safety: Safety
    why_unsafe: str


def header_text(file, decl) -> str:
    """The local declaration without its body: ``func f(x int) int`` or ``var v T``."""
    node = decl.node
    if decl.kind == "var":
        typ = node.child_by_field_name("type")
        return f"var {decl.name} {file.text(typ)}" if typ is not None else ""
    end = decl.body.start_byte if decl.body is not None else node.end_byte
    return file.source[node.start_byte:end].decode().rstrip()


def coalesce(edits: list[TextEdit]) -> list[TextEdit]:
    """Merge insertions that touch or fall inside another edit of the same file into it, so
    the fix has no overlapping edits (an insertion inside a removed range lands at its end)."""
    ranges = [e for e in edits if e.start != e.end]
    inserts = [e for e in edits if e.start == e.end]
    merged: dict[int, TextEdit] = {id(r): r for r in ranges}
    loose: list[TextEdit] = []
    for ins in sorted(inserts, key=lambda e: e.start):
        host = next((r for r in ranges if r.path == ins.path and r.start <= ins.start <= r.end), None)
        if host is None:
            same = next((i for i in loose if i.path == ins.path and i.start == ins.start), None)
            if same is not None:
                loose[loose.index(same)] = TextEdit(ins.path, ins.start, ins.start, same.text + ins.text)
            else:
                loose.append(ins)
            continue
        cur = merged[id(host)]
        text = ins.text + cur.text if ins.start == host.start and host.text else cur.text + ins.text
        merged[id(host)] = TextEdit(host.path, host.start, host.end, text)
    return sorted([*merged.values(), *loose], key=lambda e: (str(e.path), e.start, e.end))


def remove_directive(file, d) -> TextEdit:
    """Remove a directive's line; with it a blank line when blank lines would meet, or the
    bare ``//`` line that separated it from the doc comment above."""
    start, end = d.line_span.start, d.line_span.end
    prev_start = file.line_start(start - 1) if start > 0 else start
    prev = file.source[prev_start:start]
    nxt = file.source[end:file.line_end(end)] if end < len(file.source) else b"x"
    if prev.strip() == b"//":
        start = prev_start
    elif not prev.strip() and not nxt.strip() and end < len(file.source):
        end = file.line_end(end)
    return TextEdit(file.path, start, end, "")


def swap_imports(file, add, drop_blank_unsafe: bool) -> list[TextEdit]:
    """Edits adding the ``(path, name)`` imports, and dropping the blank ``unsafe`` import when
    asked; the first new import takes the place of the dropped one (no gap, no overlap)."""
    from . import imports as imps

    add = [(p, n) for p, n in add if not any(i.path == p for i in file.imports)]
    unsafe = file.import_of("unsafe")
    edits: list[TextEdit] = []
    if drop_blank_unsafe and unsafe is not None and unsafe.name == "_":
        if add:
            first = add.pop(0)
            # The spec alone: a single-line ``import _ "unsafe"`` keeps its ``import``.
            edits.append(TextEdit(file.path, unsafe.span.start, unsafe.span.end, imps.spec_text(*first)))
        else:
            edits.append(imps.remove_import(file, unsafe))
    for p, n in add:
        edits.extend(imps.ensure_import(file, p, n))
    return coalesce(edits)


def _imports_for(file, companion_: Companion) -> list[tuple[str, str | None]] | None:
    """The companion's imports plus the file's imports of the packages its types name."""
    found = list(companion_.imports)
    for q in companion_.type_packages:
        imp = next((i for i in file.imports if i.local_name == q and i.name not in ("_", ".")), None)
        if imp is None:
            return None
        found.append((imp.path, imp.name))
    return found


def _new_file(constraint, package: str, imports, body: str) -> str:
    from .versions import format_constraint
    head = f"{format_constraint(constraint)}\n\n" if constraint is not None else ""
    block = import_block(imports)
    return f"{head}package {package}\n\n" + (f"{block}\n" if block else "") + body


def _removal(file, directive, decl) -> tuple[int, int]:
    """The byte range of a pull: its doc comment, directive and declaration, whole lines."""
    start = decl.doc.start if decl.doc is not None else file.line_start(decl.statement.start)
    start = min(start, directive.line_span.start) if directive.line_span.end >= start else start
    end = file.line_end(decl.statement.end)
    # Take one blank line with it when blank lines would otherwise meet.
    before_blank = start == 0 or not file.source[file.line_start(start - 1):start].strip()
    if before_blank and end < len(file.source) and not file.source[end:file.line_end(end)].strip():
        end = file.line_end(end)
    return start, end


def split_fix(file, pulls, *, works, universe, failing: dict[str, str], language: str | None,
              taken_files=(), taken_names=(), other_directives: bool = False) -> SplitFix | None:
    """The version-bounded fix for ``pulls`` (directives of ``file``), which fail on the same
    releases ``failing`` ({release: "blocked"|"undefined"}) and work on ``works``.

    * works nowhere in ``universe``: each pull becomes its companion in place (the directive
      goes; the blank ``unsafe`` import goes with the last directive);
    * the file holds only the pulls: its constraint is bounded to ``works`` and a companion
      file ``<stem>_fallback.go`` takes the complement;
    * the file holds other code too: the pulls move to ``<stem>_linkname.go``, bounded, and the
      companion file takes the complement; the rest of the file stays as it was.

    None when a pull has no companion (no table entry, another ABI shape, a language version
    too old for the API) or when a helper name the companion declares is taken.
    ``other_directives``: the file has directives besides ``pulls`` (then ``unsafe`` stays).
    """
    from . import imports as imps
    from . import versions

    companions = []
    for d in pulls:
        c = companion(d.target, header_text(file, d.declaration), language)
        if c is None or set(c.helpers) & set(taken_names):
            return None
        imports = _imports_for(file, c)
        if imports is None:
            return None
        companions.append((d, c, imports))
    names = ", ".join(d.local for d in pulls)
    apis = ", ".join(dict.fromkeys(replacement_for(d.target, language).api for d in pulls))
    where = versions.describe_failures(failing)
    never_built = all(s == "undefined" for s in failing.values())
    safety = Safety.SAFE if never_built or all(c.safety == Safety.SAFE for _, c, _ in companions) \
        else Safety.UNSAFE
    why = "" if safety == Safety.SAFE else (
        "the pull was refused by the linker there, but a build with -ldflags=-checklinkname=0 "
        "used it; the replacement changes that: "
        + "; ".join(dict.fromkeys(c.why_unsafe for _, c, _ in companions if c.why_unsafe)))
    pkg = file.package

    bound = versions.release_bound(works, universe) if works else False
    if bound is False:
        # Replace outright: no release in range links the pulls.
        edits: list[TextEdit] = []
        for d, c, imports in companions:
            decl = d.declaration
            edits.append(remove_directive(file, d))
            edits.append(TextEdit(file.path, decl.statement.start, decl.statement.end, c.code.rstrip("\n")))
        wanted = list(dict.fromkeys(i for _, _, imports in companions for i in imports))
        edits += swap_imports(file, wanted, drop_blank_unsafe=not other_directives)
        why_out = "; ".join(dict.fromkeys(c.why_unsafe for _, c, _ in companions if c.why_unsafe))
        safety_out = Safety.SAFE if all(c.safety == Safety.SAFE for _, c, _ in companions) else Safety.UNSAFE
        return SplitFix(f"Replace the pull of {names} with {apis}", tuple(coalesce(edits)),
                        safety_out, why_out)

    existing = file.constraint.expr
    keep_expr = versions.bounded(existing, bound)
    fallback_expr = versions.complement(existing, bound)
    fallback_path = versions.sibling_path(file.path, "fallback", taken_files)
    body = "".join(
        f"// {d.local} stands in for {d.target} where that pull fails ({where}).\n{c.code}\n"
        for d, c, _ in companions).rstrip("\n") + "\n"
    fallback = CreateFile(fallback_path, _new_file(
        fallback_expr, pkg, [i for _, _, imps_ in companions for i in imps_], body))
    pull_decls = {id(d.declaration.node) for d in pulls}
    other_code = [n for n in file.root.named_children
                  if n.type not in ("package_clause", "import_declaration", "comment")
                  and id(n) not in pull_decls
                  and not any(d.declaration.statement.start <= n.start_byte < d.declaration.statement.end
                              for d in pulls)]
    keep_desc = versions.format_releases(works)
    if not other_code and not other_directives:
        edits = versions.constraint_edits(file, keep_expr)
        return SplitFix(f"Limit {file.path.name} to {keep_desc} and add {fallback_path.name} with "
                        f"{apis} for the other releases", (*edits, fallback), safety, why)

    # Move the pulls into a bounded file of their own.
    linkname_path = versions.sibling_path(file.path, "linkname", {*taken_files, fallback_path.name})
    ranges = sorted({_removal(file, d, d.declaration) for d in pulls})
    if not all(any(st <= d.line_span.start < en for st, en in ranges) for d in pulls):
        return None  # a directive away from its declaration: the detached-directive fix comes first
    edits = [TextEdit(file.path, st, en, "") for st, en in ranges]
    moved = "\n".join(file.source[st:en].decode().strip("\n") + "\n" for st, en in ranges)
    needed = [(i.path, i.name) for i in file.imports if i.path != "unsafe" and i.name not in ("_", ".")
              and any(s <= a and b <= e for a, b in imps.references(file, i.local_name) for s, e in ranges)]
    unsafe_ref = any(s <= a and b <= e for a, b in imps.references(file, "unsafe") for s, e in ranges)
    needed.append(("unsafe", None if unsafe_ref else "_"))
    edits += imps.drop_unused_imports(file, ranges)
    unsafe = file.import_of("unsafe")
    if not other_directives and unsafe is not None and unsafe.name == "_":
        edits.append(imps.remove_import(file, unsafe))
    linkname_file = CreateFile(linkname_path, _new_file(keep_expr, pkg, needed, moved))
    return SplitFix(f"Move the pull of {names} to {linkname_path.name}, limited to {keep_desc}, and "
                    f"add {fallback_path.name} with {apis} for the other releases",
                    (*coalesce(edits), linkname_file, fallback), safety, why)
