"""``--verify``: build every package the fixes change, before and after, with real toolchains.

For each changed package, each toolchain and each platform asked for, two temporary copies of
the package's module (the files as they are, and as ``--apply`` would write them) are compiled,
**linked** and vetted:

- ``go build -o /dev/null`` of a generated ``main`` that blank-imports the package (a library's
  own ``go build`` never runs the linker, and the Go 1.23+ linker checks every pull of every
  loaded package, called or not); a ``main`` package is built as it is;
- ``go test -c -o /dev/null``: the test binary, which links what the tests call;
- ``go vet``, and ``gofmt -l`` on the files the fixes write.

A cell of the matrix gets *worse* when a step that passed before fails after, or when a step
that failed before reports a new diagnostic on a line the fixes wrote (a fix that repairs the
build but trips vet).  A package that gets worse on any cell is withdrawn from the write, with
the toolchain's message.  A package whose module cannot be resolved offline, or whose go.mod
needs a newer toolchain, is "cannot verify" on that cell, never a failure.

The go command never downloads anything here: ``GOTOOLCHAIN=local``, ``GOPROXY=off``,
``GOWORK=off``.  The user's tree is never touched: everything runs in copies under a
temporary directory; the build cache is the user's own (``go env GOCACHE``), so a second
verification of the same code is fast.
"""
from __future__ import annotations

import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

GO_TIMEOUT = 600
STEPS = ("build", "test", "vet")

# Status of one cell side, best first.
OK, FAIL, CANNOT, SKIPPED = "ok", "fail", "cannot verify", "skipped"


class ToolchainError(Exception):
    """A --go argument that names no usable toolchain."""


@dataclass(frozen=True)
class Toolchain:
    goroot: Path
    version: str  # "go1.23.9"
    found: str  # how it was found: "PATH", "~/sdk", "--go 1.23", ...

    @property
    def go(self) -> Path:
        return self.goroot / "bin" / "go"

    @property
    def gofmt(self) -> Path:
        return self.goroot / "bin" / "gofmt"

    @property
    def release(self) -> str:
        """"1.23" for go1.23.9."""
        return ".".join(self.version.removeprefix("go").split(".")[:2])

    def sort_key(self) -> tuple:
        return _version_key(self.version)


def _version_key(version: str) -> tuple:
    nums = re.findall(r"\d+", version.removeprefix("go"))
    return tuple(int(n) for n in nums[:3])


def _read_version(goroot: Path) -> str | None:
    """The release in ``GOROOT/VERSION`` (first line, e.g. ``go1.23.9``)."""
    try:
        first = (goroot / "VERSION").read_text("utf-8", "replace").splitlines()[0].strip()
    except (OSError, IndexError):
        return None
    return first if first.startswith("go") else None


def _from_goroot(goroot: Path, found: str) -> Toolchain | None:
    goroot = goroot.resolve()
    if not (goroot / "bin" / "go").is_file():
        return None
    version = _read_version(goroot)
    if version is None:
        version = _ask_go(goroot / "bin" / "go", "GOVERSION")
    return Toolchain(goroot, version, found) if version else None


