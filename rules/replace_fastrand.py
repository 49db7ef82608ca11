"""replace-fastrand (LN202): calls of ``runtime.fastrand`` and friends pulled with ``//go:linkname``.

## What it does
Flags each call of a function that pulls one of the runtime's internal random generators
(``runtime.fastrand``, ``fastrandn``, ``fastrand64``, ``fastrandu``, ``cheaprand``,
``cheaprandn``, ``cheaprand64``, ``cheaprandu64``, ``rand``) and rewrites it to a public API.
It judges each call site by where the value goes: the name of the enclosing function, the
variables, fields and results the value flows into, and whether it is hex/base64 encoded.

## Why is this bad?
These are runtime internals with no compatibility promise: ``runtime.fastrandu`` is gone since
Go 1.22 and ``runtime.cheaprand`` does not exist on Go 1.21 (measured with the real linkers).
Where they still link, a public API does the same job: ``math/rand/v2`` (Go 1.22+) draws
from ``runtime.rand``, the per-thread ChaCha8 source that ``runtime.fastrand``, ``fastrandn``
and ``fastrand64`` wrap since Go 1.22 (``cheaprand`` and its kin are a cheaper per-thread
generator of their own; measured in the linked programs), and ``math/rand`` is seeded
randomly since Go 1.20.

Worse, none of them is a cryptographic generator.  A session token, key, nonce, salt,
password or CSRF value made from them can be predicted; that is an error and must use
``crypto/rand``.

## Go releases affected
All: the rewrite removes a dependency on runtime internals.  Security use is a bug on every
release.

## Example
```go
//go:linkname fastrand runtime.fastrand
func fastrand() uint32

func newSessionToken() string {
	var b [16]byte
	for i := 0; i < 16; i += 4 {
		binary.LittleEndian.PutUint32(b[i:], fastrand())
	}
	return hex.EncodeToString(b[:])
}

func pick(n int) int { return int(fastrand() % uint32(n)) }
```

## Use instead
```go
func newSessionToken() string {
	var b [16]byte
	for i := 0; i < 16; i += 4 {
		var rnd [4]byte
		if _, err := rand.Read(rnd[:]); err != nil {  // crypto/rand
			panic("crypto/rand failed: " + err.Error())
		}
		binary.LittleEndian.PutUint32(b[i:], binary.LittleEndian.Uint32(rnd[:]))
	}
	return hex.EncodeToString(b[:])
}

func pick(n int) int { return int(rand.Uint32() % uint32(n)) }  // math/rand/v2
```
A function whose last result is an ``error`` returns the ``crypto/rand`` error instead of
panicking.  Bounded values (``fastrandn(n)``) use ``rand.Int`` of ``crypto/rand`` in security
use, ``rand.Uint32N`` of ``math/rand/v2`` otherwise.  Below Go 1.22 (the module's ``go``
line, or the low end of ``--go-versions``) ``math/rand`` replaces ``math/rand/v2``; an existing
import of either is reused.  New imports take a name that clashes with nothing in the file
(``crand``, ``randv2``... when ``rand`` is taken).  When no caller remains, the pull itself is
removed (a safe fix of its own), with the imports only it used.

An exported pull (``//go:linkname Fastrand runtime.fastrand`` on ``func Fastrand() uint32``)
is API: other packages call it.  It is reported at the directive, and its fix gives the
function a body over the public generator, keeping its name and signature; calls of it are
never rewritten, not even in the package's own tests.

## Fix safety
Unsafe: the numbers come from another random source.  In security use the fix also adds an
error path (a return or a panic) and a slower generator; ``rand.Uint32N`` and ``rand.Int``
panic for a bound of 0, where ``fastrandn(0)`` returned 0.  Removing a pull that nothing
calls is safe.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from codemod import fixkit, goflow
from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.imports import import_name
from codemod.model import Directive, GoFile
from codemod.pulls import gated_by_counterpart, is_pull
from codemod.replacements import RAND_V2, RANDOM_FAMILY, RandomGenerator, rand_v2_allowed, read_local
from codemod.rule import Context, FixAvailability, Rule

Generator = RandomGenerator


def use_v2(ctx: Context) -> bool:
    """Whether the file may use math/rand/v2: every release that builds it has the package,
    and its language version lets it import it (go vet's stdversion check)."""
    return rand_v2_allowed(ctx.min_release, ctx.language)


def random_pulls(ctx: Context) -> dict[str, tuple[GoFile, Directive, Generator]]:
    """Local name -> (file, directive, generator) for the package's pulls of the generators
    (worked out once per package and pass: every file of the package asks)."""
    return ctx.package.shared(("random_pulls", ctx.file.package), lambda: _random_pulls(ctx))


def _random_pulls(ctx: Context) -> dict[str, tuple[GoFile, Directive, Generator]]:
    out = {}
    for f in package_files(ctx):
        for d in f.directives:
            gen = RANDOM_FAMILY.get(d.target or "")
            decl = d.declaration
            # Inside the module that defines the generator (Go's own std) the pull is a
            # handshake built with it, not a reach into another release's internals.
            if gen and decl is not None and decl.kind == "func" and not decl.has_body \
                    and is_pull(ctx, d.target_package):
                out.setdefault(d.local, (f, d, gen))
    return out


_INTEGERS = frozenset("int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr".split())


def call_shape(f: GoFile, d: Directive, gen: Generator) -> tuple["CallShape | None", str]:
    """(the local result type, "") when a call of the pull can become a call of the public API
    (converted to that type when it is another integer type), else (None, why not): a call
    site written for another number of results or parameters would not compile rewritten."""
    local = read_local(fixkit.header_text(f, d.declaration))
    if local is None:
        return None, "the local declaration cannot be read"
    want_params = 1 if gen.bounded else 0
    if len(local.params) != want_params or len(local.results) != 1:
        return None, (f"{d.local} is declared {local.text.removeprefix('func ')}, but {d.target} is "
                      f"{gen.signature.removeprefix('func')}: a call written for it cannot become a "
                      "call of the public API")
    if local.results[0] not in _INTEGERS or (gen.bounded and local.params[0][1] not in _INTEGERS):
        return None, f"{d.local} is declared with non-integer types ({local.text})"
    return CallShape(local.results[0], local.params[0][1] if gen.bounded else None), ""


def package_files(ctx: Context) -> list[GoFile]:
    """The parsed files of the file's own package (an external ``_test`` package is another)."""
    files = [f for f in ctx.siblings.values() if f.package == ctx.file.package]
    return files if ctx.file in files else [ctx.file, *files]


def all_files_seen(ctx: Context, local: str) -> bool:
    """Whether every file that could refer to ``local`` was parsed.

    The engine parses only files containing a trigger word, so a file that was not parsed
    cannot spell ``local`` when ``local`` contains a trigger word, unless it was one that
    could not be parsed.
    """
    if any(t in local for t in RULE.triggers) and not ctx.package.unread:
        return True
    return ctx.whole_package_seen()


# ------------------------------------------------------------------------------ classification

@dataclass(frozen=True)
class Use:
    security: bool
    why: str  # for security use: what makes it look like one


def classify(f: GoFile, call: Node) -> Use:
    fn = goflow.enclosing_function(call)
    names: list[tuple[str, str]] = []  # (kind, name)
    scope = call
    if fn is not None:
        fname = goflow.function_name(f, fn)
        if fname:
            names.append(("function", fname))
        scope = goflow.function_body(fn) or fn
    while scope.parent is not None and scope.type not in ("block", "source_file") and fn is None:
        scope = scope.parent
    fl = goflow.flow(f, scope, [call])
    names += [("variable", n) for n in sorted(fl.names)]
    names += [("field", n) for n in sorted(fl.fields)]
    if fl.returned and fn is not None:
        names += [("result", r.name) for r in goflow.results(f, fn) if r.name]
    for kind, name in names:
        hits = goflow.security_words(name)
        if hits:
            return Use(True, f"it flows into {kind} {name} ({', '.join(hits)})")
    if fl.encoded:
        callee = goflow.text(f, fl.encoded[0].child_by_field_name("function"))
        return Use(True, f"it is encoded with {callee}, the shape of a token or key")
    return Use(False, "")


# ------------------------------------------------------------------------------------ rewrites

def _bound(f: GoFile, call: Node) -> str | None:
    args = call.child_by_field_name("arguments")
    named = args.named_children if args is not None else []
    return goflow.text(f, named[0]) if len(named) == 1 else None


@dataclass(frozen=True)
class CallShape:
    """How the local declaration types a call: its result, and its bound parameter's type."""

    result: str
    bound: str | None


def _bound_arg(shape: CallShape, n: str | None) -> str | None:
    """The bound as the public API takes it (a uint32)."""
    if n is None:
        return None
    return n if shape.bound == "uint32" else f"uint32({n})"


def _converted(expr: str, gen: Generator, shape: CallShape) -> str:
    return expr if shape.result == gen.result else f"{shape.result}({expr})"


def _positive_constant(text: str) -> bool:
    return bool(re.fullmatch(r"0*[1-9][0-9_]*|0[xX][0-9a-fA-F_]*[1-9a-fA-F][0-9a-fA-F_]*", text.strip()))


def public_fix(ctx: Context, call: Node, target: str, gen: Generator, shape: CallShape):
    """Rewrite the call to math/rand/v2 or math/rand; None when no usable import name exists."""
    f = ctx.file
    v2_ok = use_v2(ctx)
    existing_v1 = f.import_of("math/rand")
    existing_v2 = f.import_of("math/rand/v2")
    if existing_v2 and existing_v2.name not in ("_", ".") and v2_ok:
        path = RAND_V2
    elif existing_v1 and existing_v1.name not in ("_", "."):
        path = "math/rand"  # reuse the import the file has; it is auto-seeded since Go 1.20
    else:
        path = RAND_V2 if v2_ok else "math/rand"
    candidates = ("rand", "randv2", "mrand") if path.endswith("v2") else ("rand", "mrand", "mathrand")
    local, alias = import_name(f, path, candidates, _package_names(ctx))
    if local is None:
        return None, None
    template = gen.v2 if path.endswith("v2") else gen.v1
    n = _bound(f, call) if gen.bounded else None
    if gen.bounded and n is None:
        return None, None
    expr = _converted(template.format(r=local, n=_bound_arg(shape, n)), gen, shape)
    edits = [TextEdit(f.path, call.start_byte, call.end_byte, expr), ctx.add_import(path, alias)]
    what = re.search(r"\{r\}\.(\w+)", template).group(1)
    why = f"the numbers come from {path} instead of {target}"
    if gen.bounded and not _positive_constant(n):
        why += f"; {local}.{what} panics when the bound is 0, where {target} returned 0"
    return ctx.fix(f"Call {local}.{what} from {path}", *edits, safety=Safety.UNSAFE, why_unsafe=why), path


def _package_names(ctx: Context) -> set[str]:
    return goflow.package_level_names([g for g in package_files(ctx) if g is not ctx.file])


def _declared_in(f: GoFile, stmt: Node) -> set[str]:
    """Names a statement itself declares (``:=``, range variables, ``var``)."""
    out = set()
    for n in goflow.walk(stmt, into_functions=False):
        if n.type in ("short_var_declaration", "range_clause", "receive_statement"):
            left = n.child_by_field_name("left")
            if left is not None:
                out |= {goflow.text(f, i) for i in goflow.walk(left) if i.type == "identifier"}
        elif n.type == "var_spec":
            out |= {goflow.text(f, i) for i in n.children_by_field_name("name")}
    return out


def security_fix(ctx: Context, call: Node, target: str, gen: Generator, shape: CallShape):
    """Rewrite the call to read crypto/rand just before its statement; None when it cannot."""
    f = ctx.file
    fn = goflow.enclosing_function(call)
    stmt = goflow.enclosing_statement(call)
    if fn is None or stmt is None or stmt.type == "for_statement":
        return None
    n = _bound(f, call) if gen.bounded else None
    if gen.bounded and (n is None or not goflow.declared_names(f, call).isdisjoint(_declared_in(f, stmt))):
        return None  # the bound uses a name the statement itself declares
    taken = goflow.declared_names(f, fn) | _package_names(ctx) | {i.local_name for i in f.imports}
    pkg_names = _package_names(ctx)
    crand, crand_alias = import_name(f, "crypto/rand", ("rand", "crand", "cryptorand"), pkg_names)
    helper_path = "math/big" if gen.bounded else "encoding/binary"
    helper, helper_alias = import_name(f, helper_path, ("big", "mathbig") if gen.bounded else ("binary", "encbinary"),
                                       pkg_names)
    if crand is None or helper is None:
        return None
    taken |= {crand, helper}
    res = goflow.results(f, fn)
    anchor = goflow.statement_anchor(stmt)
    ind = f.indentation(stmt.start_byte)  # gofmt outdents a label; the statement's line does not
    at = f.line_start(anchor.start_byte)
    if res and res[-1].type == "error":
        zeros = [goflow.zero_value(r.type) for r in res[:-1]]

        def handle(err: str) -> str:
            return "return " + ", ".join([*zeros, err])
        how = "returns the error"
    else:
        def handle(err: str) -> str:
            return f'panic("crypto/rand failed: " + {err}.Error())'
        how = "panics if crypto/rand fails"
    if gen.bounded:
        v = goflow.fresh_name("rnd", taken)
        err = goflow.fresh_name(v + "Err", taken | {v})
        code = (f"{ind}{v}, {err} := {crand}.Int({crand}.Reader, {helper}.NewInt(int64({n})))\n"
                f"{ind}if {err} != nil {{\n{ind}\t{handle(err)}\n{ind}}}\n")
        expr = _converted(f"{gen.result}({v}.Uint64())", gen, shape)
        desc = f"Draw the bound value with {crand}.Int from crypto/rand"
    else:
        buf = goflow.fresh_name("rnd", taken)
        err = "err"
        code = (f"{ind}var {buf} [{gen.size}]byte\n"
                f"{ind}if _, {err} := {crand}.Read({buf}[:]); {err} != nil {{\n{ind}\t{handle(err)}\n{ind}}}\n")
        expr = _converted(gen.from_bytes.format(binary=helper, buf=buf), gen, shape)
        desc = f"Read the value from crypto/rand ({crand}.Read)"
    edits = [TextEdit(f.path, at, at, code), TextEdit(f.path, call.start_byte, call.end_byte, expr),
             ctx.add_import("crypto/rand", crand_alias), ctx.add_import(helper_path, helper_alias)]
    why = (f"crypto/rand replaces {target}: another, slower random source, and the function now "
           f"{how}")
    if gen.bounded and not _positive_constant(n):
        why += f"; {crand}.Int panics when the bound is 0, where {target} returned 0"
    return ctx.fix(desc, *edits, safety=Safety.UNSAFE, why_unsafe=why)


# ------------------------------------------------------------------------------------- removal

def removal_fix(ctx: Context, unused: list[Directive]):
    """Remove pulls nothing calls (directive, doc comment, declaration); the engine drops what
    only they used: imports, and the blank ``unsafe`` import with the file's last directive."""
    names = ", ".join(d.local for d in unused)
    return ctx.fix(f"Remove the unused pull{'s' * (len(unused) > 1)} {names}",
                   *fixkit.remove_pulls(ctx.file, unused), safety=Safety.SAFE)


# ---------------------------------------------------------------------------------------- check

def check(ctx: Context):
    f = ctx.file
    pulls = random_pulls(ctx)
    if not pulls:
        return
    # An exported pull is API: importers call it, so its callers are not this rule's to
    # rewrite (not even the package's own tests); the declaration itself gets a public body.
    yield from _exported(ctx, pulls)
    internal = {name for name in pulls if not _exported_name(name)}
    for call in goflow.calls_to(f, internal):
        local = goflow.text(f, call.child_by_field_name("function"))
        pf, d, gen = pulls[local]
        shape, why_not = call_shape(pf, d, gen)
        if shape is None:
            yield ctx.finding(call, f"{local}() pulls {d.target}, a runtime internal with no "
                                    "compatibility promise; no automatic rewrite: " + why_not,
                              severity=Severity.WARNING, fix_withheld=why_not)
            continue
        use = classify(f, call)
        if use.security:
            fix = security_fix(ctx, call, d.target, gen, shape)
            yield ctx.finding(
                call,
                f"{local}() pulls {d.target}, a fast generator whose outputs can be predicted, for "
                f"security use: {use.why}; read crypto/rand instead",
                fix=fix, severity=Severity.ERROR,
                **({} if fix else {"fix_withheld": "the call cannot be rewritten in place "
                                                   "(package level, or a loop header)"}))
            continue
        pull_file = pulls[local][0]
        if gated_by_counterpart(ctx, pull_file, d):
            continue  # the pull is kept where it links, with a public implementation elsewhere
        fix, path = public_fix(ctx, call, d.target, gen, shape)
        api = path or (RAND_V2 if use_v2(ctx) else "math/rand")
        yield ctx.finding(
            call,
            f"{local}() pulls {d.target}, a runtime internal with no compatibility promise; "
            f"{api} gives the same kind of numbers through a public API",
            fix=fix, severity=Severity.WARNING)
    unused = []
    for d in f.directives:
        if d.local not in internal or pulls[d.local][1] is not d:
            continue
        used = any(n != d.declaration.node.child_by_field_name("name")
                   for g in package_files(ctx) for n in goflow.references(g, d.local))
        if not used and all_files_seen(ctx, d.local):
            unused.append(d)
    for d in unused:
        # Every finding carries the fix for all of them (one applies, the rest are then gone).
        yield ctx.finding(
            d.span,
            f"{d.local} pulls {d.target} but nothing in the package calls it; remove the pull",
            fix=removal_fix(ctx, unused), severity=Severity.INFO)


def _exported_name(name: str) -> bool:
    return name[:1].isupper()


def _exported(ctx: Context, pulls):
    """A finding, with a fix giving the function a public body, for each exported pull of the file."""
    f = ctx.file
    for d in f.directives:
        decl = d.declaration
        if not _exported_name(d.local) or d.local not in pulls or decl is None \
                or decl.kind != "func" or decl.has_body or RANDOM_FAMILY.get(d.target or "") is None:
            continue
        if gated_by_counterpart(ctx, f, d):
            continue
        plan = fixkit.SplitPlan(works=[], universe=[], failing={}, language=ctx.language)
        fix = fixkit.split_fix(f, [d], plan, taken_names=goflow.package_level_names(package_files(ctx)))
        api = RAND_V2 if use_v2(ctx) else "math/rand"
        message = (f"{d.local} is exported and pulls {d.target}, a runtime internal with no "
                   f"compatibility promise, so every importer depends on it; give {d.local} a body "
                   f"over {api}, keeping its name and signature")
        if fix is None:
            yield ctx.finding(d.span, message, severity=Severity.WARNING,
                              fix_withheld="no public body fits the declaration")
            continue
        fix = ctx.fix(f"Give {d.local} a body over {api} (same name and signature; callers unchanged)",
                      *fix.edits, safety=fix.safety, why_unsafe=fix.why_unsafe)
        yield ctx.finding(d.span, message, fix=fix, severity=Severity.WARNING)


RULE = Rule(
    code="LN202",
    name="replace-fastrand",
    summary="a call of runtime.fastrand and friends through //go:linkname: use math/rand/v2, "
            "or crypto/rand for secrets",
    severity=Severity.WARNING,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.SAFE, Safety.UNSAFE,),
    check=check,
    follows_calls=True,
    doc=__doc__,
    triggers=("go:linkname", "fastrand", "cheaprand"),
)
