"""ABI shapes of function signatures: do two declarations pass the same registers and words?

A ``//go:linkname`` pull binds the local declaration to the target's code by name only; the
compiler never compares the two signatures.  What must agree is what the calling convention
sees (Go's ABIInternal): the number and order of the values passed and returned, each one's
size, and its register class (integer or floating point).  Names do not matter, nor does the
spelling of a pointer-shaped type: ``*T``, ``unsafe.Pointer``, maps, channels and funcs are
all one pointer word.  A string is two words, a slice three, an interface two; a struct or an
array expands to its fields or elements.

Both sides are read with tree-sitter: the local declaration from the file's tree, the
target's from the signature text of the knowledge base (``func(p unsafe.Pointer, h, s
uintptr) uintptr``).  A type that cannot be resolved (a named non-pointer type of another
package, a type parameter) makes the shape unknown, and unknown shapes are never reported as
mismatches.

    >>> shape_of_text("func(p unsafe.Pointer, h, s uintptr) uintptr").params
    (Leaf(size=8, cls='int'), Leaf(size=8, cls='int'), Leaf(size=8, cls='int'))
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from .model import GoFile, parse

# Ports whose pointers and ints are 4 bytes.
_WORD4 = frozenset({"386", "arm", "armbe", "mips", "mipsle", "ppc", "s390", "sparc", "amd64p32",
                    "mips64p32", "mips64p32le"})

_BASIC = {
    "bool": (1, "int"), "int8": (1, "int"), "uint8": (1, "int"), "byte": (1, "int"),
    "int16": (2, "int"), "uint16": (2, "int"),
    "int32": (4, "int"), "uint32": (4, "int"), "rune": (4, "int"),
    "int64": (8, "int"), "uint64": (8, "int"),
    "float32": (4, "float"), "float64": (8, "float"),
}
_WORD_TYPES = {"int", "uint", "uintptr"}
# Named types of other packages whose underlying type is a contract of their API.
_KNOWN_NAMED = {
    "time.Duration": "int64", "unsafe.Pointer": "*byte", "reflect.Kind": "uint",
    "sync.Mutex": "struct{ state int32; sema uint32 }",
}


@dataclass(frozen=True)
class Leaf:
    size: int
    cls: str  # "int" (integers and pointers) | "float"

    def __str__(self) -> str:
        return f"{self.cls}{self.size * 8}"


@dataclass(frozen=True, eq=False)
class Shape:
    """The words a call passes and returns.  Two shapes are equal when the words are: the
    counts of declared values are kept for messages only (a string is a pointer and a length)."""

    params: tuple[Leaf, ...]
    results: tuple[Leaf, ...]
    param_count: int
    result_count: int

    def __eq__(self, other) -> bool:
        return isinstance(other, Shape) and (self.params, self.results) == (other.params, other.results)

    def __hash__(self) -> int:
        return hash((self.params, self.results))

    def __str__(self) -> str:
        return f"({', '.join(map(str, self.params))}) -> ({', '.join(map(str, self.results))})"


class Unknown(Exception):
    """A type whose layout cannot be known from the text alone."""


# A resolver maps a type name (``T`` or ``pkg.T``) to the Go text of its underlying type, or None.
Resolver = Callable[[str], "str | None"]


def _no_types(name: str) -> str | None:
    return None


def word_size(goarch: str) -> int:
    return 4 if goarch in _WORD4 else 8


@functools.lru_cache(maxsize=4096)
def _type_node_text(type_text: str):
    source = f"package p\n\nvar _ {type_text}\n".encode()
    tree = parse(source)
    spec = tree.root_node.named_children[-1].named_children[0]
    node = spec.child_by_field_name("type")
    if node is None or tree.root_node.has_error:
        raise Unknown(type_text)
    return source, tree, node


class _Walker:
    def __init__(self, source: bytes, resolve: Resolver, word: int):
        self.source = source
        self.resolve = resolve
        self.word = word
        self.depth = 0

    def text(self, n: Node) -> str:
        return self.source[n.start_byte:n.end_byte].decode()

    def leaves(self, t: Node) -> list[Leaf]:
        kind = t.type
        w = Leaf(self.word, "int")
        if kind == "parenthesized_type":
            return self.leaves(t.named_children[0])
        if kind in ("pointer_type", "map_type", "channel_type", "function_type"):
            return [w]
        if kind == "slice_type":
            return [w, w, w]
        if kind == "interface_type":
            return [w, w]
        if kind == "type_identifier":
            name = self.text(t)
            if name in _BASIC:
                return [Leaf(*_BASIC[name])]
            if name in _WORD_TYPES:
                return [w]
            if name == "string":
                return [w, w]
            if name in ("any", "error"):
                return [w, w]
            if name == "complex64":
                return [Leaf(4, "float"), Leaf(4, "float")]
            if name == "complex128":
                return [Leaf(8, "float"), Leaf(8, "float")]
            return self.named(name)
        if kind == "qualified_type":
            return self.named(self.text(t))
        if kind == "struct_type":
            out: list[Leaf] = []
            for field in _descendants(t, "field_declaration"):
                ftype = field.child_by_field_name("type")
                if ftype is None:
                    raise Unknown(self.text(field))
                names = field.children_by_field_name("name")
                out.extend(self.leaves(ftype) * max(1, len(names)))
            return out
        if kind == "array_type":
            length = t.child_by_field_name("length")
            elem = t.child_by_field_name("element")
            try:
                n = int(self.text(length), 0)
            except (TypeError, ValueError):
                raise Unknown(self.text(t))
            if n > 64:
                raise Unknown(self.text(t))
            return self.leaves(elem) * n
        if kind == "generic_type":
            raise Unknown(self.text(t))
        raise Unknown(self.text(t))

    def named(self, name: str) -> list[Leaf]:
        under = _KNOWN_NAMED.get(name) or self.resolve(name)
        if under is None or self.depth > 8:
            raise Unknown(name)
        self.depth += 1
        try:
            source, _tree, node = _type_node_text(under)
            return _Walker(source, self.resolve, self.word).leaves(node)
        finally:
            self.depth -= 1


def _descendants(node: Node, kind: str) -> list[Node]:
    out = []
    for c in node.named_children:
        if c.type == kind:
            out.append(c)
        elif c.type == "field_declaration_list":
            out.extend(_descendants(c, kind))
    return out


def _param_list(walker: _Walker, plist: Node | None) -> tuple[list[Leaf], int]:
    if plist is None:
        return [], 0
    out: list[Leaf] = []
    count = 0
    for p in plist.named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        ptype = p.child_by_field_name("type")
        names = p.children_by_field_name("name")
        times = max(1, len(names))
        leaves = [Leaf(walker.word, "int")] * 3 if p.type == "variadic_parameter_declaration" \
            else walker.leaves(ptype)
        out.extend(leaves * times)
        count += times
    return out, count


def _result(walker: _Walker, result: Node | None) -> tuple[list[Leaf], int]:
    if result is None:
        return [], 0
    if result.type == "parameter_list":
        return _param_list(walker, result)
    return walker.leaves(result), 1


def shape_of_node(source: bytes, params: Node | None, result: Node | None,
                  resolve: Resolver = _no_types, goarch: str = "amd64", receiver: Node | None = None) -> Shape | None:
    """The shape of a parsed signature (a receiver counts as the first parameter); None if unknown."""
    walker = _Walker(source, resolve, word_size(goarch))
    try:
        rp, rc = _param_list(walker, receiver)
        pp, pc = _param_list(walker, params)
        rr, rcount = _result(walker, result)
    except Unknown:
        return None
    return Shape(tuple(rp + pp), tuple(rr), rc + pc, rcount)


def shape_of_decl(source: bytes, decl: Node, resolve: Resolver = _no_types, goarch: str = "amd64") -> Shape | None:
    """The shape of a ``function_declaration`` or ``method_declaration`` node."""
    return shape_of_node(source, decl.child_by_field_name("parameters"), decl.child_by_field_name("result"),
                         resolve, goarch, decl.child_by_field_name("receiver"))


@functools.lru_cache(maxsize=4096)
def _parse_signature(text: str):
    """Parse ``func(...) ...`` or ``func (r T) name(...) ...`` text; (tree, params, result, receiver)."""
    text = text.strip()
    source = f"package p\n\nvar _ {text}\n".encode()
    tree = parse(source)
    if not tree.root_node.has_error:
        spec = tree.root_node.named_children[-1].named_children[0]
        ft = spec.child_by_field_name("type")
        if ft is not None and ft.type == "function_type":
            return source, tree, ft.child_by_field_name("parameters"), ft.child_by_field_name("result"), None
    source = f"package p\n\n{text}\n".encode()
    tree = parse(source)
    decl = tree.root_node.named_children[-1] if tree.root_node.named_children else None
    if decl is None or tree.root_node.has_error or decl.type not in ("function_declaration", "method_declaration"):
        return None
    return source, tree, decl.child_by_field_name("parameters"), decl.child_by_field_name("result"), \
        decl.child_by_field_name("receiver")


def shape_of_text(text: str, resolve: Resolver = _no_types, goarch: str = "amd64") -> Shape | None:
    """The shape of a signature written as text (as the knowledge base stores it)."""
    parsed = _parse_signature(text)
    if parsed is None:
        return None
    source, _tree, params, result, receiver = parsed
    return shape_of_node(source, params, result, resolve, goarch, receiver)


def arity_of_text(text: str) -> tuple[int, int] | None:
    """(parameters, results) a signature declares, whatever their types (a runtime-internal type
    has no layout here, yet it still counts as one value)."""
    parsed = _parse_signature(text)
    if parsed is None:
        return None
    source, _tree, params, result, _receiver = parsed
    return _count(params), _count(result) if result is None or result.type == "parameter_list" else 1


def arity_of_decl(decl: Node) -> tuple[int, int]:
    params, result = decl.child_by_field_name("parameters"), decl.child_by_field_name("result")
    return _count(params), _count(result) if result is None or result.type == "parameter_list" else 1


# Bounds on how many ABI values (leaves) a parameter or result list takes: (least, most), most
# None when some type has no layout here.  A runtime-internal type (``funcInfo``) is at least
# one value and may be a struct of several: ``findfunc(pc) funcInfo`` and a local
# ``findfunc(pc) (unsafe.Pointer, unsafe.Pointer)`` pass the same two words.
Bounds = tuple[int, "int | None"]


def _bounds(walker: _Walker, plist: Node | None, single: bool = False) -> Bounds:
    if plist is None:
        return 0, 0
    if single:
        values = [(plist, 1, False)]
    else:
        values = [(p.child_by_field_name("type"), max(1, len(p.children_by_field_name("name"))),
                   p.type == "variadic_parameter_declaration")
                  for p in plist.named_children
                  if p.type in ("parameter_declaration", "variadic_parameter_declaration")]
    least, most = 0, 0
    for t, times, variadic in values:
        try:
            n = 3 if variadic else len(walker.leaves(t))
        except Unknown:
            least, most = least + times, None
            continue
        least += n * times
        most = None if most is None else most + n * times
    return least, most


def value_bounds(source: bytes, params: Node | None, result: Node | None, goarch: str = "amd64",
                 resolve: Resolver = _no_types, receiver: Node | None = None) -> tuple[Bounds, Bounds]:
    """Bounds on the ABI values of a signature's parameters (a receiver first) and results."""
    walker = _Walker(source, resolve, word_size(goarch))
    rl, rm = _bounds(walker, receiver)
    pl, pm = _bounds(walker, params)
    results = _bounds(walker, result, single=result is not None and result.type != "parameter_list")
    return (rl + pl, None if rm is None or pm is None else rm + pm), results