def _ask_go(binary: Path, var: str) -> str | None:
    """``go env VAR`` without letting the command switch or fetch toolchains."""
    try:
        p = subprocess.run([str(binary), "env", var], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "GOTOOLCHAIN": "local"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = p.stdout.strip()
    return out if p.returncode == 0 and out else None


def _from_binary(binary: Path, found: str) -> Toolchain | None:
    """A go binary: the toolchain around it, or the one a golang.org/dl wrapper (go1.N.M) runs."""
    real = binary.resolve()
    around = _from_goroot(real.parent.parent, found)
    if around is not None:
        return around
    root = _ask_go(binary, "GOROOT")
    return _from_goroot(Path(root), found) if root else None


def discover() -> list[Toolchain]:
    """Every toolchain installed where people put them: ``go`` and ``go1.N.M`` on PATH,
    ``~/sdk/go*``.  One per version, in release order."""
    found: list[Toolchain] = []
    go = shutil.which("go")
    if go:
        found.append(_from_binary(Path(go), "go on PATH"))
    for d in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names = sorted(os.listdir(d or "."))
        except OSError:
            continue
        for name in names:
            if re.fullmatch(r"go1\.\d+(\.\d+|rc\d+|beta\d+)?", name):
                found.append(_from_binary(Path(d or ".") / name, f"{name} on PATH"))
    sdk = Path.home() / "sdk"
    if sdk.is_dir():
        for d in sorted(sdk.iterdir()):
            if d.name.startswith("go"):
                found.append(_from_goroot(d, f"~/sdk/{d.name}"))
    by_version: dict[str, Toolchain] = {}
    for t in found:
        if t is not None and t.version not in by_version:
            by_version[t.version] = t
    return sorted(by_version.values(), key=Toolchain.sort_key)


def resolve(spec: str, installed: list[Toolchain] | None = None) -> Toolchain:
    """One ``--go`` argument: a GOROOT directory, a go binary, or a version (``1.23``,
    ``1.23.9``, ``go1.23``) that names an installed toolchain (the newest matching one)."""
    path = Path(spec).expanduser()
    if path.is_dir():
        t = _from_goroot(path, f"--go {spec}")
        if t is None:
            raise ToolchainError(f"{spec} is not a GOROOT (no bin/go and VERSION)")
        return t
    if path.is_file() or os.sep in spec:
        if not path.is_file():
            raise ToolchainError(f"{spec}: no such file or directory")
        t = _from_binary(path, f"--go {spec}")
        if t is None:
            raise ToolchainError(f"{spec}: not a working go command")
        return t
    wanted = spec.removeprefix("go")
    if not re.fullmatch(r"1\.\d+(\.\d+)?", wanted):
        raise ToolchainError(f"{spec!r} is neither a GOROOT, a go binary, nor a version like 1.23")
    installed = discover() if installed is None else installed
    matches = [t for t in installed if t.version == f"go{wanted}" or t.version.startswith(f"go{wanted}.")]
    if not matches:
        have = ", ".join(t.version for t in installed) or "none"
        raise ToolchainError(f"no installed toolchain for Go {wanted} (installed: {have}; "
                             f"`go install golang.org/dl/go{wanted}@latest` gets one)")
    best = max(matches, key=Toolchain.sort_key)
    return Toolchain(best.goroot, best.version, f"--go {spec} -> {best.found}")


def toolchains(specs: list[str] | None) -> list[Toolchain]:
    """The toolchains to verify with: each ``--go``, or else every one installed."""
    if specs:
        installed = None
        chosen: list[Toolchain] = []
        for spec in specs:
            path_like = Path(spec).expanduser().exists() or os.sep in spec
            if not path_like and installed is None:
                installed = discover()
            t = resolve(spec, installed)
            if all(t.goroot != c.goroot for c in chosen):
                chosen.append(t)
        return chosen
    found = discover()
    if not found:
        raise ToolchainError("no Go toolchain found (looked for go and go1.N.M on PATH, and ~/sdk/go*); "
                             "name one with --go")
    return found


# --- the matrix -----------------------------------------------------------------------------


@dataclass
class Side:
    """One build of one package (before or after the fixes) on one toolchain and platform."""

    status: str  # ok | fail | cannot verify
    step: str = ""  # the first failing step: build | test | vet | gofmt
    message: str = ""  # the toolchain's words, trimmed

    def to_json(self) -> dict:
        d = {"status": self.status}
        if self.step:
            d["step"] = self.step
        if self.message:
            d["message"] = self.message
        return d


@dataclass
class Cell:
    package: str  # directory, as displayed (relative to the current directory)
    toolchain: str  # go1.23.9
    platform: str  # "linux/amd64", or "" for the host
    before: Side
    after: Side
    worse: bool = False
    why: str = ""  # when worse: the new failure

    @property
    def column(self) -> str:
        return f"{self.toolchain} {self.platform}".strip()

    def to_json(self) -> dict:
        d = {"package": self.package, "toolchain": self.toolchain, "platform": self.platform or None,
             "before": self.before.to_json(), "after": self.after.to_json(), "worse": self.worse}
        if self.why:
            d["why"] = self.why
        return d


@dataclass
class Report:
    """The verification matrix, plus what was withdrawn because of it."""

    toolchains: list[Toolchain] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    withdrawn: dict[str, str] = field(default_factory=dict)  # package -> why
    withdrawn_files: list[str] = field(default_factory=list)
    # package -> the fixes withdrawn there, each {rule, path, line, description, why}; with
    # ``kept`` the number of that package's fixes still written (0: the whole package's).
    withdrawn_fixes: dict[str, list[dict]] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    directories: dict[str, Path] = field(default_factory=dict)  # package as displayed -> directory

    @property
    def packages(self) -> list[str]:
        return sorted({c.package for c in self.cells})

    @property
    def clean(self) -> bool:
        """Every cell verified, none worse, and every package builds after."""
        return all(not c.worse and c.after.status == OK for c in self.cells)

    def to_json(self) -> dict:
        return {
            "toolchains": [{"version": t.version, "goroot": str(t.goroot), "found": t.found}
                           for t in self.toolchains],
            "platforms": self.platforms or None,
            "cells": [c.to_json() for c in self.cells],
            "withdrawn": [{"package": p, "why": w, "fixes": self.withdrawn_fixes.get(p, []),
                           "kept": self.kept.get(p, 0)} for p, w in sorted(self.withdrawn.items())],
            "withdrawn_files": self.withdrawn_files,
            "clean": self.clean,
        }

    def to_text(self) -> str:
        """``package  column: before -> after`` lines, then the withdrawals."""
        if not self.cells:
            return "verify: no package changed, nothing to verify\n"
        cols = sorted({c.column for c in self.cells}, key=lambda s: (_version_key(s.split()[0]), s))
        lines = [f"verify: {len(self.packages)} package(s) x {', '.join(cols)} (before -> after)"]
        width = max(len(p) for p in self.packages)
        for pkg in self.packages:
            mine = {c.column: c for c in self.cells if c.package == pkg}
            parts = []
            for col in cols:
                c = mine.get(col)
                if c is None:
                    continue
                mark = "  WORSE" if c.worse else ""
                parts.append(f"{col}: {_short(c.before)} -> {_short(c.after)}{mark}")
            lines.append(f"  {pkg:<{width}}  " + "; ".join(parts))
        for c in self.cells:
            if c.after.status == CANNOT:
                lines.append(f"  {c.package} ({c.column}): cannot verify: {_first_line(c.after.message)}")
        for pkg, why in sorted(self.withdrawn.items()):
            lines.append(f"  withdrawn: {pkg}: " + why.replace("\n", "\n      "))
            fixes = self.withdrawn_fixes.get(pkg, [])
            kept = self.kept.get(pkg, 0)
            if kept:
                lines.append(f"    {len(fixes)} fix(es) withdrawn, {kept} other fix(es) of {pkg} verified and kept:")
            for fx in fixes:
                lines.append(f"    {fx['rule']} {fx['path']}:{fx['line']}: {fx['description']}")
                if kept and fx.get("why") and fx["why"] != why:
                    lines.append("      " + fx["why"].replace("\n", "\n      "))
        return "\n".join(lines) + "\n"


def _short(side: Side) -> str:
    if side.status == FAIL:
        return f"fail({side.step})"
    return side.status


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            return line.strip()
    return text.strip()


# --- running the go command -----------------------------------------------------------------

# What the go command says when it would need the network or another toolchain.
_UNRESOLVABLE = re.compile(
    r"cannot find module providing package|no required module provides package|"
    r"missing go\.sum entry|module lookup disabled by GOPROXY=off|"
    r"go: updates to go\.mod needed|requires go >= |go\.mod requires go >=|"
    r"cannot query module due to -mod=vendor|is not in std|inconsistent vendoring|"
    r"go: errors parsing go\.mod|unknown directive|invalid go version|"
    r"build constraints exclude all Go files")


def _user_gocache() -> str | None:
    if os.environ.get("GOCACHE"):
        return os.environ["GOCACHE"]
    return None  # the go command's own default, which is the user's


def go_env(t: Toolchain, platform: str, vendored: bool) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("GOFLAGS", "GOOS", "GOARCH", "GOWORK"):
        env.pop(k, None)
    env.update(GOROOT=str(t.goroot), GOTOOLCHAIN="local", GOPROXY="off", GOWORK="off",
               GOTELEMETRY="off", GONOSUMDB="*", GONOSUMCHECK="1", GOSUMDB="off")
    if not vendored:
        # Lets the go command complete go.sum from the module cache; it still cannot download.
        env["GOFLAGS"] = "-mod=mod"
    if platform:
        goos, goarch = platform.split("/")
        env.update(GOOS=goos, GOARCH=goarch, CGO_ENABLED="0")
    env["PATH"] = str(t.goroot / "bin") + os.pathsep + env.get("PATH", "")
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=GO_TIMEOUT)
    except subprocess.TimeoutExpired:
        return 1, f"{' '.join(cmd[:2])}: timed out after {GO_TIMEOUT}s"
    except OSError as e:
        return 1, f"{cmd[0]}: {e.strerror or e}"
    return p.returncode, p.stdout


