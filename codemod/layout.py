"""gofmt's layout at the seams of a pass's edits.

Rules compute edits one finding at a time; where several land next to each other, or where a
directive moves next to a declaration, the lines around the edit can end up in a shape gofmt
would rewrite: two blank lines where two removals meet, a comment glued under the previous
declaration, a blank line left right inside an import group, a doc comment whose text follows
its directives.  Rather than have every rule foresee every neighbour, the engine puts the lines
around each edit into the shape gofmt gives them (:func:`tidy`), and only there: what the
edits did not touch stays exactly as the user wrote it.

What is done is what go/printer does, no more:

* a run of blank lines becomes one; none is left at the start or end of the file, right after
  the opening line of a ``var``/``const``/``type``/``import`` group or right before its ``)``;
* a top-level comment right under a top-level line of code gets a blank line before it (gofmt
  separates a declaration from the next one's doc comment, and from a floating comment);
* a top-level doc comment (``//`` lines right above a declaration) that mixes text and
  directives puts the directives last, after a bare ``//`` line, in their order (go/printer's
  ``formatDocComment``).  The text itself is not reflowed.

Lines inside string literals and block comments are never touched.
"""
from __future__ import annotations

import re

from .model import captures, parse

_LITERALS = "[(raw_string_literal) (interpreted_string_literal) (comment)] @x"

_GROUP_OPEN = re.compile(rb"^(import|var|const|type)\s*\(\s*(//.*)?$")


def is_directive(comment_text: bytes) -> bool:
    """go/printer's ``isDirective`` on a comment without its ``//``: ``go:x``, ``line ``,
    ``extern ``, ``export ``, and any ``[a-z0-9]+:[a-z0-9]``."""
    return bool(re.match(rb"(line |extern |export |[a-z0-9]+:[a-z0-9])", comment_text))


def tidy(source: bytes, seams: list[tuple[int, int]], crlf: bool) -> bytes:
    """``source`` with the lines around ``seams`` (byte ranges of ``source`` an edit wrote or
    joined) laid out as gofmt would.  A source that does not parse is returned unchanged."""
    if not seams or not source:
        return source
    tree = parse(source)
    if tree.root_node.has_error:
        return source
    lines = source.splitlines(keepends=True)
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line)
    newline = b"\r\n" if crlf else b"\n"

    def row_of(offset: int) -> int:
        import bisect
        return max(0, bisect.bisect_right(starts, offset) - 1)

    # Lines that begin inside a string literal or a block comment: their text is not layout.
    # (Found by a query, in C: a walk over every node in Python cost a second on a large file.)
    protected: set[int] = set()
    for node in captures(_LITERALS, tree.root_node).get("x", ()):
        if node.start_point[0] != node.end_point[0]:
            protected.update(range(node.start_point[0] + 1, node.end_point[0] + 1))
    top_comments: set[int] = set()
    for node in tree.root_node.children:
        if node.type == "comment" \
                and node.start_point[1] == 0 and source[node.start_byte:node.start_byte + 2] == b"//":
            top_comments.add(node.start_point[0])

    touched: set[int] = set()
    for s, e in seams:
        first, last = row_of(s), row_of(max(s, e - 1) if e > s else s)
        touched.update(range(first - 1, last + 2))

    def body(i: int) -> bytes:
        return lines[i].rstrip(b"\r\n")

    def blank(i: int) -> bool:
        return i not in protected and not lines[i].strip()

    def top_code(line: bytes, i: int | None = None) -> bool:
        """A line of code starting in column 0 (not a comment, not blank)."""
        return (i is None or (i not in protected and i not in top_comments)) \
            and bool(line.strip()) and line[:1] not in (b" ", b"\t") and not line.startswith(b"//")

    n = len(lines)
    out: list[bytes] = []
    out_code: list[bool] = []  # per emitted line: top-level code
    i = 0
    while i < n:
        if blank(i):
            j = i
            while j < n and blank(j):
                j += 1
            if not any(k in touched for k in range(i - 1, j + 1)):
                out.extend(lines[i:j])
                out_code.extend([False] * (j - i))
            elif out and j < n and not _GROUP_OPEN.match(out[-1].strip()) \
                    and not (lines[j].strip() == b")" and top_code(lines[j], j)):
                out.append(newline)
                out_code.append(False)
            i = j
            continue
        if i in top_comments:
            j = i
            while j < n and j in top_comments:
                j += 1
            block = [body(k) for k in range(i, j)]
            near = any(k in touched for k in range(i - 1, j + 1))
            if near and out and out_code[-1] and not _GROUP_OPEN.match(out[-1].strip()):
                out.append(newline)
                out_code.append(False)
            if near and j < n and top_code(lines[j], j):
                block = _doc_comment(block)
            out.extend(line + newline for line in block)
            out_code.extend([False] * len(block))
            if j == n and block and not lines[j - 1].endswith(b"\n"):
                out[-1] = out[-1].rstrip(b"\r\n")
            i = j
            continue
        out.append(lines[i])
        out_code.append(top_code(lines[i], i))
        i += 1
    return b"".join(out)


def _doc_comment(block: list[bytes]) -> list[bytes]:
    """A doc comment's lines as go/printer orders them: text first, then a bare ``//`` and the
    directives.  A comment of only text, or only directives, stays as it is."""
    directives = [line for line in block if is_directive(line[2:])]
    if not directives:
        return block
    text = [line for line in block if not is_directive(line[2:])]
    if not text:
        return block
    while text and text[-1].strip() == b"//":
        text.pop()
    while text and text[0].strip() == b"//":
        text.pop(0)
    canonical = [*text, b"//", *directives] if text else [b"//", *directives]
    return canonical
