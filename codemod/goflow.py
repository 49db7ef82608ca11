"""Flow questions over the tree-sitter tree of one Go file, for rules that rewrite call sites.

Where is a function called, which function and loops enclose the call, which statement holds
it, where does its value go (variables, fields, comparisons, stores, encoders, ``return``),
can a loop body block, and do the names along the way speak of secrets.  Everything here is
syntactic: names stand for variables without scope analysis, so callers treat the answers as
evidence, not proof, and stay conservative.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from .model import GoFile, captures

FUNCTION_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})
STATEMENT_LISTS = frozenset({"statement_list", "block"})
COMPARISONS = frozenset({"<", ">", "<=", ">=", "==", "!="})
# Nodes whose value is derived from their children's values (a tainted child taints them).
_STOP = frozenset({"func_literal", "block", "statement_list"})


def text(file: GoFile, node: Node) -> str:
    return file.source[node.start_byte:node.end_byte].decode("utf-8")


def walk(node: Node, *, into_functions: bool = True):
    """Every node under ``node`` (pre-order), optionally not descending into function literals."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if not into_functions and n is not node and n.type == "func_literal":
            continue
        stack.extend(reversed(n.children))


_CALLS = "(call_expression function: (identifier) @fn) @call"


def calls_to(file: GoFile, names: set[str] | frozenset[str], root: Node | None = None) -> list[Node]:
    """``call_expression`` nodes calling a plain identifier in ``names`` (``f()``, not ``x.f()``)."""
    # A tree-sitter query walks the tree in C: walking it in Python cost seconds on large packages.
    root = root or file.root
    # A file that spells none of a few names has no call to them; many names are cheaper to
    # look up in the file's call index than to search for one by one.
    if len(names) <= 16 and not any(file.source.find(n.encode(), root.start_byte, root.end_byte) >= 0
                                    for n in names):
        return []
    key = ("calls", root.id)
    if len(names) <= 16 and key not in file.memo:
        # A few names, each spelled rarely: the calls among their identifiers, found by byte
        # search, without indexing every call of a large file.  (A plain call starts where
        # the identifier it calls starts, so ordering by either is the same.)
        found = [(r.start_byte, r.parent) for name in names for r in references(file, name, root)
                 if r.parent is not None and r.parent.type == "call_expression"
                 and r.parent.child_by_field_name("function") == r]
        return [c for _, c in sorted(found, key=lambda x: x[0])]

    def plain_calls() -> list[tuple[str, Node]]:
        found = captures(_CALLS, root).get("call", [])
        return [(text(file, c.child_by_field_name("function")), c)
                for c in sorted(found, key=lambda n: n.start_byte)]

    return [c for name, c in _memo(file, key, plain_calls) if name in names]


# Up to this many spellings of a name in a scope are found by byte search; past it, every
# identifier of the scope is indexed once.
_SEARCH_LIMIT = 64


def references(file: GoFile, name: str, root: Node | None = None) -> list[Node]:
    """Identifier nodes spelled ``name`` (calls, function values, shadowing declarations alike)."""
    root = root or file.root
    key = ("identifiers", root.id)
    if key not in file.memo:
        word = name.encode()
        if file.source.find(word, root.start_byte, root.end_byte) < 0:
            return []  # not spelled there at all: no need to index every identifier of a large file
        if name and file.source.count(word, root.start_byte, root.end_byte) <= _SEARCH_LIMIT:
            return list(_memo(file, ("identifier", root.id, name), lambda: _spelled(file, word, root)))

    def index() -> dict[str, list[Node]]:
        # One walk per scope, then every name asked about is a lookup.
        found: dict[str, list[Node]] = {}
        for n in captures("(identifier) @i", root).get("i", []):
            found.setdefault(text(file, n), []).append(n)
        for nodes in found.values():
            nodes.sort(key=lambda n: n.start_byte)
        return found

    return list(_memo(file, key, index).get(name, ()))


def _spelled(file: GoFile, word: bytes, root: Node) -> list[Node]:
    """The identifier nodes under ``root`` whose text is ``word``, in source order: each place
    the bytes occur, the smallest node spanning them, kept when it is exactly an identifier."""
    out = []
    source, end = file.source, root.end_byte
    at = source.find(word, root.start_byte, end)
    while at >= 0:
        n = root.descendant_for_byte_range(at, at + len(word))
        if n is not None and n.type == "identifier" and n.start_byte == at \
                and n.end_byte == at + len(word):
            out.append(n)
        at = source.find(word, at + 1, end)
    return out