@dataclass
class _Outcome:
    """What each step said about one package in one copy."""

    steps: dict[str, tuple[int, str]]  # step -> (exit code, output)

    def side(self) -> Side:
        for step in STEPS:
            rc, out = self.steps.get(step, (0, ""))
            if rc != 0:
                if _UNRESOLVABLE.search(out):
                    return Side(CANNOT, step, _trim(out))
                return Side(FAIL, step, _trim(out))
        return Side(OK)


def _trim(out: str, limit: int = 12) -> str:
    """The toolchain's output without blank lines and the go command's ``# package`` headers."""
    lines = [ln for ln in out.strip().splitlines() if ln.strip() and not ln.startswith("# ")]
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more lines)"]
    return "\n".join(lines)


def _check_package(t: Toolchain, platform: str, root: Path, rel: str, is_main: bool,
                   vendored: bool) -> _Outcome:
    env = go_env(t, platform, vendored)
    go = str(t.go)
    pkg = "./" + rel if rel != "." else "."
    steps: dict[str, tuple[int, str]] = {}
    if is_main:
        steps["build"] = _run([go, "build", "-o", os.devnull, pkg], root, env)
    else:
        steps["build"] = _run([go, "build", "-o", os.devnull, f"./{_LINK_DIR}/{_link_name(rel)}"], root, env)
    if steps["build"][0] != 0:
        # The test binary and vet compile the same package: they would say the same again.
        return _Outcome(steps)
    steps["test"] = _run([go, "test", "-c", "-o", os.devnull, pkg], root, env)
    steps["vet"] = _run([go, "vet", pkg], root, env)
    return _Outcome(steps)


