"""Import edits shared by every rule: ensure an import, drop imports a fix leaves unused.

They follow gofmt's layout: a new spec goes into the group of standard-library imports, in
sorted position, with that group's indentation; a file with no import declaration gets one
after the package clause.  Nothing else in the file moves.
"""
from __future__ import annotations

import re

from .edits import TextEdit
from .model import GoFile, Import, captures, is_std_path

_REFERENCES = """
(selector_expression operand: (identifier) @pkg)
(qualified_type package: (package_identifier) @pkg)
"""


def spec_text(path: str, name: str | None) -> str:
    return f'{name} "{path}"' if name else f'"{path}"'


def has_import(file: GoFile, path: str, name: str | None = None) -> bool:
    return any(i.path == path and (name is None or i.name == name) for i in file.imports)


def ensure_import(file: GoFile, path: str, name: str | None = None) -> list[TextEdit]:
    """Edits that import ``path`` (as ``name``) unless the file already imports it."""
    if any(i.path == path for i in file.imports):
        return []
    spec = spec_text(path, name)
    grouped = [i for i in file.imports if i.grouped]
    if grouped:
        group = _group_for(file, grouped, path)
        indent = file.indentation(group[0].span.start)
        for imp in group:
            if imp.path > path:
                if _starts_line(file, imp.span.start):
                    at = file.line_start(imp.span.start)
                    return [TextEdit(file.path, at, at, f"{indent}{spec}\n")]
                break
        else:
            if _ends_line(file, group[-1].span.end):
                at = file.line_end(group[-1].span.end)
                return [TextEdit(file.path, at, at, f"{indent}{spec}\n")]
        # Not gofmt's one spec per line (``import ("fmt")``, ``"a"; "b"``): a line of our own
        # there could land outside the parentheses, so add a declaration after the last one.
    if file.imports:
        # Single-line import declarations: add another after the last one.
        end = file.imports[-1].declaration.end
        if not _ends_line(file, end):  # ``import "fmt"; func f() {}``
            return [TextEdit(file.path, end, end, f"; import {spec}")]
        at = file.line_end(end)
        return [TextEdit(file.path, at, at, f"import {spec}\n")]
    if file.package_clause is None:
        return []
    end = file.package_clause.end
    if not _ends_line(file, end):  # ``package p; func f() {}``: imports must come first
        return [TextEdit(file.path, end, end, f"; import {spec}")]
    at = file.line_end(end)
    return [TextEdit(file.path, at, at, f"\nimport {spec}\n")]


def _starts_line(file: GoFile, offset: int) -> bool:
    """Only white space precedes ``offset`` on its line."""
    return not file.source[file.line_start(offset):offset].strip()


def _ends_line(file: GoFile, offset: int) -> bool:
    """Only white space or a line comment follows ``offset`` on its line."""
    rest = file.source[offset:file.line_end(offset)].strip()
    return not rest or rest.startswith(b"//")


def _group_for(file: GoFile, grouped: list[Import], path: str) -> list[Import]:
    """The run of specs (no blank line between) that ``path`` belongs in, as goimports groups."""
    groups: list[list[Import]] = []
    for imp in grouped:
        if groups and _adjacent(file, groups[-1][-1], imp):
            groups[-1].append(imp)
        else:
            groups.append([imp])
    want_std = is_std_path(path)
    for g in groups:
        if all(is_std_path(i.path) == want_std for i in g):
            return g
    return groups[0]


def _adjacent(file: GoFile, a: Import, b: Import) -> bool:
    if a.declaration != b.declaration:
        return False
    between = file.source[file.line_end(a.span.end):file.line_start(b.span.start)]
    return not any(not line.strip() for line in between.split(b"\n")[:-1]) and b"\n\n" not in between


def references(file: GoFile, local_name: str) -> list[tuple[int, int]]:
    """Byte ranges where ``local_name.X`` refers to an imported package's member."""
    if local_name.encode() not in file.source:
        return []  # not spelled anywhere: no query over the whole tree
    return list(_references_by_name(file).get(local_name, ()))


