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
Safe.  When only blank lines separate the two (the directive's comment block above, the
declaration, or the run of declarations holding it, below), they are removed; otherwise the
directive line moves to directly above the declaration, below its doc comment.  The
directive's meaning does not depend on its position.  The result is laid out as gofmt wants:
where the directive joins a doc comment, it comes last, after a bare ``//`` line; a directive
moved under another declaration gets a blank line above it.  A note that was not the
declaration's doc comment is not pulled into it, and a floating ``//go:noinline`` (or any other
directive) next to the ``//go:linkname`` is never brought onto a declaration, since that would
change what the compiler does.  A block of directives stacked right above a run of
declarations (no blank line) that holds their own counts as attached and is left alone:
``//go:linkname a a`` and ``//go:linkname b b`` over ``var a`` and ``var b = &a``, or
``//go:linkname b b`` over ``var a T`` and ``var b = &a``.
"""
from __future__ import annotations

from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.fixkit import remove_directive
from codemod.layout import is_directive
from codemod.model import Declaration, Directive, GoFile
from codemod.rule import Context, FixAvailability, Rule


def _anchor(f: GoFile, decl: Declaration) -> int:
    """Where the declaration's own line begins (the ``func`` line, or the var spec's line)."""
    return f.line_start(decl.span.start)


def _rows(f: GoFile, start: int, end: int, skip: tuple[int, int] = (0, 0)) -> list[tuple[int, bytes]]:
    """The lines from offset ``start`` to ``end`` (line starts), each ``(offset, stripped text)``,
    leaving out those that start inside ``skip``."""
    rows = []
    at = start
    while at < end:
        nxt = f.line_end(at)
        if not skip[0] <= at < skip[1]:
            rows.append((at, f.source[at:nxt].strip()))
        at = nxt
    return rows


def _comment_block(f: GoFile, d: Directive, stop: int, skip: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """The run of comment lines holding ``d``: from its first line to the first line that is
    not a comment (at most ``stop``), lines inside ``skip`` left out as if removed."""
    start = d.line_span.start
    while start > 0 and f.source[f.line_start(start - 1):start].strip().startswith(b"//"):
        start = f.line_start(start - 1)
    end = d.line_span.end
    while end < stop:
        if skip[0] <= end < skip[1]:
            end = skip[1]
            continue
        if not f.source[end:f.line_end(end)].strip().startswith(b"//"):
            break
        end = f.line_end(end)
    return start, end


def attached(f: GoFile, d: Directive, decl: Declaration, skip: tuple[int, int] = (0, 0)) -> bool:
    """Directly above: only comment lines (its doc block) between directive and declaration;
    or a stack: the directive is in one block of comment lines right above a run of
    declarations (no blank line) holding its own, where every other declaration of the run is
    one the block names or a one-line ``var`` (``//go:linkname a a`` / ``//go:linkname b b``
    over ``var a`` / ``var b = &a``; ``//go:linkname b b`` over ``var a T`` / ``var b = &a``).
    Lines inside ``skip`` count as removed (to ask whether removing them attaches ``d``)."""
    anchor = _anchor(f, decl)
    if d.line_span.end > anchor:
        return False
    rows = _rows(f, d.line_span.end, anchor, skip)
    if all(text.startswith(b"//") for _, text in rows):
        return True
    if any(not text for _, text in rows):
        return False
    block_start, block_end = _comment_block(f, d, anchor, skip)
    stacked = {x.local for x in f.directives if block_start <= x.line_span.start < block_end}
    for name, decls in f.declarations.items():
        for other in decls:
            if not block_end <= other.span.start < anchor or name in stacked:
                continue
            one_line_var = other.kind == "var" \
                and f.line_start(other.statement.start) == f.line_start(max(other.statement.end - 1, 0))
            if not one_line_var:
                return False
    return True


def _gap(f: GoFile, d: Directive, decl: Declaration) -> tuple[int, int] | None:
    """The blank lines whose removal attaches ``d`` to its declaration, when removing them is
    all it takes and brings no other directive (a ``//go:noinline`` ...) onto a declaration."""
    anchor = _anchor(f, decl)
    if d.line_span.end > anchor:
        return None
    rows = _rows(f, d.line_span.end, anchor)
    k = 0
    while k < len(rows) and rows[k][1].startswith(b"//"):
        k += 1
    g = k
    while g < len(rows) and not rows[g][1]:
        g += 1
    if g == k or any(not text for _, text in rows[g:]):
        return None
    if g < len(rows) and rows[g][1].startswith(b"//"):
        return None  # the declaration has a doc comment of its own: the directive joins it
    gap = (rows[k][0], rows[g][0] if g < len(rows) else anchor)
    if not attached(f, d, decl, gap):
        return None
    block_start, block_end = _comment_block(f, d, anchor, gap)
    for at, text in _rows(f, block_start, block_end, gap):
        if text.startswith(b"//") and is_directive(text[2:]) and not text.startswith(b"//go:linkname"):
            return None  # a floating pragma would start to apply to the declaration
    return gap


def _text_comment_ends_at(f: GoFile, offset: int) -> bool:
    """The line before ``offset`` is a comment line of text (not a directive, not a bare ``//``)."""
    if offset == 0:
        return False
    line = f.source[f.line_start(offset - 1):offset].strip()
    if not line.startswith(b"//") or line == b"//":
        return False
    return not is_directive(line[2:])


def check(ctx: Context):
    f = ctx.file
    for d in f.directives:
        decl = d.declaration
        if decl is None or attached(f, d, decl):
            continue
        anchor = _anchor(f, decl)
        gap = _gap(f, d, decl)
        if gap is not None:
            # Every directive of a stack closes the same gap: the first fix taken does it and
            # the others find their directives attached on the next pass.  The engine lays the
            # lines around it out as gofmt does (a doc comment's text before its directives).
            edit = [TextEdit(f.path, gap[0], gap[1], "")]
            how = "Remove the blank lines between the directive and its declaration"
        else:
            indent = f.indentation(decl.span.start)
            directive = f.text(d.span)
            sep = f"{indent}//\n" if _text_comment_ends_at(f, anchor) else ""
            edit = [remove_directive(f, d), TextEdit(f.path, anchor, anchor, f"{sep}{indent}{directive}\n")]
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
