"""gated-file-without-counterpart (LN108): a file left out of some builds declares names the rest of the package uses there.

## What it does
Flags a file whose build constraint (its ``//go:build`` line or its ``_GOOS``/``_GOARCH``
name) leaves it out of some releases or platforms of the analysed range (the module's ``go``
line to the newest release, or ``--go-versions``; ``--platforms``), when files that *are*
compiled there use a function, variable, constant or type that this file declares, and no
file compiled there declares it too.  The finding names the releases and platforms where the
package does not compile, the names that are missing and the files that use them.

A file left out of only some platforms of a release is judged when a missing name is one of
its ``//go:linkname`` pulls (``hash_amd64.go`` pulling ``runtime.memhash`` for ``table.go``).
Whether a package of ordinary code is meant to build on a platform is not something its files
say: packages for Linux alone are common and deliberate (gVisor's ``pkg/flipcall``, whose
``futex_linux.go`` the other files call; runc's ``libcontainer/configs``, whose dependencies do
not build elsewhere, ``_unsupported.go`` files notwithstanding).

A package under ``internal/`` is built only where a file of its module importing it is
(its own external tests aside): an amd64-only internal package imported from
``dispatch_amd64.go`` alone is not reported for arm64.  A use only in a ``_test.go`` file breaks the package's tests, not its build: reported as a
warning.  A name another file declares under a complementary constraint (``//go:build
go1.25`` next to ``//go:build !go1.25``) is provided; so is a builtin's name (``min``), which
means the builtin where the file is left out.

## Why is this bad?
Build constraints choose files, and the files of a package share one scope.  A file bounded
to ``go1.20 && !go1.25`` (a pull of runtime internals that a later release changed) whose
functions are called from unconstrained files leaves those calls without a declaration on
Go 1.25 and later: ``undefined: hashFn``, and the package does not compile at all.  It builds
on the releases its author tried, so nothing warns until a user upgrades Go or builds for
another platform.

## Go releases affected
Those (and the platforms) the file's constraint excludes where the names are used; the
finding's ``go_versions`` lists them.

## Example
```go
// hash_go120.go
//go:build go1.20 && !go1.25

//go:linkname hashFn runtime.memhash
func hashFn(p unsafe.Pointer, h, s uintptr) uintptr

// table.go (no constraint)
func (t *Table) slot(k string) uintptr { return hashFn(...) }
```

## Use instead
A companion file for the releases and platforms the gated file leaves out:
``//go:build !(go1.20 && !go1.25)`` with ``func hashFn`` implemented over ``hash/maphash``.

## Fix safety
Offered when every missing name is a pull the replacement table has a public API for, and no
other file of the package declares any of them (the companion, constrained to where the gated
file is not built, then declares each exactly once in every build).  No build that compiles
today changes.  Safe when each replacement computes exactly what the pulled target computes
(``runtime.NumGoroutine()`` for ``runtime.gcount``); unsafe otherwise, with the reason: the
newly compiling builds get another random source, a clock counted from another origin, or
other hash values than the builds that use the pull.
"""
from __future__ import annotations

from pathlib import Path

from codemod import buildconstraint as bc
from codemod import fixkit, replacements, scope, versions
from codemod.buildconstraint import Target
from codemod.edits import CreateFile, Safety
from codemod.findings import Severity
from codemod.pulls import std_pull
from codemod.rule import Context, FixAvailability, Rule


def _is_test(f) -> bool:
    return f.path.name.endswith("_test.go")


def _gate(f):
    """The file's whole constraint as one expression: its name's GOOS/GOARCH and its lines."""
    goos, goarch = bc.filename_constraint(f.path.name)
    expr = f.constraint.expr
    for t in (goarch, goos):
        if t:
            expr = bc.and_(bc.tag(t), expr)
    return expr