def _references_by_name(file: GoFile) -> dict[str, list[tuple[int, int]]]:
    """Every ``X.member`` qualifier of the file by the name ``X``, found by one query over the
    tree (a fix asks about each import in turn)."""
    index = file.memo.get("imports.references")
    if index is None:
        index = {}
        for root in file.pieces():
            for n in captures(_REFERENCES, root).get("pkg", []):
                index.setdefault(file.source[n.start_byte:n.end_byte].decode(), []).append((n.start_byte, n.end_byte))
        file.memo["imports.references"] = index
    return index


def drop_unused_imports(file: GoFile, removed: list[tuple[int, int]],
                        keep: frozenset[str] = frozenset({"unsafe"})) -> list[TextEdit]:
    """Edits removing imports whose every reference lies inside the ``removed`` byte ranges.

    Blank, dot and ``keep`` imports stay: the blank ``unsafe`` import is what permits
    ``//go:linkname``, and a dot import cannot be traced by name.
    """
    dropped = []
    for imp in file.imports:
        if imp.name in ("_", ".") or imp.path in keep:
            continue
        refs = references(file, imp.local_name)
        if not refs:
            continue  # unused before the fix too: not ours to touch
        if all(any(s <= a and b <= e for s, e in removed) for a, b in refs):
            dropped.append(imp)
    return remove_imports(file, dropped)


def remove_imports(file: GoFile, dropped: list[Import]) -> list[TextEdit]:
    """Edits removing the ``dropped`` import specs (a declaration left empty goes whole)."""
    edits = [e for imp in dropped if (e := _remove_spec(file, imp, dropped)) is not None]
    # Two specs sharing a line may both claim the ``;`` between them: one fix must not hold
    # overlapping edits, so join the deletions that touch.
    joined: list[TextEdit] = []
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if joined and e.start <= joined[-1].end:
            joined[-1] = TextEdit(e.path, joined[-1].start, max(e.end, joined[-1].end), "")
        else:
            joined.append(e)
    return joined


def remove_import(file: GoFile, imp: Import) -> TextEdit:
    return _remove_spec(file, imp, [imp])


def _remove_spec(file: GoFile, imp: Import, dropped: list[Import]) -> TextEdit:
    if not imp.grouped:
        return _remove_range(file, imp.declaration.start, imp.declaration.end)
    siblings = [i for i in file.imports if i.declaration == imp.declaration]
    if all(i in dropped for i in siblings) and siblings[0] == imp:
        # Removing every spec of a group removes the whole declaration (once, for the first).
        return _remove_range(file, imp.declaration.start, imp.declaration.end)
    if all(i in dropped for i in siblings):
        return None
    edit = _remove_range(file, imp.span.start, imp.span.end)
    # The last spec of a blank-line-separated run: a blank line would be left before ``)``
    # (or after ``(``), which gofmt removes; take it along.
    src = file.source
    if edit.text == "" and edit.end <= len(src) and src[edit.end:file.line_end(edit.end)].strip() == b")" \
            and edit.start > 0:
        prev = file.line_start(edit.start - 1)
        if not src[prev:edit.start].strip() and not any(i.span.start >= prev and i.span.end <= edit.start
                                                        for i in siblings if i not in dropped):
            return TextEdit(file.path, prev, edit.end, "")
    if edit.text == "" and edit.start > 0 and src[file.line_start(edit.start - 1):edit.start].strip() == b"(" \
            and edit.end < len(src) and not src[edit.end:file.line_end(edit.end)].strip():
        return TextEdit(file.path, edit.start, file.line_end(edit.end), "")
    return edit


_SEMICOLON_AFTER = re.compile(rb"[ \t]*;[ \t]*")
_SEMICOLON_BEFORE = re.compile(rb";[ \t]*$")


