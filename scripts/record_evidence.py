#!/usr/bin/env python3
"""Record what the real Go linkers do with pulls of standard-library targets (developer-run, not CI).

    GOFIX_GO_CACHE=/work/gocache python scripts/record_evidence.py            # everything, resumable
    python scripts/record_evidence.py --configs 1.27:linux/amd64:cgo          # one configuration
    python scripts/record_evidence.py --list                                  # the targets and why

Each *configuration* is a release, a platform and cgo on or off.  For each, one ``main``
package pulls every selected target with ``//go:linkname pulledN TARGET`` and imports a fixed
set of packages (tests/linker_oracle.py ``EVIDENCE_IMPORTS``); the linker's refusals are read off its output and the rest
rebuilt until it links (tests/linker_oracle.py ``record`` explains why that is sound).  A
target whose package the program does not link is not recorded for that configuration.

The verdicts go to ``tests/data/linker_evidence.tsv``: one line per target, one status letter
per configuration (``o`` ok, ``b`` blocked, ``u`` undefined, ``d`` duplicate, ``e`` anything
else, ``-`` not recorded).  tests/test_linker_evidence.py asserts the knowledge base agrees
with every letter.  Per-configuration results are kept under ``.cache/evidence/`` so an
interrupted run resumes and targets added since are recorded on their own; ``--fresh`` drops
them.

Targets are chosen to cover every kind of verdict: every symbol some release's standard
library pushes (one- and two-argument ``//go:linkname``), every ``blockedLinknames`` entry,
methods (pointer and value receivers, exported and not, and the pointer-receiver wrappers the
compiler generates), assembly functions, cgo-only and platform-only symbols, symbols added or
removed between releases, unpushed functions and variables.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codemod import knowledge as kb  # noqa: E402
from codemod.knowledge.store import F_BODY, F_GENERIC, F_PULL, F_WRAPPER, package_of  # noqa: E402
from tests import linker_oracle  # noqa: E402
from tests.gotoolchains import RELEASES, goroot, run_go  # noqa: E402

OUT = REPO / "tests" / "data" / "linker_evidence.tsv"
WORK = REPO / ".cache" / "evidence"

CROSS_PLATFORMS = ("linux/arm64", "darwin/arm64", "windows/amd64")
CROSS_RELEASES = ("1.21", "1.23", "1.27")
LETTER = {"ok": "o", "blocked": "b", "undefined": "u", "duplicate": "d"}
STATUS = {v: k for k, v in LETTER.items()}


def config_name(release: str, platform: str, cgo: bool) -> str:
    return f"{release}:{platform}:{'cgo' if cgo else 'nocgo'}"


def parse_config(name: str) -> tuple[str, str, bool]:
    release, platform, cgo = name.split(":")
    return release, platform, cgo == "cgo"


def default_configs() -> list[str]:
    out = [config_name(r, "linux/amd64", False) for r in RELEASES]
    out += [config_name(r, "linux/amd64", True) for r in RELEASES]
    out += [config_name(r, p, False) for r in CROSS_RELEASES for p in CROSS_PLATFORMS]
    return out


# ---------------------------------------------------------------------------------------------
# Choosing the targets


def _spread(names, n: int, salt: str = "") -> list[str]:
    """n names chosen deterministically but spread over the whole set (by hash)."""
    return sorted(sorted(set(names), key=lambda x: hashlib.sha1((salt + x).encode()).hexdigest())[:n])


def _rows():
    """(name, row, chunk) for every declaration row of the shipped knowledge."""
    store = kb._shipped()
    for member in store._member_index():
        if not member.startswith("sym/"):
            continue
        pkg, bucket = member[4:].rsplit("/", 1)
        chunk = store.chunk("" if pkg == "_" else pkg, bucket)
        for name, rows in chunk["decls"].items():
            for row in rows:
                yield name, row, chunk, "decl"
        for name, rows in chunk["asm"].items():
            for row in rows:
                yield name, row, chunk, "asm"


_GO_TOP = re.compile(r"^(?:func|var)\s+(\w+)", re.M)
_LINKNAME2 = re.compile(r"^//go:linkname\s+\S+\s+(\S+)\s*$", re.M)


def _cgo_only(release: str) -> set[tuple[str, str]]:
    """Functions and variables of files built only with cgo (``import "C"``, ``cgo`` constraints).

    All of runtime/cgo counts: only cgo builds link it.
    """
    src = goroot(release) / "src"
    out: set[tuple[str, str]] = set()
    for pkg in ("runtime/cgo", "plugin", "net", "os/user", "runtime"):
        for f in sorted((src / pkg).glob("*.go")):
            if f.name.endswith("_test.go"):
                continue
            text = f.read_text(errors="replace")
            head = text.split("\npackage ", 1)[0]
            if re.search(r"^//go:build.*!cgo\b", head, re.M) or re.search(r"^//go:build ignore", head, re.M):
                continue
            if pkg != "runtime/cgo" and 'import "C"' not in text and not re.search(r"^//go:build.*\bcgo\b", head, re.M):
                continue
            local_kind = {}
            for m in re.finditer(r"^(func|var)\s+(\w+)", text, re.M):
                local_kind[m.group(2)] = m.group(1)
            for block in re.finditer(r"^var \((.*?)^\)", text, re.M | re.S):
                for m in re.finditer(r"^\t(\w+)\s", block.group(1), re.M):
                    local_kind[m.group(1)] = "var"
            for name, kind in local_kind.items():
                if name != "_" and not name.startswith("_"):
                    out.add((kind, f"{pkg}.{name}"))
            for m in re.finditer(r"^//go:linkname\s+(\w+)\s+(\S+)\s*$", text, re.M):
                if "." in m.group(2):
                    out.add((local_kind.get(m.group(1), "func"), m.group(2)))
    return out


def select_targets() -> dict[tuple[str, str], set[str]]:
    """{(kind, target): {category...}}."""
    allmask = (1 << len(kb.RELEASES)) - 1
    pushed, kinds, masks, methods, asm, unpushed, variables, platform_only = set(), {}, {}, [], set(), set(), set(), set()
    for name, row, chunk, what in _rows():
        if what == "asm":
            asm.add(name)
            masks[name] = masks.get(name, 0) | row[-1]
            kinds.setdefault(name, "func")
            continue
        flags = row[5]
        if flags & (F_PULL | F_GENERIC | F_WRAPPER):
            continue   # (generated wrappers are chosen below, from the methods they wrap)
        kinds[name] = "var" if row[1] == "var" else "func"
        masks[name] = masks.get(name, 0) | row[-1]
        path, constraint = chunk["files"][row[4]]
        if row[6]:
            pushed.add(name)
        if row[1] == "method":
            methods.append(name)
        elif row[1] == "var":
            variables.add(name)
        elif flags & F_BODY and not row[6]:
            unpushed.add(name)
        if re.search(r"_(windows|darwin|arm64)(_\w+)?\.go$", path) or re.search(r"\b(windows|darwin)\b", constraint):
            platform_only.add(name)
    chosen: dict[tuple[str, str], set[str]] = {}

    def add(names, category):
        for n in names:
            chosen.setdefault((kinds.get(n, "func"), n), set()).add(category)

    add(pushed, "pushed")
    add({n for lr in kb._shipped().meta["linker"] for n in lr["blocked"]}, "blocked-list")
    ptr = [m for m in methods if ".(*" in m]
    val = [m for m in methods if ".(*" not in m]

    def exported(m: str) -> tuple[bool, bool]:
        rest = m[len(package_of(m)) + 1:]
        typ, _, meth = rest.rpartition(".")
        typ = typ.strip("(*)")
        return typ[:1].isupper(), meth[:1].isupper()

    for label, group in (("method-ptr", ptr), ("method-value", val)):
        for et in (True, False):
            for em in (True, False):
                add(_spread([m for m in group if exported(m) == (et, em)], 20, label), label)
    # pointer-receiver wrappers the compiler generates for value-receiver methods
    wrappers = [f"{package_of(m)}.(*{m[len(package_of(m)) + 1:].rpartition('.')[0]}).{m.rpartition('.')[2]}"
                for m in val]
    add(_spread(wrappers, 60, "wrapper") + ["reflect.(*Value).pointer"], "method-wrapper")
    add(_spread(asm, 160, "asm"), "assembly")
    add(_spread(unpushed, 80, "unpushed"), "unpushed")
    add(_spread(variables, 50, "var"), "variable")
    add(_spread(platform_only, 100, "platform"), "platform-only")
    add(_spread([n for n, m in masks.items() if m != allmask], 120, "changed"), "added-or-removed")
    for release in ("1.21", "1.27"):
        for kind, name in _cgo_only(release):
            chosen.setdefault((kind, name), set()).add("cgo-only")
    add(["runtime.no_such_symbol", "runtim.nanotime", "slices.Sort"], "nowhere")
    # exported methods of exported types that no release pushes (refused from Go 1.23)
    add(["sync.(*Mutex).Lock", "sync.(*WaitGroup).Wait", "time.Time.Unix", "time.Time.Add",
         "strings.(*Builder).String", "bytes.(*Buffer).Write", "os.(*File).Read"], "method-ptr")
    # names without a package are C-level symbols, outside the linker's check
    chosen = {k: v for k, v in chosen.items() if package_of(k[1])}
    # a name can be a variable in one release and a function in another: keep one kind
    by_name: dict[str, tuple[str, str]] = {}
    for key in sorted(chosen):
        if key[1] in by_name:
            chosen[by_name[key[1]]] |= chosen.pop(key)
        else:
            by_name[key[1]] = key
    return chosen


# ---------------------------------------------------------------------------------------------
# Recording


def linked_packages(release: str, platform: str, cgo: bool, imports: list[str]) -> set[str]:
    with tempfile.TemporaryDirectory(prefix="gofix-evidence-") as d:
        Path(d, "go.mod").write_text("module oracle\n\ngo 1.21\n")
        Path(d, "main.go").write_text(linker_oracle.pull_program([], imports))
        goos, goarch = platform.split("/")
        proc = run_go(release, ["list", "-deps", "-f", "{{.ImportPath}}", "."], Path(d),
                      GOOS=goos, GOARCH=goarch, CGO_ENABLED="1" if cgo else "0")
    if proc.returncode != 0:
        raise RuntimeError(f"go list failed for {release} {platform}: {proc.stdout[-500:]}")
    return set(proc.stdout.split())


def defining_packages(target: str) -> set[str]:
    """The packages whose sources define ``target`` in some release (from the knowledge rows)."""
    store = kb._shipped()
    chunk = store.chunk_for(target)
    pkgs = {r[8] for r in chunk["decls"].get(target, ()) if not r[5] & F_PULL}
    pkgs |= {r[5] for r in chunk["asm"].get(target, ())}
    return pkgs


def record_config(config: str, targets: list[tuple[str, str]], log, previous: dict | None = None) -> dict:
    """Record ``targets`` under one configuration; with ``previous``, only those it lacks."""
    release, platform, cgo = parse_config(config)
    # Cross builds compile the standard library for another port: the lighter import set.
    imports = list(linker_oracle.evidence_imports(release) if platform == "linux/amd64"
                   else linker_oracle.IMPORTS)
    linked = linked_packages(release, platform, cgo, imports)
    pulls = [(k, t) for k, t in targets
             if package_of(t) in linked and defining_packages(t) <= linked | {""}]
    if previous is not None:
        pulls = [p for p in pulls if p[1] not in previous["results"]]
        if not pulls:
            return previous
    t0 = time.time()
    result, builds = linker_oracle.record(release, pulls, None if platform == "linux/amd64" and not cgo else platform,
                                          imports=tuple(imports), cgo=cgo, log=log)
    log(f"{config}: {len(pulls)} pulls, {builds} builds, {time.time() - t0:.0f}s")
    if previous is not None:
        result = {**previous["results"], **result}
        builds += previous["builds"]
    return {"imports": imports, "results": result, "builds": builds, "seconds": round(time.time() - t0)}


def write_tsv(configs: list[str], chosen: dict, done: dict[str, dict], out: Path) -> None:
    lines = [
        "# Linker verdicts of //go:linkname pulls from package main, recorded by scripts/record_evidence.py",
        "# with the real toolchains (tests/gotoolchains.py RELEASES).  Letters: o ok, b blocked,",
        "# u undefined, d duplicate, e other error, - not recorded (package not linked there).",
        "#configs\t" + " ".join(configs),
    ]
    for (kind, target), cats in sorted(chosen.items(), key=lambda kv: kv[0][1]):
        letters = "".join(LETTER.get(done[c]["results"].get(target, "-"), "e")
                          if done[c]["results"].get(target) is not None else "-" for c in configs)
        if set(letters) == {"-"}:
            continue
        lines.append(f"{kind}\t{target}\t{','.join(sorted(cats))}\t{letters}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


def summary(path: Path) -> int:
    configs, rows = [], []
    for line in path.read_text().splitlines():
        if line.startswith("#configs\t"):
            configs = line.split("\t", 1)[1].split()
        elif line and not line.startswith("#"):
            rows.append(line.split("\t"))
    print(f"{len(rows)} targets, {len(configs)} configurations")
    cats: dict[str, int] = {}
    for row in rows:
        for c in row[2].split(","):
            cats[c] = cats.get(c, 0) + 1
    print("categories: " + ", ".join(f"{c} {n}" for c, n in sorted(cats.items())))
    total = 0
    for i, config in enumerate(configs):
        letters = [row[3][i] for row in rows if row[3][i] != "-"]
        total += len(letters)
        counts = ", ".join(f"{STATUS.get(k, 'error')} {letters.count(k)}" for k in "obude" if letters.count(k))
        print(f"{config:28} {len(letters):5} verdicts: {counts}")
    print(f"{total} verdicts in all")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", help="comma-separated RELEASE:GOOS/GOARCH:cgo|nocgo (default: all)")
    ap.add_argument("-j", type=int, default=2, help="configurations built in parallel")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--fresh", action="store_true", help="forget recorded configurations")
    ap.add_argument("--list", action="store_true", help="print the targets and their categories")
    ap.add_argument("--summary", action="store_true", help="print what the recorded file holds, per configuration")
    ap.add_argument("--no-new", action="store_true", help="only write the file from what is recorded "
                    "(no new configuration, no target added since)")
    args = ap.parse_args(argv)
    if args.summary:
        return summary(args.out)
    chosen = select_targets()
    if args.list:
        for (kind, target), cats in sorted(chosen.items(), key=lambda kv: kv[0][1]):
            print(f"{kind}\t{target}\t{','.join(sorted(cats))}")
        print(f"{len(chosen)} targets", file=sys.stderr)
        return 0
    configs = args.configs.split(",") if args.configs else default_configs()
    WORK.mkdir(parents=True, exist_ok=True)
    cgo_set = sorted(k for k, c in chosen.items() if "cgo-only" in c)
    everything = sorted(chosen)

    def log(msg):
        print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)

    def run(config):
        cache = WORK / (config.replace("/", "_").replace(":", "-") + ".json")
        previous = json.loads(cache.read_text()) if cache.is_file() and not args.fresh else None
        _, _, cgo = parse_config(config)
        # cgo on: the cgo-only targets and a share of the rest (a different build of runtime/cgo,
        # net and os/user is all that changes)
        targets = cgo_set + [k for k in everything if k not in set(cgo_set)][::4] if cgo else everything
        if args.no_new:
            return config, previous     # (None: not recorded yet, left out)
        found = record_config(config, targets, log, previous)
        cache.write_text(json.dumps(found, sort_keys=True))
        return config, found

    done: dict[str, dict] = {}
    with cf.ThreadPoolExecutor(args.j) as ex:
        for config, found in ex.map(run, configs):
            if found is not None:
                done[config] = found
    all_configs = [c for c in default_configs() if c in done or (WORK / (c.replace("/", "_").replace(":", "-") + ".json")).is_file()]
    for c in all_configs:
        if c not in done:
            done[c] = json.loads((WORK / (c.replace("/", "_").replace(":", "-") + ".json")).read_text())
    write_tsv(all_configs, chosen, done, args.out)
    log(f"wrote {args.out}: {len(chosen)} targets, {len(all_configs)} configurations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
