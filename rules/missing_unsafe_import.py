"""missing-unsafe-import (LN001): a ``//go:linkname`` file that does not import ``unsafe``.

## What it does
Flags a Go file that contains a ``//go:linkname`` directive but no import of ``unsafe``
(under any name: plain, blank, or renamed).

## Why is this bad?
The compiler accepts ``//go:linkname`` only in files that import ``unsafe``, because the
directive breaks the type system just as ``unsafe`` does.  Without the import the package does
not compile: ``//go:linkname only allowed in Go files that import "unsafe"``.

## Go releases affected
Every release: the requirement is old.  It is not a Go 1.23 change, whatever is often said;
measured on Go 1.21 through 1.27 with the same error on each.

## Example
```go
package clock

//go:linkname nanotime runtime.nanotime
func nanotime() int64
```

## Use instead
```go
package clock

import _ "unsafe" // for go:linkname

//go:linkname nanotime runtime.nanotime
func nanotime() int64
```

## Fix safety
Safe.  The blank import adds no code; it only permits the directive.  It joins the file's
standard-library import group in sorted position, or becomes a new import declaration after
the package clause.
"""
from __future__ import annotations

from codemod.edits import Safety
from codemod.findings import Severity
from codemod.rule import Context, FixAvailability, Rule


def check(ctx: Context):
    f = ctx.file
    if not f.directives or f.import_of("unsafe"):
        return
    first = f.directives[0]
    fix = ctx.fix('Add the blank import _ "unsafe"', ctx.add_import("unsafe", "_"), safety=Safety.SAFE)
    yield ctx.finding(
        first.span,
        '//go:linkname needs an import of "unsafe" in the same file; no Go release compiles the '
        'file without it: //go:linkname only allowed in Go files that import "unsafe"',
        fix=fix,
    )


RULE = Rule(
    code="LN001",
    name="missing-unsafe-import",
    summary='a file with //go:linkname does not import "unsafe", so it does not compile',
    severity=Severity.ERROR,
    fix=FixAvailability.ALWAYS,
    fix_safeties=(Safety.SAFE,),
    check=check,
    doc=__doc__,
)
