"""What a Go file's bytes show without a parse: package name, build constraint, and the names
it declares at package level.

tree-sitter parses Go at a few megabytes a second, so a run over a large tree cannot afford to
parse every file of every package that has a build-constrained file only to learn, in nearly
all of them, that each constrained file's names are declared by its counterparts.  A sketch
answers those questions from the bytes, with regular expressions that run in C: strings,
runes and comments blanked, bracket pairs collapsed from the innermost out until only the
package-level skeleton is left, and that skeleton read as Go's grammar reads declarations.

For a file the parser accepts, a sketch is exact or says it does not know (``names`` None):
anything it does not recognise (an unbalanced bracket, a token where a declaration should
start) gives up rather than guesses.  For a file the parser rejects it may say anything, so a
caller uses it only where such a file silences the question anyway (a rule that needs the whole
package says nothing when a file of it cannot be parsed).  Callers use sketches to prove that a
rule has nothing to say about a package; whenever they cannot, the files are parsed as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import buildconstraint
from .buildconstraint import ConstraintError, Expr

BOM = b"\xef\xbb\xbf"

# Comments, interpreted and raw strings, runes: leftmost first, as Go's scanner sees them.  The
# replacement keeps one captured byte: a literal leaves its closing quote (an operand: it ends a
# statement), a comment spanning lines leaves a newline (it ends one too), a comment on one line
# leaves a ``/``, which the tokens below skip; a ``//`` comment leaves nothing.  (See :func:`_keep`.)
_LEXEMES = re.compile(rb'//[^\n]*|/\*[^\n]*?\*(/)|/\*.*?(\n).*?\*/|"(?:[^"\\\n]|\\.)*(")|`[^`]*(`)'
                      rb"|'(?:[^'\\\n]|\\.)*(')", re.S)


def _keep(pattern: re.Pattern, text: bytes) -> bytes:
    """``text`` with each match of ``pattern`` replaced by what its groups captured, as a
    substitution whose template names every group would give, without Python 3.11's per-match
    template expansion, which is Python code (a million matches over a large package cost a
    second).  ``split`` hands back the text between matches and each match's groups, None
    where a group took no part."""
    return b"".join(filter(None, pattern.split(text)))


def _nested(level: int, pairs: tuple[tuple[bytes, bytes], ...], content: bytes, capture: bool) -> bytes:
    """A pattern for a bracket pair holding up to ``level`` levels of complete pairs (each pass
    of a substitution then collapses that many levels at once, not one)."""
    inner = b"|".join(re.escape(o) + re.escape(c) for o, c in pairs)  # a pair already collapsed
    for _ in range(level - 1):
        inner = b"|".join(re.escape(o) + content + b"*(?:(?:" + inner + b")" + content + b"*)*" + re.escape(c)
                          for o, c in pairs)
    wrap = (lambda x: b"(" + x + b")") if capture else (lambda x: x)
    return b"|".join(wrap(re.escape(o)) + content + b"*(?:(?:" + inner + b")" + content + b"*)*" + wrap(re.escape(c))
                     for o, c in pairs)


# A brace pair, whatever parentheses it holds, with up to six levels of braces inside.
_BRACES = re.compile(_nested(6, ((b"{", b"}"),), rb"[^{}]", False))
# A parenthesis or square bracket pair (not a declaration group's), up to three levels deep;
# the template keeps the outer pair.
_PARENS = re.compile(_nested(3, ((b"(", b")"), (b"[", b"]")), rb"[^()\[\]\x01]", True))
# A declaration group's parenthesis (``var (``) stays open while everything inside it collapses.
_GROUP = re.compile(rb"(?<![0-9A-Za-z_\x80-\xff])(var|const|type|import)[ \t]*\(")
_TOKENS = re.compile(rb"\(\)|\[\]|\{\}|[\"`']|[A-Za-z_\x80-\xff][0-9A-Za-z_\x80-\xff]*|[0-9.][0-9A-Za-z_.]*|\x01|\+\+|--|\n|[^\s/]")
_WORD = re.compile(rb"[A-Za-z_\x80-\xff][0-9A-Za-z_\x80-\xff]*")
# After these a newline ends the statement (Go's automatic semicolons).
_ENDS_STATEMENT = {b"()", b"[]", b"{}", b"++", b"--", b"break", b"continue", b"fallthrough", b"return"}
_LONE = {b"{", b"(", b"[", b"}", b"]", b")"}
_KEYWORDS = frozenset(b"break case chan const continue default defer else fallthrough for func go goto if "
                      b"import interface map package range return select struct switch type var".split())


@dataclass(frozen=True)
class FileHeader:
    """What a file's header says: the part of a sketch a build question needs."""
    name: str  # the file name
    package: str | None  # None: no package clause found where one was expected
    constraint: Expr | None  # the combined //go:build (or // +build) constraint
    constraint_ok: bool  # False: the header could not be read, or its constraint is malformed


