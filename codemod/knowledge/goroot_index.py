"""Index one GOROOT's ``src/`` the way the Go linker will see it, without running ``go``.

For every package of the standard library (``internal/...`` and ``vendor/...`` included,
``cmd/...`` excluded: it is never linked into a user's program) this records

* every top-level function, method and variable as a :class:`GoDecl`: the linker symbol name
  (a two-argument ``//go:linkname local path.name`` renames it), the signature or type as
  written, whether it has a Go body, ``//go:nosplit``, whether a ``//go:linkname`` (or
  ``//go:linknamestd``) in its package marks it (a *push*), the file and the "Do not remove or
  change the type signature" note;
* every ``TEXT`` symbol of the package's assembly files as an :class:`AsmText` (a bodyless Go
  declaration is only defined where some assembly implements it: ``runtime.getg`` has none);
* the build constraint of each file (``//go:build`` or ``// +build``; file-name suffixes are
  derived from the path at query time), and for assembly the ``#ifdef GOOS_x`` conditions;
* the linker's rules for that release (:class:`LinkerRules`), read from the toolchain's own
  sources: ``cmd/link/internal/loader/loader.go`` (``checkLinkname``, ``blockedLinknames``),
  ``cmd/internal/obj/objfile.go`` (are assembly symbols marked as linknamed?),
  ``cmd/internal/obj/sym.go`` and ``cmd/internal/goobj/builtinlist.go`` (pulls of compiler
  builtins that bypass the check);
* the default ``GOEXPERIMENT`` set of each port, read from ``internal/buildcfg/exp.go``, since
  ``goexperiment.*`` tags select files (``goexperiment.swissmap`` decides where
  ``runtime.mapiterinit`` lives in Go 1.24).

Only the structure is indexed; no status is decided here (see ``codemod.knowledge``).
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from codemod import buildconstraint as bc
from codemod.exprtext import shorten
from codemod.knowledge.rules import LinkerRules
from codemod.knowledge.store import path_to_prefix

NOTE_MARK = "Do not remove or change the type signature"

# Directory names under src/ that are not part of any linked standard-library package.
_SKIP_TOP = {"cmd", "builtin"}


@dataclass(frozen=True)
class GoDecl:
    name: str            # linker symbol name: "runtime.nanotime", "time.(*Timer).Stop"
    kind: str            # "func" | "method" | "var"
    signature: str       # "func() int64"; for a var its type text ("" if only an initializer)
    value: str           # a var's initializer text ("" if none)
    file: str            # "src/runtime/time_nofake.go"
    has_body: bool       # funcs: has a Go body; vars: always True (a var declaration defines)
    nosplit: bool
    link: str            # "" | "linkname" | "linknamestd": the directive marking it in its package
    note: str            # text of the "Do not remove ..." doc comment, "" if none
    package: str         # import path of the package whose source declares it
    generic: bool = False  # type-parameterized: there is no single linker symbol by this name
    pull: bool = False   # bodyless func renamed to another package's symbol: a reference, not a definition
    link_files: tuple[str, ...] = ()  # the directive sits in other files: it applies only where one is built
    abi0: bool = False   # //go:cgo_unsafe_args pins the Go function to ABI0: pulls reach an ABI wrapper
    wrapper: bool = False  # not written: the compiler's (*T).m wrapper of a value-receiver method T.m


@dataclass(frozen=True)
class AsmText:
    name: str            # linker symbol name defined by a TEXT directive
    abi: str             # "ABI0" | "ABIInternal"
    file: str
    cond: str            # extra #ifdef condition inside the file, as a //go:build expression ("" = none)
    nosplit: bool
    package: str


@dataclass
class GorootIndex:
    version: str                            # "1.27.3" (from GOROOT/VERSION)
    packages: list[str]
    files: dict[str, str]                   # "src/runtime/x.go" -> //go:build expression text ("" = none)
    decls: list[GoDecl]
    asm: list[AsmText]
    linker: LinkerRules
    ports: list[str]                        # "linux/amd64", ... (cmd/dist's list)
    experiments: dict[str, list[str]]       # port -> default GOEXPERIMENT names enabled (lower case)
    cgo_ports: list[str] = field(default_factory=list)   # ports cmd/dist can build with cgo


# ---------------------------------------------------------------------------------------------
# Walking src/


def goroot_version(root: Path) -> str:
    """"1.27.3" from GOROOT/VERSION; a development tree answers "1.N-devel"."""
    vfile = root / "VERSION"
    if vfile.is_file():
        first = vfile.read_text(errors="replace").splitlines()[0].strip()
        m = re.match(r"go(\d+\.\d+(?:\.\d+)?)", first)
        if m:
            return m.group(1)
    gv = root / "src" / "internal" / "goversion" / "goversion.go"
    m = re.search(r"const Version = (\d+)", gv.read_text()) if gv.is_file() else None
    if m:
        return f"1.{m.group(1)}-devel"
    raise ValueError(f"{root}: cannot tell the Go version (no VERSION file)")


def package_dirs(root: Path):
    """Yield (import path, directory) for every directory under src/ that may hold std code."""
    src = root / "src"
    for dirpath, dirnames, _ in os.walk(src):
        rel = os.path.relpath(dirpath, src).replace(os.sep, "/")
        # go/build ignores testdata and names starting with "_" or "."
        dirnames[:] = sorted(d for d in dirnames if d != "testdata" and not d[0] in "._"
                             and not (rel == "." and d in _SKIP_TOP))
        if rel != ".":
            yield rel, Path(dirpath)


def is_source(name: str, ext: str) -> bool:
    return name.endswith(ext) and not name.endswith("_test.go") and name[0] not in "._"


# ---------------------------------------------------------------------------------------------
# Build constraints of a file


def header_constraint(text: str) -> str:
    """The file's ``//go:build`` expression (or its ``// +build`` lines), as normalized text.

    Only the comment header before the package clause counts, as in go/build.
    """
    go_build = None
    plus: list[str] = []
    in_block = False
    for line in text.splitlines():
        s = line.strip()
        if in_block:
            in_block = "*/" not in s
            continue
        if s.startswith("/*"):
            in_block = "*/" not in s[2:]
            continue
        if not s:
            continue
        if not s.startswith("//"):
            break
        if s.startswith("//go:build") and go_build is None:
            go_build = s[len("//go:build"):]
        elif re.match(r"//\s*\+build\s", s):
            plus.append(s.split("+build", 1)[1])
    try:
        expr = bc.parse_expr(go_build) if go_build is not None else bc.parse_plus_build(plus)
    except bc.ConstraintError:
        return "ignore"   # go/build would reject the file; it is never built
    return bc.format_expr(expr) if expr is not None else ""


def never_built(constraint: str) -> bool:
    """``//go:build ignore`` generator programs and the like."""
    return constraint == "ignore"


