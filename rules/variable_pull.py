"""variable-pull (LN106): a ``//go:linkname`` on a variable that pulls one of the standard library's.

## What it does
Flags every variable pull into the standard library (``var ncpu int32`` linked to
``runtime.ncpu``).  Always a warning; an error on the releases where it goes wrong: the
variable does not exist there, the Go 1.23+ linker refuses it, or the local type's size or
shape differs from the real one.

## Why is this bad?
A variable's identity and layout are not a contract: the runtime renames, retypes and removes
its variables freely.  And a variable pull fails silently, because a variable declaration is
also a definition:

* when the target no longer exists, the declaration defines a new zero-valued variable under
  that name, and the program links and reads 0 (measured: ``runtime.ncpu`` was removed in Go
  1.25; the pull links on 1.25-1.27 and reads 0);
* when the local type is larger than the real one, the local definition wins the linker's
  choice, escapes the 1.23 check and reads neighbouring memory; when it is the same size or
  smaller, the Go 1.23+ linker refuses an unmarked target (``invalid reference to
  runtime.ncpu`` on 1.23 and 1.24).

## Go releases affected
Per target; the message and ``go_versions`` name them.  The check reads the sources of each
release (type and existence), never only whether the program links.

## Example
```go
//go:linkname ncpu runtime.ncpu
var ncpu int32
```

## Use instead
```go
var ncpu = int32(runtime.NumCPU())
```

## Fix safety
Offered when the replacement table has a public API for the variable (``runtime.ncpu``:
``runtime.NumCPU()``, which returns the CPU count the runtime measured at start-up, the value
``ncpu`` held).  Safe for reads, which are what such pulls do; writes to the local variable no
longer reach the runtime (which was never a supported thing to do).
"""
from __future__ import annotations

from codemod import abi
from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.fixkit import coalesce, header_text, remove_directive
from codemod.replacements import companion, replacement_for
from codemod.rule import Context, FixAvailability, Rule
from codemod.versions import describe_failures

from codemod.pulls import defined_anywhere, lookups, real_symbol, std_pull, where


def _size(leaves) -> int:
    return sum(leaf.size for leaf in leaves)


def _shape(type_text: str, goarch: str, resolve=None):
    s = abi.shape_of_text(f"func() {type_text}", resolve or (lambda n: None), goarch) if type_text else None
    return s.results if s is not None else None


def _fix(ctx: Context, d):
    f = ctx.file
    lang = ctx.language
    c = companion(d.target, header_text(f, d.declaration), lang)
    if c is None:
        return None
    decl = d.declaration
    value = c.code.strip().split(" = ", 1)[1]
    typ = decl.node.child_by_field_name("type")
    # ``ncpu  int32`` -> ``ncpu  = int32(runtime.NumCPU())``: the spacing gofmt chose stays.
    edits = [remove_directive(f, d),
             TextEdit(f.path, typ.start_byte, decl.node.end_byte, f"= {value}")]
    # The engine drops the blank unsafe import with the file's last directive.
    requests = [ctx.add_import(p, n) for p, n in c.imports]
    return ctx.fix(f"Replace the pull of {d.target} with {replacement_for(d.target, lang).api}",
                   *coalesce(edits), *requests, safety=c.safety, why_unsafe=c.why_unsafe)


def check(ctx: Context):
    f = ctx.file
    if not ctx.build_matrix:
        return
    resolve = abi.package_resolver(ctx)
    for d in f.directives:
        if not std_pull(ctx, d) or d.declaration.kind != "var" or not defined_anywhere(d):
            continue
        typ = d.declaration.node.child_by_field_name("type")
        local_type = f.text(typ) if typ is not None else ""
        failing: dict[str, str] = {}
        notes: dict[str, str] = {}
        looked = lookups(ctx, d)
        for t, lk in looked.items():
            status = lk.status
            if status == "undefined":
                failing.setdefault(t.release, "undefined")
                continue
            real = _shape(lk.symbol.signature, t.goarch) if lk.symbol else None
            local = _shape(local_type, t.goarch, resolve)
            if real is None or local is None:
                if status == "blocked":
                    failing.setdefault(t.release, "blocked")
                continue
            if status == "blocked" and _size(local) > _size(real):
                failing[t.release] = "type-mismatch"
                notes["type-mismatch"] = (f"{local_type} is {_size(local)} bytes where the real variable is "
                                          f"{_size(real)}: the larger local definition wins the link, escapes "
                                          f"the linker's check and reads past the real variable")
            elif status == "blocked":
                failing.setdefault(t.release, "blocked")
            elif local != real:
                failing[t.release] = "type-mismatch"
                notes["type-mismatch"] = (f"{local_type} ({_size(local)} bytes) does not have the layout of "
                                          f"the real {lk.symbol.signature} ({_size(real)} bytes)")
        failing = {r: failing[r] for r in sorted(failing, key=lambda r: tuple(map(int, r.split("."))))}
        sym, rel = real_symbol(ctx, d)
        msg = f"{d.local} pulls the variable {d.target}"
        if sym is not None:
            msg += f" ({where(sym)}, Go {rel})"
        verbs = {"blocked": 'refused by the linker ("invalid reference to ' + d.target + '")',
                 "undefined": "absent, so this declaration defines a new zero-valued variable and the "
                              "program reads 0",
                 "type-mismatch": "of another size or layout"}
        if failing:
            msg += ": " + describe_failures(failing, verbs)
            # Say where, when the variable is missing on some platforms of those releases only.
            partial = {t.release for t, lk in looked.items() if lk.status == "undefined"} & \
                {t.release for t, lk in looked.items() if lk.status != "undefined"}
            absent = sorted({f"{t.goos}/{t.goarch}" for t, lk in looked.items()
                             if lk.status == "undefined" and t.release in partial})
            present = {f"{t.goos}/{t.goarch}" for t, lk in looked.items()
                       if lk.status != "undefined" and t.release in partial}
            if absent and present:
                msg += f" (absent on {', '.join(absent)}; defined on {', '.join(sorted(present))})"
            if "type-mismatch" in notes:
                msg += f" ({notes['type-mismatch']})"
        msg += "; a variable's identity and layout are not a contract of its package"
        rep = replacement_for(d.target, ctx.language)
        fix = _fix(ctx, d) if rep is not None else None
        if rep is not None:
            msg += f"; public API: {rep.api}"
        yield ctx.finding(d.span, msg, fix=fix, failing_releases=failing or None,
                          severity=Severity.ERROR if failing else Severity.WARNING)


RULE = Rule(
    code="LN106",
    name="variable-pull",
    summary="a //go:linkname variable pulls one of the standard library's, whose identity and layout are no contract",
    severity=Severity.WARNING,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE, Safety.UNSAFE,),
    check=check,
    doc=__doc__,
)