@dataclass(frozen=True)
class FileSketch:
    name: str  # the file name
    source: bytes  # without BOM
    package: str | None  # None: no package clause found where one was expected
    constraint: Expr | None  # the combined //go:build (or // +build) constraint
    constraint_ok: bool  # False: the header could not be read, or its constraint is malformed
    names: frozenset[str] | None  # package-level names (not methods, ``_``, ``init``); None: unknown

    def mentions(self, name: str) -> bool:
        """Whether the bytes spell ``name`` as a whole word (an identifier of that name, or the
        word in a comment or string: more than a use, never less)."""
        return _word(name).search(self.source) is not None


def _word(name: str):
    w = re.escape(name.encode("utf-8"))
    return re.compile(rb"(?<![0-9A-Za-z_\x80-\xff])" + w + rb"(?![0-9A-Za-z_\x80-\xff])")


def sketch(name: str, data: bytes) -> FileSketch:
    source = data[len(BOM):] if data.startswith(BOM) else data
    package, constraint, ok, body = _header(source)
    names = _top_level_names(source, body) if package is not None and ok else None
    return FileSketch(name, source, package, constraint, ok, names)


_HEADER_SPACE = re.compile(rb"[ \t\r\n]*")
_PACKAGE = re.compile(rb"package[ \t]+([A-Za-z_\x80-\xff][0-9A-Za-z_\x80-\xff]*)[ \t]*(?=[;\r\n/]|$)")


def _header(source: bytes) -> tuple[str | None, Expr | None, bool, int]:
    """(package name, constraint, whether both were read, offset past the package clause),
    reading the comments before the package clause as :func:`codemod.model._constraint` does."""
    from .model import plus_build_end

    pos = 0
    comments: list[tuple[bytes, int]] = []  # (text, end offset)
    while True:
        pos = _HEADER_SPACE.match(source, pos).end()
        if source.startswith(b"//", pos):
            nl = source.find(b"\n", pos)
            end = len(source) if nl < 0 else nl
            comments.append((source[pos:end], end))
            pos = end
        elif source.startswith(b"/*", pos):
            end = source.find(b"*/", pos + 2)
            if end < 0:
                return None, None, False, 0
            pos = end + 2
        else:
            break
    m = _PACKAGE.match(source, pos)
    if m is None:
        return None, None, False, 0
    plus_end = plus_build_end(source)
    expr = None
    go_build = False
    plus_args: list[str] = []
    try:
        for raw, end in comments:
            text = raw.decode("utf-8", "replace").rstrip("\r")
            if text.startswith("//go:build") and (len(text) == 10 or text[10].isspace()):
                go_build = True
                expr = buildconstraint.parse_expr(text[len("//go:build"):])
            elif re.match(r"//\s*\+build(\s|$)", text) and end <= plus_end:
                plus_args.append(text.split("+build", 1)[1])
        if not go_build and plus_args:
            expr = buildconstraint.parse_plus_build(plus_args)
    except ConstraintError:
        return None, None, False, 0
    return m.group(1).decode("utf-8"), expr, True, m.end()


