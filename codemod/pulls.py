"""What the pull rules share: which directives are pulls (and which of those reach into the
standard library), what each release and platform of the file's build does with them, and the
version-bounded fix.  Rules import this module; rules never import each other.
"""
from __future__ import annotations

import dataclasses
import functools
import re

from . import knowledge
from .model import Directive, is_std_path, reaches_outside
from .rule import Context
from .versions import Verdicts, releases_of, wants_plus_build

LINKER_ERROR = {
    "blocked": 'the link fails with "invalid reference to {t}"',
    "undefined": 'the link fails with "relocation target {t} not defined"',
}


def is_pull(ctx: Context, target_package: str) -> bool:
    """A two-argument directive whose target lies outside the file's own package and module."""
    return reaches_outside(target_package, ctx.file.package, ctx.import_path, ctx.module)


def rising_failure(v: Verdicts) -> bool:
    """Works on the oldest release of the matrix, fails on a later one: an upper bound fixes it."""
    rels = releases_of(v.matrix)
    failing = v.failing()
    return bool(rels) and rels[0] not in failing and bool(failing)


def puller(ctx: Context) -> str:
    """The pulling package as the linker names it (``main`` for a command)."""
    if ctx.file.package == "main":
        return "main"
    return ctx.import_path or ctx.file.package


def package_func_pulls(ctx: Context) -> list:
    """(file, directive) for every bodyless function pull in the files of ``ctx``'s package.

    Every file of a package asks the same question: it is answered once per package and pass.
    """
    if not ctx.siblings:
        return _func_pulls(ctx, [ctx.file])
    return ctx.package.shared(("func_pulls", ctx.file.package),
                              lambda: _func_pulls(ctx, list(ctx.siblings.values())))


def _func_pulls(ctx: Context, files) -> list:
    out = []
    for f in files:
        if f.package != ctx.file.package:
            continue
        for d in f.directives:
            decl = d.declaration
            if d.target is None or decl is None or decl.kind != "func" or decl.has_body:
                continue
            if d.target_package and is_pull(ctx, d.target_package):
                out.append((f, d))
    return out


def std_pull(ctx: Context, d: Directive) -> bool:
    """A two-argument directive pulling from a package the standard library has (had)."""
    return _per_pass(ctx, d, "std pull", _std_pull)


def _std_pull(ctx: Context, d: Directive) -> bool:
    pkg = d.target_package
    if d.target is None or d.declaration is None or not pkg or pkg == "main" or not is_std_path(pkg):
        return False
    if d.declaration.defines:
        return False  # a body or an initializer defines the symbol: a push, not a pull
    if not is_pull(ctx, pkg) or not knowledge.known_package(pkg):
        return False
    if d.target in symbols_anywhere(pkg):
        return True  # std defines it; a second definition in the module is pull-with-body's
    # A symbol only the module's own build defines (a push, assembly) is the module's.
    return not ctx.defined_by_build(d)


def gated_by_counterpart(ctx: Context, f, d: Directive) -> bool:
    """Whether the pull ``d`` (in file ``f``) is kept where it belongs: its file is built on only
    some targets of ``ctx.file``'s build, and on each of the others a sibling file of the same
    package declares ``d.local`` with a body.  That is what a release-bounded pull with a public
    companion looks like (``//go:build !go1.22`` pull, ``//go:build go1.22`` implementation):
    the maintainers made the choice a fix would make, so there is nothing to report."""
    from .versions import builds_on

    tags = ctx.options.tags
    outside = [t for t in ctx.build_matrix if not builds_on(f.path.name, f.constraint.expr, t, tags)]
    if not outside:
        return False
    bodies = [g for g in ctx.siblings.values() if g is not f and g.package == f.package
              and any(x.kind == "func" and x.has_body for x in g.declarations.get(d.local, ()))]
    return all(any(builds_on(g.path.name, g.constraint.expr, t, tags) for g in bodies) for t in outside)


@functools.lru_cache(maxsize=256)
def symbols_anywhere(pkg: str) -> frozenset[str]:
    """Every symbol any known release defines in ``pkg`` (runtime has thousands: computed once)."""
    return knowledge.package_symbols_anywhere(pkg)


def defined_anywhere(d: Directive) -> bool:
    """Whether any known release defines the target (on any platform)."""
    return d.target in symbols_anywhere(d.target_package)


def uses_of(files, local: str):
    """(file, identifier) for each reference to the package-level ``local`` in ``files`` (a
    call or a function value), its own declaration left out; lazily, in file order."""
    from . import goflow, scope

    word = local.encode("utf-8")
    for g in files:
        if word not in scope.words(g):
            continue  # a file that does not spell the name has no identifier of it
        for ident in goflow.references(g, local):
            parent = ident.parent
            if parent is not None and parent.type == "function_declaration" \
                    and parent.child_by_field_name("name") == ident:
                continue  # the declaration itself
            yield g, ident