def value_bounds_of_decl(source: bytes, decl: Node, resolve: Resolver = _no_types,
                         goarch: str = "amd64") -> tuple[Bounds, Bounds]:
    return value_bounds(source, decl.child_by_field_name("parameters"), decl.child_by_field_name("result"),
                        goarch, resolve, decl.child_by_field_name("receiver"))


def value_bounds_of_text(text: str, goarch: str = "amd64") -> tuple[Bounds, Bounds] | None:
    parsed = _parse_signature(text)
    if parsed is None:
        return None
    source, _tree, params, result, receiver = parsed
    return value_bounds(source, params, result, goarch, receiver=receiver)


def disjoint(a: Bounds, b: Bounds) -> bool:
    """Whether two bounds admit no common count: the lists cannot pass the same values."""
    return (a[1] is not None and a[1] < b[0]) or (b[1] is not None and b[1] < a[0])


def _count(plist: Node | None) -> int:
    if plist is None:
        return 0
    n = 0
    for p in plist.named_children:
        if p.type in ("parameter_declaration", "variadic_parameter_declaration"):
            n += max(1, len(p.children_by_field_name("name")))
    return n


# Little-endian ports with the register ABI (amd64 from Go 1.17, arm64 from 1.18, and the rest
# since): a value of a narrower integer type sits in the low bits of its register.
LITTLE_ENDIAN_REGISTER_ABI = frozenset({"amd64", "arm64", "ppc64le", "riscv64", "loong64"})


