"""signature-mismatch (LN103): the local declaration of a pull does not have the target's ABI shape.

## What it does
Compares the local declaration of each function pull into the standard library with the
target's real signature, on every release and platform where the pull links, by ABI shape:
the count and order of parameters and results, each value's size and register class.  Names
and the spelling of pointer-shaped types (``*T``, ``unsafe.Pointer``, maps, chans, funcs) do
not matter; strings, slices, interfaces and structs expand to their words.  Types whose layout
cannot be known (a runtime type such as ``waitReason`` taken by value) are not judged.

## Why is this bad?
The linker binds by name only; nothing checks the types.  A call through a wrong declaration
passes arguments in registers the target does not read, or reads results the target never
wrote: the program builds and computes garbage.  Measured: ``fastrand() (uint32, error)``
builds on Go 1.21-1.27 and its ``err`` is non-nil garbage on 1.22 and 1.23.

Three differences are warnings rather than errors, because on the little-endian register ABIs
(amd64, arm64) what the call computes is still right:

* an integer parameter declared wider than the target's (``rtExit(code int)`` for
  ``runtime.exit(code int32)``): the target reads the low bits of the register, correct for
  values within its type (measured: ``fastrandn(n uint64)`` for ``fastrandn(n uint32)`` gave
  0 of 100,000 results out of range on Go 1.21 and 1.27, linux/amd64);
* an integer result declared narrower than the target's: callers see its low bits;
* a result the target does not return, when every call discards it.

A parameter declared narrower, or a result declared wider, is an error: the callee or the
caller reads bits nobody wrote (measured: ``fastrand() uint64`` for ``fastrand() uint32`` had
its upper 32 bits set in 100,000 of 100,000 calls on Go 1.21 and 1.27).  When the target's
types are runtime-internal (``stopTheWorld(reason stwReason)``) the counts of parameters and
results are still compared.

## Go releases affected
The releases where the target's signature differs from the declaration (signatures change:
``runtime.gcount`` takes a ``bool`` from Go 1.27).  The message cites the real signature and
the file that defines it.

## Example
```go
//go:linkname procUnpin runtime.procUnpin
func procUnpin() int
```

## Use instead
```go
//go:linkname procUnpin runtime.procUnpin
func procUnpin()
```

## Fix safety
Safe, and offered only when the declaration alone changes and every use still compiles: the
local declares results the target does not return (or none where it returns some of a
predeclared type), the parameters agree, and every reference to the function in the package
is a call used as a statement.  That needs every file of the package in view; otherwise, and
for any other difference, the finding is reported without a fix.
"""
from __future__ import annotations


from codemod import abi
from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.model import captures
from codemod.rule import Context, FixAvailability, Rule
from codemod.versions import format_releases

from codemod.pulls import lookups, std_pull

_PREDECLARED = frozenset("bool int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr "
                         "float32 float64 string byte rune".split())


def _all_statement_calls(ctx: Context, name: str, decl_name_node) -> bool:
    """Every reference to ``name`` in the package is ``name(...)`` used as a statement."""
    for f in ctx.siblings.values():
        for root in f.pieces():
            for ident in captures("(identifier) @i", root).get("i", []):
                if f.text(ident) != name or (f is ctx.file and ident.start_byte == decl_name_node.start_byte):
                    continue
                call = ident.parent
                if call is None or call.type != "call_expression" or call.child_by_field_name("function") != ident:
                    return False
                if call.parent is None or call.parent.type not in ("expression_statement", "go_statement",
                                                                   "defer_statement"):
                    return False
    return True


def _whole_package_in_view(ctx: Context) -> bool:
    return ctx.whole_package_seen()


def _fix(ctx: Context, d, local: abi.Shape, real: abi.Shape, real_sig: str):
    decl = d.declaration
    node = decl.node
    if local.params != real.params or local.param_count != real.param_count:
        return None
    if not _whole_package_in_view(ctx) or not _all_statement_calls(ctx, d.local, node.child_by_field_name("name")):
        return None
    params = node.child_by_field_name("parameters")
    result = node.child_by_field_name("result")
    if real.result_count == 0 and result is not None:
        return ctx.fix(f"Remove the results of {d.local}, which {d.target} does not return",
                       TextEdit(ctx.file.path, params.end_byte, result.end_byte, ""), safety=Safety.SAFE)
    if local.result_count == 0 and real.result_count > 0:
        results = abi.results_of_text(real_sig)
        # Only results spelled with predeclared types can be copied without a new import.
        if results is None or not results.text or results.qualified or not results.type_names <= _PREDECLARED:
            return None
        res = results.text
        return ctx.fix(f"Declare the results {res} that {d.target} returns",
                       TextEdit(ctx.file.path, params.end_byte, params.end_byte, f" {res}"), safety=Safety.SAFE)
    return None