def _remove_range(file: GoFile, start: int, end: int) -> TextEdit:
    """Remove a spec or declaration: its whole line when it has one to itself (gofmt's layout),
    else only its own text and one ``;`` beside it, so that what shares the line
    (``"fmt"; "time"``, ``import "a"; import "b"``) stays."""
    if _starts_line(file, start) and _ends_line(file, end):
        start, end = file.line_start(start), file.line_end(end)
        prev_blank = start > 0 and file.source[file.line_start(start - 1):start].strip() == b""
        # Between two blank lines, take one with it: gofmt keeps no run of blank lines.
        if prev_blank and end < len(file.source) and not file.source[end:file.line_end(end)].strip():
            end = file.line_end(end)
        # At the end of the file, take the blank line before it: gofmt leaves none there.
        elif prev_blank and not file.source[end:].strip():
            start, end = file.line_start(start - 1), len(file.source)
        return TextEdit(file.path, start, end, "")
    after = _SEMICOLON_AFTER.match(file.source, end)
    if after:
        return TextEdit(file.path, start, after.end(), "")
    line_start = file.line_start(start)
    before = _SEMICOLON_BEFORE.search(file.source[line_start:start])
    if before:
        return TextEdit(file.path, line_start + before.start(), end, "")
    return TextEdit(file.path, start, end, "")


def names_in_use(file: GoFile, extra: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """Identifiers a new import name must not take: names the file declares or spells (other
    than references to its imports) and the local names of its imports."""
    import_names = {i.local_name for i in file.imports if i.name not in ("_", ".")}
    used = set(extra)
    for root in file.pieces():
        pkg_refs = captures(_REFERENCES, root).get("pkg", [])
        pkg_ref_ids = {n.id for n in pkg_refs
                       if file.source[n.start_byte:n.end_byte].decode() in import_names}
        for n in captures("[(identifier) (type_identifier)] @id", root).get("id", []):
            if n.id not in pkg_ref_ids:
                used.add(file.source[n.start_byte:n.end_byte].decode())
    return used | import_names


def import_name(file: GoFile, path: str, candidates: tuple[str, ...],
                package_names: set[str] | frozenset[str] = frozenset()) -> tuple[str | None, str | None]:
    """How to refer to ``path`` in ``file``: ``(local name, import alias)``.

    An existing import of ``path`` is reused (alias None: nothing to add); a blank or dot import
    of it gives ``(None, None)``: the caller cannot use it by name.  Otherwise the first of
    ``candidates`` that clashes with no identifier of the file, no other import and none of
    ``package_names`` (names declared at package level in sibling files); the alias is None
    when that name is the package's own name.
    """
    existing = file.import_of(path)
    if existing is not None:
        if existing.name in ("_", "."):
            return None, None
        return existing.local_name, None
    default = Import(path, None, None, None, False).local_name  # type: ignore[arg-type]
    taken = names_in_use(file, package_names)
    for name in candidates:
        if name not in taken:
            return name, (None if name == default else name)
    return None, None


def ensure_imports(file: GoFile, specs: list[tuple[str, str | None]]) -> list[TextEdit]:
    """:func:`ensure_import` for several ``(path, name)`` specs at once: insertions that land at
    the same offset are joined into one edit (in path order), so the edits never overlap."""
    by_offset: dict[int, list[tuple[str, TextEdit]]] = {}
    for path, name in sorted(specs):
        for e in ensure_import(file, path, name):
            by_offset.setdefault(e.start, []).append((path, e))
    out = []
    for at, found in sorted(by_offset.items()):
        if len(found) == 1:
            out.append(found[0][1])
            continue
        texts = [e.text for _, e in found]
        if all(t.startswith("\nimport ") for t in texts):  # new declarations after the package clause
            texts = [texts[0]] + [t[1:] for t in texts[1:]]
        out.append(TextEdit(file.path, at, at, "".join(texts)))
    return out