def integer_widening(local: Shape, real: Shape) -> str | None:
    """How the declaration differs when only integer widths do: "wider-params" (every differing
    parameter is declared wider than the target's, results agree), "narrower-results" (the
    same for results declared narrower), or None for anything else."""
    if (len(local.params), len(local.results)) != (len(real.params), len(real.results)):
        return None
    if local.param_count != real.param_count or local.result_count != real.result_count:
        return None
    kinds = set()
    for mine, theirs, where in [*((a, b, "p") for a, b in zip(local.params, real.params)),
                                *((a, b, "r") for a, b in zip(local.results, real.results))]:
        if mine == theirs:
            continue
        if mine.cls != "int" or theirs.cls != "int":
            return None
        kinds.add((where, mine.size > theirs.size))
    if kinds == {("p", True)}:
        return "wider-params"
    if kinds == {("r", False)}:
        return "narrower-results"
    return None


@dataclass(frozen=True)
class Results:
    """The result list of a signature written as text, for rules that copy it into a declaration."""

    text: str  # as written: "", "int64", "(sec int64, nsec int32)"
    type_names: frozenset[str]  # unqualified type names it uses
    qualified: bool  # whether it names a type of another package (which needs an import)


def results_of_text(text: str) -> Results | None:
    parsed = _parse_signature(text)
    if parsed is None:
        return None
    source, _tree, _params, result, _receiver = parsed
    if result is None:
        return Results("", frozenset(), False)
    names, qualified, stack = set(), False, [result]
    while stack:
        n = stack.pop()
        if n.type == "type_identifier":
            names.add(source[n.start_byte:n.end_byte].decode())
        qualified |= n.type == "qualified_type"
        if n.type != "qualified_type":
            stack.extend(n.named_children)
    return Results(source[result.start_byte:result.end_byte].decode(), frozenset(names), qualified)