def enclosing_function(node: Node) -> Node | None:
    n = node.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        n = n.parent
    return n


def function_name(file: GoFile, fn: Node) -> str:
    """The declared name of a function or method; for a literal, the variable it is assigned to."""
    name = fn.child_by_field_name("name")
    if name is not None:
        return text(file, name)
    parent = fn.parent
    while parent is not None and parent.type == "expression_list":
        parent = parent.parent
    if parent is not None and parent.type in ("short_var_declaration", "assignment_statement", "var_spec"):
        left = parent.child_by_field_name("left") or parent.child_by_field_name("name")
        if left is not None:
            return text(file, left)
    return ""


def function_body(fn: Node) -> Node | None:
    return fn.child_by_field_name("body")


def enclosing_statement(node: Node) -> Node | None:
    """The statement holding ``node`` that sits directly in a statement list of its function."""
    n = node
    while n.parent is not None and n.type not in FUNCTION_TYPES:
        if n.parent.type in STATEMENT_LISTS:
            return n
        n = n.parent
    return None


def statement_anchor(stmt: Node) -> Node:
    """The node to insert before so code runs just before ``stmt`` (its label, when labelled)."""
    n = stmt
    while n.parent is not None and n.parent.type == "labeled_statement":
        n = n.parent
    return n


# ------------------------------------------------------------------------------------ loops

@dataclass(frozen=True)
class LoopPlace:
    loop: Node  # a for_statement
    part: str  # "body" | "condition" | "post" | "init" | "range"


def loop_part(loop: Node, node: Node) -> str:
    """Which part of ``loop`` holds ``node`` (a descendant)."""
    child = node
    while child.parent is not None and child.parent != loop:
        child = child.parent
    if child == loop.child_by_field_name("body"):
        return "body"
    if child.type == "for_clause":
        inner = node
        while inner.parent is not None and inner.parent != child:
            inner = inner.parent
        for fname, part in (("initializer", "init"), ("condition", "condition"), ("update", "post")):
            if inner == child.child_by_field_name(fname):
                return part
        return "condition"
    if child.type == "range_clause":
        return "range"
    return "condition"  # ``for cond {`` keeps its condition as an unnamed child


def loops_around(node: Node) -> list[LoopPlace]:
    """The ``for`` statements enclosing ``node`` inside its function, innermost first."""
    out = []
    n = node.parent
    while n is not None and n.type not in FUNCTION_TYPES:
        if n.type == "for_statement":
            out.append(LoopPlace(n, loop_part(n, node)))
        n = n.parent
    return out


def per_iteration(places: list[LoopPlace]) -> list[LoopPlace]:
    """The enclosing loops for which ``node`` runs on every iteration.

    A call in a loop's initializer or range expression runs once per execution of that loop,
    so it is per iteration only of the loops further out.
    """
    for i, p in enumerate(places):
        if p.part in ("body", "condition", "post"):
            return places[i:]
    return []


# Calls that block or sleep: the clock must be read after them, not before the loop.
_BLOCKING_SELECTORS = {
    ("time", "Sleep"), ("time", "After"), ("time", "Tick"), ("runtime", "Gosched"),
    ("runtime", "GC"), ("syscall", "Read"), ("syscall", "Write"),
}
_BLOCKING_METHODS = frozenset({
    "Wait", "Lock", "RLock", "Sleep", "Read", "Write", "ReadFrom", "WriteTo", "Accept", "Dial",
    "DialContext", "Do", "Get", "Post", "Recv", "Send", "Flush", "Sync", "Acquire", "Receive",
    "ReadAll", "WriteString", "ReadString", "ReadBytes", "ReadLine", "Scan", "Exec", "Query",
    "QueryContext", "ExecContext", "Done", "Until",
})


def blocking_operation(file: GoFile, node: Node) -> Node | None:
    """See :func:`find_blocking_operation`; computed once per node."""
    return _memo(file, ("blocking", node.id), lambda: find_blocking_operation(file, node))


