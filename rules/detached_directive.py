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
not depend on its position.  Where the directive joins a doc comment, a bare ``//`` line
separates the text from it, as gofmt wants.  A block of directives stacked right above the
declarations they name (``//go:linkname a a`` and ``//go:linkname b b`` over ``var a`` and
``var b = &a``) counts as attached and is left alone.
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
    """Directly above: only comment lines (its doc block) between directive and declaration;
    or a stack: the directive is in one block of comment lines right above a run of
    declarations (no blank line) that the block's directives name, its own among them
    (``//go:linkname a a`` / ``//go:linkname b b`` over ``var a`` / ``var b = &a``)."""
    anchor = _anchor(f, decl)
    if d.line_span.end > anchor:
        return False
    lines = f.source[d.line_span.end:anchor].splitlines()
    if all(line.strip().startswith(b"//") for line in lines):
        return True
    if any(not line.strip() for line in lines):
        return False
    # The comment block holding d: the lines from d down to the first line that is not a comment.
    block_end = d.line_span.end
    while block_end < anchor and f.source[block_end:f.line_end(block_end)].strip().startswith(b"//"):
        block_end = f.line_end(block_end)
    stacked = {x.local for x in f.directives if d.line_span.start <= x.line_span.start < block_end}
    block_start = d.line_span.start
    while block_start > 0 and f.source[f.line_start(block_start - 1):block_start].strip().startswith(b"//"):
        block_start = f.line_start(block_start - 1)
    stacked |= {x.local for x in f.directives if block_start <= x.line_span.start < d.line_span.start}
    # Every declaration starting between the block and d's declaration is one of the stack's.
    for name, decls in f.declarations.items():
        for other in decls:
            if block_end <= other.span.start < anchor and name not in stacked:
                return False
    return True


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


def _text_comment_ends_at(f: GoFile, offset: int) -> bool:
    """The line before ``offset`` is a comment line of text (not a directive, not a bare ``//``)."""
    if offset == 0:
        return False
    line = f.source[f.line_start(offset - 1):offset].strip()
    if not line.startswith(b"//") or line == b"//":
        return False
    return not _is_directive(line[2:])


def _is_directive(text: bytes) -> bool:
    """go/printer's notion: ``//go:x``, ``//line``, ``//extern``, ``//export``, ``//sys``..."""
    import re
    return bool(re.match(rb"(line |extern |export |[a-z0-9]+:[a-z0-9])", text))


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
            if _text_comment_ends_at(f, d.line_span.start):
                # The comment above becomes the declaration's doc comment: gofmt separates its
                # text from the directives with a bare ``//`` line.
                edit.append(TextEdit(f.path, d.line_span.start, d.line_span.start,
                                     f"{f.indentation(d.span.start)}//\n"))
            how = "Remove the blank lines between the directive and its declaration"
        else:
            indent = f.indentation(decl.span.start)
            directive = f.text(d.span)
            sep = f"{indent}//\n" if _text_comment_ends_at(f, anchor) else ""
            edit = [TextEdit(f.path, d.line_span.start, _removal_end(f, d), ""),
                    TextEdit(f.path, anchor, anchor, f"{sep}{indent}{directive}\n")]
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
