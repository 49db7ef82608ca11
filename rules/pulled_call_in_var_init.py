"""pulled-call-in-var-init (LN204): a pulled function called in a package-level ``var`` initializer.

## What it does
Flags a call of a function pulled with ``//go:linkname`` in the initializer of a package-level
variable, such as ``var startupTime = runtimeNano()``, and offers to move the assignment into
an ``init()`` function of the same file.

## Why is this bad?
Less than is often said.  Package-level variables are initialized after the runtime has
started, and the common claim that ``runtime.nanotime`` returns 0 or garbage there is wrong:
measured on Go 1.21 through 1.27 (linux/amd64), ``runtime.nanotime``, ``runtime.cputicks``,
``time.now``, ``runtime.fastrand``, ``fastrandn`` and ``fastrand64`` (``fastrandu`` on 1.21,
the only release defining it; ``runtime.cheaprand``, ``cheaprandn``, ``cheaprand64``,
``rand`` and ``randn`` on 1.22-1.27, where they exist) all return sane values in a variable
initializer.  For those the finding is info, and its message names the releases on which the
pull links.

The names are kept, not redirected: a pull of ``runtime.fastrandn`` links to a symbol of that
name on every release.  On Go 1.21 it is the runtime's own per-thread generator; from Go 1.22
on, ``runtime.fastrand``, ``fastrandn`` and ``fastrand64`` are wrappers the runtime keeps for
old pulls (``legacy_fastrand`` and friends) over ``runtime.rand``, the generator behind
``math/rand/v2``, and not over ``cheaprand``.  The message says so when the module is built
with those releases.

What remains true is that initialization order is not what the source suggests: variables are
initialized in dependency order within a package and packages in import order, so a value
captured "at start-up" is captured whenever this package happens to be initialized.  An
``init()`` function states the order explicitly.  Runtime targets that have not been measured
this way get a warning: a runtime internal makes no promise about what it needs to be ready.

A target defined outside the runtime (another standard-library package, or a third-party one)
runs its package's code, and a pull adds no import: when the pulling package does not import
the target's package, nothing initializes that package before this one (Go 1.21 and later
initialize packages no import orders by import path), and a call before it sees its
package-level variables still zero (measured on Go 1.21-1.27: a pulled ``get`` of a map
declared ``var table = map[string]int{"answer": 42}`` returns 0).  That is a warning, without
the ``init()`` fix, which runs before the other package too: importing it (a blank import is
enough) orders it first.  When the package imports it, the finding is info.

## Go releases affected
None fail for the measured targets (Go 1.21-1.27).

## Example
```go
var startupTime = runtimeNano()
```

## Use instead
```go
var startupTime int64

func init() {
	startupTime = runtimeNano()
}
```
The variable keeps its type (written, or the pulled function's result type, through
conversions to basic types and arithmetic with constants); the assignments go, in source
order, at the top of the file's first ``init()``, or into a new one after the last moved
declaration.  A specification declaring several names, or whose type cannot be told from the
source, is reported without a fix.

## Fix safety
Unsafe: the variable is zero until ``init()`` runs.  Package-level initializers and earlier
``init()`` functions that read it see 0 instead of a reading; a variable that another
package-level initializer of the same package reads is therefore never moved.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from tree_sitter import Node

from codemod import goflow, knowledge, scope
from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.model import GoFile, is_std_path, package_of
from codemod.replacements import RANDOM_FAMILY
from codemod.rule import Context, FixAvailability, Rule
from codemod.pulls import package_func_pulls, package_imports
from codemod.versions import format_releases, key

# Measured: a package-level initializer calling these returns sane values on every release in
# which the pull links, Go 1.21-1.27, linux/amd64 (see the module docstring;
# tests/test_var_init_e2e.py runs them).
MEASURED_SANE = frozenset({
    "runtime.nanotime", "runtime.cputicks", "time.now", "runtime.fastrand", "runtime.fastrandn",
    "runtime.fastrand64", "runtime.fastrandu", "runtime.cheaprand", "runtime.cheaprandn",
    "runtime.cheaprand64", "runtime.rand", "runtime.randn",
})


@functools.lru_cache(maxsize=None)
def links_on(target: str) -> tuple[str, ...]:
    """The indexed releases on which a pull of ``target`` links (linux/amd64, where the values
    were measured)."""
    return tuple(r for r in knowledge.RELEASES if knowledge.lookup(target, r).status == "ok")


@functools.lru_cache(maxsize=None)
def home_package(target: str) -> str:
    """The package whose code a call of the pull runs: for a standard-library target, the
    package the knowledge base says defines it (``runtime`` for ``time.now``), else the
    target's own package."""
    pkg = package_of(target)
    if is_std_path(pkg):
        for r in reversed(knowledge.RELEASES):
            sym = knowledge.lookup(target, r).symbol
            if sym is not None:
                return sym.package
    return pkg