# ---------------------------------------------------------------------------------------------
# Go files with tree-sitter


@lru_cache(maxsize=1)
def _parser():
    import tree_sitter_go
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_go.language()))


_LINKNAME = re.compile(r"^//go:(linkname|linknamestd)\s+(\S+)(?:\s+(\S+))?\s*$")


def _text(node) -> str:
    return node.text.decode("utf-8", "replace")


def _strip_comments(s: str) -> str:
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    return re.sub(r"//[^\n]*", " ", s)


def squash(s: str) -> str:
    """Signature text on one line: comments dropped, whitespace collapsed, no trailing commas."""
    s = re.sub(r"\s+", " ", _strip_comments(s)).strip()
    s = re.sub(r"([(\[{]) ", r"\1", s)
    s = re.sub(r",? ([)\]}])", r"\1", s)
    return re.sub(r",([)\]}])", r"\1", s)


def func_signature(node) -> str:
    params = node.child_by_field_name("parameters")
    result = node.child_by_field_name("result")
    sig = "func" + squash(_text(params))
    if result is not None:
        sig += " " + squash(_text(result))
    return sig


def receiver_symbol(recv_node) -> tuple[str, bool]:
    """("(*T)" or "T", generic?) from a method receiver list."""
    text = squash(_text(recv_node))[1:-1].strip()       # "t *T[K]"
    type_text = text.split(" ", 1)[1] if " " in text else text
    type_text = type_text.replace(" ", "")
    generic = "[" in type_text
    base = type_text.split("[", 1)[0]
    pointer = base.startswith("*")
    base = base.lstrip("*").lstrip("(").rstrip(")").lstrip("*")
    return (f"(*{base})" if pointer else base), generic