def package_clause_end(source: bytes) -> int | None:
    """Where the package clause's name ends, past the header's comments; None when the header
    cannot be read (no package clause where one must stand, a malformed constraint)."""
    package, _, ok, end = _header(source)
    return end if package is not None and ok else None


def skeleton(source: bytes, start: int = 0) -> bytes | None:
    """The package-level text after ``start``: each literal as its quote, comments as described
    at ``_LEXEMES``, every bracket pair's contents dropped except a declaration group's (its
    ``(`` written as \\x01, the contents collapsed inside it)."""
    s = _keep(_LEXEMES, source[start:])
    if b"\x01" in s:
        return None  # the byte that marks groups below
    # Collapse from the innermost out until nothing changes.  Function bodies and composite
    # literals go first: what is left of a brace pair is ``{}``, so a ``var (`` still standing
    # after that is a package-level group.
    while True:
        t = _BRACES.sub(b"{}", s)
        if t == s:
            break
        s = t
    s = _GROUP.sub(lambda m: m.group(1) + b" \x01", s)
    while True:
        t = _keep(_PARENS, s)
        if t == s:
            break
        s = t
    return s


def _top_level_names(source: bytes, start: int) -> frozenset[str] | None:
    s = skeleton(source, start)
    if s is None:
        return None
    toks = _TOKENS.findall(s)
    names: set[str] = set()
    i, n = 0, len(toks)

    def end_of_statement(j: int, closing: bytes | None) -> int | None:
        """Index of the token ending the statement that starts at ``j`` (a newline after a
        token that ends statements, ``;``, or the group's close); None if malformed."""
        prev = None
        while j < n:
            t = toks[j]
            if t == b";" or (closing is not None and t == closing):
                return j
            if t == b"\n":
                if prev is not None and (prev in _ENDS_STATEMENT or _is_operand(prev)):
                    return j
            elif t in _LONE:
                return None  # unbalanced: collapsing left a bracket without its pair
            else:
                prev = t
            j += 1
        return j

    def spec_names(j: int, kind: bytes) -> tuple[list[bytes], int] | None:
        """The names a spec starting at ``j`` declares: ``a, b T = ...`` (one for a type)."""
        out = []
        while True:
            if j >= n or not _is_name(toks[j]):
                return None
            out.append(toks[j])
            j += 1
            if kind == b"type" or j >= n or toks[j] != b",":
                return out, j
            j += 1
            while j < n and toks[j] == b"\n":
                j += 1  # a name list may break after its comma

    while i < n:
        t = toks[i]
        if t in (b"\n", b";"):
            i += 1
            continue
        if t == b"func":
            if i + 1 >= n:
                return None
            if toks[i + 1] == b"()":
                pass  # a method: not a name of the package scope
            elif _is_name(toks[i + 1]):
                names.add(toks[i + 1].decode("utf-8"))
            else:
                return None
            end = end_of_statement(i + 1, None)
        elif t in (b"var", b"const", b"type", b"import"):
            if i + 1 < n and toks[i + 1] == b"\x01":
                j = i + 2
                while True:
                    while j < n and toks[j] in (b"\n", b";"):
                        j += 1
                    if j >= n:
                        return None
                    if toks[j] == b")":
                        break
                    if t != b"import":
                        found = spec_names(j, t)
                        if found is None:
                            return None
                        names.update(x.decode("utf-8") for x in found[0])
                    end = end_of_statement(j, b")")
                    if end is None or end >= n:
                        return None
                    j = end if toks[end] == b")" else end + 1
                end = j + 1
            elif t == b"import":
                end = end_of_statement(i + 1, None)
            else:
                found = spec_names(i + 1, t)
                if found is None:
                    return None
                names.update(x.decode("utf-8") for x in found[0])
                end = end_of_statement(found[1], None)
        else:
            return None  # not a declaration where one must start
        if end is None:
            return None
        i = end
    names.discard("_")
    names.discard("init")
    return frozenset(names)


