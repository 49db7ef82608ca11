"""Which package-level names a Go file declares, and which of them its code refers to.

Files of one package share one scope: a function declared in ``a.go`` is called from ``b.go``
without an import.  A rule that asks "does this file still compile where that one is left
out?" needs both halves: the names each file declares at the top level, and the identifiers
each file uses that resolve to package level (not to a parameter, a local variable, a field
or an import of the same spelling).

Resolution here is by syntax, and errs towards "not a reference": an identifier is a use of a
package-level name unless a declaration of the same spelling in an enclosing function, block
or statement could bind it (wherever it stands in that block), it is the key of a composite
literal element (a struct field name there), or its file has a dot import (whose names are
unknown without the imported package).  Methods are not names of the package scope.
"""
from __future__ import annotations

from tree_sitter import Node

from .goflow import _memo, text
from .model import GoFile
from .sketch import model_words

# The universe scope: a package-level declaration of one of these shadows it, but where that
# declaration is left out the name still means the builtin, so it is never undefined.
PREDECLARED = frozenset({
    "any", "bool", "byte", "comparable", "complex64", "complex128", "error", "float32", "float64",
    "int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16",
    "uint32", "uint64", "uintptr", "true", "false", "iota", "nil", "append", "cap", "clear",
    "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new", "panic",
    "print", "println", "real", "recover",
})

# Nodes that open a scope for what is declared directly inside them (function parameters,
# ``if x := ...``, ``for i := range``, ``switch v := x.(type)``, a case clause, a block).
_SCOPES = frozenset({
    "function_declaration", "method_declaration", "func_literal", "block", "statement_list",
    "for_statement", "if_statement", "expression_switch_statement", "type_switch_statement",
    "expression_case", "type_case", "default_case", "communication_case", "select_statement",
})
_NAMED_SPECS = frozenset({
    "parameter_declaration", "variadic_parameter_declaration", "type_parameter_declaration",
    "var_spec", "const_spec", "type_spec", "type_alias",
})


def top_level_names(file: GoFile) -> frozenset[str]:
    """Functions (not methods), variables, constants and types the file declares at package
    level (``_`` and ``init`` are not names)."""
    def compute() -> frozenset[str]:
        sketched = file.sketched_names()  # a deferred file's, without its parse
        if sketched is not None:
            return sketched
        # Functions by the model's declarations: a big file's pieces are not parsed again.
        out = {name for name, decls in file.declarations.items() if any(d.kind == "func" for d in decls)}
        for child in file.top_level("var_declaration", "const_declaration", "type_declaration"):
            # The specs' names only: an initializer can be a table of thousands of nodes.
            for spec in _specs(child):
                # The grammar gives a name list's commas the field too: ``const a, b = 1, 2``.
                for n in spec.children_by_field_name("name"):
                    if n.is_named:
                        out.add(text(file, n))
        out.discard("_")
        out.discard("init")
        return frozenset(out)

    return _memo(file, "scope.top_level_names", compute)


def _specs(decl: Node) -> list[Node]:
    """The var, const or type specs of a declaration, grouped in parentheses or not."""
    out = []
    for c in decl.named_children:
        if c.type in _NAMED_SPECS:
            out.append(c)
        elif c.type.endswith("_spec_list"):
            out.extend(s for s in c.named_children if s.type in _NAMED_SPECS)
    return out


def has_dot_import(file: GoFile) -> bool:
    return any(i.name == "." for i in file.imports)


def words(file: GoFile) -> frozenset[bytes]:
    """Every word the file's bytes spell (:func:`codemod.sketch.words_of`), once per parse: a
    file whose words lack a name has no identifier of that name, so neither declares nor uses
    it, and its tree need not be searched."""
    return model_words(file)


def package_references(file: GoFile, names) -> dict[str, list[Node]]:
    """The identifiers in ``file`` that refer to the package-level ``names`` (see the module
    doc for what does not count); the file's own top-level declarations are not uses."""
    out = {}
    spelled = words(file)
    for name in names:
        if name.encode("utf-8") not in spelled:
            continue  # not spelled anywhere in the file
        uses = _memo(file, ("scope.uses", name), lambda name=name: _uses_of(file, name))
        if uses:
            out[name] = uses
    return out


def _identifiers_spelled(file: GoFile, name: str) -> list[Node]:
    """The ``identifier`` and ``type_identifier`` nodes whose text is ``name``, in source order.

    Found from the bytes: every such node starts where the file spells ``name``, so only those
    places are looked at in the tree (a rule asks about a few names; walking every identifier
    of every file of a package for them cost seconds)."""
    word = name.encode("utf-8")
    source, root = file.source, file.root
    out = []
    at = source.find(word)
    while at >= 0:
        end = at + len(word)
        n = root.descendant_for_byte_range(at, end)
        if n is not None and n.start_byte == at and n.end_byte == end \
                and n.type in ("identifier", "type_identifier"):
            out.append(n)
        at = source.find(word, end)
    return out


def _uses_of(file: GoFile, name: str) -> list[Node]:
    if name == "_" or name in _imported(file):
        return []
    local = []  # the scopes of the name's local declarations
    candidates = []
    for n in _identifiers_spelled(file, name):
        if n.parent is not None and n.parent.type == "function_declaration" \
                and n.parent.child_by_field_name("name") == n:
            continue  # the function's own name (its result type is a use)
        if n.parent is not None and n.parent.type == "qualified_type":
            continue  # the T of testing.T names another package's type
        if _declares(n) or _declared_by_statement(n):
            scope = _scope_of(n)
            if scope is not None:
                local.append(scope)
            continue
        if _is_element_key(n):
            continue
        candidates.append(n)
    return [n for n in candidates
            if not any(s.start_byte <= n.start_byte and n.end_byte <= s.end_byte for s in local)]


def _imported(file: GoFile) -> frozenset[str]:
    return _memo(file, "scope.imported", lambda: frozenset(
        i.local_name for i in file.imports if i.name not in ("_", ".")))


def _declares(n: Node) -> bool:
    """``n`` is the name in a parameter, var, const or type declaration."""
    p = n.parent
    return p is not None and p.type in _NAMED_SPECS and any(c == n for c in p.children_by_field_name("name"))


def _declared_by_statement(n: Node) -> bool:
    """``n`` is on the left of ``:=`` (a short variable declaration, a range or receive clause
    that declares), or the ``v`` of ``switch v := x.(type)``."""
    lst = n.parent
    if lst is None or lst.type != "expression_list":
        return False
    stmt = lst.parent
    if stmt is None:
        return False
    if stmt.type == "type_switch_statement":
        return stmt.child_by_field_name("alias") == lst
    if stmt.type == "short_var_declaration":
        return stmt.child_by_field_name("left") == lst
    if stmt.type in ("range_clause", "receive_statement"):
        return stmt.child_by_field_name("left") == lst and any(c.type == ":=" for c in stmt.children)
    return False


def _scope_of(n: Node) -> Node | None:
    """The scope a local declaration binds in; None at package level."""
    p = n.parent
    while p is not None:
        if p.type in _SCOPES:
            return p
        if p.type == "source_file":
            return None
        p = p.parent
    return None


def _is_element_key(n: Node) -> bool:
    """``n`` is the key of ``T{key: v}``: a field name for a struct, which syntax cannot tell."""
    elem = n.parent
    if elem is None or elem.type != "literal_element":
        return False
    keyed = elem.parent
    return keyed is not None and keyed.type == "keyed_element" and keyed.named_children[:1] == [elem]