def _comments_before(children, i) -> list:
    """Comment nodes between the previous declaration and children[i] (pragmas accumulate)."""
    out = []
    j = i - 1
    while j >= 0 and children[j].type == "comment":
        out.append(children[j])
        j -= 1
    return out[::-1]


def _doc_comment(comments, decl_row: int) -> list[str]:
    """The comment lines directly above a declaration (no blank line between)."""
    lines: list[str] = []
    row = decl_row
    for c in reversed(comments):
        if c.end_point[0] != row - 1:
            break
        lines[:0] = _text(c).splitlines()
        row = c.start_point[0]
    return lines


def note_of(doc: list[str]) -> str:
    """The doc comment's text (without directives) when it carries the issue-67401 note."""
    body = []
    for line in doc:
        s = line.strip()
        if s.startswith("//go:"):
            continue
        s = s[2:] if s.startswith("//") else s
        body.append(s[1:] if s.startswith(" ") else s)
    text = "\n".join(body).strip()
    return text if NOTE_MARK in text else ""


@dataclass
class _RawDecl:
    local: str
    kind: str
    receiver: str        # "" or "(*T)" / "T"
    signature: str
    value: str
    has_body: bool
    nosplit: bool
    note: str
    generic: bool
    abi0: bool = False


def imports_c(src: bytes) -> bool:
    """A cgo file (``import "C"``): go/build leaves it out of every build with cgo off."""
    return re.search(rb'^import\s+(?:\(\s*)?"C"', src, re.M) is not None or \
        re.search(rb'^import\s*\([^)]*^\s*"C"\s*$', src, re.M | re.S) is not None


def parse_go_file(src: bytes) -> tuple[str, list[_RawDecl], list[tuple[str, str, str | None]]]:
    """(package name, declarations, linkname directives (kind, local, remote|None)) of one file."""
    tree = _parser().parse(src)
    root = tree.root_node
    children = root.children
    pkg_name = ""
    decls: list[_RawDecl] = []
    directives: list[tuple[str, str, str | None]] = []
    for node in _all_comments(root):
        m = _LINKNAME.match(_text(node).strip())
        if m:
            directives.append((m.group(1), m.group(2), m.group(3)))
    for i, node in enumerate(children):
        t = node.type
        if t == "package_clause":
            for c in node.children:
                if c.type == "package_identifier":
                    pkg_name = _text(c)
            continue
        if t not in ("function_declaration", "method_declaration", "var_declaration"):
            continue
        comments = _comments_before(children, i)
        pragmas = {_text(c).strip().split()[0] for c in comments if _text(c).startswith("//go:")}
        nosplit = "//go:nosplit" in pragmas
        note = note_of(_doc_comment(comments, node.start_point[0]))
        if t == "var_declaration":
            decls.extend(_var_decls(node, note))
            continue
        name = _text(node.child_by_field_name("name"))
        body = node.child_by_field_name("body")
        generic = node.child_by_field_name("type_parameters") is not None
        receiver = ""
        if t == "method_declaration":
            receiver, generic = receiver_symbol(node.child_by_field_name("receiver"))
        decls.append(_RawDecl(name, "method" if receiver else "func", receiver,
                              func_signature(node), "", body is not None, nosplit, note, generic,
                              "//go:cgo_unsafe_args" in pragmas))
    return pkg_name, decls, directives


def _all_comments(root):
    """Every comment in the file: //go:linkname is file-scoped and may sit anywhere."""
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "comment":
            yield n
        elif n.child_count:
            stack.extend(n.children)