def _is_name(t: bytes) -> bool:
    return _WORD.fullmatch(t) is not None and t not in _KEYWORDS


def _is_operand(t: bytes) -> bool:
    """An identifier or a literal: a newline after it ends the statement."""
    c = t[:1]
    return (c.isalnum() or c == b"_" or c == b"." and len(t) > 1 or c >= b"\x80" or c in (b'"', b"`", b"'")) \
        and t not in _KEYWORDS


# A directive counts only with nothing but white space before it on its line (as the model's
# ``_own_line`` reads it).
_LINKNAME_LINE = re.compile(rb"(?m)^[ \t\r\x0b\x0c]*(//go:linkname[^\n]*)")

_WORD_BYTES = bytes(c if (chr(c).isascii() and (chr(c).isalnum() or c == ord("_"))) or c >= 0x80 else 32
                    for c in range(256))


def words_of(source: bytes) -> frozenset[bytes]:
    """Every word the bytes spell (letters, digits, ``_`` and any non-ASCII byte), in code,
    comments or strings alike: a file whose words lack a name neither declares nor uses it."""
    return frozenset(source.translate(_WORD_BYTES).split())


def model_words(model) -> frozenset[bytes]:
    """:func:`words_of` a parsed file's text, once per parse (kept in the model's memo): the
    rules' searches and a package gate reading the trees ask alike."""
    memo = model.memo
    found = memo.get("words")
    if found is None:
        found = memo["words"] = words_of(model.source)
    return found


