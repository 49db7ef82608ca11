"""unknown-target (LN104): a pull names a package or symbol that exists nowhere: a typo.

## What it does
Flags a pull ``//go:linkname local path.name`` when

* ``path`` looks like a standard-library path but no Go release 1.21-1.27 has that package,
  or has the package but never defined ``name`` in it (on any platform), or
* ``path`` is a module path that is neither the module itself nor among its requirements
  (judged only for modules at ``go 1.17`` or later, whose ``go.mod`` lists every requirement),
  or
* the target has no package path at all (``//go:linkname GetID GoroutineID``): the linker
  looks for a symbol of exactly that bare name, and Go code never defines one (its symbols are
  ``<import path>.name``).  Only assembly (``TEXT name(SB)``), C code and cgo imports do, so a
  module with none of these that defines no such name, and a name no Go release defines, is
  reported.

It suggests the nearest standard-library package or symbol (edit distance, counting a swap of
two letters as one edit).

## Why is this bad?
Nothing defines the symbol, so the link fails on every release: ``relocation target
runtim.nanotime not defined`` (measured on Go 1.21-1.27).  The linker resolves only what code
refers to, so a pull nothing calls yet still links (XTLS/Xray-core's exported
``IndependentCancelCtx``, a pull of ``context.newCancelCtx``, which Go 1.21 removed); the
message then says so, and that the first call fails.

## Go releases affected
Every release.

## Example
```go
//go:linkname nanotime runtim.nanotime
func nanotime() int64
```

## Use instead
```go
//go:linkname nanotime runtime.nanotime
func nanotime() int64
```

A bare target naming a function the package declares (``GoroutineID`` above) is most likely
meant as that function; the finding suggests ``<import path>.GoroutineID``.

A target in the toolchain's own packages (``cmd/...``, vendored ones included:
``cmd/vendor/golang.org/x/arch/x86/x86asm.Decode``) is not judged: every release has them
(``go list`` calls them standard), but the knowledge base records no symbols of theirs.

A variable pull of an unknown symbol links (the declaration defines the variable) and reads
zero; the message says so.  When the symbol's package is no standard-library package and near
none, that is the point: an optional hook that a build tool or another package may define
(DataDog/dd-trace-go's ``__dd_orchestrion_gls_get.V2``, which orchestrion adds to the runtime),
read as zero when nothing does.  Such a pull is not reported.

## Fix safety
Safe, and offered only when exactly one candidate is close (at most two edits, and at most a
third of the name; a candidate strictly nearer than all others counts as the only one): the
directive is corrected to name it.  With several candidates the
finding lists them and makes no change.  For a bare target the candidate is the package's own
function of that name, offered only when its parameters and results read the same as the
pull's (then the corrected pull calls it, as measured on Go 1.21, 1.23 and 1.27), else the
runtime's symbol of that name.
"""
from __future__ import annotations

import functools

from codemod import knowledge
from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.model import is_std_path
from codemod.rule import Context, FixAvailability, Rule
from codemod.versions import key, language_release

from codemod.pulls import symbols_anywhere
from codemod.pulls import is_pull, uses_of


def distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance (a swap of adjacent letters is one edit), capped."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def close(word: str, candidates) -> list[str]:
    """Candidates within two edits and a third of the word's length, nearest first; a single
    candidate strictly nearer than every other close one stands alone."""
    limit = max(1, min(2, len(word) // 3))
    scored = sorted((distance(word, c, limit), c) for c in candidates if c != word)
    near = [(d, c) for d, c in scored if d <= limit]
    if len(near) > 1 and near[0][0] < near[1][0]:
        return [near[0][1]]
    return [c for _, c in near]


@functools.lru_cache(maxsize=1)
def _std_packages() -> tuple[str, ...]:
    return tuple(p for p in knowledge.std_packages() if not p.startswith(("vendor/", "cmd/")))


# A pure function of the shipped symbol tables (symbols_anywhere is cached the same way), and
# costly: an edit distance to each of runtime's thousands of symbols.
@functools.lru_cache(maxsize=1024)
def _suggest_symbol(pkg: str, target: str) -> tuple[str, ...]:
    rest = target[len(pkg) + 1:]
    names = {s[len(pkg) + 1:] for s in symbols_anywhere(pkg)}
    if rest in names:
        return (target,)
    return tuple(f"{pkg}.{n}" for n in close(rest, names))


def _referenced(ctx: Context, d) -> bool | None:
    """Whether code of the package refers to the pulled function (a call or a function value);
    None when a file of the package was not read."""
    if not ctx.whole_package_seen():
        return None
    files = [g for g in ctx.siblings.values() if g.package == ctx.file.package]
    return next(uses_of(files if ctx.file in files else [ctx.file, *files], d.local), None) is not None


def _signature(decl) -> str:
    """A function declaration's parameters and results, spaces removed."""
    node = decl.node
    parts = [node.child_by_field_name("parameters"), node.child_by_field_name("result")]
    return "".join("".join(p.text.decode("utf-8", "replace").split()) for p in parts if p is not None)


def _bare_candidates(ctx: Context, d) -> list[str]:
    """What a bare target most likely meant: the package's own function of that name, when
    every file of the package was read, else the runtime's symbol of that name."""
    own = ctx.import_path if ctx.file.package != "main" else "main"
    if own and ctx.whole_package_seen():
        files = [g for g in ctx.siblings.values() if g.package == ctx.file.package]
        decls = [x for g in (files if ctx.file in files else [ctx.file, *files])
                 for x in g.declarations.get(d.target, ()) if x.kind == "func" and x.has_body]
        if decls:
            same = _signature(decls[0]) == _signature(d.declaration)
            return [f"{own}.{d.target}"] if same and len(decls) == 1 else []
    if f"runtime.{d.target}" in symbols_anywhere("runtime"):
        return [f"runtime.{d.target}"]
    return []


def _bare_target_defined(ctx: Context, d) -> bool:
    """Whether something may define the bare symbol ``d.target``: a Go release, the module's
    assembly, cgo imports or pushes, or C code anywhere in the module."""
    symbols = ctx.module_symbols
    if symbols.foreign or ctx.defined_by_build(d):
        return True
    return any(knowledge.lookup(d.target, t.release, t.goos, t.goarch).symbol is not None
               for t in ctx.build_matrix)


def check(ctx: Context):
    f = ctx.file
    if not ctx.build_matrix:
        return  # no build in range compiles the file
    for d in f.directives:
        pkg = d.target_package
        if (d.target and "." not in d.target and d.declaration is not None
                and d.declaration.kind == "func" and not d.declaration.defines):
            yield from _bare(ctx, d)
            continue
        if d.target is None or d.declaration is None or not pkg or pkg in ("main", "C"):
            continue
        if not is_pull(ctx, pkg) or d.declaration.defines:
            continue  # a body or an initializer defines the symbol, so nothing is left undefined
        if is_std_path(pkg):
            if pkg == "cmd" or pkg.startswith("cmd/"):
                continue  # the toolchain's own packages: the knowledge base has no symbols of them
            if knowledge.known_package(pkg):
                if d.target in symbols_anywhere(pkg):
                    continue
                what = (f"{pkg} has no {d.target[len(pkg) + 1:]} on any Go release "
                        f"{knowledge.RELEASES[0]}-{knowledge.RELEASES[-1]}")
                found = list(_suggest_symbol(pkg, d.target))
            else:
                what = (f"no Go release {knowledge.RELEASES[0]}-{knowledge.RELEASES[-1]} has a "
                        f"standard-library package {pkg}")
                near = close(pkg, _std_packages())
                if not near and d.declaration.kind == "var":
                    continue  # a hook, not a typo: see "A variable pull" in the docs
                found = [s for p in near for s in _suggest_symbol(p, p + d.target[len(pkg):])]
        else:
            m = ctx.module
            lang = language_release(m)
            if m is None or not m.path or lang is None or key(lang) < (1, 17) or m.requires_package(pkg):
                continue
            what = f"{pkg} is neither in module {m.path} nor among its requirements"
            found = []
        if ctx.defined_by_build(d):
            continue  # the module defines it (a push elsewhere, or assembly)
        yield from _report(ctx, d, f"{d.local} pulls {d.target}, but {what}", found)


def _bare(ctx: Context, d):
    if _bare_target_defined(ctx, d):
        return
    what = ("the target names no package: Go code never defines such a bare symbol (its symbols "
            "are <import path>.name), only assembly, C code and cgo imports do, and this module "
            f"defines no {d.target}")
    yield from _report(ctx, d, f"{d.local} pulls {d.target}, but {what}", _bare_candidates(ctx, d))


def _report(ctx: Context, d, msg: str, found: list[str]):
    """The finding for a pull of ``d.target``, which nothing defines: ``msg`` says why, ``found``
    holds the likely intended targets (a fix when there is exactly one)."""
    f = ctx.file
    if d.declaration.kind == "var":
        effect = ("nothing defines it, so the declaration defines a new zero-valued variable of "
                  "that name: the program links and reads zero")
    elif _referenced(ctx, d) is False:
        effect = (f"nothing in the package calls it yet, so builds still link; a program that calls it "
                  f'fails to link on every release with "relocation target {d.target} not defined"')
    else:
        effect = f'the link fails on every release with "relocation target {d.target} not defined"'
    msg = f"{msg}: {effect}"
    fix = None
    if len(found) == 1:
        msg += f"; did you mean {found[0]}?"
        text = f.text(d.span)
        at = text.find(d.target, text.find(d.local) + len(d.local))
        start = d.span.start + len(text[:at].encode())
        fix = ctx.fix(f"Correct the target to {found[0]}",
                      TextEdit(f.path, start, start + len(d.target.encode()), found[0]),
                      safety=Safety.SAFE)
    elif found:
        msg += f"; close candidates: {', '.join(found[:4])}"
    yield ctx.finding(d.span, msg, fix=fix, failing_releases={r: "undefined" for r in ctx.releases})


RULE = Rule(
    code="LN104",
    name="unknown-target",
    summary="a pull names a package or symbol that no Go release defines (a typo)",
    severity=Severity.ERROR,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE,),
    check=check,
    follows_calls=True,  # whether the package calls the pull decides the message
    doc=__doc__,
)
