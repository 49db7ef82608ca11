"""``gofix-linkname info TARGET...``: the release x platform matrix of a linkname target.

Exit status: 0 when every target was answered (whatever its status: this is a report, not a
check), 2 on a usage error (bad ``--platforms``, unusable ``--goroot``).
"""
from __future__ import annotations

import argparse
import json
import re
import sys

from codemod import knowledge as kb

STATUS_ORDER = {"ok": 0, "blocked": 1, "undefined": 2}   # "worst" over platforms
EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="TARGET",
                        help="linker symbol names, e.g. runtime.nanotime or crypto/tls.(*Conn).Read")
    parser.add_argument("--platforms", default=",".join(kb.DEFAULT_PLATFORMS),
                        help="comma-separated GOOS/GOARCH list (default: %(default)s)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--goroot", metavar="DIR",
                        help="also answer for this Go toolchain ('auto': `go env GOROOT` of the go on PATH)")
    parser.add_argument("--from-package", default="main", metavar="PATH",
                        help="import path of the package doing the pull (default: %(default)s)")
    parser.add_argument("--cgo", choices=("on", "off", "both"), default="both",
                        help="builds with cgo on, off, or both (default: both, saying what cgo changes)")


def parse_platforms(text: str) -> list[tuple[str, str]]:
    """The same GOOS/GOARCH pairs ``check --platforms`` accepts, split."""
    from codemod.versions import parse_platforms as parse

    return [tuple(p.split("/")) for p in parse(text)]


def _replacement(target: str) -> dict | None:
    """The public replacement the replacement table knows, if that module exists yet."""
    try:
        from codemod.replacements import replacement_for
    except ImportError:
        return None
    found = replacement_for(target)
    if found is None:
        return None
    if isinstance(found, str):
        return {"api": found}
    # Only the plain-data fields: an entry also carries the code generator (a callable).
    fields = ("api", "min_release", "exact", "why_unsafe", "packages")
    out = {f: getattr(found, f) for f in fields if getattr(found, f, None) not in (None, "", ())}
    if "packages" in out:
        out["packages"] = list(out["packages"])
    return out or {"api": str(found)}


def release_entry(target: str, release: str, platforms, from_package: str, cgo: bool | None = None) -> dict:
    """One release's row: worst status over the platforms, plus what the symbol is."""
    lookups = {f"{o}/{a}": kb.lookup(target, release, o, a, from_package, cgo) for o, a in platforms}
    worst = max(lookups.values(), key=lambda l: STATUS_ORDER[l.status])
    sym = next((l.symbol for l in lookups.values() if l.symbol is not None), None)
    if sym is None and worst.defined_elsewhere:
        o, a = worst.defined_elsewhere[0].split("/")
        sym = kb.lookup(target, release, o, a, from_package, cgo).symbol
    if sym is None and cgo is None:
        # defined only with cgo on (the worse verdict, without cgo, has no symbol)
        sym = next((kb.lookup(target, release, *p.split("/"), from_package, True).symbol
                    for p, l in lookups.items() if l.cgo_other), None)
    entry = {
        "status": worst.status,
        "signature": (sym.signature or sym.value) if sym else "",
        "platforms": {p: l.status for p, l in lookups.items()},
        "reason": worst.reason,
        "reasons": {p: l.reason for p, l in lookups.items() if l.reason},
        "rules": {p: l.rule for p, l in lookups.items()},
        "release": worst.release,
        "approximate": worst.approximate,
    }
    cgo_differs = {p: l.cgo_other for p, l in lookups.items() if l.cgo_other}
    if cgo_differs:
        entry["cgo_other"] = cgo_differs
    if sym is not None:
        entry.update(kind=sym.kind, nosplit=sym.nosplit, has_body=sym.has_body, pushed=sym.pushed,
                     file=sym.file, package=sym.package, note=sym.note, generated=sym.generated)
        if sym.assembly:
            entry["assembly"] = sym.assembly
        if sym.push_file:
            entry["push_file"] = sym.push_file
    return entry


def target_report(target: str, releases: list[str], platforms, from_package: str,
                  cgo: bool | None = None) -> dict:
    report = {"target": target, "cgo": {True: "on", False: "off", None: "both"}[cgo],
              "releases": {r: release_entry(target, r, platforms, from_package, cgo) for r in releases}}
    replacement = _replacement(target)
    if replacement is not None:
        report["replacement"] = replacement
    return report


