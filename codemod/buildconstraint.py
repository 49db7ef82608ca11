"""Go build constraints: ``//go:build`` expressions, ``// +build`` lines and file-name suffixes.

This follows go/build/constraint and go/build's ``goodOSArchFile``: an expression is made of
tags, ``!``, ``&&``, ``||`` and parentheses; a ``// +build`` line is an OR of space-separated
terms, each an AND of comma-separated tags, and several lines are ANDed.  A ``go1.N`` tag is
satisfied by every release >= 1.N.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

KNOWN_OS = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 "
    "solaris wasip1 windows zos".split()
)
KNOWN_ARCH = frozenset(
    "386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 "
    "mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm".split()
)
UNIX_OS = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios linux netbsd openbsd solaris".split()
)


class ConstraintError(ValueError):
    """A build constraint line that Go itself would reject."""


# An expression is a nested tuple: ("tag", name) | ("not", x) | ("and", x, y) | ("or", x, y).
Expr = tuple


def tag(name: str) -> Expr:
    return ("tag", name)


def and_(x: Expr | None, y: Expr | None) -> Expr | None:
    if x is None:
        return y
    if y is None:
        return x
    return ("and", x, y)


_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_.]+)")


def parse_expr(text: str) -> Expr:
    """Parse the expression of a ``//go:build`` line (without the ``//go:build`` prefix)."""
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ConstraintError(f"unexpected {text[pos:pos + 10]!r} in build constraint")
        tokens.append(m.group(1))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        raise ConstraintError("empty build constraint")
    expr, rest = _parse_or(tokens, 0)
    if rest != len(tokens):
        raise ConstraintError(f"unexpected {tokens[rest]!r} in build constraint")
    return expr


def _parse_or(toks: list[str], i: int) -> tuple[Expr, int]:
    x, i = _parse_and(toks, i)
    while i < len(toks) and toks[i] == "||":
        y, i = _parse_and(toks, i + 1)
        x = ("or", x, y)
    return x, i


def _parse_and(toks: list[str], i: int) -> tuple[Expr, int]:
    x, i = _parse_not(toks, i)
    while i < len(toks) and toks[i] == "&&":
        y, i = _parse_not(toks, i + 1)
        x = ("and", x, y)
    return x, i


def _parse_not(toks: list[str], i: int) -> tuple[Expr, int]:
    if i >= len(toks):
        raise ConstraintError("unexpected end of build constraint")
    t = toks[i]
    if t == "!":
        x, i = _parse_not(toks, i + 1)
        return ("not", x), i
    if t == "(":
        x, i = _parse_or(toks, i + 1)
        if i >= len(toks) or toks[i] != ")":
            raise ConstraintError("missing ) in build constraint")
        return x, i + 1
    if t in ("&&", "||", ")"):
        raise ConstraintError(f"unexpected {t!r} in build constraint")
    return ("tag", t), i + 1


def parse_plus_build(lines: list[str]) -> Expr | None:
    """Combine the arguments of ``// +build`` lines into one expression."""
    result: Expr | None = None
    for line in lines:
        line_expr: Expr | None = None
        for term in line.split():
            term_expr: Expr | None = None
            for lit in term.split(","):
                if not lit or lit == "!":
                    raise ConstraintError(f"invalid +build term {term!r}")
                t: Expr = ("not", ("tag", lit.lstrip("!"))) if lit.startswith("!") else ("tag", lit)
                if lit.startswith("!!"):
                    raise ConstraintError(f"invalid +build term {term!r}")
                term_expr = and_(term_expr, t)
            line_expr = term_expr if line_expr is None else ("or", line_expr, term_expr)
        result = and_(result, line_expr)
    return result


def format_expr(expr: Expr, parent: str | None = None) -> str:
    """Render an expression in ``//go:build`` syntax, parenthesized the way gofmt prints it."""
    kind = expr[0]
    if kind == "tag":
        return expr[1]
    if kind == "not":
        inner = format_expr(expr[1], "not")
        return "!" + inner
    op = " && " if kind == "and" else " || "
    text = format_expr(expr[1], kind) + op + format_expr(expr[2], kind)
    if parent is not None and parent != kind:
        return "(" + text + ")"
    return text


