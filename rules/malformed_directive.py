"""malformed-directive (LN004): a ``//go:linkname`` line the compiler rejects or does not read.

## What it does
Flags a ``//go:linkname`` line that is not one or two words after the directive: an extra
word (``//go:linkname mono runtime.nanotime extra``) or a trailing comment
(``//go:linkname mono runtime.nanotime // the clock``), which the compiler splits into words
too.  It also flags ``//go:linkname`` followed by a tab, which the compiler does not read as a
directive at all.

## Why is this bad?
The compiler reads ``//go:linkname `` and splits the rest of the line into words; anything but
a local name and an optional target stops the build on every release, measured on Go 1.21
through 1.27: ``usage: //go:linkname localname [linkname]``.  With a tab instead of the space,
the line is an ordinary comment: the declaration below it loses its link, and a bodyless
function fails with ``missing function body``.

## Go releases affected
Every release.

## Example
```go
//go:linkname nanotime runtime.nanotime // monotonic clock
func nanotime() int64
```

## Use instead
```go
// nanotime is the runtime's monotonic clock.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64
```

## Fix safety
No fix: what the line should say (which word is extra, where a comment belongs) is the
author's call.  Other rules skip these lines: they are not directives the compiler accepts, so
no rule judges or rewrites their target.
"""
from __future__ import annotations

from codemod.findings import Severity
from codemod.rule import Context, FixAvailability, Rule

USAGE = "usage: //go:linkname localname [linkname]"


def check(ctx: Context):
    f = ctx.file
    for m in f.malformed_directives:
        words = f.text(m.span).split()[1:]
        if m.kind == "usage":
            comment = next((i for i, w in enumerate(words) if w.startswith("//")), None)
            what = (f"a trailing comment ({' '.join(words[comment:])}) after the directive's words"
                    if comment is not None and comment <= 2 else
                    f"{len(words)} words after //go:linkname where the compiler takes one or two")
            msg = (f"{what}: every Go release rejects the line with \"{USAGE}\"; keep the local "
                   "name and the target, and put any comment on a line of its own")
        else:
            msg = ("//go:linkname followed by a tab is not a directive to the compiler (it wants a "
                   "space), so this line is an ordinary comment and its declaration is not linked")
        yield ctx.finding(m.span, msg)


RULE = Rule(
    code="LN004",
    name="malformed-directive",
    summary="a //go:linkname line the compiler rejects (\"usage: //go:linkname localname "
            "[linkname]\") or does not read",
    severity=Severity.ERROR,
    fix=FixAvailability.NEVER,
    check=check,
    doc=__doc__,
)
