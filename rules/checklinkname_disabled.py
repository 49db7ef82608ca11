"""checklinkname-disabled (LN107): ``-checklinkname=0`` in a build file hides the linker's check.

## What it does
Reads the build files it is shown (``Makefile``, ``*.mk``, ``*.sh``, ``.github/workflows/*.yml``,
``.goreleaser.yml``) for ``-checklinkname=0``, the linker flag (``-ldflags=-checklinkname=0``)
that turns off the Go 1.23+ check of pull linknames, and lists the pulls of the module that
the flag is hiding: those the linker refuses on some release in range.  The flag also covers
the module's dependencies, whose pulls are not judged (their source is not in the tree): when
the module's own pulls are all accepted, the finding says the flag can go unless a dependency
needs it (XTLS/Xray-core passes it for its Android build only).

## Why is this bad?
The flag does not make a refused pull correct; it only stops the linker from saying so.  The
pulled symbol was refused because its package does not promise to keep it, so the program
depends on something that may change or vanish in the next release, and the next failure is
a crash or silent garbage rather than a link error.  It also hides the errors gofix-linkname
reports as target-unavailable.

## Go releases affected
The check exists from Go 1.23.  Go 1.21 and 1.22 do not know the flag and fail the link with
``flag provided but not defined: -checklinkname`` (measured), so a module whose range
includes them cannot build with it there at all.

## Example
```make
build:
	go build -ldflags=-checklinkname=0 ./...
```

## Use instead
Fix the pulls (target-unavailable offers the version split or the public API), then drop the
flag.

## Fix safety
No automatic fix: removing the flag breaks the build until the pulls are fixed.
"""
from __future__ import annotations

import re

from codemod import knowledge
from codemod.findings import Severity
from codemod.model import is_std_path
from codemod.rule import BuildFileContext, FixAvailability, Rule
from codemod.versions import Verdicts, build_matrix, describe_failures, format_releases, key

_FLAG = re.compile(r"-?-checklinkname=(?:0|false)\b")


def hidden_pulls(ctx: BuildFileContext) -> list[str]:
    """Pulls of the module that the linker refuses on some release of its range."""
    out = []
    root = ctx.module.root.resolve() if ctx.module is not None else ctx.path.parent.resolve()
    for path, f in sorted(ctx.go_files.items()):
        try:
            rel = path.resolve().relative_to(root)
        except ValueError:
            continue
        matrix = build_matrix(f, ctx.module, ctx.options.release_range, ctx.options.platforms, ctx.options.tags)
        if not matrix:
            continue
        if f.package == "main":
            src = "main"
        elif ctx.module is not None and ctx.module.path:
            src = ctx.module.import_path_of(path.parent)
        else:
            src = f.package
        for d in f.directives:
            pkg = d.target_package
            if not d.target or not pkg or pkg == "main" or not is_std_path(pkg) or d.declaration is None:
                continue
            if ctx.module is not None and ctx.module.path and ctx.module.contains(pkg):
                continue
            v = Verdicts({t: knowledge.lookup(d.target, t.release, t.goos, t.goarch, src).status for t in matrix})
            blocked = {r: s for r, s in v.failing().items() if s == "blocked"}
            if blocked:
                out.append(f"{d.target} ({rel.as_posix()}:{d.span.line}, {describe_failures(blocked)})")
    return out


def check(ctx: BuildFileContext):
    hidden = None
    for n, line in enumerate(ctx.text.splitlines(), 1):
        m = _FLAG.search(line)
        if not m:
            continue
        if hidden is None:
            hidden = hidden_pulls(ctx)
        if hidden:
            what = f"it is hiding {len(hidden)} refused pull{'s' * (len(hidden) != 1)}: " + "; ".join(hidden)
        else:
            what = ("no pull of the module is refused today; unless a dependency needs the flag (their "
                    "pulls are not judged here), it can go before it hides one")
        old = [r for r in ctx.releases if key(r) < (1, 23)]
        if old:
            what += (f"; and the linkers of {format_releases(old)} do not know the flag: "
                     f'"flag provided but not defined: -checklinkname"')
        yield ctx.finding(
            n, m.start() + 1,
            f"-checklinkname=0 turns off the Go 1.23+ linker's check of //go:linkname pulls, so refused "
            f"pulls build and break at run time or in a later release instead; {what}",
            hidden_pulls=hidden,
        )


RULE = Rule(
    code="LN107",
    name="checklinkname-disabled",
    summary="a build file passes -checklinkname=0, which hides refused //go:linkname pulls",
    severity=Severity.WARNING,
    fix=FixAvailability.NEVER,
    check=check,
    doc=__doc__,
    triggers=("checklinkname",),
    scope="build-file",
    file_patterns=("Makefile", "makefile", "GNUmakefile", "*.mk", "*.sh", ".github/workflows/*.yml",
                   ".github/workflows/*.yaml", ".goreleaser.yml", ".goreleaser.yaml"),
)
