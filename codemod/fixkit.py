"""Fix assembly: the pieces every fix is built from, in one place.

Rules decide *what* to change; this module knows *how* a change is written so that the result
compiles and is gofmt-clean:

* removing pulls (doc comment, directive, declaration, whole lines, without leaving two blank
  lines behind): :func:`pull_range`, :func:`remove_pulls`, :func:`remove_directive`;
* the text of a new file (license header, constraint, package clause, imports, body) in the
  line endings of the file it comes from: :func:`new_file_text`, with :func:`moved_imports` for
  the imports a moved piece of code needs;
* joining a fix's own edits so none overlaps another: :func:`coalesce`, :func:`tidy_deletions`;
* imports: a rule never edits import declarations itself.  It *requests* an import with an
  :class:`~codemod.edits.AddImport` edit (``ctx.add_import``); after each pass the engine calls
  :func:`reconcile_imports` once per changed file, which adds the requested imports (one per
  package, however many fixes asked), removes the imports the pass's edits left unused, and
  removes the blank ``unsafe`` import when the pass removed the file's last ``//go:linkname``.
"""
from __future__ import annotations

from pathlib import Path

from dataclasses import dataclass

from . import imports as imps
from . import layout
from .edits import AddImport, CreateFile, Fix, Safety, TextEdit, apply_text_edits
from .model import Directive, GoFile, parse_file

# ------------------------------------------------------------------------------ joining edits


def coalesce(edits: list[TextEdit]) -> list[TextEdit]:
    """Merge insertions that touch or fall inside another edit of the same file into it, so
    the fix has no overlapping edits (an insertion inside a removed range lands at its end)."""
    ranges = [e for e in edits if e.start != e.end]
    inserts = [e for e in edits if e.start == e.end]
    merged: dict[int, TextEdit] = {id(r): r for r in ranges}
    loose: list[TextEdit] = []
    for ins in sorted(inserts, key=lambda e: e.start):
        host = next((r for r in ranges if r.path == ins.path and r.start <= ins.start <= r.end), None)
        if host is None:
            same = next((i for i in loose if i.path == ins.path and i.start == ins.start), None)
            if same is not None:
                loose[loose.index(same)] = TextEdit(ins.path, ins.start, ins.start, same.text + ins.text)
            else:
                loose.append(ins)
            continue
        cur = merged[id(host)]
        text = ins.text + cur.text if ins.start == host.start and host.text else cur.text + ins.text
        merged[id(host)] = TextEdit(host.path, host.start, host.end, text)
    return sorted([*merged.values(), *loose], key=lambda e: (str(e.path), e.start, e.end))


