"""``gofix-linkname inventory PATH --format md|html|json``: every ``//go:linkname`` in a tree.

For each directive: where it is, its package, the local name and the target, its kind (a
*pull* of a bodyless function, a *push* that offers a local function under a link name, or a
*variable*), the status of a pull on every release x platform (``ok``, ``blocked`` by the
linker, ``undefined``, ``signature mismatch``; ``not built`` where the file's build
constraint leaves it out, ``n/a`` where the knowledge base has nothing to say: pushes and
targets outside the standard library), and the public replacement when there is one.

This is a report, not a check: it reads the model and the knowledge base, fixes nothing and
exits 0 (2 on a usage error or when a file cannot be read or parsed).
"""
from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import abi, discovery, knowledge
from .diff import display_path
from .model import GoFile, Module, is_std_path, parse_file, parse_go_mod
from .versions import Target, builds_on, key, release_range

STATUSES = ("ok", "blocked", "undefined", "signature mismatch", "not built", "n/a")
BROKEN = ("blocked", "undefined", "signature mismatch")


@dataclass
class Entry:
    path: Path
    line: int
    package: str  # import path (or the package name outside a module)
    local: str
    target: str
    kind: str  # "pull" | "push" | "variable"
    replacement: str | None
    matrix: dict[str, dict[str, str]] = field(default_factory=dict)  # release -> platform -> status

    def broken_on(self, release: str) -> bool:
        return any(s in BROKEN for s in self.matrix.get(release, {}).values())

    def worst(self, release: str) -> str:
        cells = list(self.matrix.get(release, {}).values())
        for s in ("blocked", "undefined", "signature mismatch", "ok", "not built"):
            if s in cells:
                return s
        return "n/a"

    def to_json(self) -> dict:
        return {"path": display_path(self.path), "line": self.line, "package": self.package,
                "local": self.local, "target": self.target, "kind": self.kind,
                "replacement": self.replacement, "matrix": self.matrix,
                "broken_releases": [r for r in self.matrix if self.broken_on(r)]}