def referenced_on(ctx: Context, d: Directive) -> set | None:
    """The targets of ``ctx.build_matrix`` whose compiled code refers to ``d.local`` outside
    the branches the compiler folds away there (see :mod:`codemod.deadcode`); None when that
    cannot be known: the name is exported (other packages may call it), or a file of the
    package was not seen.  Without a reference the object file carries no relocation, so the
    linker neither resolves nor checks the target (measured on Go 1.21, 1.23, 1.27)."""
    from . import deadcode
    from .versions import builds_on

    if d.local[:1].isupper() or not ctx.whole_package_seen():
        return None
    # Per package and pass, not per directive nor per file: the files and constants are the
    # package's (a file of thousands of pulls asks thousands of times, and each file asks).
    key = ("package files", id(ctx.siblings), ctx.file.package)
    hit = ctx.package.memo.get(key)
    if hit is None or hit[0] is not ctx.siblings:
        files = [g for g in (ctx.siblings.values() or [ctx.file]) if g.package == ctx.file.package]
        hit = ctx.package.memo[key] = (ctx.siblings, files, {id(g) for g in files})
    files = hit[1]
    alone = id(ctx.file) not in hit[2]
    if alone:
        files = [*files, ctx.file]
    key = ("bool constants", id(ctx.siblings), ctx.file.package, ctx.file.path if alone else None)
    hit = ctx.package.memo.get(key)
    if hit is None or hit[0] is not ctx.siblings:
        hit = ctx.package.memo[key] = (ctx.siblings, deadcode.bool_constants(files))
    consts = hit[1]
    refs = list(uses_of(files, d.local))
    out = set()
    for t in ctx.build_matrix:
        for g, ident in refs:
            if builds_on(g.path.name, g.constraint.expr, t, ctx.options.tags) and deadcode.live(g, ident, t, consts):
                out.add(t)
                break
    return out


def verdicts(ctx: Context, d: Directive) -> Verdicts:
    """``lookup`` of the target on every target of the file's build matrix; "ok" where no
    compiled code refers to the pull (a call only in a branch the compiler removes)."""
    return _per_pass(ctx, d, "verdicts", _verdicts)


def _per_pass(ctx: Context, d: Directive, what: str, compute):
    """``compute(ctx, d)`` once per file, directive and pass: several rules ask the same
    question of each pull, and a file of thousands of pulls asks it thousands of times.
    (The package's facts live for one pass; the answer depends on nothing the rule chose.)"""
    key = (what, id(ctx.siblings), ctx.file.path, d.span.start)
    hit = ctx.package.memo.get(key)
    if hit is not None and hit[0] is ctx.siblings and hit[1] is d:
        return hit[2]
    found = compute(ctx, d)
    ctx.package.memo[key] = (ctx.siblings, d, found)
    return found


def _verdicts(ctx: Context, d: Directive) -> Verdicts:
    looked = lookups(ctx, d)
    if all(looked[t].status == "ok" for t in ctx.build_matrix):
        # Nothing for a reference to change: the package's calls of the pull need no reading.
        return Verdicts({t: "ok" for t in ctx.build_matrix})
    referenced = referenced_on(ctx, d)
    return Verdicts({t: looked[t].status if referenced is None or t in referenced else "ok"
                     for t in ctx.build_matrix})


def lookups(ctx: Context, d: Directive) -> dict:
    return dict(_per_pass(ctx, d, "lookups", _lookups))


# The rule of a lookup whose refusal depends on the types the pulling package uses (see
# :func:`maybe_through_its_type`): counted as linking, and reported by LN101 as uncertain.
MAYBE_THROUGH_TYPE = "method-maybe-through-type"


def _lookups(ctx: Context, d: Directive) -> dict:
    src = puller(ctx)
    found = {t: knowledge.lookup(d.target, t.release, t.goos, t.goarch, src) for t in ctx.build_matrix}
    if any(lk.status == "blocked" for lk in found.values()):
        rule = "method-through-type" if method_through_its_type(ctx, d) else \
            MAYBE_THROUGH_TYPE if maybe_through_its_type(ctx, d) else None
        if rule is not None:
            found = {t: dataclasses.replace(lk, status="ok", reason="", rule=rule)
                     if lk.status == "blocked" else lk for t, lk in found.items()}
    return found