_LINK_DIR = "gofix_linkname_verify"


def _link_name(rel: str) -> str:
    return "p_" + re.sub(r"[^A-Za-z0-9]", "_", rel)


# --- copies of the module -------------------------------------------------------------------


def module_root(directory: Path) -> Path | None:
    for d in [directory, *directory.parents]:
        if (d / "go.mod").is_file():
            return d
    return None


def _module_path(root: Path) -> str | None:
    try:
        text = (root / "go.mod").read_text("utf-8", "replace")
    except OSError:
        return None
    m = re.search(r"(?m)^\s*module\s+\"?([^\s\"]+)", text)
    return m.group(1) if m else None


_REPLACE_LOCAL = re.compile(r"(=>\s*)(\.\.?(?:/[^\s]*)?)(\s|$)")


def _absolute_replaces(go_mod: Path, original_root: Path) -> None:
    """Relative ``replace ... => ../x`` targets point outside the copy: make them absolute."""
    text = go_mod.read_text("utf-8", "replace")
    new = _REPLACE_LOCAL.sub(lambda m: m.group(1) + str((original_root / m.group(2)).resolve()) + m.group(3),
                             text)
    if new != text:
        go_mod.write_text(new, "utf-8")


def _copy_module(root: Path, dest: Path) -> None:
    def ignore(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if n in (".git", ".hg", ".svn", "node_modules")]

    shutil.copytree(root, dest, symlinks=True, ignore=ignore)
    _absolute_replaces(dest / "go.mod", root)


def _is_main(files: dict[str, bytes]) -> bool:
    for name, data in files.items():
        if name.endswith(".go") and not name.endswith("_test.go"):
            m = re.search(rb"(?m)^package\s+(\w+)", data)
            if m:
                return m.group(1) == b"main"
    return False


def _package_files(directory: Path) -> dict[str, bytes]:
    out = {}
    try:
        for p in directory.iterdir():
            if p.suffix == ".go" and p.is_file():
                out[p.name] = p.read_bytes()
    except OSError:
        pass
    return out


def _written_lines(before: bytes | None, after: bytes | None) -> set[int]:
    """1-based lines of ``after`` that the fixes wrote."""
    if after is None:
        return set()
    new = after.decode("utf-8", "replace").split("\n")
    if before is None:
        return set(range(1, len(new) + 1))
    old = before.decode("utf-8", "replace").split("\n")
    lines: set[int] = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            lines.update(range(j1 + 1, j2 + 1))
    return lines