@dataclass
class Inventory:
    releases: list[str]
    platforms: list[str]
    entries: list[Entry] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)

    def pulls(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "pull"]

    def broken_pulls(self, release: str) -> int:
        return sum(1 for e in self.pulls() if e.broken_on(release))

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for e in self.entries:
            for row in e.matrix.values():
                for s in row.values():
                    out[s] += 1
        return out

    def packages(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for e in self.entries:
            p = out.setdefault(e.package, {"directives": 0, "pull": 0, "push": 0, "variable": 0,
                                           "broken": dict.fromkeys(self.releases, 0)})
            p["directives"] += 1
            p[e.kind] += 1
            for r in self.releases:
                p["broken"][r] += e.broken_on(r)
        return dict(sorted(out.items()))

    def to_json(self) -> dict:
        return {"releases": self.releases, "platforms": self.platforms,
                "entries": [e.to_json() for e in self.entries],
                "summary": {"directives": len(self.entries),
                            "kinds": {k: sum(e.kind == k for e in self.entries) for k in ("pull", "push", "variable")},
                            "cells": self.counts(),
                            "broken_pulls_by_release": {r: self.broken_pulls(r) for r in self.releases},
                            "packages": self.packages()},
                "errors": [{"path": display_path(p), "message": m} for p, m in self.problems]}


# ------------------------------------------------------------------------------------ building

def _module_for(directory: Path, cache: dict) -> Module | None:
    directory = directory.resolve()
    if directory not in cache:
        go_mod = directory / "go.mod"
        if go_mod.is_file():
            cache[directory] = parse_go_mod(go_mod, go_mod.read_text("utf-8", "replace"))
        elif directory.parent != directory:
            cache[directory] = _module_for(directory.parent, cache)
        else:
            cache[directory] = None
    return cache[directory]


def _import_path(f: GoFile, module: Module | None) -> str:
    if module is not None and module.path:
        try:
            return module.import_path_of(f.path.parent)
        except ValueError:
            pass
    return f.package


def _kind(f: GoFile, d, own: str) -> str:
    decl = d.declaration
    if decl is not None and decl.kind == "var":
        return "push" if decl.defines else "variable"  # an initializer defines the symbol
    if d.target is None or (decl is not None and decl.has_body):
        return "push"
    pkg = d.target_package
    return "push" if pkg in (own, f.package) and pkg != "main" else "pull"


def _replacement(target: str, module: Module | None) -> str | None:
    from .replacements import replacement_for
    from .versions import language_release

    r = replacement_for(target, language_release(module))
    return r.api if r is not None else None


def _cell(f: GoFile, d, t: Target, puller: str, resolve, shapes: dict) -> str:
    if not builds_on(f.path.name, f.constraint.expr, t):
        return "not built"
    lk = knowledge.lookup(d.target, t.release, t.goos, t.goarch, puller)
    if lk.status != "ok" or lk.symbol is None or d.declaration is None or d.declaration.kind != "func":
        return lk.status
    if t.goarch not in shapes:
        shapes[t.goarch] = abi.shape_of_decl(f.source, d.declaration.node, resolve, t.goarch)
    local = shapes[t.goarch]
    real = abi.shape_of_symbol(d.target, lk.symbol.signature, lk.symbol.kind, t.goarch)
    if local is not None and real is not None and local != real:
        return "signature mismatch"
    return "ok"


def build(paths: list[str], platforms: list[str], go_versions: tuple[str, str] | None = None) -> Inventory:
    found = discovery.discover(paths)
    modules: dict = {}
    parsed: dict[Path, GoFile] = {}
    problems = list(found.errors)
    for path in found.go_files:
        try:
            data = path.read_bytes()
            data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            problems.append((path, f"cannot read as UTF-8 Go source: {e}"))
            continue
        if b"go:linkname" not in data:
            continue
        model = parse_file(path, data)
        if model.syntax_errors:
            s = model.syntax_errors[0]
            problems.append((path, f"syntax error at line {s.line}, column {s.column}; not inventoried"))
            continue
        parsed[path] = model
    all_releases: set[str] = set()
    inv = Inventory([], list(platforms), problems=problems)
    by_dir: dict[Path, list[GoFile]] = {}
    for f in parsed.values():
        by_dir.setdefault(f.path.parent, []).append(f)
    for f in sorted(parsed.values(), key=lambda f: str(f.path)):
        module = _module_for(f.path.parent, modules)
        own = _import_path(f, module)
        puller = "main" if f.package == "main" else own
        releases = release_range(module, go_versions)
        all_releases.update(releases)
        resolve = abi.package_type_resolver(by_dir[f.path.parent])
        for d in f.directives:
            target = d.target or f"{own}.{d.local}"
            e = Entry(f.path, d.span.line, own, d.local, target, _kind(f, d, own), None)
            # Any standard-library-shaped path is judged: a misspelt package ("runtim") is
            # undefined to the linker, which the knowledge base says.
            judged = e.kind != "push" and bool(d.target_package) and d.target_package != "main" \
                and is_std_path(d.target_package)
            if e.kind != "push":
                e.replacement = _replacement(target, module)
            shapes: dict = {}
            for r in releases:
                row = {}
                for p in platforms:
                    goos, _, goarch = p.partition("/")
                    t = Target(r, goos, goarch)
                    row[p] = _cell(f, d, t, puller, resolve, shapes) if judged else \
                        ("not built" if not builds_on(f.path.name, f.constraint.expr, t) else "n/a")
                e.matrix[r] = row
            inv.entries.append(e)
    inv.releases = sorted(all_releases, key=key)
    for e in inv.entries:  # one column set for the whole report
        for r in inv.releases:
            e.matrix.setdefault(r, dict.fromkeys(platforms, "not built"))
        e.matrix = {r: e.matrix[r] for r in inv.releases}
    return inv


# ------------------------------------------------------------------------------------ rendering

_SHORT = {"ok": "ok", "blocked": "blocked", "undefined": "undef", "signature mismatch": "sig",
          "not built": "-", "n/a": "n/a"}


def markdown(inv: Inventory) -> str:
    counts = inv.counts()
    out = ["# //go:linkname inventory", "",
           f"{len(inv.entries)} directives ({', '.join(f'{n} {k}' for k, n in inv.to_json()['summary']['kinds'].items())}), "
           f"releases {', '.join(inv.releases)}, platforms {', '.join(inv.platforms)}.", "",
           "Cells: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s]) + ".", "",
           "## Pulls broken per release", "",
           "| release | " + " | ".join(inv.releases) + " |",
           "|---|" + "---|" * len(inv.releases),
           "| broken pulls | " + " | ".join(str(inv.broken_pulls(r)) for r in inv.releases) + " |",
           "", "## Packages", "",
           "| package | directives | pulls | pushes | variables | " + " | ".join(f"broken on {r}" for r in inv.releases) + " |",
           "|---|---|---|---|---|" + "---|" * len(inv.releases)]
    for pkg, p in inv.packages().items():
        out.append(f"| `{pkg}` | {p['directives']} | {p['pull']} | {p['push']} | {p['variable']} | "
                   + " | ".join(str(p["broken"][r]) for r in inv.releases) + " |")
    out += ["", "## Directives", "",
            "Each release shows the worst status over the platforms; `*` marks a release whose "
            "platforms disagree (see the JSON or HTML report for every cell).", "",
            "| where | target | kind | " + " | ".join(inv.releases) + " | public replacement |",
            "|---|---|---|" + "---|" * len(inv.releases) + "---|"]
    for e in inv.entries:
        cells = []
        for r in inv.releases:
            row = e.matrix[r]
            mark = "*" if len(set(row.values())) > 1 else ""
            cells.append(e.worst(r) + mark)
        out.append(f"| {display_path(e.path)}:{e.line} | `{e.target}` | {e.kind} | " + " | ".join(cells)
                   + f" | {e.replacement or ''} |")
    for p, m in inv.problems:
        out.append(f"\nNot inventoried: {display_path(p)}: {m}")
    return "\n".join(out) + "\n"


_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font:12px ui-monospace,Menlo,Consolas,monospace}
td.cell{width:14px;height:14px;padding:0;border:1px solid #fff}
.ok{background:#2da44e}.blocked{background:#cf222e}.undefined{background:#8250df}.signature-mismatch{background:#bf8700}
.not-built{background:#d0d7de}.n-a{background:#eaeef2}
.legend span.sw{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
td.rel{border-left:2px solid #57606a}.num{text-align:right}.bad{color:#cf222e;font-weight:600}
"""


def _cls(status: str) -> str:
    return status.replace(" ", "-").replace("/", "-")


def _chart(inv: Inventory) -> str:
    """An inline SVG bar chart: broken pulls per release."""
    n = max([inv.broken_pulls(r) for r in inv.releases] + [1])
    bar_w, gap, height, top = 46, 18, 160, 18  # top: room for the count above the tallest bar
    width = len(inv.releases) * (bar_w + gap) + gap + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="chart" role="img" width="{width}" height="{top + height + 30}" '
             f'aria-label="pulls broken per release">',
             f'<line x1="30" y1="{top + height}" x2="{width}" y2="{top + height}" stroke="#57606a"/>']
    for i, r in enumerate(inv.releases):
        count = inv.broken_pulls(r)
        h = round(height * count / n)
        x = 30 + gap + i * (bar_w + gap)
        y = top + height - h
        parts.append(f'<rect class="bar" data-release="{r}" data-count="{count}" x="{x}" y="{y}" '
                     f'width="{bar_w}" height="{h}" fill="#cf222e"><title>Go {r}: {count} broken pulls</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{y - 4}" text-anchor="middle" font-size="12">{count}</text>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{top + height + 18}" text-anchor="middle" font-size="12">Go {r}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_report(inv: Inventory) -> str:
    esc = html.escape
    counts = inv.counts()
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>//go:linkname inventory</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>//go:linkname inventory</h1>",
           f'<p id="summary">{len(inv.entries)} directives: '
           + ", ".join(f'<span class="kind-{k}">{n} {k}</span>' for k, n in
                       inv.to_json()["summary"]["kinds"].items())
           + f". Releases {esc(', '.join(inv.releases))}; platforms {esc(', '.join(inv.platforms))}.</p>",
           '<p class="legend">' + "".join(f'<span class="sw {_cls(s)}"></span>{esc(s)} '
                                          f'(<span class="count" data-status="{esc(s)}">{counts[s]}</span>)'
                                          for s in STATUSES) + "</p>",
           "<h2>Pulls broken per release</h2>", _chart(inv),
           "<h2>Packages</h2>", '<table id="packages"><tr><th>package</th><th>directives</th><th>pulls</th>'
           "<th>pushes</th><th>variables</th>" + "".join(f"<th>broken on {esc(r)}</th>" for r in inv.releases) + "</tr>"]
    for pkg, p in inv.packages().items():
        out.append(f'<tr data-package="{esc(pkg)}"><td><code>{esc(pkg)}</code></td>'
                   + "".join(f'<td class="num">{p[k]}</td>' for k in ("directives", "pull", "push", "variable"))
                   + "".join(f'<td class="num{" bad" if p["broken"][r] else ""}">{p["broken"][r]}</td>'
                             for r in inv.releases) + "</tr>")
    out.append("</table>")
    out += ["<h2>Directives</h2>",
            "<p>One coloured cell per release and platform; hover a cell for its status.</p>",
            '<table id="matrix"><tr><th rowspan="2">where</th><th rowspan="2">target</th><th rowspan="2">kind</th>'
            + "".join(f'<th colspan="{len(inv.platforms)}">Go {esc(r)}</th>' for r in inv.releases)
            + '<th rowspan="2">public replacement</th></tr><tr>'
            + "".join(f'<th title="{esc(p)}">{esc(p.split("/")[0][:3])}/{esc(p.split("/")[1])}</th>'
                      for _ in inv.releases for p in inv.platforms) + "</tr>"]
    for e in inv.entries:
        cells = []
        for r in inv.releases:
            for i, p in enumerate(inv.platforms):
                s = e.matrix[r][p]
                cells.append(f'<td class="cell {_cls(s)}{" rel" if i == 0 else ""}" data-status="{esc(s)}" '
                             f'title="Go {esc(r)} {esc(p)}: {esc(s)}"><span hidden>{esc(_SHORT[s])}</span></td>')
        out.append(f'<tr class="entry" data-kind="{e.kind}"><td><code>{esc(display_path(e.path))}:{e.line}</code></td>'
                   f"<td><code>{esc(e.target)}</code></td><td>{e.kind}</td>{''.join(cells)}"
                   f"<td>{esc(e.replacement or '')}</td></tr>")
    out.append("</table>")
    if inv.problems:
        out.append("<h2>Not inventoried</h2><ul>" + "".join(
            f"<li><code>{esc(display_path(p))}</code>: {esc(m)}</li>" for p, m in inv.problems) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------ command

def run(argv: list[str]) -> int:
    from .cli import UsageError, _Parser, parse_go_versions

    p = _Parser(prog="gofix-linkname inventory",
                description="Every //go:linkname in the tree, with its status on each release and platform.")
    p.add_argument("paths", nargs="*", default=["."])
    p.add_argument("--format", choices=("md", "html", "json"), default="md")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--platforms", default=",".join(knowledge.DEFAULT_PLATFORMS), metavar="LIST")
    p.add_argument("--go-versions", metavar="RANGE")
    args = p.parse_args(argv)
    prog = "gofix-linkname inventory"
    try:
        plats = [x.strip() for x in args.platforms.split(",") if x.strip()]
        if not plats or any(x.count("/") != 1 for x in plats):
            raise UsageError(f"--platforms: {args.platforms!r} is not a list like linux/amd64,darwin/arm64")
        versions = parse_go_versions(args.go_versions) if args.go_versions else None
    except UsageError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    inv = build(args.paths, plats, versions)
    text = {"md": markdown, "html": html_report,
            "json": lambda i: json.dumps(i.to_json(), indent=2) + "\n"}[args.format](inv)
    for path, message in inv.problems:
        print(f"{display_path(path)}: error: {message}", file=sys.stderr)
    if args.output:
        try:
            Path(args.output).write_text(text, "utf-8")
        except OSError as e:
            print(f"{prog}: error: --output {args.output}: {e.strerror or e}", file=sys.stderr)
            return 2
        print(f"Wrote the inventory of {len(inv.entries)} directives to {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 2 if inv.problems else 0