def _var_decls(node, note: str) -> list[_RawDecl]:
    specs = []
    for c in node.children:
        if c.type == "var_spec":
            specs.append(c)
        elif c.type == "var_spec_list":
            specs.extend(x for x in c.children if x.type == "var_spec")
    out = []
    for spec in specs:
        names = [_text(n) for n in spec.children_by_field_name("name")]
        typ = spec.child_by_field_name("type")
        value = spec.child_by_field_name("value")
        values = [_text(v) for v in value.named_children] if value is not None else []
        for k, name in enumerate(names):
            val = values[k] if k < len(values) and len(values) == len(names) else ""
            out.append(_RawDecl(name, "var", "", squash(_text(typ)) if typ is not None else "",
                                shorten(squash(val), 200), True, False, note, False))
    return out


def package_decls(pkg: str, files: list[tuple[str, bytes]]) -> list[GoDecl] | None:
    """Resolve the linker names and pushes of one package's Go files (already filtered).

    None when no file belongs to an importable package (only ``package main`` programs).
    """
    parsed = []
    for fname, src in files:
        pkg_name, decls, directives = _parse_go_cached(src)
        if pkg_name in ("main", "documentation") or pkg_name.endswith("_test"):
            continue
        parsed.append((fname, decls, directives))
    if not parsed:
        return None
    # The compiler looks a directive's local name up in the package scope (noder/writer.go),
    # of the files in the build.  A directive next to its declaration marks that declaration
    # (another file's declaration of the same name is never in the same build).  An *orphan*
    # directive, in a file not declaring the name (runtime/badlinkname_linux.go), marks the
    # declaration only in builds that include the directive's file: recorded as link_files.
    own: dict[str, dict[str, tuple[str, str | None]]] = {}
    orphans: dict[str, list[tuple[str, str, str | None]]] = {}
    for fname, decls, directives in parsed:
        declared = {d.local for d in decls if not d.receiver}
        for kind, local, remote in directives:
            if local in declared:
                own.setdefault(fname, {}).setdefault(local, (kind, remote))
            else:
                orphans.setdefault(local, []).append((fname, kind, remote))
    prefix = path_to_prefix(pkg)
    out: list[GoDecl] = []
    for fname, decls, _ in parsed:
        for d in decls:
            if d.local in ("_", "init") and not d.receiver:
                continue
            if d.receiver:
                out.append(GoDecl(f"{prefix}.{d.receiver}.{d.local}", d.kind, d.signature, "", fname,
                                  d.has_body, d.nosplit, "", d.note, pkg, d.generic))
                if not d.receiver.startswith("(*") and not d.generic:
                    # cmd/compile/internal/noder (MakeWrappers, wrapType, methodWrapper): every
                    # defined type of the package gets (*T).m wrappers for the methods of T, so
                    # the symbol exists though no source declares it (reflect.(*Value).pointer).
                    out.append(GoDecl(f"{prefix}.(*{d.receiver}).{d.local}", d.kind, d.signature, "",
                                      fname, True, False, "", "", pkg, wrapper=True))
                continue
            link_files: tuple[str, ...] = ()
            directive = own.get(fname, {}).get(d.local)
            if directive is None and d.local in orphans:
                found = orphans[d.local]
                directive = found[0][1:]
                link_files = tuple(sorted({f for f, _, _ in found}))
            link, name, pull = "", f"{prefix}.{d.local}", False
            if directive is not None:
                link = directive[0]
                if directive[1]:
                    name = directive[1]
                    # A bodyless function renamed to another package's symbol is a reference
                    # (the other package, or its assembly, defines it); a var declaration
                    # always defines storage, so it stays a candidate definition.
                    pull = d.kind == "func" and not d.has_body and not name.startswith(prefix + ".")
            out.append(GoDecl(name, d.kind, d.signature, d.value, fname, d.has_body, d.nosplit,
                              link, d.note, pkg, d.generic, pull, link_files, d.abi0 and d.has_body))
    return out


# ---------------------------------------------------------------------------------------------
# Assembly files

_TEXT = re.compile(r"^\s*TEXT\s+([^\s(,]+?)(<ABIInternal>|<ABI0>)?\(SB\)\s*(?:,\s*([^,$]*))?")
_DEFINE = re.compile(r"^#define\s+(\w+)\(([^)]*)\)(.*)$", re.S)


