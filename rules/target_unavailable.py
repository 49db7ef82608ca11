"""target-unavailable (LN101): a pull whose target is undefined or blocked on a release in range.

## What it does
Judges every pull ``//go:linkname local path.name`` into the standard library against each Go
release and platform the file is built with (the module's range, ``--go-versions``, the
file's build constraint and name, ``--platforms``), using the knowledge base of Go 1.21-1.27,
and flags the pull when some of them cannot link it.

## Why is this bad?
Two different link errors:

* the symbol does not exist on that release or platform (removed, added later, or defined
  for other ports only): ``relocation target runtime.cheaprand not defined``;
* the Go 1.23+ linker refuses it because its package does not mark it with ``//go:linkname``
  (or lists it as blocked): ``invalid reference to runtime.gcount``.

The message names the releases per outcome, the reason, the target's real signature and
file, and the public API when one exists.

A method pull is not always checked: when compiling the pulling package reads the method's
receiver type from its package's export data (a type the package uses holds it in a field,
names it in a method's signature, or an inlined body reaches it), the compiler refers to the
method by index and the Go 1.23+ linker never sees a pull.  A pull declared over a type of the
target package is therefore not reported.  When the package otherwise uses the target package
(imports it under a name), whether the types it uses reach the receiver cannot be told from
the source: the finding is then a warning saying so, without a fix (quic-go's pull of
``crypto/tls.(*cipherSuiteTLS13).nextTrafficSecret`` links next to a call of
``(*tls.QUICConn).NextEvent`` and is refused next to ``tls.Config`` alone).  JSON findings carry ``go_versions`` with only the
failing releases.  Pulls that work on every release in range, pushes, handshakes and pulls into
the module's own packages or third-party modules are not reported.

## Go releases affected
Measured: ``runtime.cheaprand`` undefined on 1.21; ``runtime.gcount`` blocked from 1.23;
``runtime.newobject`` blocked from 1.24; ``runtime.fastrandu`` undefined from 1.22.

## Example
```go
//go:build go1.21

//go:linkname gcount runtime.gcount
func gcount() int32
```

## Use instead
```go
//go:build !go1.23     (the pull, where it links)
//go:linkname gcount runtime.gcount
func gcount() int32

//go:build go1.23      (gcount_go123.go)
func gcount() int32 { return int32(runtime.NumGoroutine()) }
```

## Fix safety
Offered when the replacement table has a public API for the target and every pull of the file
fails on the same releases (otherwise splitting the file comes first).  When the pull works on
some releases, the file (or, if it has other code, a new ``<stem>_linkname.go`` holding the
pulls) is limited to those releases and ``<stem>_go123.go`` (named for its releases) implements the function with the
public API for the rest; when it works on none, the pull is replaced in place.  Safe when the
replacement computes exactly what the target does (``runtime.NumGoroutine``), or when the
releases that get it never built (undefined targets); unsafe otherwise, for example another
random source, or a clock with another origin, or a build that used ``-checklinkname=0``.
"""
from __future__ import annotations

from codemod.edits import Safety
from codemod.findings import Severity
from codemod.rule import Context, FixAvailability, Rule
from codemod.versions import open_ended

from codemod.pulls import (
    defined_anywhere, real_symbol, rising_failure, std_pull, uncertain_refusals, unavailable_message, verdicts,
    version_fix, where,
)
from codemod.versions import format_releases


def check(ctx: Context):
    f = ctx.file
    if not ctx.build_matrix:
        return
    for d in f.directives:
        if not std_pull(ctx, d) or d.declaration.kind != "func" or not defined_anywhere(d):
            continue
        v = verdicts(ctx, d)
        failing = v.failing()
        if not failing:
            maybe = uncertain_refusals(ctx, d)
            if maybe:
                yield ctx.finding(d.span, _uncertain_message(ctx, d, maybe), severity=Severity.WARNING,
                                  fix_withheld="whether the pull links depends on the types the package uses")
            continue
        if open_ended(f.constraint.expr) and rising_failure(v):
            continue  # open-ended-version-tag says it better
        fix, why_not = version_fix(ctx, d, v)
        msg = unavailable_message(ctx, d, v)
        if fix is None:
            msg += f"; no automatic fix: {why_not}"
        yield ctx.finding(d.span, msg, fix=fix, failing_releases=failing)


def _uncertain_message(ctx: Context, d, maybe: dict[str, str]) -> str:
    pkg = d.target_package
    msg = (f"{d.local} pulls {d.target}, a method {pkg} does not push; on {format_releases(maybe)} the "
           f'linker refuses it ("invalid reference to {d.target}") unless the {pkg} types this package '
           f"uses lead the compiler to the method's receiver (through a field, a method signature or an "
           f"inlined body), and the source does not tell whether they do: link a binary or test binary "
           f"on those releases to know (gofix-linkname gen-test writes such a test)")
    sym, rel = real_symbol(ctx, d)
    if sym is not None:
        msg += f"; on Go {rel} it is {where(sym)}"
    return msg


RULE = Rule(
    code="LN101",
    name="target-unavailable",
    summary="a pulled target is undefined or refused by the linker on a Go release the file is built with",
    severity=Severity.ERROR,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE, Safety.UNSAFE,),
    check=check,
    doc=__doc__,
)
