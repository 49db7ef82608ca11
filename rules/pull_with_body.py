"""pull-with-body (LN002): a pull ``//go:linkname`` on a function that also has a body.

## What it does
Flags a function that pulls a symbol from another package with the two-argument form
``//go:linkname local path.name`` and also gives ``local`` a body.

## Why is this bad?
A pull borrows a body defined elsewhere; a body here defines the same linker symbol a second
time.  When the target package defines it (as the runtime defines ``runtime.nanotime``) the
link fails with ``duplicated definition of symbol path.name``.

Pushes are legitimate and not reported: the one-argument form, a target in the file's own
package, and a "handshake" that exports a body into another package of the same module.

## Go releases affected
Every release, measured on Go 1.21 through 1.27.

## Example
```go
//go:linkname nanotime runtime.nanotime
func nanotime() int64 { return time.Now().UnixNano() }
```

## Use instead
```go
//go:linkname nanotime runtime.nanotime
func nanotime() int64
```

## Fix safety
Safe when the target is in the standard library: the body never ran, because the program did
not link with it.  Imports used only by the body are removed with it.  Unsafe when the target
is in a third-party module: that package might declare the function without a body and rely
on this one being pushed into it, and then the body must stay.
"""
from __future__ import annotations

from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.model import is_std_path
from codemod.pulls import is_pull
from codemod.rule import Context, FixAvailability, Rule


def check(ctx: Context):
    f = ctx.file
    for d in f.directives:
        decl = d.declaration
        if d.target is None or decl is None or decl.kind != "func" or not decl.has_body:
            continue
        pkg = d.target_package
        if not pkg or not is_pull(ctx, pkg):
            continue
        body = decl.body
        # Delete from the end of the signature through the closing brace, so the declaration
        # ends where the signature does.
        start = body.prev_sibling.end_byte if body.prev_sibling is not None else body.start_byte
        # Imports only the body used are dropped by the engine after the pass.
        edits = [TextEdit(f.path, start, body.end_byte, "")]
        if is_std_path(pkg):
            fix = ctx.fix(f"Remove the body of {d.local}", *edits, safety=Safety.SAFE)
            yield ctx.finding(
                decl.node.child_by_field_name("name"),
                f"{d.local} pulls {d.target} but also has a body: the standard library defines that "
                f'symbol, so the link fails on every Go release with "duplicated definition of '
                f'symbol {d.target}"; remove the body',
                fix=fix,
            )
        else:
            # A package outside the module may declare the function without a body and expect
            # exactly this one (a push): then the body is wanted and removing it breaks the link.
            fix = ctx.fix(f"Remove the body of {d.local}", *edits, safety=Safety.UNSAFE,
                          why_unsafe=f"if {pkg} declares {d.target.rsplit('.', 1)[-1]} without a body "
                                     "and expects this one, the body is a push and must stay")
            yield ctx.finding(
                decl.node.child_by_field_name("name"),
                f"{d.local} pulls {d.target} but also has a body: if {pkg} defines it, the link "
                f'fails with "duplicated definition of symbol {d.target}"',
                fix=fix,
                severity=Severity.WARNING,
            )


RULE = Rule(
    code="LN002",
    name="pull-with-body",
    summary="a function that pulls a symbol with //go:linkname also has a body: duplicated definition",
    severity=Severity.ERROR,
    fix=FixAvailability.ALWAYS,
    fix_safeties=(Safety.SAFE, Safety.UNSAFE,),
    check=check,
    doc=__doc__,
)