class PackageSketch:
    """One directory's Go files as their bytes show them, for a rule's cheap look at a package
    before anything is parsed (see :attr:`codemod.rule.Rule.package_gate`).  Every answer is
    computed on first use and kept for the pass."""

    def __init__(self, directory, go_files: tuple[str, ...], read, module, options,
                 cache: dict | None = None, trees: dict | None = None) -> None:
        self.directory = directory
        self.go_files = go_files  # every .go file of the directory, by name
        self.module = module
        self.options = options
        self._read = read  # path -> bytes | None
        self._data: dict[str, bytes | None] = {}
        # (what, name) -> (the bytes it was computed from, answer): kept by the caller from one
        # pass to the next, so a file the fixes did not change is not sketched again.
        self._cache: dict = {} if cache is None else cache
        # name -> the parsed file (or why it could not be parsed) when the package was read
        # whole anyway: its tree answers, not a sketch.
        self._trees = trees or {}

    def _cached(self, what: str, name: str, compute):
        data = self.data(name)
        hit = self._cache.get((what, name))
        if hit is not None and hit[0] is data:
            return hit[1]
        value = compute(data)
        self._cache[(what, name)] = (data, value)
        return value

    @property
    def releases(self) -> tuple[str, ...]:
        from .versions import release_range
        return release_range(self.module, self.options.release_range)

    def data(self, name: str) -> bytes | None:
        if name not in self._data:
            self._data[name] = self._read(self.directory / name)
        return self._data[name]

    def may_be_constrained(self, name: str) -> bool:
        """Whether the file may carry a build constraint: its name's GOOS/GOARCH, or the words
        of a constraint line somewhere in its bytes.  A file for which this is False is built
        wherever its package is."""
        if buildconstraint.filename_constraint(name) != (None, None):
            return True
        data = self.data(name) or b""
        return b"go:build" in data or b"+build" in data

    def header(self, name: str) -> FileHeader | None:
        """The file's package clause and build constraint, read without sketching its names;
        None when it cannot be read as UTF-8 text."""
        if name in self._trees:
            from .model import GoFile
            model = self._trees[name]
            if not isinstance(model, GoFile):
                return FileHeader(name, None, None, False)  # it could not be parsed
            return FileHeader(name, model.package, model.constraint.expr, model.constraint.error is None)
        hit = self._cache.get(("sketch", name))
        data = self.data(name)
        if hit is not None and hit[0] is data:
            return hit[1]
        return self._cached("header", name, lambda data: file_header(name, data))

    def directive_names(self, name: str) -> frozenset[str]:
        """The local names the file's ``//go:linkname`` lines name, read as the parser reads a
        directive's words, on any line the directive starts (inside a raw string or a block
        comment too): every name its directives declare, and perhaps more."""
        def compute(data: bytes | None) -> frozenset[str]:
            from .model import _LINKNAME
            if not data or b"//go:linkname" not in data:
                return frozenset()
            source = data[len(BOM):] if data.startswith(BOM) else data
            found = set()
            for line in _LINKNAME_LINE.findall(source):
                m = _LINKNAME.match(line.decode("utf-8", "replace"))
                if m and m.group(1):
                    found.add(m.group(1))
            return frozenset(found)

        return self._cached("directive names", name, compute)

    def file(self, name: str) -> FileSketch | None:
        """The file's sketch; None when it cannot be read as UTF-8 text."""
        if name in self._trees:
            return self._cached("tree", name, lambda data: _from_tree(name, self._trees[name]))
        return cached_file_sketch(self._cache, name, self.data(name))

    def words(self, name: str) -> frozenset[bytes]:
        """Every word file ``name`` spells (see :func:`words_of`)."""
        def compute(data: bytes | None) -> frozenset[bytes]:
            tree = self._trees.get(name)
            if data is not None and getattr(tree, "source", None) is data:
                return model_words(tree)  # the parsed file's, shared with the rules
            return words_of(data or b"")

        return self._cached("words", name, compute)

    def code_words(self, name: str) -> frozenset[bytes]:
        """The words file ``name`` spells past its package clause outside comments and
        literals: every identifier it declares or uses, and none that a comment only mentions
        (``// See net_newUnixFile``) or that names the package."""
        def compute(data: bytes | None) -> frozenset[bytes]:
            source = data or b""
            source = source[len(BOM):] if source.startswith(BOM) else source
            return words_of(_keep(_LEXEMES, source[package_clause_end(source) or 0:]))

        return self._cached("code words", name, compute)


def _from_tree(name: str, model) -> FileSketch | None:
    """What a parsed file says, as a sketch would; a file that could not be parsed is unknown."""
    from .model import GoFile
    from .scope import top_level_names

    if not isinstance(model, GoFile):
        return FileSketch(name, b"", None, None, False, None)
    return FileSketch(name, model.source, model.package, model.constraint.expr, model.constraint.error is None,
                      frozenset(top_level_names(model)))


def cached_file_sketch(cache: dict, name: str, data: bytes | None) -> FileSketch | None:
    """:func:`file_sketch` of ``data``, kept in ``cache`` (a workspace's ``sketches``, which
    package gates and deferred files share) for as long as the file holds these bytes."""
    hit = cache.get(("sketch", name))
    if hit is None or hit[0] is not data:
        hit = cache[("sketch", name)] = (data, file_sketch(name, data))
    return hit[1]


def file_header(name: str, data: bytes | None) -> FileHeader | None:
    """What the header of file ``name`` (bytes ``data``) says; None when they are not UTF-8 text."""
    if not _is_text(data):
        return None
    source = data[len(BOM):] if data.startswith(BOM) else data
    package, constraint, ok, _ = _header(source)
    return FileHeader(name, package, constraint, ok)


def _is_text(data: bytes | None) -> bool:
    if data is None or b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def file_sketch(name: str, data: bytes | None) -> FileSketch | None:
    """The sketch of file ``name`` with bytes ``data``; None when they are not UTF-8 text."""
    return sketch(name, data) if _is_text(data) else None
