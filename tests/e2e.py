"""End-to-end helpers: a Go module on disk, gofix-linkname run on it, a real Go build of it."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.gotoolchains import run_go


def write_module(root: Path, files: dict[str, str], go: str = "1.21",
                 module: str = "example.com/m") -> Path:
    """Create ``root`` with a go.mod (unless given) and the files, dedented."""
    root.mkdir(parents=True, exist_ok=True)
    if "go.mod" not in files:
        (root / "go.mod").write_text(f"module {module}\n\ngo {go}\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def gofix(cwd: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would."""
    p = subprocess.run([sys.executable, "-m", "codemod", *args], cwd=cwd, capture_output=True,
                       text=True, timeout=300)
    if check and p.returncode == 2:
        raise AssertionError(f"gofix-linkname {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}")
    return p


def go_build(release: str, module: Path, *extra: str, goos: str = "", goarch: str = "") -> subprocess.CompletedProcess:
    env = {}
    if goos:
        env["GOOS"] = goos
    if goarch:
        env["GOARCH"] = goarch
    # cmd/go special-cases -o /dev/null: build everything, write nothing, for one or many packages.
    return run_go(release, ["build", *extra, "-o", "/dev/null", "./..."], module, **env)


def go_run(release: str, module: Path, pkg: str = ".") -> subprocess.CompletedProcess:
    return run_go(release, ["run", pkg], module)


def gofmt_dirty(release: str, module: Path) -> list[str]:
    """Files ``gofmt -l`` of ``release`` would reformat (paths relative to ``module``).

    gofmt writes LF line endings, so a CRLF file is judged by its LF form: what counts is
    that nothing else would change (the tool keeps a file's line endings, on purpose)."""
    import shutil
    import tempfile

    from tests.gotoolchains import goroot

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "m"
        shutil.copytree(module, copy, symlinks=True)
        for p in copy.rglob("*.go"):
            if p.is_file() and not p.is_symlink():
                p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n"))
        p = subprocess.run([str(goroot(release) / "bin" / "gofmt"), "-l", "."], cwd=copy,
                           capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def sound(release: str, module: Path, *platforms: str) -> list[str]:
    """What is wrong with ``module`` on ``release``: build and link (every package must be a
    ``main`` or be imported by one, since ``go build`` of a library never links), ``go vet``,
    ``gofmt -l``; on each of ``platforms`` ("GOOS/GOARCH") too.  Empty when all is well."""
    problems = []
    for plat in (None, *platforms):
        env = dict(zip(("GOOS", "GOARCH"), plat.split("/"))) if plat else {}
        b = run_go(release, ["build", "-o", "/dev/null", "./..."], module, **env)
        if b.returncode != 0:
            problems.append(f"go{release} build {plat or ''}: {b.stdout}")
        v = run_go(release, ["vet", "./..."], module, **env)
        if v.returncode != 0:
            problems.append(f"go{release} vet {plat or ''}: {v.stdout}")
    dirty = gofmt_dirty(release, module)
    if dirty:
        problems.append(f"gofmt -l ({release}): {dirty}")
    return problems