def _package_index(ctx: Context):
    """For the files of ``ctx.file``'s package: the files, the targets each builds on, the first
    file (by name) declaring each name, and a table of what each target's build declares;
    worked out once per package and pass, for every constrained file asks."""
    key = ("gated-file index", id(ctx.siblings), ctx.file.package)
    hit = ctx.package.memo.get(key)
    if hit is None or hit[0] is not ctx.siblings:
        files = [g for g in ctx.siblings.values() if g.package == ctx.file.package]
        every = versions.targets(ctx.releases, ctx.options.platforms)
        tags = ctx.options.tags
        builds = {id(g): frozenset(t for t in every if versions.builds_on(g.path.name, g.constraint.expr, t, tags))
                  for g in files}
        first: dict[str, str] = {}
        for g in files:
            for n in scope.top_level_names(g):
                if n not in first or g.path.name < first[n]:
                    first[n] = g.path.name
        hit = ctx.package.memo[key] = (ctx.siblings, (files, builds, first, {}))
    return hit[1]


def _breakage(ctx: Context) -> tuple[dict[Target, str], dict[str, set[str]]]:
    """Per excluded target, "build" or "test" when files compiled there use a name only this
    file declares; and, per missing name, the files using it."""
    f = ctx.file
    inside = set(ctx.build_matrix)
    excluded = [t for t in versions.targets(ctx.releases, ctx.options.platforms) if t not in inside]
    if not excluded:
        return {}, {}
    files, builds, first, declared_at = _package_index(ctx)
    # A name several gated files declare is missing where none is built: the first of them
    # (by name) reports it, once.
    names = {n for n in scope.top_level_names(f) if n not in scope.PREDECLARED
             and first.get(n, f.path.name) >= f.path.name}
    if not names:
        return {}, {}
    # Where only some platforms of a release leave the file out, a gap is claimed when a
    # missing name is one its //go:linkname directives name: whether a package of ordinary
    # code is meant to build on a platform is not something its files say.  Where the whole
    # release leaves it out, it is a version gate, claimed always.
    pulled = names & {d.local for d in f.directives}
    releases_inside = {t.release for t in inside}
    # Which of the names each file uses, asked once per file rather than once per target: a
    # target only decides which of them count as missing.  A file whose words spell none of
    # them uses none (the usual case).
    used_by: dict[tuple[int, bool], list[str]] = {}

    def used(g, among: set[str]) -> list[str]:
        key = (id(g), among is pulled)
        found = used_by.get(key)
        if found is None:
            by_word = {n.encode("utf-8"): n for n in among}
            # Two frozensets: the intersection walks the smaller (a dict's keys would walk the
            # file's words, thousands of them, every time).
            spelled = frozenset(by_word) & scope.words(g)
            found = used_by[key] = list(scope.package_references(g, [by_word[w] for w in spelled])) \
                if spelled else []
        return found

    test_file = _is_test(f)

    def missing_at(t: Target, among: set[str]) -> tuple[str | None, list[tuple[str, str]]]:
        """"build" or "test" when a file built at ``t`` uses a name of ``among`` no file built
        there declares, else None; and (name, file using it) for each such use."""
        built, declared_build, declared_test = declared_at[t]
        outcome, uses_here = None, []
        for g in built:
            g_test = _is_test(g)
            if test_file and not g_test:
                continue  # a test file's names are not visible to the package's own files
            uses = used(g, among)
            if not uses or scope.has_dot_import(g):
                continue  # no use; or its unqualified names may come from the imported package
            declared = declared_test if g_test else declared_build
            missing = [n for n in uses if n not in declared]
            if not missing:
                continue
            uses_here.extend((n, g.path.name) for n in missing)
            outcome = "build" if not g_test else (outcome or "test")
        return outcome, uses_here

    broken: dict[Target, str] = {}
    users_at: dict[Target, list[tuple[str, str]]] = {}  # (name, file using it) per target
    for t in excluded:
        if t not in declared_at:
            built = [g for g in files if t in builds[id(g)]]  # never this file: it is left out at t
            # What each build declares: the package's own files; its test build adds _test.go files.
            declared_build = {n for g in built if not _is_test(g) for n in scope.top_level_names(g)}
            declared_at[t] = (built, declared_build,
                              declared_build | {n for g in built if _is_test(g) for n in scope.top_level_names(g)})
        if names <= declared_at[t][1]:
            continue  # every name is declared there, for the build and its tests alike
        if t.release in releases_inside and (not pulled or missing_at(t, pulled)[0] is None):
            continue  # no pulled name is missing there
        outcome, uses_here = missing_at(t, names)
        if outcome is not None:
            broken[t], users_at[t] = outcome, uses_here
    if broken:
        # An internal package is built only where a file of its module importing it is (a
        # whole-module question, so asked only once something is broken).
        reached = ctx.built_for(list(broken))
        if reached is not None:
            broken = {t: s for t, s in broken.items() if t in reached}
    users: dict[str, set[str]] = {}
    for t in broken:
        for n, user in users_at[t]:
            users.setdefault(n, set()).add(user)
    return broken, users