_DIAG = re.compile(r"^(?:vet: )?(?:\./)?([^\s:]+\.go):(\d+)(?::\d+)?: (.*)$")


def _new_diagnostics(before_out: str, after_out: str, written: dict[str, set[int]]) -> list[str]:
    """Diagnostics of ``after_out`` on a written line whose words ``before_out`` lacks."""
    said = set()
    for line in before_out.splitlines():
        m = _DIAG.match(line.strip())
        if m:
            said.add((Path(m.group(1)).name, m.group(3)))
    new = []
    for line in after_out.splitlines():
        m = _DIAG.match(line.strip())
        if not m:
            continue
        name, num, msg = Path(m.group(1)).name, int(m.group(2)), m.group(3)
        if num in written.get(name, set()) and (name, msg) not in said:
            new.append(line.strip())
    return new


def _compare(before: _Outcome, after: _Outcome, written: dict[str, set[int]]) -> tuple[bool, str]:
    """Whether ``after`` is worse than ``before``, and the failure that makes it so."""
    if any(rc != 0 and _UNRESOLVABLE.search(out) for rc, out in before.steps.values()):
        return False, ""
    for step in STEPS:
        # A step skipped after a failed build failed for the build's reasons.
        b_rc, b_out = before.steps.get(step, before.steps["build"])
        a_rc, a_out = after.steps.get(step, after.steps["build"])
        if a_rc == 0:
            continue
        if b_rc == 0:
            return True, f"{step}: {_trim(a_out, 6)}"
        fresh = _new_diagnostics(b_out, a_out, written)
        if fresh:
            return True, f"{step}: " + "\n".join(fresh[:6])
    return False, ""


def _gofmt_problems(t: Toolchain, root: Path, names: list[Path]) -> list[str]:
    files = [str(p) for p in names if p.is_file()]
    if not files or not t.gofmt.is_file():
        return []
    rc, out = _run([str(t.gofmt), "-l", *files], root, go_env(t, "", True))
    return [Path(x).relative_to(root).as_posix() if Path(x).is_absolute() else x
            for x in out.split() if x.endswith(".go")]


# --- the run --------------------------------------------------------------------------------


@dataclass
class _Package:
    directory: Path  # in the user's tree
    root: Path  # its module root in the user's tree
    rel: str  # directory relative to the module root
    display: str


