"""Import edits shared by every rule: ensure an import, drop imports a fix leaves unused.

They follow gofmt's layout: a new spec goes into the group of standard-library imports, in
sorted position, with that group's indentation; a file with no import declaration gets one
after the package clause.  Nothing else in the file moves.
"""
from __future__ import annotations

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
                at = file.line_start(imp.span.start)
                return [TextEdit(file.path, at, at, f"{indent}{spec}\n")]
        at = file.line_end(group[-1].span.end)
        return [TextEdit(file.path, at, at, f"{indent}{spec}\n")]
    if file.imports:
        # Single-line import declarations: add another after the last one.
        at = file.line_end(file.imports[-1].declaration.end)
        return [TextEdit(file.path, at, at, f"import {spec}\n")]
    if file.package_clause is None:
        return []
    at = file.line_end(file.package_clause.end)
    return [TextEdit(file.path, at, at, f"\nimport {spec}\n")]


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
    found = captures(_REFERENCES, file.root).get("pkg", [])
    return [(n.start_byte, n.end_byte) for n in found
            if file.source[n.start_byte:n.end_byte].decode() == local_name]


def drop_unused_imports(file: GoFile, removed: list[tuple[int, int]],
                        keep: frozenset[str] = frozenset({"unsafe"})) -> list[TextEdit]:
    """Edits removing imports whose every reference lies inside the ``removed`` byte ranges.

    Blank, dot and ``keep`` imports stay: the blank ``unsafe`` import is what permits
    ``//go:linkname``, and a dot import cannot be traced by name.
    """
    edits = []
    dropped = []
    for imp in file.imports:
        if imp.name in ("_", ".") or imp.path in keep:
            continue
        refs = references(file, imp.local_name)
        if not refs:
            continue  # unused before the fix too: not ours to touch
        if all(any(s <= a and b <= e for s, e in removed) for a, b in refs):
            dropped.append(imp)
    for imp in dropped:
        edits.append(_remove_spec(file, imp, dropped))
    return [e for e in edits if e is not None]


def remove_import(file: GoFile, imp: Import) -> TextEdit:
    return _remove_spec(file, imp, [imp])


def _remove_spec(file: GoFile, imp: Import, dropped: list[Import]) -> TextEdit:
    if not imp.grouped:
        start = file.line_start(imp.declaration.start)
        return TextEdit(file.path, start, file.line_end(imp.declaration.end), "")
    siblings = [i for i in file.imports if i.declaration == imp.declaration]
    if all(i in dropped for i in siblings) and siblings[0] == imp:
        # Removing every spec of a group removes the whole declaration (once, for the first).
        start = file.line_start(imp.declaration.start)
        return TextEdit(file.path, start, file.line_end(imp.declaration.end), "")
    if all(i in dropped for i in siblings):
        return None
    start = file.line_start(imp.span.start)
    return TextEdit(file.path, start, file.line_end(imp.span.end), "")