def find_blocking_operation(file: GoFile, node: Node) -> Node | None:
    """The first construct under ``node`` that can block or sleep: a channel operation, a
    ``select``, ``time.Sleep``, a sync wait or lock, or an I/O call.  Code in a ``go`` statement
    does not block its caller and is skipped."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "go_statement":
            continue
        if n.type in ("send_statement", "select_statement", "receive_statement"):
            return n
        if n.type == "range_clause" and is_channel(file, n.child_by_field_name("right")):
            return n
        if n.type == "unary_expression":
            op = n.child_by_field_name("operator")
            if op is not None and text(file, op) == "<-":
                return n
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "selector_expression":
                operand = fn.child_by_field_name("operand")
                member = text(file, fn.child_by_field_name("field"))
                if operand is not None and (text(file, operand), member) in _BLOCKING_SELECTORS:
                    return n
                if member in _BLOCKING_METHODS:
                    return n
        stack.extend(reversed(n.children))
    return None


def is_channel(file: GoFile, expr: Node | None) -> bool:
    """Whether ``expr`` is, by its spelling or its declaration in the enclosing function, a
    channel: ``<-chan``/``chan`` parameters and variables, ``make(chan ...)`` results."""
    if expr is None:
        return False
    if expr.type == "call_expression" and goflow_text_startswith(file, expr, "make(chan"):
        return True
    if expr.type != "identifier":
        return False
    name = text(file, expr)
    fn = enclosing_function(expr)
    if fn is None:
        return False
    for n in walk(fn):
        if n.type in ("parameter_declaration", "var_spec"):
            typ = n.child_by_field_name("type")
            if typ is not None and typ.type == "channel_type" and any(
                    text(file, i) == name for i in n.children_by_field_name("name")):
                return True
        elif n.type in ("short_var_declaration", "assignment_statement"):
            left = _lhs_targets(n.child_by_field_name("left"))
            right = _lhs_targets(n.child_by_field_name("right"))
            for l, r in zip(left, right):
                if text(file, l) == name and r.type == "call_expression" and \
                        goflow_text_startswith(file, r, "make(chan"):
                    return True
    return False


def goflow_text_startswith(file: GoFile, node: Node, prefix: str) -> bool:
    return "".join(text(file, node).split()).startswith(prefix.replace(" ", ""))


# ------------------------------------------------------------------------------------- names

def _memo(file: GoFile, key, compute):
    """``compute()`` once per parsed file and ``key``: several loops and rules ask alike."""
    memo = file.memo
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()
        return value


def declared_names(file: GoFile, node: Node) -> set[str]:
    """Every identifier spelled under ``node``: a new local name must avoid all of them.

    Computed once per node; callers must not modify the set."""
    return _memo(file, ("declared", node.id), lambda: {
        text(file, n) for n in walk(node)
        if n.type in ("identifier", "type_identifier", "package_identifier", "label_name")})


def fresh_name(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    i = 2
    while f"{base}{i}" in taken:
        i += 1
    return f"{base}{i}"


def package_level_names(files) -> set[str]:
    """Names declared at the top level of the given files (functions, types, vars, consts)."""
    out: set[str] = set()
    for f in files:
        out |= _memo(f, "top-level names", lambda f=f: _top_level_names(f))
    return out


def _top_level_names(f: GoFile) -> frozenset[str]:
    """Once per parsed file: a rule asks for the package's names at each call it rewrites."""
    # Functions by the model's declarations: a big file's pieces are not parsed again for them.
    out: set[str] = {name for name, decls in f.declarations.items() if any(d.kind == "func" for d in decls)}
    for child in f.top_level("var_declaration", "const_declaration", "type_declaration"):
        for n in walk(child, into_functions=False):
            if n.type in ("identifier", "type_identifier") and n.parent is not None \
                    and n.parent.type in ("var_spec", "const_spec", "type_spec", "type_alias") \
                    and n.parent.child_by_field_name("name") is not None:
                out.add(text(f, n))
    return frozenset(out)


def words(name: str) -> list[str]:
    """``newSessionToken`` -> ``["new", "session", "token"]``; ``CSRF_key`` -> ``["csrf", "key"]``."""
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    return [p.lower() for p in parts]


# Words that mark a value as a secret: predictable values there are a security bug.
SECURITY_WORDS = frozenset({
    "token", "tokens", "key", "keys", "apikey", "nonce", "nonces", "salt", "password", "passwd",
    "pwd", "passphrase", "secret", "secrets", "session", "sessions", "sid", "csrf", "xsrf", "otp",
    "totp", "hotp", "auth", "authn", "cookie", "credential", "credentials", "iv", "pin",
    "challenge", "verifier", "nonce",
})