def asm_symbol(raw: str, pkg: str) -> str | None:
    """Linker name of a TEXT symbol: "·f" is pkg.f, "runtime·f" is runtime.f; "f<>" is file-local."""
    if raw.endswith("<>") or "·" not in raw:
        return None   # file-local or a C-level name (no "."): not a Go symbol one can pull by path
    head, _, tail = raw.partition("·")
    path = head.replace("∕", "/") if head else path_to_prefix(pkg)
    return f"{path}.{tail}"


def _macro_cond(line: str) -> bc.Expr | None:
    """An #ifdef/#ifndef/#if condition as a build expression over tags (None: unknown)."""
    def macro_tag(name: str) -> bc.Expr:
        for pre, fmt in (("GOOS_", "{}"), ("GOARCH_", "{}"), ("GOEXPERIMENT_", "goexperiment.{}")):
            if name.startswith(pre):
                return bc.tag(fmt.format(name[len(pre):]))
        return bc.tag("asmmacro." + name)     # set by nothing we model: false
    s = line.strip()
    if s.startswith("#ifdef"):
        return macro_tag(s.split()[1])
    if s.startswith("#ifndef"):
        return ("not", macro_tag(s.split()[1]))
    if s.startswith("#if"):
        body = s[3:]
        names = re.findall(r"defined\s*\(?\s*(\w+)\s*\)?", body)
        expr = re.sub(r"defined\s*\(?\s*(\w+)\s*\)?", lambda m: "T" + str(names.index(m.group(1))), body)
        try:
            parsed = bc.parse_expr(expr)
        except bc.ConstraintError:
            return bc.tag("asmmacro.unknown")
        def subst(e):
            if e[0] == "tag":
                if re.fullmatch(r"T\d+", e[1]):
                    return macro_tag(names[int(e[1][1:])])
                return bc.tag("asmmacro." + e[1])
            return (e[0],) + tuple(subst(x) for x in e[1:])
        return subst(parsed)
    return None


def parse_asm_file(text: str, pkg: str, fname: str) -> list[AsmText]:
    """TEXT symbols of one .s file, with the #ifdef conditions around them.

    Macros whose body holds ``TEXT NAME(SB)`` (runtime's ``CALLFN(·call16, 16)``) are expanded
    for their first use of a parameter as the symbol name.
    """
    lines = text.replace("\\\n", " ").splitlines()
    stack: list[bc.Expr] = []
    macros: dict[str, int] = {}     # macro name -> index of the parameter that names the TEXT
    out: list[AsmText] = []
    for line in lines:
        s = line.strip()
        if s.startswith("#"):
            d = _DEFINE.match(s)
            if d:
                params = [p.strip() for p in d.group(2).split(",")]
                m = re.search(r"TEXT\s+(\w+)\s*\(SB\)", d.group(3))
                if m and m.group(1) in params:
                    macros[d.group(1)] = params.index(m.group(1))
                continue
            cond = _macro_cond(s) if re.match(r"#\s*if", s) else None
            if cond is not None:
                stack.append(cond)
            elif s.startswith("#else") and stack:
                stack[-1] = ("not", stack[-1])
            elif s.startswith("#endif") and stack:
                stack.pop()
            continue
        cond_expr = None
        for c in stack:
            cond_expr = bc.and_(cond_expr, c)
        cond = bc.format_expr(cond_expr) if cond_expr is not None else ""
        m = _TEXT.match(line)
        if m:
            name = asm_symbol(m.group(1), pkg)
            if name:
                abi = "ABIInternal" if m.group(2) == "<ABIInternal>" else "ABI0"
                out.append(AsmText(name, abi, fname, cond, "NOSPLIT" in (m.group(3) or ""), pkg))
            continue
        call = re.match(r"^\s*(\w+)\((.*)\)\s*$", line)
        if call and call.group(1) in macros:
            args = [a.strip() for a in call.group(2).split(",")]
            k = macros[call.group(1)]
            name = asm_symbol(args[k], pkg) if k < len(args) else None
            if name:
                out.append(AsmText(name, "ABI0", fname, cond, False, pkg))
    return out


