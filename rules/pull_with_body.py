"""pull-with-body (LN002): a function with a body names, with ``//go:linkname``, a symbol the
standard library already defines: duplicated definition.

## What it does
Flags a function that names a symbol of another package with the two-argument form
``//go:linkname local path.name`` and also has a body, when the standard library of a Go
release and platform the file is built for defines ``path.name`` itself.

## Why is this bad?
A directive on a declaration with a body does not borrow the symbol, it defines it (a
"push").  When the standard library defines the same symbol (as the runtime defines
``runtime.nanotime``) the link fails with ``duplicated definition of symbol path.name``.

A push of a symbol nobody else defines is how packages hand functions to each other and is
not reported: ``//go:linkname isNil routine.isNil`` with a body defines ``routine.isNil``
for a body-less declaration elsewhere to pull, and ``//go:linkname getgp runtime.getgp`` with
a body defines ``runtime.getgp``, a name std never uses.  Neither is a push into a
third-party package, whose source gofix-linkname does not judge, nor the one-argument form,
nor a target in the module itself.

## Go releases affected
Every release whose standard library defines the target, measured on Go 1.21 through 1.27.

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
Safe: the body never ran, because the program did not link with it.  Imports used only by
the body are removed with it.
"""
from __future__ import annotations

from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.linkset import std_defines
from codemod.model import is_std_path
from codemod.pulls import is_pull
from codemod.rule import Context, FixAvailability, Rule
from codemod.versions import format_releases, releases_of


def check(ctx: Context):
    f = ctx.file
    matrix = ctx.build_matrix
    if not matrix:
        return
    for d in f.directives:
        decl = d.declaration
        if d.target is None or decl is None or decl.kind != "func" or not decl.has_body:
            continue
        pkg = d.target_package
        if not pkg or not is_pull(ctx, pkg) or not is_std_path(pkg):
            continue
        clashes = std_defines(d.target, matrix)
        if not clashes:
            continue  # nothing else defines the symbol: this body is its definition (a push)
        releases = releases_of(clashes)
        when = "on every Go release" if releases == releases_of(matrix) \
            else f"on {format_releases(releases)}"
        body = decl.body
        # Delete from the end of the signature through the closing brace, so the declaration
        # ends where the signature does.
        start = body.prev_sibling.end_byte if body.prev_sibling is not None else body.start_byte
        # Imports only the body used are dropped by the engine after the pass.
        edits = [TextEdit(f.path, start, body.end_byte, "")]
        fix = ctx.fix(f"Remove the body of {d.local}", *edits, safety=Safety.SAFE)
        yield ctx.finding(
            decl.node.child_by_field_name("name"),
            f"{d.local} names {d.target} and also has a body, which defines that symbol a second "
            f'time: the standard library defines it too, so the link fails {when} '
            f'("duplicated definition of symbol {d.target}"); remove the body to pull it instead',
            fix=fix, failing_releases={r: "duplicated" for r in releases},
        )


RULE = Rule(
    code="LN002",
    name="pull-with-body",
    summary="a function with a body names a symbol the standard library defines: duplicated definition",
    severity=Severity.ERROR,
    fix=FixAvailability.ALWAYS,
    fix_safeties=(Safety.SAFE,),
    check=check,
    doc=__doc__,
)
