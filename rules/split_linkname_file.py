"""split-linkname-file (LN201): one file pulls several targets whose availability differs.

## What it does
Flags a file whose pulls into the standard library work on different Go releases of the
file's build (the module's range, filtered by the file's own constraint): for example
``runtime.nanotime`` (every release) next to ``runtime.fastrandu`` (gone since Go 1.22), or
``runtime.cheaprand`` (new in Go 1.22) next to ``runtime.gcount`` (refused by the Go 1.23+
linker).  It splits the file: each pull that fails somewhere moves, with its doc comment,
into ``<file>_<local>.go`` carrying the package clause, the original license header, the
imports it uses (always ``_ "unsafe"``) and the original constraint limited to the releases
where that pull links; ``<file>_<local>_fallback.go`` gets the companion implementation from
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
pull; ``clock_fastrandu_fallback.go`` (``//go:build go1.22``) defines ``fastrandu`` with
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

from codemod import replacements, versions
from codemod.edits import CreateFile, Safety, TextEdit
from codemod.findings import Severity
from codemod.imports import drop_unused_imports, references, remove_import
from codemod.model import Directive, GoFile
from codemod.rule import Context, Rule
from rules._pulls import std_pull, verdicts
from rules.replace_fastrand import tidy_deletions


def sanitize(local: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", local.lower()).strip("_") or "pull"


def license_header(f: GoFile) -> str:
    """Comment blocks before the package clause, minus build constraints and the package doc."""
    out = []
    pkg = f.package_clause
    constraint_lines = {s.start for s in (f.constraint.go_build, *f.constraint.plus_build) if s}
    for c in f.root.children:
        if c.type == "package_clause":
            break
        if c.type != "comment":
            continue
        text = f.text(c)
        if c.start_byte in constraint_lines:
            continue
        if pkg is not None and c.end_point[0] + 1 >= pkg.line - 1 and \
                not f.source[c.end_byte:pkg.start].strip(b" \t\r\n").startswith(b"//") and \
                f.source[c.end_byte:pkg.start].count(b"\n") <= 1:
            continue  # the package doc comment stays with the original file only
        out.append(text)
    return "\n".join(out) + "\n\n" if out else ""


def _removal(f: GoFile, d: Directive) -> tuple[int, int]:
    decl = d.declaration
    start = f.line_start(decl.doc.start if decl.doc else decl.statement.start)
    return min(start, d.line_span.start), f.line_end(decl.statement.end - 1)


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
    patterns = {tuple(sorted(verdict[d.local].failing().items())) for d in pulls}
    failing = [d for d in pulls if verdict[d.local].failing()]
    if len(patterns) < 2 or not failing:
        return  # all alike: one constraint fits them (target-unavailable handles that)
    universe = versions.releases_of(matrix)
    language = versions.language_release(ctx.module)
    taken = set(ctx.package.go_files)
    edits: list = []
    created = []
    ranges = []
    why_not = ""
    safety = Safety.SAFE
    whys = []
    for d in failing:
        v = verdict[d.local]
        if not v.uniform_over_platforms():
            why_not = f"{d.local} fails on some platforms only"
            break
        comp = replacements.companion(d.target, replacements.header_text(f, d.declaration), language)
        if comp is None:
            why_not = f"the replacement table has no companion for {d.target} as declared"
            break
        works = v.working_releases()
        word = sanitize(d.local)
        own = versions.sibling_path(f.path, word, taken)
        taken.add(own.name)
        fallback = versions.sibling_path(f.path, f"{word}_fallback", taken)
        taken.add(fallback.name)
        start, end = _removal(f, d)
        ranges.append((start, end))
        moved = f.source[start:end].decode()
        needed = [(i.path, i.name) for i in f.imports if i.path != "unsafe" and i.name not in ("_", ".")
                  and any(start <= a and b <= end for a, b in references(f, i.local_name))]
        unsafe_used = any(start <= a and b <= end for a, b in references(f, "unsafe"))
        needed.append(("unsafe", None if unsafe_used else "_"))
        comp_imports = list(comp.imports)
        for q in comp.type_packages:
            imp = next((i for i in f.imports if i.local_name == q), None)
            if imp is None:
                why_not = f"the companion of {d.local} needs package {q}"
                break
            comp_imports.append((imp.path, imp.name))
        if why_not:
            break
        header = license_header(f)
        if works:
            bound = versions.release_bound(works, universe)
            keep = versions.bounded(f.constraint.expr, bound)
            rest = versions.complement(f.constraint.expr, bound)
            created.append(CreateFile(own, _file(header, keep, f.package, needed, moved)))
        else:
            rest = f.constraint.expr  # it links nowhere in range: the companion replaces it
        note = f"// {d.local} stands in for {d.target} where that pull fails " \
               f"({versions.describe_failures(v.failing())}).\n"
        created.append(CreateFile(fallback, _file(header, rest, f.package, comp_imports, note + comp.code)))
        if comp.safety == Safety.UNSAFE and any(s == "blocked" for s in v.failing().values()):
            safety = Safety.UNSAFE
            whys.append(comp.why_unsafe)
    msg_parts = "; ".join(
        f"{d.local} ({d.target}) {versions.describe_failures(verdict[d.local].failing())}" for d in failing)
    message = (f"this file's pulls fail on different Go releases: {msg_parts}; one build constraint "
               "cannot fit them all, so split each failing pull into a file of its own")
    all_failing = {r: s for d in failing for r, s in verdict[d.local].failing().items()}
    if why_not:
        yield ctx.finding(failing[0].span, message, go_versions=all_failing, fix_withheld=why_not)
        return
    deletions = [(e.start, e.end) for e in drop_unused_imports(f, ranges)]
    left = [o for o in f.directives if not any(s <= o.span.start < e for s, e in ranges)]
    unsafe = f.import_of("unsafe")
    if not left and unsafe is not None and unsafe.name == "_":
        e = remove_import(f, unsafe)
        deletions.append((e.start, e.end))
    edits = [TextEdit(f.path, s, e, "") for s, e in tidy_deletions(f.source, ranges + deletions)]
    names = ", ".join(d.local for d in failing)
    fix = ctx.fix(f"Split {names} into files of their own with release-bounded constraints and "
                  "companions", *edits, *created, safety=safety,
                  why_unsafe="; ".join(dict.fromkeys(w for w in whys if w)))
    yield ctx.finding(failing[0].span, message, fix=fix, go_versions=all_failing)


def _file(header: str, constraint, package: str, imports, body: str) -> str:
    head = f"{versions.format_constraint(constraint)}\n\n" if constraint is not None else ""
    block = replacements.import_block(imports)
    return f"{header}{head}package {package}\n\n" + (f"{block}\n" if block else "") + body.rstrip("\n") + "\n"


RULE = Rule(
    code="LN201",
    name="split-linkname-file",
    summary="a file pulls targets that fail on different Go releases: split it into per-pull files",
    severity=Severity.ERROR,
    fix_safety=Safety.SAFE,
    check=check,
    doc=__doc__,
)