def _runtime_side(pkg: str) -> bool:
    """The runtime, or a standard-library package no user package can import (initialized
    with the standard library that needs it, never ordered by an import of the puller)."""
    return pkg == "runtime" or (is_std_path(pkg) and "internal" in pkg.split("/"))


def unordered(ctx: Context, target: str) -> bool:
    """Whether nothing orders the initialization of the package ``target`` runs in before this
    one: it is neither measured, nor the runtime's side, nor imported by this package."""
    home = home_package(target)
    return target not in MEASURED_SANE and not _runtime_side(home) and not package_imports(ctx, home)


def measured_claim(target: str, releases: tuple[str, ...]) -> str:
    """What was measured for ``target``, release by release, for a module built with ``releases``."""
    linked = links_on(target)
    claim = f"measured on {format_releases(linked)}"
    if len(linked) < len(knowledge.RELEASES):
        claim += " (the releases on which the pull links)"
    claim += " it returns sane values there"
    gen = RANDOM_FAMILY.get(target)
    if gen is not None and gen.wrapper_since and any(key(r) >= key(gen.wrapper_since) for r in releases):
        claim += (f" (from Go {gen.wrapper_since} on, {target} is a wrapper the runtime keeps for old "
                  f"pulls, over {gen.wraps})")
    return claim

_BASIC = frozenset(
    "int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr byte rune float32 float64 "
    "string bool".split())
_ARITH = frozenset({"+", "-", "*", "/", "%", "&", "|", "^", "&^"})
_LITERALS = frozenset({"int_literal", "float_literal", "imaginary_literal", "rune_literal"})


@dataclass(frozen=True)
class Pull:
    target: str
    result: str | None  # the single result type, None when none or several


def pulls(ctx: Context) -> dict[str, Pull]:
    """The package's function pulls by local name; the same for every file of the package, so
    worked out once per package and pass."""
    def compute() -> dict[str, Pull]:
        out = {}
        for f, d in package_func_pulls(ctx):
            out.setdefault(d.local, Pull(d.target, goflow.single_result_type(f, d.declaration.node)))
        return out

    if not ctx.siblings:
        return compute()
    return ctx.package.shared(("var-init pulls", ctx.file.package), compute)


def infer_type(f: GoFile, expr: Node, known: dict[str, Pull]) -> str | None:
    """The type of an initializer built from a pulled call, when the source alone tells it."""
    t = expr.type
    if t == "parenthesized_expression" and expr.named_children:
        return infer_type(f, expr.named_children[0], known)
    if t == "call_expression":
        fn = expr.child_by_field_name("function")
        name = goflow.text(f, fn)
        if fn.type == "identifier" and name in known:
            return known[name].result
        args = expr.child_by_field_name("arguments")
        if name in _BASIC and args is not None and len(args.named_children) == 1:
            return name  # a conversion to a predeclared type
        return None
    if t == "type_conversion_expression":
        typ = expr.child_by_field_name("type")
        return goflow.text(f, typ) if typ is not None and goflow.text(f, typ) in _BASIC else None
    if t == "binary_expression":
        op = goflow.text(f, expr.child_by_field_name("operator"))
        if op not in _ARITH:
            return None
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        lt = None if left.type in _LITERALS else infer_type(f, left, known)
        rt = None if right.type in _LITERALS else infer_type(f, right, known)
        if left.type in _LITERALS:
            return rt
        if right.type in _LITERALS:
            return lt
        return lt if lt is not None and lt == rt else None
    return None


@dataclass
class Site:
    spec: Node  # the var_spec
    call: Node  # the pulled call in its initializer
    local: str
    pull: Pull
    name: str | None  # the single name, None when the spec declares several
    type: str | None  # the variable's type, None when unknown
    blocked: str | None  # why the assignment cannot move


def _top_level_specs(f: GoFile):
    for child in f.top_level("var_declaration"):
        for spec in goflow.walk(child, into_functions=False):
            if spec.type == "var_spec":
                yield spec


def _readers(ctx: Context, name: str, own: Node) -> str | None:
    """Where a package-level initializer or an init() of the package reads ``name``."""
    for g in ctx.siblings.values() or [ctx.file]:
        if g.package != ctx.file.package:
            continue
        for spec in _top_level_specs(g):
            if spec.id == own.id:
                continue
            value = spec.child_by_field_name("value")
            if value is not None and goflow.references(g, name, value):
                return f"the initializer at {g.path.name}:{spec.start_point[0] + 1} reads {name}"
    return None


def sites(ctx: Context, known: dict[str, Pull]) -> list[Site]:
    f = ctx.file
    out = []
    for spec in _top_level_specs(f):
        value = spec.child_by_field_name("value")
        if value is None:
            continue
        calls = [c for c in goflow.calls_to(f, set(known), value)
                 if goflow.enclosing_function(c) is None]  # not inside a func literal
        names = [goflow.text(f, n) for n in spec.children_by_field_name("name")]
        for call in calls:
            local = goflow.text(f, call.child_by_field_name("function"))
            single = names[0] if len(names) == 1 and len(value.named_children) == 1 else None
            typ = None
            blocked = None
            if single is None:
                blocked = "the declaration has several names"
            else:
                written = spec.child_by_field_name("type")
                typ = goflow.text(f, written) if written is not None else \
                    infer_type(f, value.named_children[0], known)
                if typ is None:
                    blocked = "its type cannot be told from the source"
                elif single == "_":
                    blocked = "it is the blank identifier"
                else:
                    blocked = _readers(ctx, single, spec)
            out.append(Site(spec, call, local, known[local], single, typ, blocked))
    return out


