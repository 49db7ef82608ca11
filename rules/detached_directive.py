"""detached-directive (LN003): a ``//go:linkname`` that does not stand right above its declaration.

## What it does
Flags a directive separated from the declaration it names by a blank line or by other code,
or placed after it.

## Why is this bad?
It is a matter of reading, not of building.  The compiler pairs ``//go:linkname local target``
with the declaration named ``local`` anywhere in the file, so a detached directive still
works; measured on Go 1.21 through 1.27, a blank line between directive and declaration
builds and runs correctly.  (A widespread claim says the blank line disables the directive;
it does not.)  But a reader, and ``go doc``, expect a directive in the comment block directly
above what it annotates, and a directive far from its function is easy to miss when the
function is edited or removed.

## Go releases affected
None fail.  Severity is info.

## Example
```go
//go:linkname nanotime runtime.nanotime

func nanotime() int64
```

## Use instead
```go
//go:linkname nanotime runtime.nanotime
func nanotime() int64
```

## Fix safety
Safe.  When only blank lines separate the two, they are removed; otherwise the directive line
moves to directly above the declaration (below its doc comment).  The directive's meaning does
not depend on its position.
"""
from __future__ import annotations

from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.model import Declaration, Directive, GoFile
from codemod.rule import Context, FixAvailability, Rule


def _anchor(f: GoFile, decl: Declaration) -> int:
    """Where the declaration's own line begins (the ``func`` line, or the var spec's line)."""
    return f.line_start(decl.span.start)


def attached(f: GoFile, d: Directive, decl: Declaration) -> bool:
    """Directly above: only comment lines (its doc block) between directive and declaration."""
    anchor = _anchor(f, decl)
    if d.line_span.end > anchor:
        return False
    lines = f.source[d.line_span.end:anchor].splitlines()
    return all(line.strip().startswith(b"//") for line in lines)


def _blank_line_at(f: GoFile, offset: int) -> bool:
    return offset < len(f.source) and not f.source[offset:f.line_end(offset)].strip()


def _removal_end(f: GoFile, d: Directive) -> int:
    """End of the directive's line, plus a following blank line when one also precedes it,
    so that moving the directive does not leave two blank lines behind."""
    end = d.line_span.end
    start = d.line_span.start
    before_blank = start == 0 or _blank_line_at(f, f.line_start(start - 1))
    if before_blank and _blank_line_at(f, end):
        return f.line_end(end)
    return end


def check(ctx: Context):
    f = ctx.file
    for d in f.directives:
        decl = d.declaration
        if decl is None or attached(f, d, decl):
            continue
        anchor = _anchor(f, decl)
        between = f.source[d.line_span.end:anchor] if d.line_span.end <= anchor else None
        if between is not None and not between.strip():
            edit = [TextEdit(f.path, d.line_span.end, anchor, "")]
            how = "Remove the blank lines between the directive and its declaration"
        else:
            indent = f.indentation(decl.span.start)
            directive = f.text(d.span)
            edit = [TextEdit(f.path, d.line_span.start, _removal_end(f, d), ""),
                    TextEdit(f.path, anchor, anchor, f"{indent}{directive}\n")]
            how = f"Move the directive above {d.local}"
        place = "after" if d.span.start > decl.span.start else "apart from"
        yield ctx.finding(
            d.span,
            f"//go:linkname for {d.local} stands {place} its declaration (line {decl.span.line}); "
            "the compiler still pairs them by name on Go 1.21-1.27, so this builds, but keep the "
            "directive directly above the declaration where readers look for it",
            fix=ctx.fix(how, *edit, safety=Safety.SAFE),
        )


RULE = Rule(
    code="LN003",
    name="detached-directive",
    summary="a //go:linkname directive is not directly above its declaration (style only: it still works)",
    severity=Severity.INFO,
    fix=FixAvailability.ALWAYS,
    fix_safeties=(Safety.SAFE,),
    check=check,
    doc=__doc__,
)
