"""The parsed model of Go source that every rule reads.

One :class:`GoFile` per file: package name, imports, ``//go:linkname`` directives bound to
the declarations they name, build constraints, whether the file is generated, parse errors,
line-ending style and BOM.  One :class:`PackageFacts` per directory, one :class:`Module` per
``go.mod``.  Rules read these and the tree-sitter tree; they never parse text themselves.

Byte offsets are offsets into :attr:`GoFile.source`, which is the file's bytes without a
leading UTF-8 BOM (the engine puts the BOM back when it writes).
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Point, Query, QueryCursor, Range, Tree

from . import buildconstraint
from .buildconstraint import ConstraintError, Expr

GO = Language(tree_sitter_go.language())
BOM = b"\xef\xbb\xbf"
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.M)


@functools.lru_cache(maxsize=None)
def query(pattern: str) -> Query:
    """A compiled tree-sitter query over the Go grammar (compiled once per pattern)."""
    return Query(GO, pattern)


def captures(pattern: str, node: Node) -> dict[str, list[Node]]:
    if isinstance(node, ChunkedRoot):
        # Piece after piece.  The nodes are those one query over the whole tree finds, though
        # not always in its order (which is not source order either): callers sort them, or
        # ask whether any or all of them qualify.
        found: dict[str, list[Node]] = {}
        for root in node.piece_roots():
            for name, nodes in QueryCursor(query(pattern)).captures(root).items():
                found.setdefault(name, []).extend(nodes)
        return found
    return QueryCursor(query(pattern)).captures(node)


def parse(source: bytes) -> Tree:
    return Parser(GO).parse(source)


@dataclass(frozen=True)
class Span:
    """A byte range with 1-based line and column (columns count bytes, as Go's do)."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, node: Node) -> "Span":
        return cls(
            node.start_byte, node.end_byte,
            node.start_point[0] + 1, node.start_point[1] + 1,
            node.end_point[0] + 1, node.end_point[1] + 1,
        )


@dataclass(frozen=True)
class Import:
    path: str
    name: str | None  # None for a plain import, else "_", ".", or the local name
    span: Span  # the import spec
    declaration: Span  # the whole import declaration it belongs to
    grouped: bool  # inside ``import ( ... )``

    @property
    def local_name(self) -> str:
        """The identifier the file uses for the package (default: last path element)."""
        if self.name:
            return self.name
        last = self.path.rsplit("/", 1)[-1]
        # "math/rand/v2" is package rand; gopkg.in style ".v2" suffixes likewise.
        if re.fullmatch(r"v\d+", last) and "/" in self.path:
            last = self.path.rsplit("/", 2)[-2]
        return last.split(".", 1)[0].replace("-", "_")


@dataclass(frozen=True)
class Declaration:
    """A top-level function, method or variable that a directive can name.

    Holds no tree node: :attr:`node`, :attr:`body` and :attr:`doc` are found from the span
    when first asked (a 20 MB file has 250,000 functions, a directive names one, and a node
    kept for each would keep every tree of a file parsed in pieces)."""

    kind: str  # "func" | "var"
    name: str
    span: Span  # from the start of the declaration (``func`` / the var spec) to its end
    statement: Span  # the whole top-level statement (the var declaration for a grouped var)
    has_body: bool  # a function with a body
    trees: "_Trees" = field(compare=False, repr=False)  # where the nodes are found
    source: bytes = field(compare=False, repr=False)

    @functools.cached_property
    def node(self) -> Node:
        """The function_declaration, or the var_spec declaring ``name``."""
        return self.trees.node_at(self.span.start, self.span.end,
                                  "function_declaration" if self.kind == "func" else "var_spec")

    @functools.cached_property
    def body(self) -> Node | None:
        """The function's block, None when bodyless."""
        return self.node.child_by_field_name("body") if self.has_body else None

    @property
    def doc_anchor(self) -> Node:
        """What the doc comment sits directly above: the function, the var spec in a group,
        and for ``var x T`` outside a group the declaration, since its comment is above the
        ``var`` keyword.  (Told by the parent's type: tree-sitter makes a new wrapper object
        for each node it hands out, so ``spec.parent is decl`` is never true.)"""
        node = self.node
        if self.kind == "var":
            parent = node.parent
            if parent is not None and parent.type == "var_declaration":
                return parent
        return node

    @functools.cached_property
    def doc(self) -> Span | None:
        """The comment block directly above, if any."""
        return _doc_comment(self.source, self.doc_anchor)

    @property
    def defines(self) -> bool:
        """Whether the declaration gives its symbol contents: a function with a body, or a
        variable with an initializer (``var hook = &trampoline``, ``var iscgo bool = true``).
        Under a two-argument ``//go:linkname`` either is a push, never a pull: the linker
        keeps the definition with contents over the target package's zero-valued one
        (``runtime/cgo`` sets ``runtime.iscgo`` this way)."""
        if self.kind == "var":
            return self.node.child_by_field_name("value") is not None
        return self.has_body


@dataclass(frozen=True)
class Directive:
    """A ``//go:linkname local [target]`` line."""

    local: str
    target: str | None  # None for the one-argument form
    span: Span  # the comment
    line_span: Span  # the whole line, newline included
    declaration: Declaration | None

    @property
    def target_package(self) -> str | None:
        return package_of(self.target) if self.target else None


def package_of(symbol: str) -> str:
    """The import path part of a linker symbol: ``crypto/tls.(*Conn).Read`` -> ``crypto/tls``."""
    slash = symbol.rfind("/")
    dot = symbol.find(".", slash + 1)
    return symbol[:dot] if dot > 0 else ""


def is_std_path(path: str) -> bool:
    """Go's rule: standard-library import paths have no dot in their first element."""
    first = path.split("/", 1)[0]
    return bool(first) and "." not in first


def reaches_outside(target_package: str, file_package: str, import_path: str | None,
                    module: "Module | None") -> bool:
    """Whether a directive in a file of package ``file_package`` (import path ``import_path``,
    None outside a module) naming a symbol of ``target_package`` reaches outside its own
    package and module: a pull, not a handshake between the module's own packages."""
    own = import_path if import_path is not None else file_package  # outside a module: a guess
    if file_package == "main":
        own = "main"  # a main package's symbols are main.name whatever its directory
    if target_package == own:
        return False
    return not (module is not None and module.path and module.contains(target_package))


@dataclass(frozen=True)
class BuildConstraint:
    expr: Expr | None  # the combined constraint of the file's lines (None: unconstrained)
    go_build: Span | None  # the ``//go:build`` line
    plus_build: tuple[Span, ...]  # ``// +build`` lines
    error: str | None = None


@dataclass
class GoFile:
    path: Path
    source: bytes  # without BOM
    tree: Tree | None  # None for a big file parsed in pieces (see _Chunks)
    bom: bool
    crlf: bool
    package: str
    package_clause: Span | None
    imports: list[Import]
    declarations: dict[str, list[Declaration]]
    directives: list[Directive]
    constraint: BuildConstraint
    generated: bool
    syntax_errors: list[Span] = field(default_factory=list)
    suppressions: list["Suppression"] = field(default_factory=list)
    # ``//go:linkname`` lines the compiler rejects ("usage: //go:linkname localname
    # [linkname]") or does not read as a directive at all: never in ``directives``.
    malformed_directives: list["MalformedDirective"] = field(default_factory=list)
    # Constructs newer than the parser's grammar, read masked (see NewerSyntax): the engine
    # reports what it finds in the file but never edits it.
    newer_syntax: list["NewerSyntax"] = field(default_factory=list)
    # Answers derived from the tree (a function's flow, its declared names), computed once per
    # parse by whichever rule asks first; see codemod.goflow.
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    # Where nodes come from: the tree, or the pieces of a big file.
    trees: "_WholeTree | _Chunks | None" = field(default=None, compare=False, repr=False)

    def text(self, node_or_span) -> str:
        start, end = (node_or_span.start_byte, node_or_span.end_byte) if isinstance(node_or_span, Node) \
            else (node_or_span.start, node_or_span.end)
        return self.source[start:end].decode("utf-8")

    @property
    def root(self) -> Node:
        """The tree's root; for a big file parsed in pieces, a :class:`ChunkedRoot`."""
        return self.tree.root_node if self.tree is not None else self.trees.root

    def pieces(self):
        """Roots to query, in turn, for a question about the whole file: the root; for a big
        file parsed in pieces, each piece's root, parsed for the question and dropped after
        it unless a rule reached into the piece before.  A caller keeps what it learns (names,
        offsets), never the nodes, which would keep every piece's tree."""
        if self.tree is not None:
            yield self.tree.root_node
            return
        chunks = self.trees
        for i in range(len(chunks)):
            tree = chunks.trees.get(i) or chunks.parse(i)
            yield tree.root_node
            del tree

    def top_level(self, *types: str) -> list[Node]:
        """The top-level nodes of these types, in source order: of a big file parsed in
        pieces, only the pieces holding one are parsed again."""
        return self.trees.top_level(types)

    def import_of(self, path: str) -> Import | None:
        return next((i for i in self.imports if i.path == path), None)

    def line_start(self, offset: int) -> int:
        return self.source.rfind(b"\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """Offset just past the newline ending the line that contains ``offset``."""
        nl = self.source.find(b"\n", offset)
        return len(self.source) if nl < 0 else nl + 1

    def indentation(self, offset: int) -> str:
        start = self.line_start(offset)
        m = re.match(rb"[ \t]*", self.source[start:])
        return m.group(0).decode()

    def declaration(self, name: str) -> Declaration | None:
        found = self.declarations.get(name)
        return found[0] if found else None

    @property
    def is_parsed(self) -> bool:
        """False for a :class:`DeferredGoFile` whose tree no one has asked for yet."""
        return True

    def parse_now(self) -> None:
        """Parse a deferred file now (nothing to do for a parsed one)."""

    def sketched_names(self) -> frozenset[str] | None:
        """The package-level names, when known without a parse (see :class:`DeferredGoFile`)."""
        return None


class Unparsable(Exception):
    """A file read without a parse turned out, once parsed, not to be usable Go: the caller
    starts over, parsing the package's files as it did before it deferred any."""

    def __init__(self, path: Path, problem) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class DeferredGoFile(GoFile):
    """A file of a package whose tree is parsed when something first asks for it.

    What the header shows (package clause, build constraint, generated marker, line endings)
    is read from a parse of the header alone; a file whose bytes do not spell
    ``go:linkname`` has no directives, and one spelling neither ``nolint`` nor
    ``gofix-linkname:ignore`` no suppressions.  Anything else parses the whole file once, with
    ``load`` (the workspace's parse, which may say the file is unusable: :class:`Unparsable`
    is raised then), and from then on the object holds the full model's fields.  Package
    names come from the file's sketch while it is unparsed (see :meth:`sketched_names`).

    A rule reading a few files of a large package (LN108 looks for a name only in the files
    whose bytes spell it) then parses those few, not the package.
    """

    def __init__(self, path: Path, source: bytes, bom: bool, header: "Header", load, sketch) -> None:
        fields = self.__dict__
        fields.update(path=path, source=source, bom=bom, crlf=source.count(b"\r\n") * 2 > source.count(b"\n"),
                      package=header.package, package_clause=header.package_clause,
                      constraint=header.constraint, generated=header.generated, memo={})
        if b"go:linkname" not in source:
            fields.update(directives=[], malformed_directives=[])
        if b"nolint" not in source and b"gofix-linkname:ignore" not in source:
            fields["suppressions"] = []
        fields["_load"], fields["_sketch"], fields["_parsed"] = load, sketch, False

    def __getattr__(self, name: str):
        # Only attributes the constructor did not set arrive here.
        if name.startswith("_"):
            raise AttributeError(name)
        self.parse_now()
        return self.__dict__[name]

    @property
    def trees(self):  # a field with a class-level default: never reaches __getattr__
        self.parse_now()
        return self.__dict__["trees"]

    @trees.setter
    def trees(self, value) -> None:
        self.__dict__["trees"] = value

    @property
    def is_parsed(self) -> bool:
        return self.__dict__["_parsed"]

    def parse_now(self) -> None:
        fields = self.__dict__
        if fields["_parsed"]:
            return
        model = fields["_load"]()
        if not isinstance(model, GoFile):
            raise Unparsable(self.path, model)
        memo = fields["memo"]
        memo.update(model.memo)
        fields.update(model.__dict__)
        fields["memo"], fields["_parsed"] = memo, True

    def sketched_names(self) -> frozenset[str] | None:
        if self.__dict__["_parsed"]:
            return None
        found = self.__dict__["_sketch"]()
        return found.names if found is not None else None


@dataclass(frozen=True)
class Header:
    package: str
    package_clause: Span
    constraint: BuildConstraint
    generated: bool


_PACKAGE_LINE = re.compile(rb"(?m)^package\b")


def read_header(source: bytes) -> Header | None:
    """The package clause, build constraint and generated marker of a file, read from a parse
    of its header (the comments and the package clause) alone; None when the header does not
    read cleanly or its constraint is malformed (the whole parse then says why)."""
    # Most files start their package clause on a line of its own; a line starting with
    # ``package`` inside a block comment cuts the header short, which the parse notices.
    found = _PACKAGE_LINE.search(source)
    header = _header_through(source, found.end()) if found is not None else None
    if header is None:
        from .sketch import package_clause_end

        end = package_clause_end(source)
        header = _header_through(source, end) if end is not None else None
    return header


def _header_through(source: bytes, end: int) -> Header | None:
    """The header, parsing the text up to the end of the line holding offset ``end``."""
    nl = source.find(b"\n", end)
    root = parse(source[: len(source) if nl < 0 else nl + 1]).root_node
    if root.has_error:
        return None
    clause = next((c for c in root.named_children if c.type == "package_clause"), None)
    if clause is None:
        return None
    constraint = _constraint(source, root)
    if constraint.error:
        return None
    return Header(_package_name(source, clause), Span.of(clause), constraint, _generated(source, clause))


def _line_span(source: bytes, node: Node) -> Span:
    start = source.rfind(b"\n", 0, node.start_byte) + 1
    nl = source.find(b"\n", node.end_byte)
    end = len(source) if nl < 0 else nl + 1
    return Span(start, end, node.start_point[0] + 1, 1, node.end_point[0] + 2, 1)


def _own_line(source: bytes, node: Node) -> bool:
    """A directive counts only when nothing but white space precedes it on its line."""
    start = source.rfind(b"\n", 0, node.start_byte) + 1
    return not source[start:node.start_byte].strip()


def _doc_comment(source: bytes, node: Node) -> Span | None:
    """The comment lines directly above ``node`` (no blank line between), as gofmt binds docs."""
    first = None
    prev = node.prev_sibling
    expected_row = node.start_point[0] - 1
    while prev is not None and prev.type == "comment" and prev.end_point[0] == expected_row \
            and _own_line(source, prev):
        first = prev
        expected_row = prev.start_point[0] - 1
        prev = prev.prev_sibling
    if first is None:
        return None
    return Span(first.start_byte, node.start_byte, first.start_point[0] + 1, 1, node.start_point[0] + 1, 1)


def _declarations(source: bytes, children, trees: "_Trees",
                  decls: dict[str, list[Declaration]] | None = None) -> dict[str, list[Declaration]]:
    """The functions and variables among ``children`` (top-level nodes), added to ``decls``."""
    decls = {} if decls is None else decls
    for child in children:
        if child.type == "function_declaration":
            name = child.child_by_field_name("name")
            if name is None:
                continue
            span = Span.of(child)
            d = Declaration("func", source[name.start_byte:name.end_byte].decode(), span, span,
                            child.child_by_field_name("body") is not None, trees, source)
            decls.setdefault(d.name, []).append(d)
        elif child.type == "var_declaration":
            for spec in _var_specs(child):
                for ident in spec.children_by_field_name("name"):
                    d = Declaration("var", source[ident.start_byte:ident.end_byte].decode(),
                                    Span.of(spec), Span.of(child), False, trees, source)
                    decls.setdefault(d.name, []).append(d)
    return decls


def _var_specs(var_decl: Node) -> list[Node]:
    specs = []
    for c in var_decl.named_children:
        if c.type == "var_spec":
            specs.append(c)
        elif c.type == "var_spec_list":
            specs.extend(s for s in c.named_children if s.type == "var_spec")
    return specs


def _imports(source: bytes, children) -> list[Import]:
    """The import specs among ``children`` (top-level nodes)."""
    out = []
    for decl in children:
        if decl.type != "import_declaration":
            continue
        grouped = any(c.type == "import_spec_list" for c in decl.named_children)
        specs = captures("(import_spec) @s", decl).get("s", [])
        for spec in sorted(specs, key=lambda n: n.start_byte):
            path_node = spec.child_by_field_name("path")
            name_node = spec.child_by_field_name("name")
            if path_node is None:
                continue
            raw = source[path_node.start_byte:path_node.end_byte].decode()
            out.append(Import(
                raw[1:-1], source[name_node.start_byte:name_node.end_byte].decode() if name_node else None,
                Span.of(spec), Span.of(decl), grouped,
            ))
    return out


_LINKNAME = re.compile(r"//go:linkname(?:\s+(\S+))?(?:\s+(\S+))?")


@dataclass(frozen=True)
class MalformedDirective:
    """A ``//go:linkname`` line the compiler does not accept as written."""

    span: Span  # the comment
    line_span: Span
    # "usage": ``//go:linkname `` with other than one or two words after it (the compiler
    # stops with its usage message); "not-a-directive": ``//go:linkname`` and a tab, which the
    # compiler reads as an ordinary comment.
    kind: str


def comments_containing(source: bytes, root: Node, *needles: bytes, start: int = 0,
                        end: int | None = None) -> list[Node]:
    """The comment nodes whose text contains one of ``needles``, in source order (those that
    start in ``start``..``end``, the part of the file ``root`` holds, when given).

    A byte search and a descent to each hit: a query over every comment of the tree costs
    far more, and few comments hold the words asked for."""
    found: dict[int, Node] = {}
    end = len(source) if end is None else end
    for needle in needles:
        at = source.find(needle, start, end)
        while at >= 0:
            node = root.descendant_for_byte_range(at, at + len(needle))
            if node is not None and node.type == "comment":
                found.setdefault(node.start_byte, node)
                at = source.find(needle, max(node.end_byte, at + 1), end)
            else:
                at = source.find(needle, at + 1, end)
    return [found[k] for k in sorted(found)]


def _directives(source: bytes, root: Node, decls: dict[str, list[Declaration]],
                malformed: list[MalformedDirective] | None = None, start: int = 0,
                end: int | None = None) -> list[Directive]:
    out = []
    for c in comments_containing(source, root, b"//go:linkname", start=start, end=end):
        text = source[c.start_byte:c.end_byte].decode("utf-8", "replace").rstrip("\r")
        if not text.startswith("//go:linkname") or not _own_line(source, c):
            continue
        rest = text[len("//go:linkname"):]
        if rest and not rest[0].isspace():
            continue  # e.g. //go:linknamestd is another directive
        # As cmd/compile reads it: "go:linkname " (a space) then one or two fields.
        if rest.strip() and (not rest.startswith(" ") or not 2 <= len(text[2:].split()) <= 3):
            if malformed is not None:
                kind = "usage" if rest.startswith(" ") else "not-a-directive"
                malformed.append(MalformedDirective(Span.of(c), _line_span(source, c), kind))
            continue
        m = _LINKNAME.match(text)
        local, target = m.group(1), m.group(2)
        if not local:
            continue
        found = decls.get(local)
        out.append(Directive(local, target, Span.of(c), _line_span(source, c), found[0] if found else None))
    return out


@dataclass(frozen=True)
class Suppression:
    """A comment that silences findings: ``//gofix-linkname:ignore LN101 -- reason`` or
    ``//nolint:gofixlinkname``.

    ``codes`` are rule codes or names (upper-cased codes); None means every rule.  ``lines``
    is the inclusive range of lines whose findings it covers.
    """

    kind: str  # "ignore" | "nolint"
    codes: tuple[str, ...] | None
    reason: str
    span: Span  # the comment
    lines: tuple[int, int]
    text: str  # the comment, as written
    # Names gofix-linkname (not a bare //nolint meant for every linter): only these can be
    # reported as unused.
    specific: bool = True


IGNORE_PREFIX = "//gofix-linkname:ignore"
# golangci-lint's form: "//nolint" (every linter), "//nolint:all", or a list naming linters;
# like golangci-lint, a space after "//" is tolerated and "// reason" may follow.
_NOLINT = re.compile(r"//\s?nolint(?::(?P<linters>[\w-]+(?:,[\w-]+)*))?(?=\s|$)(?:\s*//\s*(?P<reason>.*?))?\s*$")
LINTER_NAMES = ("gofixlinkname", "gofix-linkname")


def _suppressions(source: bytes, root: Node, start: int = 0, end: int | None = None) -> list[Suppression]:
    """The suppression comments (see :func:`_covering_declarations` for the rest of their reach)."""
    out = []
    for c in comments_containing(source, root, b"nolint", b"gofix-linkname:ignore", start=start, end=end):
        text = source[c.start_byte:c.end_byte].decode("utf-8", "replace").rstrip("\r")
        if "nolint" not in text and "gofix-linkname:ignore" not in text:
            continue
        own_line = _own_line(source, c)
        line = c.start_point[0] + 1
        rest = text[len(IGNORE_PREFIX):]
        if text.startswith(IGNORE_PREFIX) and (not rest or rest[0].isspace()):
            listed, _, reason = rest.partition("--")
            codes = tuple(x.upper() if re.fullmatch(r"(?i)ln\d+", x) else x
                          for x in re.split(r"[\s,]+", listed) if x) or None
            # Its own line and the next (and maybe more: _covering_declarations).
            last = line + 1 if own_line else line
            out.append(Suppression("ignore", codes, reason.strip(), Span.of(c), (line, last), text, True))
            continue
        m = _NOLINT.match(text)
        if not m:
            continue
        linters = [x.lower() for x in (m.group("linters") or "").split(",") if x]
        if linters and "all" not in linters and not any(n in linters for n in LINTER_NAMES):
            continue  # a nolint for other linters only
        last = line
        if own_line:
            # As golangci-lint does: on a line of its own, it covers the node that follows.
            nxt = c.next_named_sibling
            while nxt is not None and nxt.type == "comment":
                nxt = nxt.next_named_sibling
            last = nxt.end_point[0] + 1 if nxt is not None else line
        out.append(Suppression("nolint", None, (m.group("reason") or "").strip(), Span.of(c),
                               (line, last), text, bool(linters) and "all" not in linters))
    return sorted(out, key=lambda s: s.span.start)


def _covering_declarations(suppressions: list[Suppression], directives: list[Directive]) -> list[Suppression]:
    """An ignore comment covers its own line and the next; when the next is a
    ``//go:linkname`` directive, the line of the declaration that directive names too
    (findings about a pull may sit there)."""
    decl_line = {d.span.line: d.declaration.span.line for d in directives if d.declaration is not None}
    if not decl_line:
        return suppressions
    out = []
    for s in suppressions:
        last = s.lines[1]
        if s.kind == "ignore" and decl_line.get(last, last) > last:
            s = replace(s, lines=(s.lines[0], decl_line[last]))
        out.append(s)
    return out


def plus_build_end(source: bytes) -> int:
    """Where go/build stops reading ``// +build`` lines: the end of the last blank line of the
    file's leading run of comments and blank lines (``parseFileHeader``).  A ``// +build`` line
    after it (say, directly above the package clause) is ignored by the go command."""
    end = 0
    pos = 0
    in_block = False
    while pos < len(source):
        nl = source.find(b"\n", pos)
        nxt = len(source) if nl < 0 else nl + 1
        line = source[pos:nxt].strip()
        pos = nxt
        if not line:
            end = pos
            continue
        while line:
            if in_block:
                i = line.find(b"*/")
                if i < 0:
                    break
                in_block, line = False, line[i + 2:].strip()
                continue
            if line.startswith(b"//"):
                break
            if line.startswith(b"/*"):
                in_block, line = True, line[2:].strip()
                continue
            return end  # code: the header is over
    return end


def _constraint(source: bytes, root: Node) -> BuildConstraint:
    """``//go:build`` and ``// +build`` lines in the header, read as go/build reads them: the
    ``//go:build`` line anywhere in the leading comments, ``// +build`` lines only before the
    header's last blank line."""
    plus_end = plus_build_end(source)
    go_build = None
    plus: list[Span] = []
    expr = None
    plus_args: list[str] = []
    error = None
    for c in root.children:
        if c.type == "package_clause":
            break
        if c.type != "comment":
            continue
        text = source[c.start_byte:c.end_byte].decode("utf-8", "replace").rstrip("\r")
        try:
            if text.startswith("//go:build") and (len(text) == 10 or text[10].isspace()):
                go_build = Span.of(c)
                expr = buildconstraint.parse_expr(text[len("//go:build"):])
            elif re.match(r"//\s*\+build(\s|$)", text) and c.end_byte <= plus_end:
                plus.append(Span.of(c))
                plus_args.append(text.split("+build", 1)[1])
        except ConstraintError as e:
            error = f"line {c.start_point[0] + 1}: {e}"
    if go_build is None and plus_args:
        try:
            expr = buildconstraint.parse_plus_build(plus_args)
        except ConstraintError as e:
            error = str(e)
    return BuildConstraint(expr, go_build, tuple(plus), error)


def _syntax_errors(root: Node, source: bytes = b"") -> list[Span]:
    if not root.has_error:
        return []
    # Go ends the last declaration at the end of the file without a newline; tree-sitter-go
    # wants one there and flags the tree, with nothing to show for it.
    if source and not source.endswith(b"\n") and not parse(source + b"\n").root_node.has_error:
        return []
    out = []
    stack = [root]
    while stack and len(out) < 5:
        n = stack.pop()
        if n.is_error or n.is_missing:
            out.append(Span.of(n))
            continue
        if n.has_error:
            stack.extend(reversed(n.children))
    if not out:
        # tree-sitter can flag an error without an ERROR or MISSING node to show for it; the
        # deepest node that still carries the flag is the best place to point at.
        n = root
        while (child := next((c for c in n.children if c.has_error), None)) is not None:
            n = child
        out.append(Span.of(n))
    return out


@dataclass(frozen=True)
class NewerSyntax:
    """A construct of a Go release newer than the grammar of the tree-sitter-go we parse with.

    The file is read with the construct masked (bytes the grammar knows put in its place,
    offsets kept): everything else about the file is as written, and rules read it as usual,
    but the engine never edits such a file."""

    span: Span  # the construct as written
    what: str  # "a generic method", "new(expression)"
    release: str | None  # the Go release whose language added it, when it is new

    def describe(self) -> str:
        since = f" (Go {self.release})" if self.release else ""
        return f"line {self.span.line}: {self.what}{since}, which tree-sitter-go {grammar_version()} does not parse"


@functools.lru_cache(maxsize=None)
def grammar_version() -> str:
    from importlib import metadata
    try:
        return metadata.version("tree-sitter-go")
    except metadata.PackageNotFoundError:
        return "(unknown version)"


# ``func (recv) Name[`` starts a method with type parameters, which Go accepts from 1.27
# and the grammar nowhere: the receiver may hold brackets (``T[P]``), one level of
# parentheses (``func (r (T))``) and line breaks (gofmt keeps ``func (\n\tr *T,\n) N[...]``).
_GENERIC_METHOD = re.compile(rb"(?m)^func[ \t]*\((?:[^()]|\([^()]*\))*\)[ \t]*"
                             rb"[A-Za-z_\x80-\xff][\w\x80-\xff]*[ \t]*(\[)")
# ``new(`` or ``make(`` where the word is not a selector's or another identifier's tail: the
# grammar wants a type as their first argument, and Go 1.26 lets ``new`` take an expression
# (so does every release for a function of the package that is named ``make`` or ``new``).
_BUILTIN_CALL = re.compile(rb"(?<![\w\x80-\xff.])(new|make)[ \t]*\(")
_NOT_CODE = frozenset({"comment", "interpreted_string_literal", "raw_string_literal",
                       "interpreted_string_literal_content", "raw_string_literal_content",
                       "rune_literal", "escape_sequence"})


def _in_code(root: Node, at: int) -> bool:
    node = root.descendant_for_byte_range(at, at + 1)
    while node is not None:
        if node.type in _NOT_CODE:
            return False
        node = node.parent
    return True


def _closing(source: bytes, start: int, opening: bytes, closing: bytes) -> int:
    """The offset of the bracket closing the one at ``start``, skipping strings, runes and
    comments; -1 when the file ends first."""
    depth = 0
    i = start
    n = len(source)
    while i < n:
        c = source[i:i + 1]
        if c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return i
        elif c in (b'"', b"'"):
            i += 1
            while i < n and source[i:i + 1] not in (c, b"\n"):
                i += 2 if source[i:i + 1] == b"\\" else 1
        elif c == b"`":
            i = source.find(b"`", i + 1)
            if i < 0:
                return -1
        elif source.startswith(b"//", i):
            i = source.find(b"\n", i)
            if i < 0:
                return -1
        elif source.startswith(b"/*", i):
            i = source.find(b"*/", i + 2)
            if i < 0:
                return -1
            i += 1
        i += 1
    return -1


def _error_offsets(root: Node) -> list[int]:
    """Where the tree's ERROR and MISSING nodes start (a whole-file ERROR root excepted)."""
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if (node.is_error or node.is_missing) and node is not root:
            out.append(node.start_byte)
        if node.has_error:
            stack.extend(node.children)
    return sorted(out)


def _span_at(source: bytes, start: int, end: int) -> Span:
    line = source.count(b"\n", 0, start) + 1
    end_line = line + source.count(b"\n", start, end)
    return Span(start, end, line, start - (source.rfind(b"\n", 0, start) + 1) + 1,
                end_line, end - (source.rfind(b"\n", 0, end) + 1) + 1)


def _mask_newer_syntax(source: bytes, tree: Tree) -> tuple[Tree, bytes, list[NewerSyntax]]:
    """The tree of ``source`` with the newer constructs that made its parse fail masked, the
    masked text, and those constructs (``tree`` and ``source`` themselves when there are none).

    Masks keep every offset: a generic method's type parameter list becomes spaces (the
    body's uses of its names read as ordinary type names); ``new`` or ``make`` called on an
    expression becomes an identifier of the same length (underscores), so the call reads as an
    ordinary call whose argument is the expression, as written."""
    masked = bytearray(source)
    found: list[NewerSyntax] = []
    root = tree.root_node
    for m in _GENERIC_METHOD.finditer(source):
        at = m.start(1)
        close = _closing(source, at, b"[", b"]")
        if close < 0 or not _in_code(root, at):
            continue
        masked[at:close + 1] = re.sub(rb"[^\n]", b" ", source[at:close + 1])
        found.append(NewerSyntax(_span_at(source, m.start(), close + 1), "a generic method", "1.27"))
    if found:
        tree = parse(bytes(masked))
        root = tree.root_node
    calls = [m for m in _BUILTIN_CALL.finditer(source) if _in_code(root, m.start())] if root.has_error else []
    tried: set[int] = set()
    masks: dict[int, tuple[re.Match, int]] = {}  # masked calls: start -> (match, closing paren)

    def has_error_in(errors: list[int], start: int, end: int) -> bool:
        i = bisect.bisect_left(errors, start)
        return i < len(errors) and errors[i] <= end

    # An error can hide the next (the grammar recovers as best it can): mask, parse again, and
    # look again, while masking still repairs something.  A mask whose call still holds an
    # error after the parse was wrong (``new(struct{...})`` of a type the recovery upset) and
    # is put back.
    for _ in range(8):
        if not root.has_error:
            break
        errors = _error_offsets(root)
        changed = False
        for start, (m, close) in list(masks.items()):
            if has_error_in(errors, m.end() - 1, close):
                masked[m.start():m.end(1)] = m.group(1)
                del masks[start]
                changed = True
        for m in calls:
            if m.start() in tried:
                continue
            close = _closing(source, m.end() - 1, b"(", b")")
            # Only a call whose argument the grammar stumbled on: new(T) of a type parses.
            if close >= 0 and has_error_in(errors, m.end() - 1, close):
                masked[m.start():m.end(1)] = b"_" * len(m.group(1))
                tried.add(m.start())
                masks[m.start()] = (m, close)
                changed = True
        if not changed:
            break
        tree = parse(bytes(masked))
        root = tree.root_node
    for m, close in masks.values():
        word = m.group(1)
        found.append(NewerSyntax(_span_at(source, m.start(), close + 1), f"{word.decode()}(expression)",
                                 "1.26" if word == b"new" else None))
    found.sort(key=lambda n: n.span.start)
    return tree, bytes(masked) if found else source, found


def parse_file(path: Path, data: bytes) -> GoFile:
    """Build the model of one Go file from its bytes (which must be valid UTF-8)."""
    bom = data.startswith(BOM)
    source = data[len(BOM):] if bom else data
    if len(source) > CHUNKED_ABOVE:
        model = _parse_in_pieces(path, source, bom)
        if model is not None:
            return model
    tree = parse(source)
    newer: list[NewerSyntax] = []
    parsed_text = source
    if tree.root_node.has_error:
        tree, parsed_text, newer = _mask_newer_syntax(source, tree)
    root = tree.root_node
    trees = _WholeTree(tree)
    children = root.named_children
    pkg_clause = next((c for c in children if c.type == "package_clause"), None)
    decls = _declarations(source, children, trees)
    malformed: list[MalformedDirective] = []
    directives = _directives(source, root, decls, malformed)
    return GoFile(
        path=path,
        source=source,
        tree=tree,
        bom=bom,
        crlf=source.count(b"\r\n") * 2 > source.count(b"\n"),
        package=_package_name(source, pkg_clause),
        package_clause=Span.of(pkg_clause) if pkg_clause is not None else None,
        imports=_imports(source, children),
        declarations=decls,
        directives=directives,
        constraint=_constraint(source, root),
        generated=_generated(source, pkg_clause),
        syntax_errors=_syntax_errors(root, parsed_text),
        suppressions=_covering_declarations(_suppressions(source, root), directives),
        malformed_directives=malformed,
        newer_syntax=newer,
        trees=trees,
    )


def _package_name(source: bytes, pkg_clause: Node | None) -> str:
    ident = next((c for c in pkg_clause.named_children if c.type == "package_identifier"), None) \
        if pkg_clause is not None else None
    return source[ident.start_byte:ident.end_byte].decode() if ident else ""


def _generated(source: bytes, pkg_clause: Node | None) -> bool:
    header_end = pkg_clause.start_byte if pkg_clause is not None else len(source)
    return bool(_GENERATED.search(source, 0, header_end))


# ------------------------------------------------------------------ big files, parsed in pieces

# A file larger than this is parsed in pieces: tree-sitter's tree takes ~46 bytes per byte of
# Go, so the tree of a 20 MB file alone would take ~930 MB.
CHUNKED_ABOVE = 4 << 20
# About how much Go one piece holds (its tree: ~46 MB).
CHUNK_BYTES = 1 << 20
# Where a piece may end: after a line closing a top-level declaration (``}`` or ``)`` first on
# its line) and a blank line, before a line starting another or its doc comment.  A cut
# anywhere else (in a raw string, a comment, a body written without gofmt) leaves a piece that
# does not parse, and the file is then parsed whole.  Nothing a rule reads crosses such a cut:
# a doc comment is in the piece of its declaration, and a nolint comment is followed by the
# declaration it covers in its own piece.
_CUT = re.compile(rb"\n[})][^\n]*\n\r?\n(?=//|(?:func|type|var|const)[ \t(])")


class _WholeTree:
    """The nodes of a file parsed whole."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    @property
    def root(self) -> Node:
        return self.tree.root_node

    def node_at(self, start: int, end: int, type: str) -> Node:
        return _node_at(self.tree.root_node, start, end, type)

    def top_level(self, types: tuple[str, ...]) -> list[Node]:
        return [c for c in self.tree.root_node.named_children if c.type in types]


def _node_at(root: Node, start: int, end: int, type: str) -> Node | None:
    """The node of ``type`` spanning exactly ``start``..``end``."""
    n = root.descendant_for_byte_range(start, end)
    while n is not None and not (n.type == type and n.start_byte == start and n.end_byte == end):
        n = n.parent
    return n


class _Chunks:
    """The trees of a big file parsed in pieces: runs of whole top-level declarations, each
    parsed alone with tree-sitter's included ranges, so its nodes carry the file's offsets,
    lines and columns.  A piece's tree is parsed when a rule first reaches into the piece and
    kept while the model lives (node ids stay unique, as rules' memos need); the model itself
    is built from each piece in turn, holding one tree at a time."""

    def __init__(self, source: bytes, starts: list[int]) -> None:
        self.source = source
        self.starts = starts
        self.ends = starts[1:] + [len(source)]
        self.ranges = []
        row = 0
        for i, (s, e) in enumerate(zip(self.starts, self.ends)):
            end_row = row + source.count(b"\n", s, e)
            end_col = e - (source.rfind(b"\n", 0, e) + 1)
            self.ranges.append(Range((row, 0), (end_row, end_col), s, e))
            row = end_row
        self.trees: dict[int, Tree] = {}
        # What the model build saw of each piece: the types of its top-level nodes, and the
        # span of its root (whose union stands for the file's root).
        self.types: list[frozenset[str]] = []
        self.bounds: list[tuple[int, int, Point, Point]] = []
        self.counts: list[tuple[int, int]] = []  # children, named children
        self.root = ChunkedRoot(self)

    def __len__(self) -> int:
        return len(self.starts)

    def parse(self, i: int) -> Tree:
        parser = Parser(GO)
        parser.included_ranges = [self.ranges[i]]
        return parser.parse(self.source)

    def tree(self, i: int) -> Tree:
        t = self.trees.get(i)
        if t is None:
            t = self.trees[i] = self.parse(i)
        return t

    def index_of(self, offset: int) -> int:
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def node_at(self, start: int, end: int, type: str) -> Node:
        return _node_at(self.tree(self.index_of(start)).root_node, start, end, type)

    def top_level(self, types: tuple[str, ...]) -> list[Node]:
        return [c for i, seen in enumerate(self.types) if not seen.isdisjoint(types)
                for c in self.tree(i).root_node.named_children if c.type in types]


class ChunkedRoot:
    """Stands for the root node of a file parsed in pieces: what rules ask of a root
    (its children, the node at an offset, a query through :func:`captures`) is answered from
    the pieces, each parsed when first reached."""

    type = grammar_name = "source_file"
    is_named = True
    is_error = is_missing = has_error = False
    parent = next_sibling = prev_sibling = next_named_sibling = prev_named_sibling = None

    def __init__(self, chunks: _Chunks) -> None:
        self._chunks = chunks

    @property
    def id(self) -> int:
        return id(self)

    @property
    def start_byte(self) -> int:
        return self._chunks.bounds[0][0]

    @property
    def end_byte(self) -> int:
        return self._chunks.bounds[-1][1]

    @property
    def start_point(self) -> Point:
        return self._chunks.bounds[0][2]

    @property
    def end_point(self) -> Point:
        return self._chunks.bounds[-1][3]

    @property
    def children(self) -> "_ChunkedChildren":
        return _ChunkedChildren(self._chunks, named=False)

    @property
    def named_children(self) -> "_ChunkedChildren":
        return _ChunkedChildren(self._chunks, named=True)

    @property
    def child_count(self) -> int:
        return sum(c for c, _ in self._chunks.counts)

    @property
    def named_child_count(self) -> int:
        return sum(n for _, n in self._chunks.counts)

    def child_by_field_name(self, name: str) -> None:
        return None

    def children_by_field_name(self, name: str) -> list:
        return []

    def piece_roots(self):
        for i in range(len(self._chunks)):
            yield self._chunks.tree(i).root_node

    def descendant_for_byte_range(self, start: int, end: int) -> "Node | ChunkedRoot":
        return self._descendant(start, end, named=False)

    def named_descendant_for_byte_range(self, start: int, end: int) -> "Node | ChunkedRoot":
        return self._descendant(start, end, named=True)

    def _descendant(self, start: int, end: int, named: bool):
        chunks = self._chunks
        i = chunks.index_of(start)
        if end > chunks.ends[i]:
            return self  # across pieces: only the root spans it
        root = chunks.tree(i).root_node
        n = root.named_descendant_for_byte_range(start, end) if named else root.descendant_for_byte_range(start, end)
        return self if n is None or n == root else n


class _ChunkedChildren(Sequence):
    """The top-level nodes of a file parsed in pieces, piece after piece."""

    def __init__(self, chunks: _Chunks, named: bool) -> None:
        self._chunks = chunks
        self._named = named

    def __iter__(self):
        for i in range(len(self._chunks)):
            root = self._chunks.tree(i).root_node
            yield from (root.named_children if self._named else root.children)

    def __len__(self) -> int:
        return sum(n if self._named else c for c, n in self._chunks.counts)

    def __getitem__(self, k):
        return list(self)[k]

    def __reversed__(self):
        return reversed(list(self))


def _cuts(source: bytes) -> list[int]:
    """Where the pieces of a big file start: the first at 0, then every ~CHUNK_BYTES at the
    next place :data:`_CUT` allows."""
    starts = [0]
    while True:
        m = _CUT.search(source, starts[-1] + CHUNK_BYTES)
        if m is None:
            return starts
        starts.append(m.end())


def _parse_in_pieces(path: Path, source: bytes, bom: bool) -> GoFile | None:
    """The model of a big file built from its pieces, one tree at a time; None when a piece
    does not parse cleanly (or the package clause is not in the first): then the file is
    parsed whole, which gives the same model the pieces would."""
    chunks = _Chunks(source, _cuts(source))
    if len(chunks) < 2:
        return None
    decls: dict[str, list[Declaration]] = {}
    imports: list[Import] = []
    directives: list[Directive] = []
    malformed: list[MalformedDirective] = []
    suppressions: list[Suppression] = []
    pkg_clause = constraint = None
    for i in range(len(chunks)):
        tree = chunks.parse(i)  # dropped after this piece: a rule that needs it parses it again
        root = tree.root_node
        if root.has_error:
            return None
        start, end = chunks.starts[i], chunks.ends[i]
        children = root.named_children
        if i == 0:
            clause = next((c for c in children if c.type == "package_clause"), None)
            if clause is None:
                return None
            pkg_clause = (Span.of(clause), _package_name(source, clause), _generated(source, clause))
            constraint = _constraint(source, root)
        chunks.types.append(frozenset(c.type for c in children))
        chunks.bounds.append((root.start_byte, root.end_byte, root.start_point, root.end_point))
        chunks.counts.append((root.child_count, len(children)))
        _declarations(source, children, chunks, decls)
        imports += _imports(source, children)
        directives += _directives(source, root, {}, malformed, start, end)
        suppressions += _suppressions(source, root, start, end)
    directives = [replace(d, declaration=decls[d.local][0]) if d.local in decls else d for d in directives]
    return GoFile(
        path=path,
        source=source,
        tree=None,
        bom=bom,
        crlf=source.count(b"\r\n") * 2 > source.count(b"\n"),
        package=pkg_clause[1],
        package_clause=pkg_clause[0],
        imports=imports,
        declarations=decls,
        directives=directives,
        constraint=constraint,
        generated=pkg_clause[2],
        suppressions=_covering_declarations(suppressions, directives),
        malformed_directives=malformed,
        trees=chunks,
    )


# ---------------------------------------------------------------------------- packages, modules

@dataclass(frozen=True)
class PackageFacts:
    """What one directory's files say together (a Go package is a directory)."""

    directory: Path
    go_files: tuple[str, ...]
    has_assembly: bool
    unsafe_importers: frozenset[str]  # names of the .go files that import "unsafe"
    # Every name in the directory (files of any kind, subdirectories): a new file must not
    # take one, even in another case.
    entries: frozenset[str] = frozenset()
    # .go files no release and platform in range compiles (``//go:build ignore``, ``gccgo``...).
    never_built: frozenset[str] = frozenset()
    # .go files the run could not parse (a syntax error, or valid Go the parser cannot read):
    # they may hold any word, so no rule can say what they do not contain.
    unread: frozenset[str] = frozenset()
    # Facts several rules derive from the package's files (its pulls, ...), computed once per
    # package and pass by whichever rule asks first: see :meth:`shared`.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def shared(self, key, compute):
        """``compute()`` once per package per pass: the engine builds new facts every pass."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = compute()
            return value


@dataclass(frozen=True)
class Module:
    root: Path
    path: str  # module path
    go: str | None  # the go directive, e.g. "1.21" or "1.22.3"
    toolchain: str | None  # e.g. "go1.23.4"
    requires: tuple[str, ...]

    @property
    def is_std(self) -> bool:
        """GOROOT/src's own module: its packages' import paths carry no module prefix
        (``time``, ``vendor/golang.org/x/net/...``), and ``cmd`` is a module of its own."""
        return self.path == "std"

    def contains(self, import_path: str) -> bool:
        if self.is_std:
            return is_std_path(import_path) and import_path != "cmd" and not import_path.startswith("cmd/")
        return import_path == self.path or import_path.startswith(self.path + "/")

    @functools.lru_cache(maxsize=4096)
    def import_path_of(self, directory: Path) -> str:
        rel = directory.resolve().relative_to(self.root.resolve()).as_posix()
        if self.is_std:
            return rel  # "." is GOROOT/src itself, which holds no package
        return self.path if rel == "." else f"{self.path}/{rel}"

    def requires_package(self, import_path: str) -> bool:
        return any(import_path == r or import_path.startswith(r + "/") for r in self.requires)


def parse_go_mod(path: Path, text: str) -> Module:
    """The few go.mod facts the rules need: module path, go and toolchain lines, requirements."""
    module = go = toolchain = None
    requires: list[str] = []
    in_require = False
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if not line:
            continue
        if in_require:
            if line == ")":
                in_require = False
            else:
                requires.append(line.split()[0])
            continue
        words = line.split()
        if words[0] == "module" and len(words) > 1:
            module = words[1].strip('"')
        elif words[0] == "go" and len(words) > 1:
            go = words[1]
        elif words[0] == "toolchain" and len(words) > 1:
            toolchain = words[1]
        elif words[0] == "require":
            if len(words) > 1 and words[1] == "(":
                in_require = True
            elif len(words) > 1:
                requires.append(words[1])
    return Module(path.parent, module or "", go, toolchain, tuple(requires))
