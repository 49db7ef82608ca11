"""Which Go releases and platforms a file is built with, and build constraints over releases.

A rule asks one question, :func:`build_matrix`: the (release, GOOS, GOARCH) targets the file
is compiled for.  It is the product of

* the releases of the module's range: from the nearest ``go.mod``'s ``go`` directive (raised
  by its ``toolchain`` line, which the go command switches to when the local toolchain is
  older) up to the newest release the knowledge base knows; ``--go-versions LO-HI`` replaces
  it.  Releases older than the oldest known one are not judged;
* the platforms of ``--platforms`` (default linux/amd64, linux/arm64, darwin/arm64,
  windows/amd64);

filtered by the file's own constraint: its file-name suffixes (``_linux``, ``_arm64``) and its
``//go:build`` (or ``// +build``) expression, where ``go1.N`` tags are minimum releases.  Other tags are evaluated as
``go build`` does by default: a tag nobody sets (``purego``, ``race``, ``routinex``) is false
unless the user names it with ``--tags`` (like ``go build -tags``); ``gc`` holds, ``ignore``
and ``gccgo`` never do (gofix-linkname models the gc toolchain).  Two kinds of tag depend on
the environment rather than on the command line, so a file counts as built when some value of
them satisfies the expression: ``cgo`` (on with a C compiler, off when cross-compiling) and
``goexperiment.*`` (each release has its own defaults).

The other half is writing constraints: :func:`release_bound` turns "the releases where this
works" into an expression such as ``!go1.23`` or ``go1.22 && !go1.25``; :func:`simplify`
keeps the result readable (``go1.21 && go1.23`` is ``go1.23``); :func:`constraint_edits`
rewrites a file's ``//go:build`` line (dropping obsolete ``// +build`` lines, which Go >= 1.17
ignores when ``//go:build`` is present, unless the module's ``go`` line is below 1.17).
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from . import buildconstraint as bc
from .buildconstraint import Expr, Target
from .edits import TextEdit
from .model import GoFile, Module

_NEVER = frozenset({"ignore", "gccgo"})
_MAX_FREE_TAGS = 8  # more environmental tags than this: assume some choice builds the file


def known_releases() -> tuple[str, ...]:
    """The releases the knowledge base describes, oldest first ("1.21", ..., "1.27")."""
    from .knowledge import RELEASES

    return tuple(RELEASES)


def minor(version: str | None) -> str | None:
    """``"1.22.3"``, ``"go1.23.4"``, ``"1.21rc2"`` -> ``"1.22"``, ``"1.23"``, ``"1.21"``."""
    if not version:
        return None
    m = re.match(r"^(?:go)?(\d+)\.(\d+)", version.strip())
    return f"{int(m.group(1))}.{int(m.group(2))}" if m else None


def key(release: str) -> tuple[int, int]:
    return bc.release_tuple(release)


class OptionError(ValueError):
    """A --go-versions or --platforms value that cannot be used; the message is one line."""


# A release as the user writes it: 1.N or 1.N.P, optionally "go"-prefixed; no leading zeros
# ("1.022" is no release Go ever had, and reading it as 1.22 would hide a typo).
_RELEASE = re.compile(r"^(?:go)?1\.(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))?$")
RANGE_FORMS = "a release (1.22 or 1.22.3) or a range LO-HI with LO <= HI (1.22-1.27)"


def parse_release_range(text: str, covered: tuple[str, ...] | None = None) -> tuple[str, str]:
    """``--go-versions``: ``"1.22"`` or ``"1.22-1.27"`` -> (low, high), inside ``covered``.

    ``covered`` is the releases the knowledge base can judge (default: the shipped ones); a
    range reaching outside it is refused rather than answered from the nearest release.
    """
    covered = covered or known_releases()
    ends = text.strip().split("-")
    if len(ends) > 2 or not all(_RELEASE.match(e) for e in ends):
        raise OptionError(f"--go-versions: {text!r} is not a release range like 1.22-1.27; "
                          f"want {RANGE_FORMS}")
    lo, hi = ends[0], ends[-1]
    if key(lo) > key(hi):
        raise OptionError(f"--go-versions: {text!r} runs backwards; want {RANGE_FORMS}")
    first, last = min(covered, key=key), max(covered, key=key)
    outside = [e for e in dict.fromkeys((lo, hi)) if not key(first) <= key(e) <= key(last)]
    if outside:
        raise OptionError(f"--go-versions: {', '.join(outside)} is outside the releases the knowledge "
                          f"base covers, Go {first}-{last}; narrow the range, or add a toolchain's "
                          f"release with --goroot DIR")
    return lo, hi


def known_platforms() -> tuple[str, ...]:
    """Every GOOS/GOARCH pair some covered release supports (cmd/dist's list)."""
    from . import knowledge as kb

    kb._shipped()
    return tuple(sorted({p for s in kb._stores for p in s.meta["ports"]}))


def parse_platforms(text: str, known: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """``--platforms``: ``"linux/amd64,darwin/arm64"`` -> the pairs, each a known GOOS/GOARCH."""
    known = known if known is not None else known_platforms()
    plats = tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    bad = [p for p in plats if p not in known]
    if not plats or bad:
        what = f"{bad[0]!r} is not a known GOOS/GOARCH pair" if bad else f"{text!r} names no platform"
        raise OptionError(f"--platforms: {what}; want a comma-separated list like "
                          f"linux/amd64,darwin/arm64 of the known pairs: {', '.join(known)}")
    return plats


def language_release(module: Module | None) -> str | None:
    """The module's language version (its ``go`` directive), e.g. ``"1.21"``: what code may use."""
    return minor(module.go) if module is not None else None


def module_min_release(module: Module | None) -> str | None:
    """The oldest release that builds the module: the ``go`` directive, or ``toolchain`` if newer."""
    if module is None:
        return None
    found = [r for r in (minor(module.go), minor(module.toolchain)) if r]
    return max(found, key=key) if found else None


def file_min_release(file: GoFile, module: Module | None,
                     chosen: tuple[str, str] | None = None) -> str | None:
    """The oldest release that compiles ``file``: the low end of ``chosen`` (--go-versions), else
    the module's ``go`` line, raised by a ``go1.N`` lower bound of the file's constraint."""
    low = minor(chosen[0]) if chosen else language_release(module)
    lower, _, _ = version_bounds(file.constraint.expr)
    if lower is not None and (low is None or key(lower) > key(low)):
        return lower
    return low


def file_language(file: GoFile, module: Module | None) -> str | None:
    """The language version of ``file`` as go/types sets it: a ``go1.N`` constraint replaces
    the module's ``go`` line (upward or downward), but never below go1.21, the first release
    whose files may set it."""
    lang = language_release(module)
    lower, _, _ = version_bounds(file.constraint.expr)
    if lower is None:
        return lang
    return lower if key(lower) >= (1, 21) else "1.21"


def release_range(module: Module | None, chosen: tuple[str, str] | None = None) -> tuple[str, ...]:
    """The known releases a module is built with, oldest first (``chosen``: --go-versions)."""
    return _release_range(module, known_releases(), chosen)


@functools.lru_cache(maxsize=1024)
def _release_range(module: Module | None, known: tuple[str, ...],
                   chosen: tuple[str, str] | None) -> tuple[str, ...]:
    if chosen is not None:
        lo, hi = minor(chosen[0]) or known[0], minor(chosen[1]) or known[-1]
    else:
        lo, hi = module_min_release(module) or known[0], known[-1]
    chosen = tuple(r for r in known if key(lo) <= key(r) <= key(hi))
    if chosen:
        return chosen
    # A range wholly outside the known releases: judge it by its ends (the knowledge base
    # answers from the nearest release it knows and says so).
    return tuple(dict.fromkeys(r for r in (lo, hi) if key(r) <= key(hi)))


def _environmental(tag: str) -> bool:
    """Tags whose value the environment decides, not the command line: either value may hold."""
    return tag == "cgo" or tag.startswith("goexperiment.")


def _default_tag(tag: str, target: Target, tags: frozenset[str]) -> bool:
    if tag in _NEVER:
        return False
    if tag in tags:
        return True
    if target.satisfies(tag):
        return True
    # The first microarchitecture level of each port is the default (GOAMD64=v1, GOARM64=v8.0).
    return tag in _DEFAULT_LEVELS.get(target.goarch, ())


_DEFAULT_LEVELS = {"amd64": ("amd64.v1",), "arm64": ("arm64.v8.0",), "386": ("386.sse2",)}


def builds_on(filename: str, expr: Expr | None, target: Target, tags=frozenset()) -> bool:
    """Whether ``go build`` (with ``-tags`` ``tags``) puts the file into ``target``'s build.

    Tags nobody sets are false; ``cgo`` and ``goexperiment.*`` may take either value.
    """
    if not bc.filename_matches(filename, target):
        return False
    if expr is None:
        return True
    # Rules ask this for every file of a package on every target: the answer depends only on
    # the expression, the target and the tags, so it is computed once for each.
    return _expr_builds_on(expr, target, frozenset(tags))


@functools.lru_cache(maxsize=65536)
def _expr_builds_on(expr: Expr, target: Target, tags: frozenset[str]) -> bool:
    free = sorted(t for t in bc.tags_of(expr) if _environmental(t) and t not in tags)
    if len(free) > _MAX_FREE_TAGS:
        return True

    def ok(chosen: frozenset[str]):
        def sat(tag: str) -> bool:
            return tag in chosen if tag in free else _default_tag(tag, target, tags)
        return sat

    for bits in itertools.product((False, True), repeat=len(free)):
        chosen = frozenset(t for t, b in zip(free, bits) if b)
        if bc.evaluate(expr, ok(chosen)):
            return True
    return False


def targets(releases, platforms) -> list[Target]:
    out = []
    for r in releases:
        for p in platforms:
            goos, _, goarch = p.partition("/")
            out.append(Target(r, goos, goarch))
    return out


def build_matrix(file: GoFile, module: Module | None, chosen: tuple[str, str] | None,
                 platforms: tuple[str, ...], tags=frozenset()) -> list[Target]:
    """Every (release, platform) target of the range that compiles ``file`` (``-tags tags``)."""
    return list(_build_matrix(file.path.name, file.constraint.expr, release_range(module, chosen),
                              tuple(platforms), frozenset(tags)))


@functools.lru_cache(maxsize=1 << 14)
def _build_matrix(filename: str, expr: Expr | None, releases: tuple[str, ...],
                  platforms: tuple[str, ...], tags: frozenset[str]) -> tuple[Target, ...]:
    return tuple(t for t in targets(releases, platforms) if builds_on(filename, expr, t, tags))


def releases_of(matrix: list[Target]) -> list[str]:
    return sorted({t.release for t in matrix}, key=key)


# -------------------------------------------------------------------------- judging a matrix

# When one release fails differently on two platforms, the message names the worse one.
_RANK = {"ok": 0, "undefined": 1, "blocked": 2}


@dataclass(frozen=True)
class Verdicts:
    """What happens to something on each target of a matrix: "ok" or a failure word."""

    per_target: dict[Target, str]

    @property
    def matrix(self) -> list[Target]:
        return list(self.per_target)

    def failing(self) -> dict[str, str]:
        """``{release: status}`` for the releases that fail on at least one platform, in order."""
        out: dict[str, str] = {}
        for t, status in self.per_target.items():
            if status == "ok":
                continue
            prev = out.get(t.release)
            if prev is None or _RANK.get(status, 3) > _RANK.get(prev, 3):
                out[t.release] = status
        return {r: out[r] for r in sorted(out, key=key)}

    def working_releases(self) -> list[str]:
        """Releases where every platform of the matrix is fine."""
        bad = self.failing()
        return [r for r in releases_of(self.matrix) if r not in bad]

    def uniform_over_platforms(self) -> bool:
        """Each release fails on all of its platforms or on none: a release bound can fix it."""
        by_release: dict[str, set[bool]] = {}
        for t, status in self.per_target.items():
            by_release.setdefault(t.release, set()).add(status == "ok")
        return all(len(v) == 1 for v in by_release.values())

    def failing_platforms(self, release: str) -> list[str]:
        return [f"{t.goos}/{t.goarch}" for t, s in self.per_target.items()
                if t.release == release and s != "ok"]


def format_releases(releases) -> str:
    """``["1.23", "1.24", "1.25"]`` -> ``"Go 1.23-1.25"``; gaps: ``"Go 1.21, 1.23-1.27"``."""
    rs = sorted(set(releases), key=key)
    if not rs:
        return "no Go release"
    runs: list[list[str]] = []
    for r in rs:
        if runs and key(runs[-1][-1])[0] == key(r)[0] and key(runs[-1][-1])[1] + 1 == key(r)[1]:
            runs[-1].append(r)
        else:
            runs.append([r])
    return "Go " + ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def describe_failures(failing: dict[str, str], verbs: dict[str, str] | None = None) -> str:
    """``{"1.21": "undefined", "1.23": "blocked", ...}`` -> "undefined on Go 1.21; blocked ... on Go 1.23-1.27"."""
    verbs = verbs or {"blocked": "blocked by the linker", "undefined": "undefined"}
    by_status: dict[str, list[str]] = {}
    for r, s in failing.items():
        by_status.setdefault(s, []).append(r)
    parts = sorted(by_status.items(), key=lambda kv: key(kv[1][0]))
    return "; ".join(f"{verbs.get(s, s)} on {format_releases(rs)}" for s, rs in parts)


# -------------------------------------------------------------------------- writing constraints


def not_(x: Expr) -> Expr:
    return x[1] if x[0] == "not" else ("not", x)


def or_(x: Expr | None, y: Expr | None) -> Expr | None:
    if x is None or y is None:
        return None  # None means "always": x || always is always
    return ("or", x, y)


def release_bound(works: list[str] | set[str], universe: list[str] | tuple[str, ...]) -> Expr | None:
    """An expression over ``go1.N`` tags that holds for ``works`` and not for the rest of ``universe``.

    ``universe`` is the ordered range of releases.  Bounds are written only where needed: no
    lower bound at the start of the range, no upper bound at its end, so releases newer than
    the newest known one fall on the side of the newest.  Returns None when every release
    works (no constraint needed); raises ValueError when none does.
    """
    universe = sorted(universe, key=key)
    ok = [r in set(works) for r in universe]
    if all(ok):
        return None
    if not any(ok):
        raise ValueError("no release works: there is nothing to bound")
    terms: list[Expr] = []
    i = 0
    while i < len(universe):
        if not ok[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(universe) and ok[j + 1]:
            j += 1
        term = None
        if i > 0:
            term = bc.tag(f"go{universe[i]}")
        if j + 1 < len(universe):
            term = bc.and_(term, ("not", bc.tag(f"go{universe[j + 1]}")))
        terms.append(term)
        i = j + 1
    expr = terms[0]
    for t in terms[1:]:
        expr = ("or", expr, t)
    return expr


def _conjuncts(x: Expr) -> list[Expr]:
    return _conjuncts(x[1]) + _conjuncts(x[2]) if x[0] == "and" else [x]


def _version_tag(x: Expr) -> tuple[bool, tuple[int, int]] | None:
    """(positive, release) for ``go1.N`` or ``!go1.N``."""
    neg = x[0] == "not"
    inner = x[1] if neg else x
    if inner[0] == "tag" and re.fullmatch(r"go1\.\d+", inner[1]):
        return (not neg, key(inner[1]))
    return None


def simplify(x: Expr | None) -> Expr | None:
    """Tidy a conjunction: keep the tightest ``go1.N`` lower and ``!go1.M`` upper bound, drop
    duplicates, push ``!`` through ``!(a && b)`` only when that removes parentheses."""
    if x is None:
        return None
    if x[0] == "not" and x[1][0] == "not":
        return simplify(x[1][1])
    if x[0] == "or":
        return ("or", simplify(x[1]), simplify(x[2]))
    if x[0] != "and":
        return x
    parts = [simplify(p) for p in _conjuncts(x)]
    flat: list[Expr] = []
    for p in parts:
        flat.extend(_conjuncts(p))
    lower: tuple[int, int] | None = None
    upper: tuple[int, int] | None = None
    rest: list[Expr] = []
    for p in flat:
        v = _version_tag(p)
        if v is None:
            if p not in rest:
                rest.append(p)
        elif v[0]:
            lower = v[1] if lower is None or v[1] > lower else lower
        else:
            upper = v[1] if upper is None or v[1] < upper else upper
    out: Expr | None = None
    if lower is not None:
        out = bc.tag(f"go{lower[0]}.{lower[1]}")
    for p in rest:
        out = bc.and_(out, p)
    if upper is not None:
        out = bc.and_(out, ("not", bc.tag(f"go{upper[0]}.{upper[1]}")))
    return out


def format_constraint(expr: Expr, plus_build: bool = False) -> str:
    """The ``//go:build`` line of ``expr``; with ``plus_build``, followed by the equivalent
    ``// +build`` lines (for modules whose ``go`` line is below 1.17, where gofmt and go vet
    keep the two in step)."""
    line = "//go:build " + bc.format_expr(expr)
    plus = bc.plus_build_lines(expr) if plus_build else None
    return "\n".join([line, *plus]) if plus else line


def wants_plus_build(module: Module | None) -> bool:
    """Whether new constraints get ``// +build`` lines too: the module's ``go`` line is below 1.17."""
    lang = language_release(module)
    return lang is not None and key(lang) < (1, 17)


def bounded(existing: Expr | None, bound: Expr | None) -> Expr | None:
    """The file's own constraint, further limited to ``bound``."""
    return simplify(bc.and_(existing, bound))


def complement(existing: Expr | None, bound: Expr) -> Expr:
    """Where the file used to build but ``bound`` does not hold: the companion's constraint."""
    return simplify(bc.and_(existing, not_(bound)))


def constraint_edits(file: GoFile, expr: Expr | None, plus_build: bool = False) -> list[TextEdit]:
    """Edits giving ``file`` exactly the constraint ``expr`` (None: unconstrained).

    The ``//go:build`` line is rewritten in place (or, without one, the first ``// +build``
    line becomes it, or a new first line is added); other ``// +build`` lines are removed.
    """
    c = file.constraint
    line = format_constraint(expr, plus_build) if expr is not None else None
    spans = sorted(([c.go_build] if c.go_build else []) + list(c.plus_build), key=lambda s: s.start)
    if not spans:
        return [TextEdit(file.path, 0, 0, f"{line}\n\n")] if line is not None else []
    edits: list[TextEdit] = []
    keep = spans[0] if line is not None else None
    if keep is not None:
        edits.append(TextEdit(file.path, keep.start, keep.end, line))
    for s in spans:
        if s is keep:
            continue
        start, end = file.line_start(s.start), file.line_end(s.end)
        if s is spans[-1] and keep is None:
            nxt = file.line_end(end)
            if end < len(file.source) and not file.source[end:nxt].strip():
                end = nxt  # the blank line that separated the constraint from the file
        edits.append(TextEdit(file.path, start, end, ""))
    return edits


def version_bounds(expr: Expr | None) -> tuple[str | None, str | None, bool]:
    """(lower, upper, other): the ``go1.N`` and ``!go1.M`` conjuncts at the top of ``expr``, and
    whether a release tag appears anywhere else (under ``||`` or a negated group)."""
    if expr is None:
        return None, None, False
    lower = upper = None
    top = _conjuncts(expr)
    for p in top:
        v = _version_tag(p)
        if v is None:
            continue
        tag = f"{v[1][0]}.{v[1][1]}"
        if v[0]:
            lower = tag if lower is None or key(tag) > key(lower) else lower
        else:
            upper = tag if upper is None or key(tag) < key(upper) else upper
    elsewhere = any(re.fullmatch(r"go1\.\d+", t) for p in top if _version_tag(p) is None for t in bc.tags_of(p))
    return lower, upper, elsewhere


def open_ended(expr: Expr | None) -> str | None:
    """The ``N`` of a constraint ``go1.N`` (with no upper release bound anywhere), else None."""
    lower, upper, elsewhere = version_bounds(expr)
    return lower if lower is not None and upper is None and not elsewhere else None