def security_words(name: str) -> list[str]:
    return [w for w in words(name) if w in SECURITY_WORDS]


# Encoders that turn random bytes into a printable secret.
ENCODING_PACKAGES = frozenset({"hex", "base64", "base32", "base58", "ascii85"})


# -------------------------------------------------------------------------------------- flow

@dataclass
class Flow:
    """Where a value goes inside one scope (a function body or a loop)."""

    names: set[str] = field(default_factory=set)  # variables it is assigned to
    fields: set[str] = field(default_factory=set)  # struct fields and keyed elements it fills
    compared: list[Node] = field(default_factory=list)  # comparisons it takes part in
    stored: list[Node] = field(default_factory=list)  # index/map stores, append, channel sends
    encoded: list[Node] = field(default_factory=list)  # calls of hex/base64/... encoders on it
    calls: list[Node] = field(default_factory=list)  # other calls receiving it
    returned: bool = False
    tainted: set[int] = field(default_factory=set)  # ids of expression nodes carrying it

    def carries(self, node: Node) -> bool:
        return node.id in self.tainted


_WRITES_FIRST_ARG = re.compile(r"^(Put(U?int\d+|Uvarint|Varint)|copy)$")
_WRITES_RECEIVER = re.compile(r"^(Write\w*|Append\w*|Add|Set\w*|Store)$")
_EXPR_LISTS = ("expression_list",)


def _lhs_targets(node: Node) -> list[Node]:
    if node is None:
        return []
    return list(node.named_children) if node.type in _EXPR_LISTS else [node]


def _base_identifier(node: Node) -> Node | None:
    """``b`` for ``b``, ``b[i:]``, ``b[:]``, ``&b``, ``s.f``; None otherwise."""
    while node is not None:
        if node.type == "identifier":
            return node
        if node.type in ("index_expression", "slice_expression", "selector_expression",
                         "parenthesized_expression"):
            node = node.child_by_field_name("operand") or (node.named_children[0] if node.named_children else None)
        elif node.type == "unary_expression":
            node = node.child_by_field_name("operand")
        else:
            return None
    return None


def shared_flow(file: GoFile, scope: Node, seeds: list[Node]) -> Flow:
    """:func:`flow`, computed once per scope and set of seeds in a parsed file: one analysis
    of a function serves every loop in it and every rule that asks the same question."""
    key = ("flow", scope.id, frozenset(s.id for s in seeds))
    return _memo(file, key, lambda: flow(file, scope, seeds))