def evaluate(expr: Expr | None, ok) -> bool:
    """Evaluate ``expr`` with ``ok(tag) -> bool`` deciding each tag."""
    if expr is None:
        return True
    kind = expr[0]
    if kind == "tag":
        return ok(expr[1])
    if kind == "not":
        return not evaluate(expr[1], ok)
    if kind == "and":
        return evaluate(expr[1], ok) and evaluate(expr[2], ok)
    return evaluate(expr[1], ok) or evaluate(expr[2], ok)


def tags_of(expr: Expr | None) -> set[str]:
    if expr is None:
        return set()
    if expr[0] == "tag":
        return {expr[1]}
    return set().union(*(tags_of(x) for x in expr[1:]))


def release_tuple(release: str) -> tuple[int, int]:
    """"1.27" or "1.27.3" or "go1.27" -> (1, 27)."""
    parts = release.removeprefix("go").split(".")
    return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0


@dataclass(frozen=True)
class Target:
    """One build configuration: a Go release and a platform."""

    release: str  # "1.23"
    goos: str
    goarch: str
    cgo: bool = False
    extra_tags: frozenset[str] = frozenset()

    def satisfies(self, name: str) -> bool:
        if name == self.goos or name == self.goarch:
            return True
        if name == "unix":
            return self.goos in UNIX_OS
        if name == "linux" and self.goos == "android":
            return True
        if name == "darwin" and self.goos == "ios":
            return True
        if name == "solaris" and self.goos == "illumos":
            return True
        if name == "cgo":
            return self.cgo
        if name == "gc":
            return True
        m = re.fullmatch(r"go1\.(\d+)", name)
        if m:
            return release_tuple(self.release) >= (1, int(m.group(1)))
        return name in self.extra_tags


def filename_constraint(filename: str) -> tuple[str | None, str | None]:
    """The GOOS and GOARCH a file name's ``_GOOS``, ``_GOARCH`` or ``_GOOS_GOARCH`` suffix implies."""
    name = filename.rsplit("/", 1)[-1]
    stem = name.split(".", 1)[0]
    if stem.endswith("_test"):
        stem = stem[: -len("_test")]
    parts = stem.split("_")[1:]  # a leading part is the base name, never a suffix
    if len(parts) >= 2 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        return parts[-2], parts[-1]
    if parts and parts[-1] in KNOWN_OS:
        return parts[-1], None
    if parts and parts[-1] in KNOWN_ARCH:
        return None, parts[-1]
    return None, None


def filename_matches(filename: str, target: Target) -> bool:
    goos, goarch = filename_constraint(filename)
    if goos is not None and not target.satisfies(goos):
        return False
    if goarch is not None and goarch != target.goarch:
        return False
    return True


def file_matches(filename: str, expr: Expr | None, target: Target) -> bool:
    """Whether a file with this name and constraint is part of a build for ``target``."""
    return filename_matches(filename, target) and evaluate(expr, target.satisfies)


def _push_not(x: Expr, negate: bool) -> Expr:
    kind = x[0]
    if kind == "not":
        return _push_not(x[1], not negate)
    if kind == "tag":
        return ("not", x) if negate else x
    left, right = _push_not(x[1], negate), _push_not(x[2], negate)
    if negate:
        kind = "or" if kind == "and" else "and"
    return (kind, left, right)


def _split(x: Expr, kind: str) -> list[Expr]:
    return _split(x[1], kind) + _split(x[2], kind) if x[0] == kind else [x]


def plus_build_lines(expr: Expr) -> list[str] | None:
    """The ``// +build`` lines equivalent to ``expr``, as gofmt writes them (Go's
    ``constraint.PlusBuildLines``): one line per top-level conjunct, each an OR of
    comma-joined ANDs of literals; one line when there is no OR.  None when the expression is
    too complex for that form."""
    x = _push_not(expr, False)
    split: list[list[list[Expr]]] = []
    for or_part in _split(x, "and"):
        ands = []
        for and_part in _split(or_part, "or"):
            lits = _split(and_part, "and")
            if any(lit[0] not in ("tag", "not") for lit in lits):
                return None
            ands.append(lits)
        split.append(ands)
    if max(len(o) for o in split) == 1:
        split = [[[lit for o in split for lit in o[0]]]]
    return ["// +build " + " ".join(",".join(format_expr(lit) for lit in ands) for ands in o)
            for o in split]