def uncertain_refusals(ctx: Context, d: Directive) -> dict[str, str]:
    """``{release: "blocked"}`` where the knowledge base refuses ``d`` but the refusal depends on
    the types its package uses (:func:`maybe_through_its_type`), on targets that reference it."""
    referenced = referenced_on(ctx, d)
    out: dict[str, str] = {}
    for t, lk in lookups(ctx, d).items():
        if lk.rule == MAYBE_THROUGH_TYPE and (referenced is None or t in referenced):
            out[t.release] = "blocked"
    from .versions import key
    return {r: out[r] for r in sorted(out, key=key)}


def _method_pull(d: Directive) -> bool:
    pkg = d.target_package
    decl = d.declaration
    if not pkg or decl is None or decl.kind != "func":
        return False
    name = d.target[len(pkg) + 1:]
    return name.startswith("(") or "." in name  # ``(*T).m`` or ``T.m``, not a function


def maybe_through_its_type(ctx: Context, d: Directive) -> bool:
    """Whether ``d`` pulls a method of a package that the files compiled with ``d``'s file use
    (import under a name): then whether the linker checks the pull depends on the types of that
    package they use, which the source alone does not tell.  The compiler reads a type from the
    package's export data when the code needs it: a field, a method signature, an inlined
    body; once the pulled method's receiver is among those types, the pull is a reference by
    index and not checked (see :func:`method_through_its_type`).  Measured on Go 1.23-1.27 with
    quic-go's pull of ``crypto/tls.(*cipherSuiteTLS13).nextTrafficSecret`` (declared over a type
    of its own): it links in a package that calls ``(*tls.QUICConn).NextEvent`` (whose inlined
    body reaches ``Conn``, whose ``halfConn`` has a method over ``*cipherSuiteTLS13``) and is
    refused in one that only reads a ``tls.Config`` field or calls ``(*tls.SessionState).Bytes``."""
    if not _method_pull(d):
        return False
    return package_imports(ctx, d.target_package, named=True)


def package_imports(ctx: Context, pkg: str, named: bool = False) -> bool:
    """Whether a file compiled with ``ctx.file`` (its package's files; test files only in a test
    file's compilation) imports ``pkg``; ``named``: under a name, not blank."""
    test = ctx.file.path.name.endswith("_test.go")
    return ctx.package.shared(("imports package", ctx.file.package, test, pkg, named),
                              lambda: _unit_imports(ctx, pkg, test, named))


def _unit_imports(ctx: Context, pkg: str, test: bool, named: bool) -> bool:
    for g in ctx.siblings.values() or [ctx.file]:
        if g.package != ctx.file.package or (g.path.name.endswith("_test.go") and not test):
            continue
        if any(i.path == pkg and not (named and i.name == "_") for i in g.imports):
            return True
    return False


def method_through_its_type(ctx: Context, d: Directive) -> bool:
    """Whether ``d`` pulls a method of a package that a pull declaration of the file's package
    names a type of: the linker does not check such a pull.  The compiler then reads that type
    from the package's export data, with the methods of the types it holds, and emits the
    pulled method as a reference into the package by index, which the Go 1.23+ linker's check
    of pulls (references by name) never sees.  Measured on Go 1.23-1.27: DataDog/dd-trace-go's
    ``testing.(*common).runCleanup`` declared with a ``*testing.T`` parameter links, and so
    does its ``testing.(*testState).release`` declared over a type of its own next to it;
    ``os.(*file).close`` with an ``*os.File`` links.  Declared over ``unsafe.Pointer``, with
    ``*testing.T`` named only by a function with a body, or with ``*os.Process`` (whose
    fields do not reach ``file``), they are refused.  Which types reach the receiver is not
    known here, so any type of the package counts (a refusal then goes unreported)."""
    if not _method_pull(d):
        return False
    pkg = d.target_package
    return ctx.package.shared(("pulls name a type of", ctx.file.package, pkg),
                              lambda: _pulls_name_a_type_of(ctx, pkg))


def _pulls_name_a_type_of(ctx: Context, pkg: str) -> bool:
    for g, p in package_func_pulls(ctx):
        names = {i.local_name for i in g.imports if i.path == pkg and i.name not in ("_", ".")}
        if not names:
            continue
        node = p.declaration.node
        for part in ("parameters", "result"):
            sig = node.child_by_field_name(part)
            if sig is None:
                continue
            text = g.source[sig.start_byte:sig.end_byte].decode("utf-8")
            if any(re.search(rf"(?<![\w.]){re.escape(n)}\.[A-Z]", text) for n in names):
                return True
    return False