def check(ctx: Context):
    f = ctx.file
    if not ctx.build_matrix:
        return
    resolve = abi.package_resolver(ctx)
    for d in f.directives:
        if not std_pull(ctx, d) or d.declaration.kind != "func":
            continue
        shapes: dict[str, abi.Shape | None] = {}
        bad: dict[str, tuple] = {}  # release -> (symbol, local shape, real shape)
        counted: dict[str, tuple] = {}  # release -> (symbol, local arity, real arity)
        kinds: set = set()  # how each mismatch differs: "wider-params", "narrower-results", None
        for t, lk in lookups(ctx, d).items():
            if lk.status != "ok" or lk.symbol is None:
                continue
            if t.goarch not in shapes:
                shapes[t.goarch] = abi.shape_of_decl(f.source, d.declaration.node, resolve, t.goarch)
            local = shapes[t.goarch]
            real = abi.shape_of_symbol(d.target, lk.symbol.signature, lk.symbol.kind, t.goarch)
            if local is None or real is None:
                # Types without a layout here (runtime-internal ones): the count still tells
                # when no layout could make up the difference (a runtime struct may be several
                # values, so one funcInfo result can be two unsafe.Pointer ones).
                mine, theirs = abi.arity_of_decl(d.declaration.node), abi.arity_of_text(lk.symbol.signature)
                bounds_mine = abi.value_bounds_of_decl(f.source, d.declaration.node, resolve, t.goarch)
                bounds_theirs = abi.value_bounds_of_text(lk.symbol.signature, t.goarch)
                if lk.symbol.kind == "method" and theirs is not None:
                    theirs = (theirs[0] + 1, theirs[1])
                    recv = 1 if ".(*" in d.target else None  # a value receiver: layout unknown
                    (pl, pm), res = bounds_theirs
                    bounds_theirs = ((pl + 1, None if pm is None or recv is None else pm + 1), res)
                if theirs is None or bounds_theirs is None:
                    continue
                which = tuple(i for i in (0, 1) if mine[i] != theirs[i]
                              and abi.disjoint(bounds_mine[i], bounds_theirs[i]))
                if which:
                    counted.setdefault(t.release, (lk.symbol, mine, theirs, which))
                continue
            if local == real:
                continue
            widening = abi.integer_widening(local, real)
            kinds.add(widening if t.goarch in abi.LITTLE_ENDIAN_REGISTER_ABI else None)
            bad.setdefault(t.release, (lk.symbol, local, real))
        if not bad and counted:
            yield _arity_finding(ctx, d, counted)
            continue
        if not bad:
            continue
        by_sig: dict[tuple[str, str], list[str]] = {}
        files: dict[str, str] = {}
        for r in sorted(bad, key=lambda r: tuple(map(int, r.split(".")))):
            sym = bad[r][0]
            files[sym.signature] = sym.file  # the newest release's file
        for r, (sym, _, _) in bad.items():
            by_sig.setdefault((sym.signature, files[sym.signature]), []).append(r)
        sym, local, real = next(iter(bad.values()))
        header = f.text(d.declaration.node).split("{", 1)[0].strip() if d.declaration.has_body \
            else f.text(d.declaration.node).strip()
        real_text = "; ".join(f"{d.target} is {sig} in {file} on {format_releases(rs)}"
                              for (sig, file), rs in by_sig.items())
        what = "; ".join(abi.differences(local, real)) or "another ABI shape"
        fix = _fix(ctx, d, local, real, sym.signature) if len(by_sig) == 1 else None
        severity = None
        discarded = (real.result_count == 0 and local.result_count > 0 and local.params == real.params
                     and ctx.whole_package_seen()
                     and _all_statement_calls(ctx, d.local, d.declaration.node.child_by_field_name("name")))
        if kinds == {"wider-params"}:
            severity = Severity.WARNING
            msg = (f"{d.local} is declared `{header}` but {real_text}: an integer parameter is declared "
                   f"wider than the target's; on little-endian register ABIs the target reads the low "
                   f"bits of the register, which are right for values within the target's type, and "
                   f"the rest is silently cut off")
        elif kinds == {"narrower-results"}:
            severity = Severity.WARNING
            msg = (f"{d.local} is declared `{header}` but {real_text}: an integer result is declared "
                   f"narrower than the target's, so callers see only its low bits (on little-endian "
                   f"register ABIs)")
        elif discarded:
            severity = Severity.WARNING
            msg = (f"{d.local} is declared `{header}` but {real_text}: {what}; every call discards "
                   f"the result, so nothing reads the value the target never wrote, but the "
                   f"declaration invites a caller that would")
        else:
            msg = (f"{d.local} is declared `{header}` but {real_text}: {what}, so calls pass or read "
                   f"values the target does not (builds, computes garbage)")
        if fix is None and severity is None:
            msg += "; no automatic fix: call sites may depend on the declared signature"
        yield ctx.finding(d.declaration.node.child_by_field_name("name"), msg, fix=fix, severity=severity,
                          failing_releases={r: "signature-mismatch" for r in sorted(bad, key=lambda r: tuple(map(int, r.split("."))))})


def _arity_finding(ctx: Context, d, counted: dict):
    releases = sorted(counted, key=lambda r: tuple(map(int, r.split("."))))
    sym, mine, theirs, which = counted[releases[-1]]
    f = ctx.file
    header = f.text(d.declaration.node).split("{", 1)[0].strip() if d.declaration.has_body \
        else f.text(d.declaration.node).strip()
    parts = []
    if 0 in which:
        parts.append(f"{mine[0]} parameter{'s' * (mine[0] != 1)} where the target takes {theirs[0]}")
    if 1 in which:
        parts.append(f"{mine[1]} result{'s' * (mine[1] != 1)} where the target returns {theirs[1]}")
    msg = (f"{d.local} is declared `{header}` but {d.target} is {sym.signature} in {sym.file} on "
           f"{format_releases(releases)}: {'; '.join(parts)}, so calls pass or read values the target "
           f"does not (builds, computes garbage)")
    return ctx.finding(d.declaration.node.child_by_field_name("name"), msg,
                       failing_releases={r: "signature-mismatch" for r in releases})


RULE = Rule(
    code="LN103",
    name="signature-mismatch",
    summary="the local declaration of a pull has another ABI shape than the target's real signature",
    severity=Severity.ERROR,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE,),
    check=check,
    doc=__doc__,
)