def flow(file: GoFile, scope: Node, seeds: list[Node], max_rounds: int = 6) -> Flow:
    """Follow the values of ``seeds`` (expression nodes) through ``scope``, by name.

    A value taints the expressions built from it (arithmetic, conversions, calls taking it,
    slices of it); an assignment of a tainted value taints the names assigned; writing it into
    a buffer (``binary.LittleEndian.PutUint32(b[i:], v)``, ``copy``, ``w.Write``) taints the
    buffer.  Names are not scoped: a shadowing variable counts as the same one.
    """
    result = Flow()
    seed_ids = {s.id for s in seeds}
    nodes = list(walk(scope))
    for _ in range(max_rounds):
        before = (len(result.names), len(result.tainted))
        tainted: set[int] = set()
        # Post-order: children before parents.
        for n in reversed(nodes):
            if n.id in seed_ids:
                tainted.add(n.id)
                continue
            if n.type == "identifier" and text(file, n) in result.names:
                tainted.add(n.id)
                continue
            if n.type in _STOP or n.type.endswith("_statement") or n.type.endswith("_declaration"):
                continue
            if n.type == "keyed_element":
                # The value taints the literal; the key names the field it fills.
                value = n.child_by_field_name("value") or (n.named_children[-1] if n.named_children else None)
                if value is not None and value.id in tainted:
                    tainted.add(n.id)
                    key = n.child_by_field_name("key") or n.named_children[0]
                    result.fields.add(text(file, key))
                continue
            if any(c.id in tainted for c in n.children):
                tainted.add(n.id)
        result.tainted = tainted
        for n in nodes:
            t = n.type
            if t in ("assignment_statement", "short_var_declaration", "var_spec"):
                left = _lhs_targets(n.child_by_field_name("left")) if t != "var_spec" else \
                    list(n.children_by_field_name("name"))
                right = _lhs_targets(n.child_by_field_name("right") or n.child_by_field_name("value"))
                hits = [r for r in right if r.id in tainted]
                if not hits:
                    continue
                targets = [l for l, r in zip(left, right) if r.id in tainted] if len(left) == len(right) else left
                for target in targets:
                    _assign(file, result, target, n)
            elif t == "inc_statement" or t == "dec_statement":
                continue
            elif t == "call_expression":
                args = n.child_by_field_name("arguments")
                if args is None or not any(a.id in tainted for a in args.named_children):
                    continue
                fn = n.child_by_field_name("function")
                fname = text(file, fn)
                member = fname.rsplit(".", 1)[-1]
                if fname == "append":
                    result.stored.append(n)
                elif fn.type == "selector_expression" and \
                        text(file, fn.child_by_field_name("operand")).split(".")[0] in ENCODING_PACKAGES:
                    result.encoded.append(n)
                else:
                    result.calls.append(n)
                named = [a for a in args.named_children]
                if _WRITES_FIRST_ARG.match(member) and named and named[0].id not in tainted:
                    base = _base_identifier(named[0])
                    if base is not None:
                        result.names.add(text(file, base))
                elif fn.type == "selector_expression" and _WRITES_RECEIVER.match(member):
                    base = _base_identifier(fn.child_by_field_name("operand"))
                    if base is not None:
                        result.names.add(text(file, base))
            elif t == "binary_expression":
                op = n.child_by_field_name("operator")
                if op is not None and text(file, op) in COMPARISONS and any(
                        c.id in tainted for c in (n.child_by_field_name("left"), n.child_by_field_name("right"))):
                    result.compared.append(n)
            elif t == "send_statement":
                value = n.child_by_field_name("value")
                if value is not None and value.id in tainted:
                    result.stored.append(n)
            elif t == "return_statement":
                if any(c.id in tainted for c in n.named_children) or any(
                        c.id in tainted for e in n.named_children for c in e.named_children):
                    result.returned = True
        if (len(result.names), len(result.tainted)) == before:
            break
    result.compared = _unique(result.compared)
    result.stored = _unique(result.stored)
    result.encoded = _unique(result.encoded)
    result.calls = _unique(result.calls)
    return result


def _unique(nodes: list[Node]) -> list[Node]:
    seen, out = set(), []
    for n in nodes:
        if n.id not in seen:
            seen.add(n.id)
            out.append(n)
    return out


def _assign(file: GoFile, result: Flow, target: Node, stmt: Node) -> None:
    if target.type == "identifier":
        name = text(file, target)
        if name != "_":
            result.names.add(name)
    elif target.type == "index_expression":
        result.stored.append(stmt)
        base = _base_identifier(target)
        if base is not None:
            result.names.add(text(file, base))
    elif target.type == "selector_expression":
        result.fields.add(text(file, target.child_by_field_name("field")))
        result.stored.append(stmt)
        base = _base_identifier(target)
        if base is not None:
            result.names.add(text(file, base))
    elif target.type == "unary_expression":  # *p = v
        result.stored.append(stmt)


# -------------------------------------------------------------------------- results and types

@dataclass(frozen=True)
class Result:
    name: str | None
    type: str


def results(file: GoFile, fn: Node) -> list[Result]:
    """The result list of a function declaration, method or literal."""
    res = fn.child_by_field_name("result")
    if res is None:
        return []
    if res.type != "parameter_list":
        return [Result(None, text(file, res))]
    out = []
    for p in res.named_children:
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        typ = text(file, p.child_by_field_name("type"))
        names = p.children_by_field_name("name")
        if names:
            out.extend(Result(text(file, n), typ) for n in names)
        else:
            out.append(Result(None, typ))
    return out


_NUMERIC = frozenset(
    "int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr byte rune float32 float64 "
    "complex64 complex128".split())


def zero_value(type_text: str) -> str:
    """A Go expression for the zero value of the type spelled ``type_text``."""
    t = type_text.strip()
    if t in _NUMERIC:
        return "0"
    if t == "string":
        return '""'
    if t == "bool":
        return "false"
    if t in ("error", "any") or t.startswith(("*", "[]", "map[", "chan ", "<-chan", "func(", "func ",
                                              "interface{", "interface {")):
        return "nil"
    return f"*new({t})"


def single_result_type(file: GoFile, decl_node: Node) -> str | None:
    """The one result type of a function declaration, or None (no result, or several)."""
    res = results(file, decl_node)
    return res[0].type if len(res) == 1 else None