def real_symbol(ctx: Context, d: Directive):
    """The target's definition: from the newest release of the matrix where the pull links,
    else the newest where it exists at all, else from any known release."""
    src = puller(ctx)
    found = {t: knowledge.lookup(d.target, t.release, t.goos, t.goarch, src) for t in ctx.build_matrix}
    order = sorted(found, key=lambda t: (found[t].status != "ok", tuple(-x for x in _k(t.release))))
    for t in order:
        if found[t].symbol is not None:
            return found[t].symbol, found[t].release
    for r in reversed(knowledge.RELEASES):
        s = knowledge.lookup(d.target, r, "linux", "amd64", src).symbol
        if s is not None:
            return s, r
    return None, None


def _k(release: str) -> tuple[int, int]:
    from .versions import key
    return key(release)


def where(symbol) -> str:
    """``func() int32 in src/runtime/proc.go``."""
    sig = symbol.signature or (f"= {symbol.value}" if symbol.value else "")
    return f"{sig} in {symbol.file}" if sig else symbol.file


def platform_note(v: Verdicts, failing: dict[str, str]) -> str:
    """Which platforms, when an outcome does not hold on every platform of the failing releases:
    " (undefined on linux/amd64; blocked by the linker on linux/arm64)"."""
    verbs = {"blocked": "blocked by the linker", "undefined": "undefined", "ok": "links"}
    by_status: dict[str, set[str]] = {}
    every: set[str] = set()
    for t, status in v.per_target.items():
        if t.release in failing:
            plat = f"{t.goos}/{t.goarch}"
            every.add(plat)
            by_status.setdefault(status, set()).add(plat)
    if all(p == every for p in by_status.values()):
        return ""
    return " (" + "; ".join(f"{verbs.get(s, s)} on {', '.join(sorted(p))}"
                            for s, p in sorted(by_status.items())) + ")"


def package_names(ctx: Context) -> set[str]:
    """Package-level names declared in the parsed files of the package."""
    return {n for f in ctx.siblings.values() for n in f.declarations} | set(ctx.file.declarations)


def failure_pattern(v: Verdicts) -> tuple:
    """Where and how a pull fails, per target: two pulls with the same pattern fit one constraint."""
    return tuple(sorted(((t.release, t.goos, t.goarch), s) for t, s in v.per_target.items() if s != "ok"))


def version_fix(ctx: Context, d: Directive, v: Verdicts):
    """(fix or None, why there is none) for rules LN101/LN102: bound + companion, or replace."""
    from .fixkit import SplitPlan, split_fix
    from .replacements import replacement_for

    failing = v.failing()
    language = ctx.language
    if replacement_for(d.target, language) is None:
        return None, "the replacement table has no public API for it"
    if not v.uniform_over_platforms():
        return None, "it fails on some platforms only, which a release bound cannot fix"
    pulls = [x for x in ctx.file.directives if x.target and x.declaration is not None
             and x.target_package and is_pull(ctx, x.target_package)]
    if any(x.declaration.kind != "func" for x in pulls):
        return None, "the file also pulls a variable (see variable-pull)"
    # The pulls that fail exactly as this one does move together; pulls that link everywhere
    # stay where they are; a pull failing otherwise needs a file of its own first.
    same = []
    for x in pulls:
        other = verdicts(ctx, x) if std_pull(ctx, x) else None
        if other is None or not other.failing():
            continue
        if failure_pattern(other) != failure_pattern(v):
            return None, ("the file's pulls fail on different releases, so one file constraint cannot "
                          "fit them all: splitting the file comes first")
        same.append(x)
    pulls = same or [d]
    plan = SplitPlan(v.working_releases(), releases_of(v.matrix), failing, language,
                     wants_plus_build(ctx.module))
    fix = split_fix(ctx.file, pulls, plan, taken_files=ctx.package.go_files,
                    taken_names=package_names(ctx), new_path=ctx.new_file_path)
    if fix is None:
        return None, ("no companion fits the local declaration (another signature, a Go version too "
                      "old for the API, or a name clash)")
    return fix, ""


def unavailable_message(ctx: Context, d: Directive, v: Verdicts) -> str:
    from .replacements import replacement_for
    from .versions import describe_failures

    failing = v.failing()
    looked = lookups(ctx, d)
    reasons = []
    for status in dict.fromkeys(failing.values()):
        first = next(t for t, lk in looked.items() if v.per_target.get(t) == status == lk.status
                     and t.release in failing)
        reason = looked[first].reason
        reasons.append(LINKER_ERROR[status].format(t=d.target) + (f", {reason}" if reason else ""))
    msg = (f"{d.local} pulls {d.target}, which is {describe_failures(failing)}"
           f"{platform_note(v, failing)}: {'; '.join(reasons)}")
    sym, rel = real_symbol(ctx, d)
    if sym is not None:
        msg += f"; on Go {rel} it is {where(sym)}"
    rep = replacement_for(d.target, ctx.language)
    if rep is not None:
        msg += f"; public API: {rep.api}"
    return msg