def _gate_words(ctx: Context, shown) -> str:
    """What leaves the file out of ``shown``: its file name, its build constraint, or both."""
    f = ctx.file
    expr = f.constraint.expr
    constraint = versions.format_constraint(expr).removeprefix("//go:build ") if expr is not None else None
    if constraint is None:
        return "its file name"
    by_name = all(not bc.filename_matches(f.path.name, t) for t in shown)
    by_line = all(not versions.builds_on("x.go", expr, t, ctx.options.tags) for t in shown)
    if by_name and not by_line:
        return "its file name"
    if by_line:
        return f"its build constraint ({constraint})"
    return f"its file name and build constraint ({constraint})"


def _where(broken: dict[Target, str], platforms: tuple[str, ...]) -> str:
    """``Go 1.25-1.27``, or ``Go 1.21-1.27 on linux/arm64, darwin/arm64`` when only some
    platforms of a release fail (grouped by the platforms that fail)."""
    by_release: dict[str, list[str]] = {}
    for t in broken:
        by_release.setdefault(t.release, []).append(f"{t.goos}/{t.goarch}")
    groups: dict[tuple[str, ...], list[str]] = {}
    for release, plats in by_release.items():
        key = tuple(p for p in platforms if p in plats)
        groups.setdefault(() if len(key) == len(platforms) else key, []).append(release)
    parts = []
    for plats, releases in groups.items():
        where = versions.format_releases(releases)
        parts.append(f"{where} on {', '.join(plats)}" if plats else where)
    return "; ".join(parts)


def _companion_fix(ctx: Context, missing: list[str]):
    """A new file declaring each missing name over its public replacement, built exactly where
    the gated file is not; (fix, None) or (None, why not)."""
    f = ctx.file
    package = [g for g in ctx.siblings.values() if g is not f and g.package == f.package]
    elsewhere = sorted(n for n in missing if any(n in scope.top_level_names(g) for g in package))
    if elsewhere:
        return None, f"{', '.join(elsewhere)} also declared in another file, so a companion could clash"
    pulls = {d.local: d for d in f.directives if d.declaration is not None and std_pull(ctx, d)}
    language = versions.language_release(ctx.module)
    codes, imports, helpers, whys = [], [], set(), []
    safety = Safety.SAFE
    for name in missing:
        d = pulls.get(name)
        if d is None:
            return None, f"{name} is not a pull with a public replacement"
        comp = replacements.companion(d.target, fixkit.header_text(f, d.declaration), language)
        if comp is None:
            return None, f"the replacement table has no companion for {d.target} as {name} declares it"
        found = fixkit.companion_imports(f, comp)
        if found is None:
            return None, f"the companion of {name} needs a package the file does not import by name"
        taken = {n for g in ctx.siblings.values() if g.package == f.package for n in scope.top_level_names(g)}
        if set(comp.helpers) & (taken | helpers):
            return None, f"the companion of {name} needs a package-level name the package uses"
        helpers |= set(comp.helpers)
        imports += found
        codes.append(f"// {name} stands in for {d.target} where {f.path.name} is not built.\n{comp.code}")
        if comp.safety == Safety.UNSAFE:
            safety = Safety.UNSAFE
            whys.append(comp.why_unsafe)
    rest = versions.simplify(versions.not_(_gate(f)))
    # The companion's own name must not carry the gated file's GOOS/GOARCH suffix.
    goos, goarch = bc.filename_constraint(f.path.name)
    stem, tail = f.path.name[:-3], ""
    if stem.endswith("_test"):
        stem, tail = stem[:-5], "_test"
    for word in (goarch, goos):
        if word and stem.endswith("_" + word):
            stem = stem[: -len(word) - 1]
    base = f.path.with_name(f"{stem}{tail}.go")
    word = fixkit.release_word(rest) or "other"
    path = fixkit.new_file_path(base, word, {*ctx.package.go_files, *ctx.package.entries})
    if path is None:
        return None, "no free file name for the companion"
    text = fixkit.new_file_text(f, rest, imports, "\n".join(codes), header=fixkit.license_header(f),
                                plus_build=versions.wants_plus_build(ctx.module))
    fix = ctx.fix(f"Add {path.name}, declaring {', '.join(missing)} where {f.path.name} is not built",
                  CreateFile(path, text), safety=safety,
                  why_unsafe="; ".join(dict.fromkeys(w for w in whys if w)))
    return fix, None