def verify(changes: dict[Path, tuple[bytes | None, bytes | None]], chains: list[Toolchain],
           platforms: list[str] | None = None, display=str, jobs: int | None = None) -> Report:
    """Build every package ``changes`` touch, before and after, on each toolchain and platform."""
    report = Report(toolchains=list(chains), platforms=list(platforms or []))
    plats = list(platforms or [""])
    packages: dict[Path, _Package] = {}
    no_module: list[Path] = []
    for path in changes:
        if path.suffix != ".go":
            continue
        directory = path.parent.resolve()
        if directory in packages:
            continue
        root = module_root(directory)
        if root is None:
            no_module.append(directory)
            continue
        rel = directory.relative_to(root).as_posix()
        packages[directory] = _Package(directory, root, rel, display(path.parent))
        report.directories[display(path.parent)] = directory
    for directory in sorted(set(no_module)):
        for t in chains:
            for plat in plats:
                side = Side(CANNOT, "", "not in a Go module (no go.mod above it)")
                report.cells.append(Cell(display(directory), t.version, plat, side, side))
    if not packages:
        return report

    with tempfile.TemporaryDirectory(prefix="gofix-verify-") as tmp:
        copies: dict[Path, tuple[Path, Path]] = {}
        for n, root in enumerate(sorted({p.root for p in packages.values()})):
            before, after = Path(tmp) / f"m{n}" / "before", Path(tmp) / f"m{n}" / "after"
            _copy_module(root, before)
            _copy_module(root, after)
            for path, (_, new) in changes.items():
                try:
                    rel = path.resolve().relative_to(root)
                except ValueError:
                    continue
                target = after / rel
                if new is None:
                    target.unlink(missing_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(new)
            module = _module_path(before) or "example.invalid/m"
            for copy in (before, after):
                for pkg in packages.values():
                    if pkg.root == root:
                        main = copy / _LINK_DIR / _link_name(pkg.rel)
                        main.mkdir(parents=True, exist_ok=True)
                        imp = module if pkg.rel == "." else f"{module}/{pkg.rel}"
                        (main / "main.go").write_text(f'package main\n\nimport _ "{imp}"\n\nfunc main() {{}}\n')
            copies[root] = (before, after)

        jobs_list = []
        for pkg in packages.values():
            before_root, after_root = copies[pkg.root]
            for t in chains:
                for plat in plats:
                    jobs_list.append((pkg, t, plat, before_root, after_root))

        def one(job):
            pkg, t, plat, before_root, after_root = job
            vendored = (before_root / "vendor" / "modules.txt").is_file()
            b_files = _package_files(before_root / pkg.rel)
            a_files = _package_files(after_root / pkg.rel)
            b = _check_package(t, plat, before_root, pkg.rel, _is_main(b_files), vendored)
            a = _check_package(t, plat, after_root, pkg.rel, _is_main(a_files), vendored)
            return pkg, t, plat, b, a

        workers = jobs or max(2, min(4, os.cpu_count() or 2))
        results = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            for r in pool.map(one, jobs_list):
                results.append(r)

        newest = max(chains, key=Toolchain.sort_key) if chains else None
        for pkg, t, plat, b, a in results:
            written = {}
            changed_names = []
            for path, (old, new) in changes.items():
                if path.parent.resolve() == pkg.directory and path.suffix == ".go":
                    written[path.name] = _written_lines(old, new)
                    if new is not None:
                        changed_names.append(path.name)
            worse, why = _compare(b, a, written)
            b_side, a_side = b.side(), a.side()
            if b_side.status == CANNOT:
                a_side = Side(CANNOT, a_side.step, a_side.message or b_side.message)
            cell = Cell(pkg.display, t.version, plat, b_side, a_side, worse, why)
            report.cells.append(cell)
        # gofmt once per package: formatting does not depend on the release building it.
        if newest is not None:
            for pkg in packages.values():
                _, after_root = copies[pkg.root]
                before_root = copies[pkg.root][0]
                names = [path.name for path, (_, new) in changes.items()
                         if path.parent.resolve() == pkg.directory and path.suffix == ".go" and new is not None]
                after_bad = set(_gofmt_problems(newest, after_root / pkg.rel,
                                                [after_root / pkg.rel / n for n in names]))
                before_bad = set(_gofmt_problems(newest, before_root / pkg.rel,
                                                 [before_root / pkg.rel / n for n in names]))
                fresh = sorted(after_bad - before_bad)
                if fresh:
                    why = f"gofmt -l ({newest.version}) lists {', '.join(fresh)} after the fixes"
                    for c in report.cells:
                        if c.package == pkg.display and not c.worse:
                            c.worse, c.why = True, f"gofmt: {why}"
                            if c.after.status == OK:
                                c.after = Side(FAIL, "gofmt", why)
    for c in report.cells:
        if c.worse and c.package not in report.withdrawn:
            # gofmt runs once per package, whatever the toolchain column.
            where = "" if c.why.startswith("gofmt:") else f"worse on {c.column}: "
            report.withdrawn[c.package] = where + c.why
    report.cells.sort(key=lambda c: (c.package, _version_key(c.toolchain), c.platform))
    return report


def withdraw(changes: dict[Path, tuple[bytes | None, bytes | None]], fix_paths: list[set[Path]],
             bad_dirs: set[Path]) -> set[Path]:
    """The files to leave unwritten: every change in ``bad_dirs``, and, since a fix applies
    whole or not at all, every change in a directory a fix shares with a withdrawn one."""
    bad = {d.resolve() for d in bad_dirs}
    grew = True
    while grew:
        grew = False
        for touched in fix_paths:
            dirs = {p.parent.resolve() for p in touched}
            if dirs & bad and not dirs <= bad:
                bad |= dirs
                grew = True
    return {p for p in changes if p.parent.resolve() in bad}


def check_run(result, chains: list[Toolchain], platforms: list[str] | None, display=str,
              rerun=None) -> Report:
    """Verify ``result.changes`` (an engine RunResult) and withdraw what made a build worse:
    those changes leave ``result.changes`` and their findings stop counting as fixed.

    With ``rerun(paths, withheld)`` (the engine run again on ``paths`` with the fixes whose keys
    are in ``withheld`` not applied), a package that got worse loses only the fixes that make
    it worse: they are found by building the package with halves of its fixes (bisection),
    and the rest is written once the package with them alone verifies no worse on every
    toolchain and platform.  Otherwise, or when that fails, the package's fixes all go."""
    report = verify(result.changes, chains, platforms, display=display)
    bad_dirs = {report.directories[p] for p in report.withdrawn if p in report.directories}
    whole: set[Path] = set()
    for directory in sorted(bad_dirs):
        pkg = next(p for p, d in report.directories.items() if d == directory)
        mine = [f for f in result.findings if result.fixed(f) and f.path.parent.resolve() == directory]
        narrowed = None
        if rerun is not None and len(mine) > 1 and all(
                p.parent.resolve() == directory for f in mine for p in f.fix.touches()):
            narrowed = _narrow(result, report, pkg, directory, mine, chains, platforms, display, rerun)
        if narrowed is None:
            whole.add(directory)
            report.withdrawn_fixes[pkg] = [_fix_entry(f, "", display) for f in mine]
            continue
        culprits, changes = narrowed
        result.withdrawn_fixes |= {result.fix_key_of(f) for f, _ in culprits}
        report.withdrawn_fixes[pkg] = [_fix_entry(f, why, display) for f, why in culprits]
        report.kept[pkg] = len(mine) - len(culprits)
        mine_before = {p for p in result.changes if p.parent.resolve() == directory}
        for p in mine_before - set(changes):
            del result.changes[p]
        result.changes.update(changes)
        report.withdrawn_files += sorted(display(p) for p in mine_before - set(changes))
    if whole:
        touched = [fx.touches() for _, fx in result.applied]
        dropped = withdraw(result.changes, touched, whole)
        result.withdrawn = {p.parent.resolve() for p in dropped} | whole
        report.withdrawn_files += sorted(display(p) for p in dropped)
        result.changes = {p: c for p, c in result.changes.items() if p not in dropped}
    report.withdrawn_files.sort()
    return report


def _fix_entry(f, why: str, display) -> dict:
    entry = {"rule": f.rule, "path": display(f.path), "line": f.span.line, "description": f.fix.description}
    if why:
        entry["why"] = why
    return entry


def _narrow(result, report: Report, pkg: str, directory: Path, mine: list, chains: list[Toolchain],
            platforms: list[str] | None, display, rerun):
    """The fixes of ``mine`` (one package's) that make it worse, each with the toolchain's
    words, and the package's changes without them; None when no such split verifies."""
    worse_cols = {(c.toolchain, c.platform) for c in report.cells if c.package == pkg and c.worse}
    sub_chains = [t for t in chains if any(t.version == v for v, _ in worse_cols)] or list(chains)
    sub_plats = sorted({p for _, p in worse_cols}) if platforms else None
    paths = sorted({str(f.path) for f in mine} | {
        str(p) for p, (old, _) in result.changes.items() if old is not None and p.parent.resolve() == directory})
    keys = {id(f): result.fix_key_of(f) for f in mine}

    def trial(applied: list, every_column: bool = False):
        """(worse, why, the package's changes) with only ``applied`` of ``mine`` applied."""
        withheld = frozenset(keys[id(f)] for f in mine if f not in applied)
        run = rerun(paths, withheld)
        if run.has_errors:
            return True, "; ".join(p.message for p in run.problems if p.error), {}
        changes = {p: c for p, c in run.changes.items() if p.parent.resolve() == directory}
        if not changes:
            return False, "", {}
        rep = verify(changes, chains if every_column else sub_chains,
                     platforms if every_column else sub_plats, display=display)
        why = next((w for w in rep.withdrawn.values()), "")
        return bool(rep.withdrawn), why, changes

    def culprits(applied: list) -> list:
        worse, why, _ = trial(applied)
        if not worse:
            return []
        if len(applied) == 1:
            return [(applied[0], why)]
        half = len(applied) // 2
        return culprits(applied[:half]) + culprits(applied[half:])

    found = culprits(mine)
    if not found:
        return None  # worse only all together, or not reproduced: the package's fixes all go
    bad = {id(f) for f, _ in found}
    worse, _, changes = trial([f for f in mine if id(f) not in bad], every_column=True)
    if worse:
        return None
    return found, changes