def _first_init(f: GoFile) -> Node | None:
    return next((d.node for d in f.declarations.get("init", ()) if d.kind == "func"), None)


def move_fix(ctx: Context, movable: list[Site]):
    f = ctx.file
    edits = []
    lines = []
    seen = set()
    for s in movable:
        if s.spec.id in seen:
            continue
        seen.add(s.spec.id)
        value = s.spec.child_by_field_name("value")
        written = s.spec.child_by_field_name("type")
        if written is not None:  # ``x T = v`` -> ``x T``
            edits.append(TextEdit(f.path, written.end_byte, s.spec.end_byte, ""))
        else:  # ``x = v`` -> ``x T``, keeping the alignment gofmt gave the group
            eq = next(c for c in s.spec.children if c.type == "=")
            edits.append(TextEdit(f.path, eq.start_byte, s.spec.end_byte, s.type))
        lines.append(f"{s.name} = {goflow.text(f, value)}")
    init = _first_init(f)
    if init is not None:
        body = init.child_by_field_name("body")
        at = body.start_byte + 1
        ind = f.indentation(init.start_byte) + "\t"
        edits.append(TextEdit(f.path, at, at, "".join(f"\n{ind}{line}" for line in lines)))
        where = "to the top of init()"
    else:
        last = max(movable, key=lambda s: s.spec.end_byte).spec
        stmt = last
        while stmt.parent is not None and stmt.parent.type != "source_file":
            stmt = stmt.parent
        at = f.line_end(stmt.end_byte - 1)
        body = "".join(f"\t{line}\n" for line in lines)
        edits.append(TextEdit(f.path, at, at, f"\nfunc init() {{\n{body}}}\n"))
        where = "into a new init()"
    names = ", ".join(s.name for s in movable if s.name)
    return ctx.fix(
        f"Move the initialization of {names} {where}", *edits, safety=Safety.UNSAFE,
        why_unsafe="the variable is zero until init() runs: package-level initializers and earlier "
                   "init() functions that read it see 0")


def check(ctx: Context):
    known = pulls(ctx)
    if not known:
        return
    if scope.words(ctx.file).isdisjoint(name.encode("utf-8") for name in known):
        return  # no call of a pull where the file does not spell its name
    found = sites(ctx, known)
    for s in found:
        home = home_package(s.pull.target)
        if s.blocked is None and unordered(ctx, s.pull.target):
            s.blocked = f"init() runs before {home} is initialized too; import {home}"
    movable = [s for s in found if s.blocked is None]
    order = ("package initialization order follows dependencies, not source order: init() makes "
             "the moment explicit")
    for s in found:
        target = s.pull.target
        where = f"package-level var {s.name}" if s.name else "a package-level var declaration"
        home = home_package(target)
        if target in MEASURED_SANE:
            message = (f"{s.local}() pulls {target} in the initializer of {where}; "
                       f"{measured_claim(target, ctx.releases)}, so nothing breaks today, but {order}")
            severity = Severity.INFO
        elif _runtime_side(home):
            what = "a runtime internal" if home == "runtime" else f"an internal of {home}"
            message = (f"{s.local}() pulls {target} in the initializer of {where}; calling {what} "
                       "during package initialization has not been measured safe for "
                       f"{target}, and its readiness is no contract: call it from init() or later")
            severity = Severity.WARNING
        elif not unordered(ctx, target):
            message = (f"{s.local}() pulls {target} in the initializer of {where}; this package "
                       f"imports {home}, which is therefore initialized first, so nothing breaks "
                       f"today, but {order}")
            severity = Severity.INFO
        else:
            message = (f"{s.local}() pulls {target} in the initializer of {where}, but a pull adds no "
                       f"import and this package does not import {home}: unless one of its imports "
                       f"does, nothing initializes {home} first, and a call before it sees its "
                       f"package-level variables still zero; moving the call into init() does not "
                       f"help, importing {home} does (a blank import is enough)")
            severity = Severity.WARNING
        if s.blocked is None:
            yield ctx.finding(s.call, message, fix=move_fix(ctx, movable), severity=severity)
        else:
            yield ctx.finding(s.call, message, severity=severity, fix_withheld=f"not moved: {s.blocked}")


RULE = Rule(
    code="LN204",
    name="pulled-call-in-var-init",
    summary="a function pulled with //go:linkname is called in a package-level var initializer",
    severity=Severity.INFO,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.UNSAFE,),
    check=check,
    follows_calls=True,
    doc=__doc__,
)