@functools.lru_cache(maxsize=4096)  # one knowledge-base symbol, asked about for every pull and target
def shape_of_symbol(target: str, signature: str, kind: str, goarch: str) -> Shape | None:
    """The ABI shape of a knowledge-base symbol; a method's receiver counts as its first
    parameter (a pointer receiver is one word; a value receiver's layout is unknown: None)."""
    shape = shape_of_text(signature, goarch=goarch) if signature else None
    if shape is None or kind != "method":
        return shape
    if ".(*" not in target:
        return None
    recv = (Leaf(word_size(goarch), "int"),)
    return Shape(recv + shape.params, shape.results, shape.param_count + 1, shape.result_count)


def differences(local: Shape, real: Shape) -> list[str]:
    """What differs, in words (empty when the shapes agree)."""
    out = []
    if local.params != real.params:
        if local.param_count != real.param_count:
            out.append(f"{local.param_count} parameter{'s' * (local.param_count != 1)} "
                       f"where the target takes {real.param_count}")
        else:
            out.append("parameters of another size or register class")
    if local.results != real.results:
        if local.result_count != real.result_count:
            out.append(f"{local.result_count} result{'s' * (local.result_count != 1)} "
                       f"where the target returns {real.result_count}")
        else:
            out.append("results of another size or register class")
    return out


def package_resolver(ctx) -> Resolver:
    """:func:`package_type_resolver` over the package of ``ctx`` (a rule :class:`Context`),
    made once per package and pass (every file of the package, for every rule, asks) when
    the first name is resolved: a file with no pull to check has no file parsed for it."""
    made: list[Resolver] = []

    def resolve(name: str) -> str | None:
        if not made:
            made.append(package_type_resolver([ctx.file]) if not ctx.siblings else ctx.package.shared(
                ("type resolver", id(ctx.siblings)), lambda: package_type_resolver(ctx.siblings.values())))
        return made[0](name)
    return resolve


def package_type_resolver(files, own_package_prefix: str = "") -> Resolver:
    """A resolver for the type declarations of a package's parsed files (``type T U`` and aliases)."""
    files = list(files)
    # Every rule asks once per file of the package; the table depends only on the files' text.
    key = tuple((f.path, hash(f.source)) for f in files)
    table = _type_tables.get(key)
    if table is None:
        if len(_type_tables) > 256:
            _type_tables.clear()
        table = _type_tables[key] = _type_table(files)

    def resolve(name: str) -> str | None:
        return table.get(name)
    return resolve


_type_tables: dict[tuple, dict[str, str]] = {}


def _type_table(files) -> dict[str, str]:
    table: dict[str, str] = {}
    for f in files:
        for spec in _type_specs(f):
            name = spec.child_by_field_name("name")
            typ = spec.child_by_field_name("type")
            if name is None or typ is None or spec.child_by_field_name("type_parameters") is not None:
                continue
            table[f.text(name)] = f.text(typ)
    return table


def _type_specs(f: GoFile) -> list[Node]:
    out = []
    for decl in f.top_level("type_declaration"):
        for spec in decl.named_children:
            if spec.type in ("type_spec", "type_alias"):
                out.append(spec)
    return out
