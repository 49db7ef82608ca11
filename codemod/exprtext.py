"""Go expressions and signatures shortened for messages, never cut in the middle.

    >>> shorten("[]string{\\"alpha\\", \\"beta\\", \\"gamma\\"}", 12)
    '[]string{…}'
    >>> shorten("f(a, b) + g(c)", 10)
    'f(…) + g(…)'

A long text is shortened by replacing the contents of its outermost bracket pairs (``{}``,
``()``, ``[]``), the longest first, with ``…``; what remains is always whole tokens and
balanced brackets.  When even that is too long, the text is returned with as many groups
elided as there are: longer than asked, but never half an expression.
"""
from __future__ import annotations

_OPEN = {"(": ")", "[": "]", "{": "}"}
ELLIPSIS = "…"


def _groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost bracket pair: text[start] opens, text[end] closes."""
    out: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" and c != "`" else 1
            i = j + 1
            continue
        if c in _OPEN:
            stack.append((_OPEN[c], i))
        elif stack and c == stack[-1][0]:
            _, start = stack.pop()
            if not stack:
                out.append((start, i))
        i += 1
    return out


def shorten(text: str, limit: int = 80) -> str:
    """``text`` if it fits in ``limit`` characters, else with bracket contents elided (see module doc)."""
    text = " ".join(text.split())
    while len(text) > limit:
        groups = [(s, e) for s, e in _groups(text) if text[s + 1:e] != ELLIPSIS and e > s + 1]
        if not groups:
            break
        s, e = max(groups, key=lambda g: g[1] - g[0])
        text = text[:s + 1] + ELLIPSIS + text[e:]
    return text
