"""open-ended-version-tag (LN102): a file constrained ``go1.N`` whose pull stops working later.

## What it does
Flags a pull in a file whose build constraint gives a minimum release (``//go:build go1.21``)
but no maximum, when the pull links on the first releases the file is built with and fails on
a later one.

## Why is this bad?
A ``go1.N`` tag is a lower bound only: the file keeps being compiled by every newer release.
Version-split files are usually written when a target appears or changes, and then forgotten
when it goes away or the Go 1.23+ linker starts refusing it; the build breaks on the first
release that drops it.

## Go releases affected
Any release after the tag where the target is undefined or blocked: for example
``runtime.gcount`` in a ``go1.21`` file fails on Go 1.23-1.27 with ``invalid reference to
runtime.gcount``.

## Example
```go
//go:build go1.21

//go:linkname gcount runtime.gcount
func gcount() int32
```

## Use instead
```go
//go:build go1.21 && !go1.23
```
plus a ``go1.23`` companion file implementing ``gcount`` with ``runtime.NumGoroutine()``.

## Fix safety
The same fix as target-unavailable (LN101): the upper bound is added to the file's constraint
(or to a new file holding the pulls when the file has other code) and a companion file with
the public API covers the later releases.  Safe when the replacement is exact or the later
releases never linked the pull; unsafe otherwise, with the reason.
"""
from __future__ import annotations

from codemod.edits import Safety
from codemod.findings import Severity
from codemod.rule import Context, FixAvailability, Rule
from codemod.versions import format_releases, open_ended, releases_of

from codemod.pulls import defined_anywhere, rising_failure, std_pull, unavailable_message, verdicts, version_fix


def check(ctx: Context):
    f = ctx.file
    lower = open_ended(f.constraint.expr)
    if lower is None or not ctx.build_matrix:
        return
    for d in f.directives:
        if not std_pull(ctx, d) or d.declaration.kind != "func" or not defined_anywhere(d):
            continue
        v = verdicts(ctx, d)
        if not rising_failure(v):
            continue
        failing = v.failing()
        first_bad = next(iter(failing))
        works = v.working_releases()
        fix, why_not = version_fix(ctx, d, v)
        msg = (f"the file is constrained go{lower} with no upper bound, so {format_releases(releases_of(v.matrix))} "
               f"compile it, but the pull stops working at Go {first_bad} (it works on "
               f"{format_releases(works)}): " + unavailable_message(ctx, d, v))
        if fix is None:
            msg += f"; no automatic fix: {why_not}"
        else:
            msg += f"; add !go{first_bad} to the constraint"
        yield ctx.finding(d.span, msg, fix=fix, failing_releases=failing)


RULE = Rule(
    code="LN102",
    name="open-ended-version-tag",
    summary="a file constrained go1.N with no upper bound pulls a target that a later release drops or blocks",
    severity=Severity.ERROR,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE, Safety.UNSAFE,),
    check=check,
    doc=__doc__,
)