def may_break(pkg) -> bool:
    """The package gate: False when the package's bytes (see :mod:`codemod.sketch`) prove that
    no constrained file can be reported: wherever one is left out and :func:`_breakage` would
    claim a gap, each name it could report is declared by a file built there, or spelled by
    none outside comments and literals (where a reference would be).  Every doubt answers True."""
    tags = pkg.options.tags
    every = versions.targets(pkg.releases, pkg.options.platforms)
    constrained = [n for n in pkg.go_files if pkg.may_be_constrained(n)]
    if not constrained:
        return False  # a file without a constraint is built wherever its package is
    headers = {}

    def header(n: str) -> bool:
        """Whether the file's header was read (into ``headers``) as the parser reads it."""
        h = headers[n] = pkg.header(n)
        return h is not None and h.package is not None and h.constraint_ok

    # Per constrained file, the targets it is left out of, and the names a gap there could
    # report: any of its names where a whole release leaves it out; where only some platforms
    # of a release do, those its //go:linkname lines name.  Only a ``go1.N`` tag tells one
    # release from another, so a file spelling neither that nor a directive has no gap to
    # report; the headers of the others tell which gaps they have.  A package of platform
    # files without directives (most of them) is never sketched.
    gaps: list[tuple[str, list, list]] = []  # (file, release-wide gaps, platform-only gaps)
    for n in constrained:
        data = pkg.data(n) or b""
        if b"go:linkname" not in data and b"go1." not in data:
            continue
        if not header(n):
            return True
        h = headers[n]
        built = {t for t in every if versions.builds_on(n, h.constraint, t, tags)}
        if not built:
            continue  # built nowhere: it declares nothing
        releases = {t.release for t in built}
        wide = [t for t in every if t.release not in releases]
        narrow = [t for t in every if t not in built and t.release in releases]
        if narrow and not pkg.directive_names(n):
            narrow = []
        if wide or narrow:
            gaps.append((n, wide, narrow))
    if not gaps:
        return False
    if not all(n in headers or header(n) for n in constrained):
        return True
    plain = [n for n in pkg.go_files if n not in headers]
    plain_words: set[bytes] | None = None
    at: dict = {}  # target -> the constrained files built there

    def built_at(t):
        if t not in at:
            at[t] = [n for n, h in headers.items() if versions.builds_on(n, h.constraint, t, tags)]
        return at[t]

    def declared_at(t, package, name: str) -> bool | None:
        """Whether a file of ``package`` built at ``t`` (not a test) declares ``name``; None when
        a file spelling it cannot be sketched.  Only the files spelling it are sketched."""
        word = name.encode("utf-8")
        for g in built_at(t):
            if headers[g].package != package or g.endswith("_test.go") or word not in pkg.code_words(g):
                continue
            s = pkg.file(g)
            if s is None or s.names is None:
                return None
            if name in s.names:
                return True
        return False

    def spelled_at(t, package, word: bytes) -> bool:
        """Whether a file of ``package`` built at ``t`` may refer to ``word`` (a file of another
        package, an external test, sees none of this package's names unqualified)."""
        return any(headers[g].package == package and word in pkg.code_words(g) for g in built_at(t))

    for gated, wide, narrow in gaps:
        package = headers[gated].package
        every_name: frozenset[str] | None = None
        if wide:
            s = pkg.file(gated)
            if s is None or s.names is None:
                return True
            every_name = s.names
        pulled = pkg.directive_names(gated)
        for t in (*wide, *narrow):
            names = (every_name if t in wide else pulled) - scope.PREDECLARED
            for name in names:
                declared = declared_at(t, package, name)
                if declared is None:
                    return True
                if declared:
                    continue
                word = name.encode("utf-8")
                if spelled_at(t, package, word):
                    return True  # a file built there may use it
                if plain_words is None:
                    plain_words = set().union(*(pkg.code_words(g) for g in plain))
                if word not in plain_words:
                    continue
                used = False
                for g in plain:
                    if word not in pkg.code_words(g):
                        continue
                    s = pkg.file(g)
                    if s is None or s.names is None or s.package is None:
                        return True
                    if s.package != package:
                        continue  # another package's file (an external test) neither declares nor uses it
                    if name in s.names and not g.endswith("_test.go"):
                        break  # declared by a file built everywhere
                    used = True  # a use, or a declaration only tests see
                else:
                    if used:
                        return True
    return False


