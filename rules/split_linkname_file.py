"""split-linkname-file (LN201): one file pulls several targets whose availability differs.

## What it does
Flags a file whose pulls into the standard library work on different Go releases of the
file's build (the module's range, filtered by the file's own constraint): for example
``runtime.nanotime`` (every release) next to ``runtime.fastrandu`` (gone since Go 1.22), or
``runtime.cheaprand`` (new in Go 1.22) next to ``runtime.gcount`` (refused by the Go 1.23+
linker).  It splits the file: each pull that fails somewhere moves, with its doc comment,
into ``<file>_<local>.go`` carrying the package clause, the original license header, the
imports it uses (always ``_ "unsafe"``) and the original constraint limited to the releases
where that pull links; ``<file>_<local>_<releases>.go`` (``_go122``, ``_before_go122``) gets the companion implementation from
the replacement table for the other releases.  The original file keeps the rest.

## Why is this bad?
One file has one build constraint, and the linker fails on the first missing or refused
pull: no constraint on the shared file can fit pulls that fail on different releases.  Each
pull needs its own file and its own release bound.

## Go releases affected
Those where one of the file's pulls is undefined or blocked (named in the finding).

## Example
```go
//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname fastrandu runtime.fastrandu   // undefined from Go 1.22
func fastrandu() uint
```

## Use instead
``clock.go`` keeps ``nanotime``; ``clock_fastrandu.go`` (``//go:build !go1.22``) holds the
pull; ``clock_fastrandu_go122.go`` (``//go:build go1.22``) defines ``fastrandu`` with
``math/rand``.

## Fix safety
Safe when the pull never linked on the releases the companion takes over (undefined there)
and the companion exists; unsafe when the pull was refused by the linker (a build with
``-checklinkname=0`` used it) and the companion computes something else (another random
source, a clock with another origin).  No fix when a failing pull has no companion, or fails
on some platforms only.
"""
from __future__ import annotations

import re

from codemod import fixkit, replacements, versions
from codemod.edits import CreateFile, Safety
from codemod.findings import Severity
from codemod.pulls import failure_pattern, platform_note, std_pull, verdicts
from codemod.rule import Context, FixAvailability, Rule


def sanitize(local: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", local.lower()).strip("_") or "pull"


def check(ctx: Context):
    f = ctx.file
    matrix = ctx.build_matrix
    if not matrix:
        return
    # Function pulls only: a variable pull is judged against the source (variable-pull).
    pulls = [d for d in f.directives if std_pull(ctx, d) and d.declaration.kind == "func"]
    if len(pulls) < 2:
        return
    verdict = {d.local: verdicts(ctx, d) for d in pulls}
    failing = [d for d in pulls if verdict[d.local].failing()]
    patterns = {failure_pattern(verdict[d.local]) for d in failing}
    if len(patterns) < 2:
        # One failing pull, or all failing alike: one constraint fits them, and pulls that link
        # everywhere can stay (target-unavailable reports and fixes that).
        return
    by_release = {tuple(sorted(verdict[d.local].failing().items())) for d in failing}
    dimension = "platforms" if len(by_release) == 1 else "Go releases"
    universe = versions.releases_of(matrix)
    language = ctx.language
    taken: set[str] = set()
    created = []
    why_not = ""
    safety = Safety.SAFE
    whys = []
    header = fixkit.license_header(f)
    plus = versions.wants_plus_build(ctx.module)
    for d in failing:
        v = verdict[d.local]
        if not v.uniform_over_platforms():
            why_not = f"{d.local} fails on some platforms only"
            break
        comp = replacements.companion(d.target, fixkit.header_text(f, d.declaration), language)
        if comp is None:
            why_not = f"the replacement table has no companion for {d.target} as declared"
            break
        comp_imports = fixkit.companion_imports(f, comp)
        if comp_imports is None:
            why_not = f"the companion of {d.local} needs a package the file does not import by name"
            break
        word = sanitize(d.local)
        start, end = fixkit.pull_range(f, d)
        moved = f.source[start:end].decode()
        works = v.working_releases()
        own = None
        if works:
            bound = versions.release_bound(works, universe)
            keep = versions.bounded(f.constraint.expr, bound)
            rest = versions.complement(f.constraint.expr, bound)
            own = ctx.new_file_path(word, taken)
            if own is None:
                why_not = f"no free file name for {d.local}"
                break
            taken.add(own.name)
            created.append(CreateFile(own, fixkit.new_file_text(
                f, keep, fixkit.moved_imports(f, [(start, end)]), moved, header=header, plus_build=plus)))
        else:
            rest = f.constraint.expr  # it links nowhere in range: the companion replaces it
        fallback = ctx.new_file_path(f"{word}_{fixkit.release_word(rest) or 'fallback'}", taken)
        if fallback is None:
            why_not = f"no free file name for {d.local}"
            break
        taken.add(fallback.name)
        note = f"// {d.local} stands in for {d.target} where that pull fails " \
               f"({versions.describe_failures(v.failing())}).\n"
        created.append(CreateFile(fallback, fixkit.new_file_text(f, rest, comp_imports, note + comp.code,
                                                                 header=header, plus_build=plus)))
        if comp.safety == Safety.UNSAFE and any(s == "blocked" for s in v.failing().values()):
            safety = Safety.UNSAFE
            whys.append(comp.why_unsafe)
    msg_parts = "; ".join(
        f"{d.local} ({d.target}) {versions.describe_failures(verdict[d.local].failing())}"
        f"{platform_note(verdict[d.local], verdict[d.local].failing())}" for d in failing)
    message = (f"this file's pulls fail on different {dimension}: {msg_parts}; one build constraint "
               "cannot fit them all, so split each failing pull into a file of its own")
    # The finding sits on the first failing pull: its releases are that pull's.
    all_failing = verdict[failing[0].local].failing()
    if why_not:
        yield ctx.finding(failing[0].span, message, failing_releases=all_failing, fix_withheld=why_not)
        return
    # Imports only the moved pulls used, and the blank unsafe import with the last directive,
    # are dropped by the engine after the pass.
    names = ", ".join(d.local for d in failing)
    fix = ctx.fix(f"Split {names} into files of their own with release-bounded constraints and "
                  "companions", *fixkit.remove_pulls(f, failing), *created, safety=safety,
                  why_unsafe="; ".join(dict.fromkeys(w for w in whys if w)))
    yield ctx.finding(failing[0].span, message, fix=fix, failing_releases=all_failing)


RULE = Rule(
    code="LN201",
    name="split-linkname-file",
    summary="a file pulls targets that fail on different Go releases: split it into per-pull files",
    severity=Severity.ERROR,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE, Safety.UNSAFE),
    check=check,
    doc=__doc__,
)