# ---------------------------------------------------------------------------------------------
# The linker's and compiler's rules, read from the toolchain sources


def _read(root: Path, rel: str) -> str:
    p = root / "src" / rel
    return p.read_text(errors="replace") if p.is_file() else ""


def _go_func(text: str, header_re: str) -> str:
    """The text of a top-level Go function whose header matches, up to its closing brace."""
    m = re.search(header_re, text, re.M)
    if not m:
        return ""
    end = text.find("\n}\n", m.end())
    return text[m.start(): end + 3 if end >= 0 else len(text)]


def parse_blocked(loader: str) -> dict[str, list[str]]:
    m = re.search(r"^var blockedLinknames = map\[string\]\[\]string\{(.*?)^\}", loader, re.M | re.S)
    if not m:
        return {}
    table: dict[str, list[str]] = {}
    for line in m.group(1).splitlines():
        line = re.sub(r"//.*", "", line)
        e = re.match(r'\s*"([^"]+)"\s*:\s*\{([^}]*)\}', line)
        if e:
            table[e.group(1)] = re.findall(r'"([^"]+)"', e.group(2))
    return table


def linker_rules(root: Path) -> LinkerRules:
    loader = _read(root, "cmd/link/internal/loader/loader.go")
    check = _go_func(loader, r"^func \(l \*Loader\) checkLinkname\(")
    objfile = _read(root, "cmd/internal/obj/objfile.go")
    sym = _read(root, "cmd/internal/obj/sym.go")
    builtin_line = next((l for l in sym.splitlines() if "goobj.BuiltinIdx(" in l), "")
    builtins = {m.group(1): int(m.group(2)) for m in re.finditer(
        r'\{"([^"]+)",\s*(\d+)\}', _read(root, "cmd/internal/goobj/builtinlist.go"))}
    return LinkerRules(
        check_linkname=bool(check),
        blocked=parse_blocked(loader) if check else {},
        fips_frozen_alias='strings.HasPrefix(pkg, "crypto/internal/fips140/v")' in check,
        abi_wrapper_allowed="osym.ABIWrapper()" in check,
        asm_wrapper_rule="FromAssembly()" in check,
        linknamestd="IsLinknameStd()" in check,
        asm_marked_linkname=bool(re.search(r"IsLinkname\(\) \|\| \(w\.ctxt\.IsAsm", objfile)),
        builtin_pull_unchecked=bool(builtin_line) and "IsLinkname()" not in builtin_line,
        builtins=builtins if check else {},
    )


def dist_ports(root: Path, cgo: bool = False) -> list[str]:
    """The GOOS/GOARCH pairs cmd/dist knows (its cgoEnabled table); with ``cgo``, those marked true."""
    build = _read(root, "cmd/dist/build.go")
    m = re.search(r"var cgoEnabled = map\[string\]bool\{(.*?)\n\}", build, re.S)
    if not m:
        return []
    return sorted({port for port, on in re.findall(r'"(\w+/\w+)"\s*:\s*(true|false)', m.group(1))
                   if on == "true" or not cgo})


def _go_bool(expr: str, env: dict[str, object]) -> bool:
    """Evaluate a small Go boolean expression over goos/goarch and known booleans."""
    tokens = re.findall(r'"[^"]*"|&&|\|\||==|!=|!|\(|\)|\w+', expr)
    py = []
    for t in tokens:
        if t == "&&":
            py.append(" and ")
        elif t == "||":
            py.append(" or ")
        elif t == "!":
            py.append(" not ")
        elif t in ("==", "!=", "(", ")") or t.startswith('"'):
            py.append(t)
        elif t in ("true", "false"):
            py.append(str(t == "true"))
        elif t in env:
            py.append(repr(env[t]))
        else:
            raise ValueError(f"unknown name {t!r} in {expr!r}")
    return bool(eval("".join(py), {"__builtins__": {}}, {}))   # noqa: S307 - tokens whitelisted above