def format_text(report: dict, platforms) -> str:
    names = [f"{o}/{a}" for o, a in platforms]
    width = max(len(n) for n in names + ["status"]) + 2
    lines = [report["target"]]
    if "replacement" in report:
        lines.append(f"  public replacement: {_replacement_text(report['replacement'])}")
    lines.append("  " + "release".ljust(10) + "".join(n.ljust(width) for n in ["status"] + names) + "signature")
    reasons: dict[str, list[tuple[str, str]]] = {}
    used_rules: dict[str, list[tuple[str, str]]] = {}
    defined: dict[str, list[tuple[str, str]]] = {}
    for release, e in report["releases"].items():
        label = release + ("~" if e["approximate"] else "")
        cells = [e["status"]] + [e["platforms"][n] for n in names]
        lines.append("  " + label.ljust(10) + "".join(c.ljust(width) for c in cells) + e["signature"])
        for plat, why in e["reasons"].items():
            # one line per kind of reason, whatever release or platform it names
            general = re.sub(r" for \S+/\S+ in Go [\w.-]+| in Go [\w.-]+", "", why, count=1)
            reasons.setdefault(general, []).append((release, plat))
        for plat, rule in e["rules"].items():
            used_rules.setdefault(rule, []).append((release, plat))
        if e.get("file"):
            defined.setdefault(_definition_text(e), []).append((release, names[0]))
    if defined:
        lines.append("  defined:")
        for text, where in defined.items():
            lines.append(f"    {text}  [{_release_ranges([r for r, _ in where])}]")
    if reasons:
        lines.append("  why:")
        for why, where in reasons.items():
            lines.append(f"    {why}  [{_compress(where)}]")
    if used_rules:
        lines.append("  linker rule:")
        for rule, where in used_rules.items():
            lines.append(f"    {rule}: {kb.rules.RULES.get(rule, rule)}  [{_compress(where)}]")
    if any(e["approximate"] for e in report["releases"].values()):
        lines.append("  ~ answered from the nearest known release")
    return "\n".join(lines)


def _definition_text(e: dict) -> str:
    """Where a release defines the symbol: "src/runtime/proc.go (package runtime), pushed"."""
    text = e["file"]
    if e.get("assembly") and e["assembly"] != e["file"]:
        text += f" + {e['assembly']}"
    text += f" (package {e['package']})"
    if e.get("generated"):
        text += ", a compiler-generated pointer-receiver wrapper"
    if e.get("pushed"):
        text += f", pushed in {e['push_file']}" if e.get("push_file") else ", pushed"
    return text


def _replacement_text(r: dict) -> str:
    text = r.get("api", "")
    if r.get("min_release"):
        text += f", Go >= {r['min_release']}"
    if r.get("exact") is False:
        text += " (not exactly the same behaviour)"
    return text


def _release_ranges(releases: list[str]) -> str:
    """["1.21", "1.22", "1.23", "1.25"] -> "1.21-1.23, 1.25" (consecutive known releases merged)."""
    order = {r: i for i, r in enumerate(kb.RELEASES)}
    runs: list[list[str]] = []
    for r in releases:
        if runs and r in order and runs[-1][-1] in order and order[r] == order[runs[-1][-1]] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _compress(where: list[tuple[str, str]]) -> str:
    """[(release, platform)...] -> "1.21-1.27: linux/amd64, windows/amd64"."""
    by_plat: dict[str, list[str]] = {}
    for release, plat in where:
        by_plat.setdefault(plat, []).append(release)
    groups: dict[str, list[str]] = {}
    for plat, rels in by_plat.items():
        groups.setdefault(_release_ranges(rels), []).append(plat)
    return "; ".join(f"{rels}: {', '.join(plats)}" for rels, plats in groups.items())


def run(args) -> int:
    try:
        platforms = parse_platforms(args.platforms)
    except ValueError as e:
        print(f"gofix-linkname info: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    releases = list(kb.RELEASES)
    if getattr(args, "goroot", None):
        try:
            own = kb.use_goroot(args.goroot)
        except Exception as e:  # an unusable toolchain is a usage problem, said in one line
            print(f"gofix-linkname info: error: --goroot {args.goroot}: {e}", file=sys.stderr)
            return EXIT_USAGE
        if own not in releases:
            releases.append(own)
    from_package = getattr(args, "from_package", "main")
    cgo = kb.cgo_mode(getattr(args, "cgo", "both"))
    reports = [target_report(t, releases, platforms, from_package, cgo) for t in args.targets]
    if args.format == "json":
        json.dump(reports, sys.stdout, indent=1)
        print()
    else:
        print("\n\n".join(format_text(r, platforms) for r in reports))
    return EXIT_OK
