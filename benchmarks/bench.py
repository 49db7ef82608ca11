"""Speed and memory of gofix-linkname against its peers, measured in one command.

    python benchmarks/bench.py [--files 3000] [--repeat 3] [--goroot DIR]

Corpora: a generated module of N files (one in ten pulls runtime symbols, with hazards), and
the real standard library source of a Go toolchain (GOROOT/src).  Peers, run on the same
corpus in the same command: ``gofmt -l`` (parses every file, as we do for the ones that
matter), ``go vet ./...`` (the Go team's analyzers; generated module only) and
``grep -rl go:linkname`` (the floor: reading the bytes).  Reported: median wall time and peak
RSS per tool, and gofix-linkname's ratio to each peer.  Also the knowledge base's cold start.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HAZARD = '''package p{i}

import "fmt"

//go:linkname nanotime runtime.nanotime

func nanotime() int64

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

func F{i}() {{ fmt.Println(nanotime(), fastrand()) }}
'''
PLAIN = '''package p{i}

import (
	"fmt"
	"strings"
)

// F{i} joins and prints.
func F{i}(xs []string) string {{
	out := strings.Join(xs, ",")
	for j := 0; j < len(xs); j++ {{
		out += fmt.Sprint(j)
	}}
	return out
}}
'''


def make_module(root: Path, files: int) -> Path:
    root.mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/bench\n\ngo 1.21\n")
    for i in range(files):
        d = root / f"p{i}"
        d.mkdir()
        (d / "f.go").write_text((HAZARD if i % 10 == 0 else PLAIN).format(i=i))
    return root


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss


def bench(name: str, cmd: list[str], cwd: Path, repeat: int, env=None) -> dict:
    measure(cmd, cwd, env)  # warm the page cache and any build cache
    runs = [measure(cmd, cwd, env) for _ in range(repeat)]
    return {"tool": name, "seconds": statistics.median(r[0] for r in runs),
            "rss_mib": max(r[1] for r in runs) / 1024}


def report(title: str, rows: list[dict]) -> None:
    ours = rows[0]
    print(f"\n## {title}\n")
    print(f"| tool | median s | peak RSS MiB | gofix-linkname time ratio | memory ratio |")
    print("|---|---|---|---|---|")
    for r in rows:
        tr = ours["seconds"] / r["seconds"] if r["seconds"] else float("nan")
        mr = ours["rss_mib"] / r["rss_mib"] if r["rss_mib"] else float("nan")
        print(f"| {r['tool']} | {r['seconds']:.3f} | {r['rss_mib']:.1f} | {tr:.2f} | {mr:.2f} |")


def knowledge_cold_start() -> float | None:
    code = ("import time; t=time.perf_counter(); from codemod import knowledge; "
            "knowledge.lookup('runtime.fastrand', '1.27'); print(time.perf_counter()-t)")
    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    return float(p.stdout) if p.returncode == 0 else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--goroot", help="toolchain for gofmt/go vet and the std corpus (default: newest in .cache/go)")
    a = ap.parse_args()
    from tests.gotoolchains import RELEASES, goroot, go_env

    root = Path(a.goroot) if a.goroot else goroot(list(RELEASES)[-1])
    gofix = [sys.executable, "-m", "codemod", "--select", "LN"]
    env = go_env(root)
    with tempfile.TemporaryDirectory() as tmp:
        module = make_module(Path(tmp) / "m", a.files)
        rows = [
            bench("gofix-linkname (dry run)", [*gofix, "./..."], module, a.repeat),
            bench("gofmt -l", [str(root / "bin" / "gofmt"), "-l", "."], module, a.repeat),
            bench("go vet ./...", [str(root / "bin" / "go"), "vet", "./..."], module, a.repeat, env),
            bench("grep -rl go:linkname", ["grep", "-rl", "--include=*.go", "go:linkname", "."], module, a.repeat),
        ]
        report(f"generated module: {a.files} packages, {a.files // 10} with hazards", rows)
        src = Path(tmp) / "src"
        shutil.copytree(root / "src", src, symlinks=True)
        rows = [
            bench("gofix-linkname (dry run)", [*gofix, "."], src, a.repeat),
            bench("gofmt -l", [str(root / "bin" / "gofmt"), "-l", "."], src, a.repeat),
            bench("grep -rl go:linkname", ["grep", "-rl", "--include=*.go", "go:linkname", "."], src, a.repeat),
        ]
        n = sum(1 for _ in src.rglob("*.go"))
        report(f"Go standard library source ({root.parent.name}, {n} .go files)", rows)
    cold = knowledge_cold_start()
    if cold is not None:
        print(f"\nknowledge base: import + load + first lookup {cold * 1000:.0f} ms (target < 100 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