def default_experiments(root: Path, goos: str, goarch: str) -> list[str]:
    """GOEXPERIMENT flags on by default for a port (internal/buildcfg.ParseGOEXPERIMENT's baseline)."""
    exp = _read(root, "internal/buildcfg/exp.go")
    fn = _go_func(exp, r"^func ParseGOEXPERIMENT\(")
    head, _, rest = fn.partition("baseline := goexperiment.Flags{")
    env: dict[str, object] = {"goos": goos, "goarch": goarch}
    # switch goarch { case "amd64", ...: x = true } blocks, and `x := <bool expr>` lines
    for sw in re.finditer(r"switch (goos|goarch) \{(.*?)\n\t\}", head, re.S):
        for case in re.finditer(r"case ([^:]+):(.*?)(?=\n\t\tcase |\Z)", sw.group(2), re.S):
            hit = env[sw.group(1)] in re.findall(r'"([^"]+)"', case.group(1))
            for var in re.findall(r"(\w+) = true", case.group(2)):
                env[var] = env.get(var, False) or hit
    for var in re.findall(r"var ([\w, ]+) bool", head):
        for v in var.split(","):
            env.setdefault(v.strip(), False)
    for m in re.finditer(r"^\t(\w+) := (.+)$", head, re.M):
        try:
            env[m.group(1)] = _go_bool(m.group(2), env)
        except (ValueError, SyntaxError):
            pass
    on = []
    body = rest.split("\n\t}", 1)[0]
    for m in re.finditer(r"^\t\t(\w+):\s*(.+?),\s*$", body, re.M):
        try:
            if _go_bool(m.group(2), env):
                on.append(m.group(1).lower())
        except (ValueError, SyntaxError):
            pass
    return sorted(on)


# ---------------------------------------------------------------------------------------------


# Most files are the same from one release to the next: an indexer run over several GOROOTs
# in one process parses each distinct file once (the results are pure functions of the text).
_PARSED: dict[bytes, tuple] = {}


def _parse_go_cached(src: bytes):
    key = hashlib.sha1(src).digest()
    if key not in _PARSED:
        _PARSED[key] = parse_go_file(src)
    return _PARSED[key]


def _parse_asm_cached(text: str, pkg: str, fname: str) -> list[AsmText]:
    key = hashlib.sha1(f"{pkg}\0{fname}\0{text}".encode()).digest()
    if key not in _PARSED:
        _PARSED[key] = parse_asm_file(text, pkg, fname)
    return _PARSED[key]


def _parsed_or_none(constraint: str):
    return bc.parse_expr(constraint) if constraint else None


def index_goroot(root: Path | str) -> GorootIndex:
    root = Path(root)
    files: dict[str, str] = {}
    decls: list[GoDecl] = []
    asm: list[AsmText] = []
    packages: list[str] = []
    for pkg, d in package_dirs(root):
        go_files: list[tuple[str, bytes]] = []
        for entry in sorted(os.listdir(d)):
            is_go, is_s = is_source(entry, ".go"), is_source(entry, ".s")
            if not (is_go or is_s):
                continue
            rel = f"src/{pkg}/{entry}"
            raw = (d / entry).read_bytes()
            text = raw.decode("utf-8", "replace")
            constraint = header_constraint(text)
            if never_built(constraint):
                continue
            if is_go and imports_c(raw):
                constraint = bc.format_expr(bc.and_(bc.tag("cgo"), _parsed_or_none(constraint)))
            files[rel] = constraint
            if is_go:
                go_files.append((rel, raw))
            else:
                asm.extend(_parse_asm_cached(text, pkg, rel))
        if go_files:
            pkg_decls = package_decls(pkg, go_files)
            if pkg_decls is not None:
                packages.append(pkg)
                decls.extend(pkg_decls)
    ports = dist_ports(root)
    return GorootIndex(
        version=goroot_version(root),
        packages=sorted(packages),
        files=files,
        decls=decls,
        asm=asm,
        linker=linker_rules(root),
        ports=ports,
        experiments={p: default_experiments(root, *p.split("/")) for p in ports},
        cgo_ports=dist_ports(root, cgo=True),
    )