def check(ctx: Context):
    f = ctx.file
    if not ctx.build_matrix:
        return  # a file nobody compiles declares nothing
    broken, users = _breakage(ctx)
    # An unseen file may declare anything: asked once something looks broken, since seeing
    # the whole package means parsing every file of it.
    if not broken or not ctx.whole_package_seen():
        return
    missing = sorted(users)
    build = {t: s for t, s in broken.items() if s == "build"}
    shown = build or broken
    where = _where(shown, ctx.options.platforms)
    gate = _gate_words(ctx, shown)
    one = len(missing) == 1
    if one:
        uses = f"{', '.join(sorted(users[missing[0]]))} {'uses' if len(users[missing[0]]) == 1 else 'use'} it there"
    else:
        uses = "files built there use them (" + "; ".join(
            f"{n} in {', '.join(sorted(users[n]))}" for n in missing) + ")"
    what = "the package does not compile" if build else "the package's tests do not compile"
    # Other files left out there may declare the names too (mockey's stw_1_21.go, stw_1_22.go
    # and stw_1_23.go each declare doStopTheWorld; Go 1.26 builds none of them).
    others = sorted({g.path.name for g in ctx.siblings.values() if g is not f and g.package == f.package
                     and (_is_test(f) or not _is_test(g)) and set(missing) & scope.top_level_names(g)})
    declared = f"declared only in this file, which {gate} leaves out of {where}" if not others else \
        f"declared only in {', '.join(['this file', *others[:-1]])} and {others[-1]}, none of which {where} builds"
    message = (f"{', '.join(missing)} {'is' if one else 'are'} {declared}; {uses}, so {what} there "
               f"(\"undefined: {missing[0]}\")")
    failing = {r: "undefined" for r in versions.releases_of(list(shown))}
    anchor = f.constraint.go_build or (f.constraint.plus_build[0] if f.constraint.plus_build else None) \
        or f.package_clause
    severity = Severity.ERROR if build else Severity.WARNING
    fix, why_not = _companion_fix(ctx, missing)
    if fix is None:
        yield ctx.finding(anchor, message + f"; declare {'it' if len(missing) == 1 else 'them'} "
                          "in a file built there", severity=severity, failing_releases=failing,
                          fix_withheld=why_not)
        return
    yield ctx.finding(anchor, message, fix=fix, severity=severity, failing_releases=failing)


RULE = Rule(
    code="LN108",
    name="gated-file-without-counterpart",
    summary="a file left out of some releases or platforms declares names other files use there: the package does not compile",
    severity=Severity.ERROR,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE, Safety.UNSAFE),
    check=check,
    doc=__doc__,
    # Any constrained file can be the one (the engine reads a package whole when a file name
    # carries a GOOS/GOARCH suffix, which no word in the file shows).
    triggers=("go:build", "+build", "go:linkname"),
    reads_package=True,
    package_gate=may_break,
)
