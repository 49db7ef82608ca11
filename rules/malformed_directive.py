"""malformed-directive (LN004): a ``//go:linkname`` line the compiler rejects or does not read.

## What it does
Flags a ``//go:linkname`` line that is not one or two words after the directive: an extra
word (``//go:linkname mono runtime.nanotime extra``) or a trailing comment
(``//go:linkname mono runtime.nanotime // the clock``), which the compiler splits into words
too.  It also flags ``//go:linkname`` followed by a tab, which the compiler does not read as a
directive at all, and a directive whose local name is not a function or variable of the
package: a type or a constant (``//go:linkname stwReason runtime.stwReason`` above
``type stwReason uint8``), or a name no file of the package declares.

## Why is this bad?
The compiler reads ``//go:linkname `` and splits the rest of the line into words; anything but
a local name and an optional target stops the build on every release, measured on Go 1.21
through 1.27: ``usage: //go:linkname localname [linkname]``.  With a tab instead of the space,
the line is an ordinary comment: the declaration below it loses its link, and a bodyless
function fails with ``missing function body``.  A local name that is not a function or
variable declared in the package (in any of its files: the declaration may sit in another
file) stops the build on every release with ``//go:linkname must refer to declared function
or variable``; types and constants cannot be linked at all.

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

from codemod import scope
from codemod.findings import Severity
from codemod.rule import Context, FixAvailability, Rule

USAGE = "usage: //go:linkname localname [linkname]"
UNDECLARED = "//go:linkname must refer to declared function or variable"


def _not_linkable(ctx: Context, d) -> str | None:
    """What ``d``'s local name is when no function or variable of the package has it, else None
    (also when a file of the package was not read: the name may be declared there)."""
    f = ctx.file
    if d.declaration is not None or d.local == "_":
        return None
    test = f.path.name.endswith("_test.go")
    files = ctx.package.shared(("files compiled together", id(ctx.siblings), f.package, test),
                               lambda: _compiled_with(ctx, test))
    if files is None:
        return None
    if d.local in scope.top_level_names(f):
        return "a type or constant of this file"
    if any(d.local in scope.top_level_names(g) for g in files):
        return None  # another file declares it: a function or variable, most likely
    return "nothing the package declares"


def _compiled_with(ctx: Context, test: bool) -> list | None:
    """The read files compiled with ``ctx.file`` (test files only for a test file); None when
    a file of the package was not read (it may declare any name)."""
    f = ctx.file
    read = {g.path.name for g in ctx.siblings.values()} | {f.path.name}
    if not set(ctx.package.go_files) - ctx.package.never_built <= read:
        return None
    return [g for g in ctx.siblings.values() if g.package == f.package
            and (test or not g.path.name.endswith("_test.go"))]


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
    for d in f.directives:
        what = _not_linkable(ctx, d)
        if what is not None:
            yield ctx.finding(d.span, f"//go:linkname names {d.local}, {what}: every Go release rejects "
                                      f"the line with \"{UNDECLARED}\"; link a function or variable, "
                                      "or remove the directive")


RULE = Rule(
    code="LN004",
    name="malformed-directive",
    summary="a //go:linkname line the compiler rejects (\"usage: //go:linkname localname "
            "[linkname]\", or a local name that is no function or variable) or does not read",
    severity=Severity.ERROR,
    fix=FixAvailability.NEVER,
    check=check,
    doc=__doc__,
)