def tidy_deletions(source: bytes, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge whole-line deletions and take a blank line with them where two would meet."""
    def merged(rs):
        out: list[list[int]] = []
        for s, e in sorted(rs):
            if out and s <= out[-1][1]:
                out[-1][1] = max(out[-1][1], e)
            else:
                out.append([s, e])
        return out

    def blank_at(i: int) -> int | None:
        """End of the line starting at ``i`` when that line is blank."""
        nl = source.find(b"\n", i)
        line_end = len(source) if nl < 0 else nl + 1
        return line_end if i < len(source) and not source[i:line_end].strip() else None

    def blank_before(s: int) -> bool:
        return s == 0 or source[max(0, s - 2):s] == b"\n\n" or source[max(0, s - 3):s] == b"\n\r\n"

    if not ranges:
        return []
    out = merged(ranges)
    for r in out:
        s, e = r
        after = blank_at(e)
        if blank_before(s) and after is not None:
            r[1] = after
    out = merged(out)
    last = out[-1]
    if last[1] >= len(source) and last[0] >= 2 and blank_before(last[0]) and last[0] > 0:
        # No blank line left at the end of the file.
        last[0] -= 2 if source[last[0] - 2:last[0]] == b"\r\n" else 1
    return [(s, e) for s, e in merged(out)]


# ------------------------------------------------------------------------------ removing pulls


def pull_range(file: GoFile, d: Directive) -> tuple[int, int]:
    """The byte range of a pull: its doc comment, directive and declaration, whole lines."""
    decl = d.declaration
    start = file.line_start(decl.doc.start if decl.doc is not None else decl.statement.start)
    start = min(start, d.line_span.start) if d.line_span.end >= start else start
    return start, file.line_end(decl.statement.end - 1)


def remove_pulls(file: GoFile, pulls: list[Directive]) -> list[TextEdit]:
    """Deletions of ``pulls`` (each directive, doc comment and declaration, wherever the
    directive stands), tidied so no run of blank lines is left."""
    ranges = []
    for d in pulls:
        ranges.append(pull_range(file, d))
        ranges.append((d.line_span.start, d.line_span.end))
    return [TextEdit(file.path, s, e, "") for s, e in tidy_deletions(file.source, ranges)]


def remove_directive(file: GoFile, d: Directive) -> TextEdit:
    """Remove a directive's line; with it a blank line when blank lines would meet, or the
    bare ``//`` line that separated it from the doc comment above."""
    start, end = d.line_span.start, d.line_span.end
    prev_start = file.line_start(start - 1) if start > 0 else start
    prev = file.source[prev_start:start]
    nxt = file.source[end:file.line_end(end)] if end < len(file.source) else b"x"
    if prev.strip() == b"//":
        start = prev_start
    elif not prev.strip() and not nxt.strip() and end < len(file.source):
        end = file.line_end(end)
    return TextEdit(file.path, start, end, "")


# Directives the compiler accepts only on a function without a body: "can only use
# //go:noescape with external func implementations" (measured on Go 1.21-1.27).
BODYLESS_ONLY = (b"//go:noescape",)


def unpull_edits(file: GoFile, d: Directive) -> list[TextEdit]:
    """Edits removing a pull's directive before its function gets a body in place, and with it
    the directives of its doc comment that a function with a body may not carry
    (``//go:noescape``); a bare ``//`` line then left last in the doc comment goes too."""
    decl = d.declaration
    doc = decl.doc if decl is not None and decl.kind == "func" else None
    if doc is None:
        return [remove_directive(file, d)]
    start = file.line_start(doc.start)
    lines = file.source[start:doc.end].splitlines(keepends=True)
    offsets = [start + sum(len(x) for x in lines[:i]) for i in range(len(lines))]
    bodyless = [i for i, line in enumerate(lines)
                if line.strip().split(maxsplit=1)[:1] and line.strip().split(maxsplit=1)[0] in BODYLESS_ONLY]
    if not bodyless:
        return [remove_directive(file, d)]
    drop = set(bodyless) | {i for i, o in enumerate(offsets) if o == d.line_span.start}
    kept = [i for i in range(len(lines)) if i not in drop]
    while kept and lines[kept[-1]].strip() == b"//":
        drop.add(kept.pop())
    edits = [TextEdit(file.path, offsets[i], offsets[i] + len(lines[i]), "") for i in sorted(drop)]
    if not any(o == d.line_span.start for o in offsets):
        edits.append(remove_directive(file, d))  # the directive stands apart from the declaration
    return edits


def header_text(file: GoFile, decl) -> str:
    """The local declaration without its body: ``func f(x int) int`` or ``var v T``."""
    node = decl.node
    if decl.kind == "var":
        typ = node.child_by_field_name("type")
        return f"var {decl.name} {file.text(typ)}" if typ is not None else ""
    end = decl.body.start_byte if decl.body is not None else node.end_byte
    return file.source[node.start_byte:end].decode().rstrip()


# ------------------------------------------------------------------------------ new files


def release_word(expr) -> str | None:
    """A file-name word for the releases a constraint selects: ``go1.22`` -> ``go122``,
    ``!go1.23`` -> ``before_go123``, ``go1.22 && !go1.25`` -> ``go122_before_go125``; None when
    the constraint bounds no release, or bounds them in another way."""
    from .versions import version_bounds

    lower, upper, elsewhere = version_bounds(expr)
    if elsewhere or (lower is None and upper is None):
        return None
    words = ([f"go{lower.replace('.', '')}"] if lower else []) + \
        ([f"before_go{upper.replace('.', '')}"] if upper else [])
    return "_".join(words)


def new_file_path(path: Path, word: str, taken=()) -> Path | None:
    """A name for a new file next to ``path``: ``<stem>_<word>[N]<suffixes>.go``, or None.

    ``word`` goes before the GOOS/GOARCH and ``_test`` suffixes, and the name must say to
    go/build exactly what ``path``'s says: the same GOOS/GOARCH, a test file or not (a local
    named ``linux`` or ``test`` must not make ``s_linux.go`` or ``s_test.go``).  ``taken``:
    the names in the directory (files and subdirectories), avoided in any letter case, since
    the go command rejects a package with a case-insensitive file name collision.
    """
    from . import buildconstraint as bc

    stem = path.name[:-3] if path.name.endswith(".go") else path.name
    parts = stem.split("_")
    tail: list[str] = []
    if len(parts) > 1 and parts[-1] == "test":
        tail.insert(0, parts.pop())
    goos, goarch = bc.filename_constraint(path.name)
    for want in (goarch, goos):
        if want and len(parts) > 1 and parts[-1] == want:
            tail.insert(0, parts.pop())
    want = (bc.filename_constraint(path.name), path.name.endswith("_test.go"))
    lowered = {n.lower() for n in taken} | {path.name.lower()}
    for n in range(1, 100):
        w = word if n == 1 else f"{word}{n}"
        for words in ([w], [w, "pull"]):
            name = "_".join([*parts, *words, *tail]) + ".go"
            if (bc.filename_constraint(name), name.endswith("_test.go")) != want:
                continue  # go/build would read a constraint into the name
            if name.lower() not in lowered:
                return path.with_name(name)
            break
    return None



def import_block(imports) -> str:
    """gofmt's form of an import declaration for ``(path, name)`` pairs (empty text for none)."""
    specs = sorted(set(imports), key=lambda i: (i[0], i[1] or ""))
    if not specs:
        return ""
    text = [f'{n} "{p}"' if n else f'"{p}"' for p, n in specs]
    if len(text) == 1:
        return f"import {text[0]}\n"
    return "import (\n" + "".join(f"\t{s}\n" for s in text) + ")\n"


def license_header(f: GoFile) -> str:
    """Comment blocks before the package clause, minus build constraints and the package doc
    (the block of comment lines directly above the package clause, however many lines)."""
    pkg = f.package_clause
    constraint_lines = {s.start for s in (f.constraint.go_build, *f.constraint.plus_build) if s}
    blocks: list[list] = []  # runs of comment nodes with no blank line between them
    for c in f.root.children:
        if c.type == "package_clause":
            break
        if c.type != "comment":
            continue
        if blocks and c.start_point[0] <= blocks[-1][-1].end_point[0] + 1 \
                and not f.source[blocks[-1][-1].end_byte:c.start_byte].strip(b" \t\r\n"):
            blocks[-1].append(c)
        else:
            blocks.append([c])
    if blocks and pkg is not None:
        last = blocks[-1][-1]
        if last.end_point[0] + 1 >= pkg.line - 1 and not f.source[last.end_byte:pkg.start].strip(b" \t\r\n") \
                and f.source[last.end_byte:pkg.start].count(b"\n") <= 1:
            blocks.pop()  # the package doc comment stays with the original file only
    out = [f.text(c).rstrip("\r") for b in blocks for c in b if c.start_byte not in constraint_lines]
    return "\n".join(out) + "\n\n" if out else ""


def moved_imports(file: GoFile, ranges: list[tuple[int, int]]) -> list[tuple[str, str | None]]:
    """The ``(path, name)`` imports that code cut from ``ranges`` of ``file`` needs in a new file:
    the file's imports it refers to, and ``unsafe`` (blank unless the code names it), which
    a file with ``//go:linkname`` must import."""
    def inside(a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in ranges)

    needed = [(i.path, i.name) for i in file.imports if i.path != "unsafe" and i.name not in ("_", ".")
              and any(inside(a, b) for a, b in imps.references(file, i.local_name))]
    unsafe_ref = any(inside(a, b) for a, b in imps.references(file, "unsafe"))
    needed.append(("unsafe", None if unsafe_ref else "_"))
    return needed


def new_file_text(like: GoFile, constraint, imports, body: str, *, header: str = "",
                  plus_build: bool = False) -> str:
    """A new Go file of ``like``'s package: ``header`` (a license), the constraint (an
    expression, or None; with ``plus_build`` its ``// +build`` lines too), the imports and
    ``body``, in ``like``'s line endings."""
    from .versions import format_constraint

    head = f"{format_constraint(constraint, plus_build)}\n\n" if constraint is not None else ""
    block = import_block(imports)
    text = f"{header}{head}package {like.package}\n\n" + (f"{block}\n" if block else "") \
        + body.replace("\r\n", "\n").rstrip("\n") + "\n"
    return text.replace("\n", "\r\n") if like.crlf else text


# ------------------------------------------------------------------------------ one pass, one file


def apply_pass(path: Path, body: bytes, edits: list[TextEdit], requests: list[AddImport],
               crlf: bool, parsed: GoFile | None = None) -> bytes:
    """A file's BOM-less text after one pass: its text edits applied, the lines around them
    laid out as gofmt would (:func:`codemod.layout.tidy`), its imports reconciled.
    ``parsed``: the model of ``body`` when the caller has one (it is not parsed again)."""
    seams: list[tuple[int, int]] = []
    after = apply_text_edits(body, edits, crlf, seams)
    if path.suffix != ".go":
        return after
    after = layout.tidy(after, seams, crlf)
    return reconcile_imports(path, body, after, requests, crlf, parsed)


# ------------------------------------------------------------------------------ imports, per pass


def reconcile_imports(path: Path, before: bytes, after: bytes, requests: list[AddImport],
                      crlf: bool, parsed: GoFile | None = None) -> bytes:
    """The import declarations of ``after`` (a file's BOM-less text after one pass's edits)
    made right: imports the edits left unused removed, the blank ``unsafe`` import removed when
    the pass removed the last ``//go:linkname``, the requested imports added, one per package.

    An import counts as left unused when ``before`` referred to it and ``after`` does not; an
    import nothing used before the pass is not ours to remove.  ``parsed``: the model of
    ``before``, if the caller has one.
    """
    def model_of(text: bytes) -> GoFile:
        # A pass that only adds imports leaves the text as it was: its model is at hand.
        return parsed if parsed is not None and parsed.source == text else parse_file(path, text)

    new = model_of(after)
    if new.syntax_errors or new.package_clause is None:
        return after  # the engine reports the broken result; nothing to reconcile against
    wanted: dict[str, AddImport] = {}
    for r in requests:
        prev = wanted.get(r.import_path)
        if prev is None or prev.name == "_":
            wanted[r.import_path] = r
    removals = []
    named = [imp for imp in new.imports if imp.name not in ("_", ".") and imp.path not in wanted]
    unsafe = new.import_of("unsafe")
    blank_unsafe = not new.directives and not new.malformed_directives and unsafe is not None \
        and unsafe.name == "_" and "unsafe" not in wanted
    # ``before`` is parsed only when something could be removed (most passes add, not remove).
    old = model_of(before) if before and (named or blank_unsafe) else None
    if old is not None:
        for imp in named:
            if not any(o.path == imp.path and o.name == imp.name for o in old.imports):
                continue
            if imps.references(old, imp.local_name) and not imps.references(new, imp.local_name):
                removals.append(imp)
        if old.directives and blank_unsafe:
            removals.append(unsafe)
    edits = imps.remove_imports(new, removals)
    if edits:
        after = apply_text_edits(after, edits, crlf)
        new = parse_file(path, after)
    adds: list[tuple[str, str | None]] = []
    replaced: list[TextEdit] = []
    for r in wanted.values():
        existing = [i for i in new.imports if i.path == r.import_path]
        if any(i.name not in ("_", ".") or r.name == "_" for i in existing):
            continue  # imported under a usable name already
        if existing and existing[0].name == "_":
            # A blank import of the package becomes the named one the code now needs.
            replaced.append(TextEdit(path, existing[0].span.start, existing[0].span.end,
                                     imps.spec_text(r.import_path, r.name)))
            continue
        adds.append((r.import_path, r.name))
    edits = replaced + imps.ensure_imports(new, adds)
    if edits:
        after = apply_text_edits(after, edits, crlf)
    return after


# ------------------------------------------------------------------------------ the version split


def companion_imports(file: GoFile, companion_) -> list[tuple[str, str | None]] | None:
    """The companion's imports plus the file's imports of the packages its types name; None
    when a type names a package the file does not import by name."""
    found = list(companion_.imports)
    for q in companion_.type_packages:
        imp = next((i for i in file.imports if i.local_name == q and i.name not in ("_", ".")), None)
        if imp is None:
            return None
        found.append((imp.path, imp.name))
    return found


@dataclass(frozen=True)
class SplitPlan:
    """What :func:`split_fix` needs to know about where the pulls work."""

    works: list[str]  # releases where every pull links
    universe: list[str]  # the releases the file is built with, in order
    failing: dict[str, str]  # {release: "blocked" | "undefined"} for the others
    language: str | None  # the file's language version (what it may import)
    plus_build: bool = False  # write // +build lines with //go:build (a go line below 1.17)


def split_fix(file: GoFile, pulls: list[Directive], plan: SplitPlan, *, taken_files=(),
              taken_names=(), new_path=None) -> Fix | None:
    """The version-bounded fix for ``pulls`` (function pulls of ``file``), which fail on the
    same releases and work on ``plan.works``.

    * works nowhere in ``plan.universe``: each pull becomes its companion in place (the
      directive goes; the blank ``unsafe`` import goes with the last directive);
    * the file holds only the pulls: its constraint is bounded to the working releases and a
      companion file named for its releases (``<stem>_go123.go``) takes the complement;
    * the file holds other code too: the pulls move to ``<stem>_linkname.go``, bounded, and the
      companion file takes the complement; the rest of the file stays as it was.

    None when a pull has no companion (no table entry, another ABI shape, a language version
    too old for the API) or when a helper name the companion declares is taken.
    ``new_path(word, taken) -> Path | None`` names a new file (default :func:`new_file_path`).
    """
    from . import versions
    from .replacements import companion, replacement_for

    new_path = new_path or (lambda word, taken: new_file_path(file.path, word, taken))
    language = plan.language
    companions = []
    for d in pulls:
        c = companion(d.target, header_text(file, d.declaration), language)
        if c is None or set(c.helpers) & set(taken_names):
            return None
        imports = companion_imports(file, c)
        if imports is None:
            return None
        companions.append((d, c, imports))
    names = ", ".join(d.local for d in pulls)
    apis = ", ".join(dict.fromkeys(replacement_for(d.target, language).api for d in pulls))
    where = versions.describe_failures(plan.failing)
    never_built = all(s == "undefined" for s in plan.failing.values())
    safety = Safety.SAFE if never_built or all(c.safety == Safety.SAFE for _, c, _ in companions) \
        else Safety.UNSAFE
    why = "" if safety == Safety.SAFE else (
        "the pull was refused by the linker there, but a build with -ldflags=-checklinkname=0 "
        "used it; the replacement changes that: "
        + "; ".join(dict.fromkeys(c.why_unsafe for _, c, _ in companions if c.why_unsafe)))

    bound = versions.release_bound(plan.works, plan.universe) if plan.works else False
    if bound is False:
        # Replace outright: no release in range links the pulls.  The imports the companions
        # need are requested; the engine drops the blank unsafe import with the last directive.
        edits: list = []
        for d, c, imports in companions:
            decl = d.declaration
            edits.extend(unpull_edits(file, d))
            edits.append(TextEdit(file.path, decl.statement.start, decl.statement.end, c.code.rstrip("\n")))
        requests = [AddImport(file.path, p, n) for p, n in
                    dict.fromkeys(i for _, _, imports in companions for i in imports)]
        why_out = "; ".join(dict.fromkeys(c.why_unsafe for _, c, _ in companions if c.why_unsafe))
        safety_out = Safety.SAFE if all(c.safety == Safety.SAFE for _, c, _ in companions) else Safety.UNSAFE
        return Fix(f"Replace the pull of {names} with {apis}", safety_out,
                   (*coalesce(edits), *requests), why_out)

    existing = file.constraint.expr
    keep_expr = versions.bounded(existing, bound)
    fallback_expr = versions.complement(existing, bound)
    # Named for the releases it serves (``x_go123.go``), which is what a reader needs to know.
    fallback_path = new_path(release_word(fallback_expr) or "fallback", set(taken_files))
    if fallback_path is None:
        return None
    body = "".join(
        f"// {d.local} stands in for {d.target} where that pull fails ({where}).\n{c.code}\n"
        for d, c, _ in companions).rstrip("\n") + "\n"
    fallback = CreateFile(fallback_path, new_file_text(
        file, fallback_expr, [i for _, _, imps_ in companions for i in imps_], body,
        plus_build=plan.plus_build))
    other_code = [n for n in file.root.named_children
                  if n.type not in ("package_clause", "import_declaration", "comment")
                  and not any(d.declaration.statement.start <= n.start_byte < d.declaration.statement.end
                              for d in pulls)]
    other_directives = any(x not in pulls for x in file.directives)
    keep_desc = versions.format_releases(plan.works)
    if not other_code and not other_directives:
        edits = versions.constraint_edits(file, keep_expr, plan.plus_build)
        return Fix(f"Limit {file.path.name} to {keep_desc} and add {fallback_path.name} with "
                   f"{apis} for the other releases", safety, (*edits, fallback), why)

    # Move the pulls into a bounded file of their own.
    linkname_path = new_path("linkname", {*taken_files, fallback_path.name})
    if linkname_path is None:
        return None
    ranges = sorted({pull_range(file, d) for d in pulls})
    if not all(any(st <= d.line_span.start < en for st, en in ranges) for d in pulls):
        return None  # a directive away from its declaration: the detached-directive fix comes first
    moved = "\n".join(file.source[st:en].decode().strip("\r\n") + "\n" for st, en in ranges)
    linkname_file = CreateFile(linkname_path, new_file_text(file, keep_expr, moved_imports(file, ranges),
                                                            moved, plus_build=plan.plus_build))
    return Fix(f"Move the pull of {names} to {linkname_path.name}, limited to {keep_desc}, and "
               f"add {fallback_path.name} with {apis} for the other releases", safety,
               (*remove_pulls(file, pulls), linkname_file, fallback), why)


def resolved_edits(fix: Fix, read) -> list:
    """``fix``'s edits with its import requests resolved as the engine would resolve them for
    this fix alone: each Go file's text edits and imports become one replacement (offsets into
    the BOM-less text, text in the file's line endings).  ``read(path)`` gives a file's bytes.
    For reports that carry fixes as plain replacements (SARIF)."""
    from .model import BOM

    by_path: dict[Path, list] = {}
    out: list = []
    for e in fix.edits:
        if isinstance(e, (TextEdit, AddImport)):
            by_path.setdefault(e.path, []).append(e)
        else:
            out.append(e)
    for path, edits in by_path.items():
        data = read(path)
        body = data[len(BOM):] if data.startswith(BOM) else data
        crlf = body.count(b"\r\n") * 2 > body.count(b"\n")
        after = apply_pass(path, body, [e for e in edits if isinstance(e, TextEdit)],
                           [e for e in edits if isinstance(e, AddImport)], crlf)
        start = 0
        while start < min(len(body), len(after)) and body[start] == after[start]:
            start += 1
        end_b, end_a = len(body), len(after)
        while end_b > start and end_a > start and body[end_b - 1] == after[end_a - 1]:
            end_b, end_a = end_b - 1, end_a - 1
        # Whole UTF-8 characters only: a common prefix or suffix may end inside one.
        def cont(buf: bytes, i: int) -> bool:
            return i < len(buf) and (buf[i] & 0xC0) == 0x80
        while start > 0 and (cont(body, start) or cont(after, start)):
            start -= 1
        while (cont(body, end_b) or cont(after, end_a)) and end_b < len(body) and end_a < len(after):
            end_b, end_a = end_b + 1, end_a + 1
        out.insert(0, TextEdit(path, start, end_b, after[start:end_a].decode("utf-8")))
    return out
