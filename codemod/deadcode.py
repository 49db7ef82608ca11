"""Branches the gc compiler removes, per build target: a call there never reaches the linker.

The compiler folds conditions it can evaluate at compile time and drops the code they rule
out, even with optimizations off (measured on Go 1.21, 1.23 and 1.27, with and without
``-gcflags=all=-N -l``): ``switch runtime.GOOS { case "darwin": walltime() }`` leaves no
reference to ``runtime.walltime`` on linux, nor does ``if runtime.GOOS == "windows"``, ``if
debug`` with ``const debug = false``, or ``runtime.GOOS == "darwin" && x > 0`` (constant
short-circuit).  A condition that is not constant keeps the reference.

What is evaluated here: ``true``/``false``, package-level constants spelled with them (or
with other foldable expressions), comparisons of ``runtime.GOOS``/``runtime.GOARCH`` with
string literals, ``!``, ``&&``, ``||`` and parentheses; ``if``/``else`` and expression
switches over ``runtime.GOOS``/``runtime.GOARCH`` (or tagless switches whose cases fold).
Anything else is "unknown", which keeps the code.
"""
from __future__ import annotations

from tree_sitter import Node

from .buildconstraint import Target
from .model import GoFile

Unknown = None


def _text(f: GoFile, n: Node) -> str:
    return f.source[n.start_byte:n.end_byte].decode("utf-8", "replace")


def bool_constants(files) -> dict[str, tuple[GoFile, Node]]:
    """Package-level ``const name = expr`` (single name, untyped or bool) of the package."""
    out: dict[str, tuple[GoFile, Node]] = {}
    for f in files:
        for decl in f.top_level("const_declaration"):
            for spec in decl.named_children:
                if spec.type != "const_spec":
                    continue
                names = spec.children_by_field_name("name")
                value = spec.child_by_field_name("value")
                typ = spec.child_by_field_name("type")
                if len(names) != 1 or value is None or value.named_child_count != 1:
                    continue
                if typ is not None and _text(f, typ) != "bool":
                    continue
                out[_text(f, names[0])] = (f, value.named_children[0])
    return out


def _runtime_name(f: GoFile) -> str | None:
    imp = f.import_of("runtime")
    if imp is None or imp.name in ("_", "."):
        return None
    return imp.local_name


def _string_value(f: GoFile, n: Node, t: Target) -> str | None:
    if n.type == "interpreted_string_literal":
        raw = _text(f, n)[1:-1]
        return raw if "\\" not in raw else None
    if n.type == "raw_string_literal":
        return _text(f, n)[1:-1]
    if n.type == "parenthesized_expression" and n.named_child_count == 1:
        return _string_value(f, n.named_children[0], t)
    if n.type == "selector_expression":
        operand, field = n.child_by_field_name("operand"), n.child_by_field_name("field")
        rt = _runtime_name(f)
        if rt and operand is not None and operand.type == "identifier" and _text(f, operand) == rt:
            name = _text(f, field)
            if name == "GOOS":
                return t.goos
            if name == "GOARCH":
                return t.goarch
    return None


def evaluate(f: GoFile, n: Node, t: Target, consts, depth: int = 0) -> bool | None:
    """The value of boolean expression ``n`` on target ``t`` when the compiler can fold it."""
    if depth > 8:
        return Unknown
    kind = n.type
    if kind == "true":
        return True
    if kind == "false":
        return False
    if kind == "parenthesized_expression" and n.named_child_count == 1:
        return evaluate(f, n.named_children[0], t, consts, depth + 1)
    if kind == "identifier":
        found = consts.get(_text(f, n))
        if found is None:
            return Unknown
        cf, expr = found
        return evaluate(cf, expr, t, consts, depth + 1)
    if kind == "unary_expression":
        op = n.child_by_field_name("operator")
        if op is not None and _text(f, op) == "!":
            v = evaluate(f, n.child_by_field_name("operand"), t, consts, depth + 1)
            return None if v is None else not v
        return Unknown
    if kind == "binary_expression":
        op = _text(f, n.child_by_field_name("operator"))
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if op in ("&&", "||"):
            a = evaluate(f, left, t, consts, depth + 1)
            if op == "&&" and a is False or op == "||" and a is True:
                return a  # the constant short-circuits the rest, as the compiler folds it
            b = evaluate(f, right, t, consts, depth + 1)
            if op == "&&":
                return False if b is False else (True if a and b else Unknown)
            return True if b is True else (False if a is False and b is False else Unknown)
        if op in ("==", "!="):
            a, b = _string_value(f, left, t), _string_value(f, right, t)
            if a is None or b is None:
                return Unknown
            return (a == b) if op == "==" else (a != b)
    return Unknown


def _case_values(f: GoFile, case: Node) -> list[Node]:
    value = case.child_by_field_name("value")
    return list(value.named_children) if value is not None else []


def _switch_clause_live(f: GoFile, switch: Node, clause: Node, t: Target, consts) -> bool:
    tag = switch.child_by_field_name("value")
    clauses = [c for c in switch.named_children if c.type in ("expression_case", "default_case")]
    if tag is None:
        # switch { case cond: }: a clause runs unless its condition folds to false or an earlier
        # condition folds to true.
        for c in clauses:
            if c.type == "default_case":
                continue
            vals = [evaluate(f, v, t, consts) for v in _case_values(f, c)]
            if c is clause:
                return not (vals and all(v is False for v in vals))
            if any(v is True for v in vals):
                return False
        # The default clause: dead only when an earlier case is constant true.
        return True
    subject = _string_value(f, tag, t)
    if subject is None:
        return True
    if clause.type == "default_case":
        others = [_string_value(f, v, t) for c in clauses if c.type == "expression_case"
                  for v in _case_values(f, c)]
        return not any(o == subject for o in others) or any(o is None for o in others)
    vals = [_string_value(f, v, t) for v in _case_values(f, clause)]
    if any(v is None for v in vals):
        return True
    return subject in vals


def live(f: GoFile, node: Node, t: Target, consts) -> bool:
    """Whether ``node`` survives the compiler's folding of constant branches on ``t``."""
    child, n = node, node.parent
    while n is not None:
        if n.type == "if_statement":
            cond = n.child_by_field_name("condition")
            if cond is not None and child.id != cond.id and child.id != (n.child_by_field_name("initializer") or cond).id:
                v = evaluate(f, cond, t, consts)
                cons, alt = n.child_by_field_name("consequence"), n.child_by_field_name("alternative")
                if cons is not None and child.id == cons.id and v is False:
                    return False
                if alt is not None and child.id == alt.id and v is True:
                    return False
        elif n.type in ("expression_case", "default_case") and n.parent is not None \
                and n.parent.type == "expression_switch_statement":
            value = n.child_by_field_name("value")
            if value is None or child.id != value.id:
                if not _switch_clause_live(f, n.parent, n, t, consts):
                    return False
        child, n = n, n.parent
    return True
