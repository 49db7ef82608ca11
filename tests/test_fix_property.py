"""The property behind "every fix is sound": for generated modules (mixes of pulls, import
layouts, build lines, CRLF, files and directories already holding the names a fix would pick),
``--apply --unsafe-fixes`` leaves a module that builds and links wherever it built before (and
everywhere once no error is left), is ``go vet``- and ``gofmt -l``-clean, and that a second
run does not change.

Each example is one module with several ``main`` packages, so one ``go build ./...`` per release
judges them all (and links them: ``main`` packages).  CI runs a few examples on Go 1.21, 1.23
and 1.27; ``--all-releases`` runs more on every release.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.e2e import gofix, gofmt_dirty
from tests.gotoolchains import CI_RELEASES, RELEASES, run_go


@dataclass(frozen=True)
class Pull:
    local: str
    target: str
    signature: str  # after the name: a function's parameters and results, a variable's type
    use: str  # an expression of type bool
    kind: str = "func"  # or "var": a variable pull


POOL = [
    Pull("nanotime", "runtime.nanotime", "() int64", "nanotime() > 0"),
    Pull("fastrand", "runtime.fastrand", "() uint32", "fastrand()%6 < 6"),
    Pull("fastrandn", "runtime.fastrandn", "(n uint32) uint32", "fastrandn(10) < 10"),
    Pull("fastrand64", "runtime.fastrand64", "() uint64", "fastrand64()|1 != 0"),
    Pull("fastrandu", "runtime.fastrandu", "() uint", "fastrandu()|1 != 0"),  # gone from 1.22
    Pull("cheaprand", "runtime.cheaprand", "() uint32", "cheaprand()|1 != 0"),  # new in 1.22
    Pull("gcount", "runtime.gcount", "() int32", "gcount() > 0"),  # refused from 1.23
    # Named like platforms and like a test file: the split must not create s_linux.go.
    Pull("linux", "runtime.fastrandu", "() uint", "linux()|1 != 0"),
    Pull("test", "runtime.cheaprand", "() uint32", "test()|1 != 0"),
    # Variable pulls: one with a public replacement (gone from 1.25, refused from 1.23), one
    # the 1.23+ linker allows (the runtime marks it), two refused from 1.23 with no replacement.
    Pull("ncpu", "runtime.ncpu", " int32", "ncpu > 0", "var"),
    Pull("iscgo", "runtime.iscgo", " bool", "iscgo || !iscgo", "var"),
    Pull("physPageSize", "runtime.physPageSize", " uintptr", "physPageSize >= 0", "var"),
    Pull("buildVersion", "runtime.buildVersion", " string", "len(buildVersion) >= 0", "var"),
]

LAYOUTS = ("single", "grouped", "grouped-gap", "two-lines")
BUILD_LINES = (None, "go1.21", "!purego", "go1.21 && !purego")
# A ``// +build`` line glued to the package clause: go/build ignores it (it would drop the file).
MISPLACED = "// +build ignore"
# Names the fixes may pick for new files next to pulls.go, created beforehand as Go files,
# in another letter case, or as directories.
TAKEN = ("pulls_go122.go", "pulls_go123.go", "pulls_before_go122.go", "pulls_linkname.go",
         "pulls_fastrandu_go122.go", "pulls_cheaprand.go", "pulls_gcount.go",
         "pulls_gcount_go123.go", "pulls_fastrandu.go", "pulls_linux.go", "pulls_linux_go122.go",
         "pulls_test_go122.go", "pulls_physpagesize.go", "pulls_physPageSize_go123.go",
         "pulls_buildversion_go123.go", "pulls_ncpu.go")


@dataclass(frozen=True)
class Package:
    pulls: tuple[Pull, ...]
    layout: str
    build: str | None
    crlf: bool
    detached: bool  # a blank line between the first directive and its function
    doc: bool  # doc comments on the pulls
    token: bool  # a security use of the first random pull
    loop: bool  # the clock read in a loop
    taken: tuple[tuple[str, str], ...]  # (name, "file" | "upper" | "dir")
    # A ``// +build`` line glued to the package clause (no blank line after it): go/build
    # ignores it, so the file is built; a fix must not make it count ("ignore" would drop it).
    misplaced_plus_build: bool = False


packages = st.builds(
    Package,
    pulls=st.lists(st.sampled_from(POOL), min_size=1, max_size=4, unique_by=lambda p: p.local).map(tuple),
    layout=st.sampled_from(LAYOUTS),
    build=st.sampled_from(BUILD_LINES),
    crlf=st.booleans(),
    detached=st.booleans(),
    doc=st.booleans(),
    token=st.booleans(),
    loop=st.booleans(),
    taken=st.lists(st.tuples(st.sampled_from(TAKEN), st.sampled_from(("file", "upper", "dir"))),
                   max_size=3, unique_by=lambda t: t[0]).map(tuple),
    misplaced_plus_build=st.booleans(),
)
modules = st.tuples(st.sampled_from(("1.16", "1.21", "1.22")),
                    st.lists(packages, min_size=1, max_size=4))


def pulls_file(pkg: Package, go: str) -> str:
    lines = []
    if pkg.build:
        lines.append(f"//go:build {pkg.build}")
        if go == "1.16":
            lines.append("// +build " + pkg.build.replace(" && ", ","))
        lines.append("")
    if pkg.misplaced_plus_build:
        lines.append(MISPLACED)
    lines += ["package main", ""]
    uses_fmt = pkg.layout != "single"
    if pkg.layout == "single":
        lines += ['import _ "unsafe"']
    elif pkg.layout == "grouped":
        lines += ["import (", '\t"fmt"', '\t_ "unsafe"', ")"]
    elif pkg.layout == "grouped-gap":
        lines += ["import (", '\t"fmt"', "", '\t_ "unsafe"', ")"]
    else:
        lines += ['import "fmt"', 'import _ "unsafe"']
    lines.append("")
    if uses_fmt:
        lines += ["var describe = fmt.Sprint", ""]
    for i, p in enumerate(pkg.pulls):
        if pkg.doc:
            # gofmt's doc comment form: the text, a bare //, then the directive.
            lines += [f"// {p.local} is the runtime's {p.target.split('.')[1]}.", "//"]
        lines.append(f"//go:linkname {p.local} {p.target}")
        if pkg.detached and i == 0:
            lines.append("")
        lines += [f"{p.kind} {p.local}{p.signature}", ""]
    rand = next((p for p in pkg.pulls if p.target in ("runtime.fastrand", "runtime.cheaprand")), None)
    if pkg.token and rand is not None:
        lines += ["func newSessionToken() uint32 {", f"\treturn uint32({rand.local}())", "}", ""]
    clock = next((p for p in pkg.pulls if p.local == "nanotime"), None)
    if pkg.loop and clock is not None:
        lines += ["func spin(n int) int64 {", "\tvar sum int64", "\tfor i := 0; i < n; i++ {",
                  "\t\tsum += nanotime() / 1e9", "\t}", "\treturn sum", "}", ""]
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text.replace("\n", "\r\n") if pkg.crlf else text


def main_file(pkg: Package) -> str:
    uses = [p.use for p in pkg.pulls]
    if pkg.token and any(p.target in ("runtime.fastrand", "runtime.cheaprand") for p in pkg.pulls):
        uses.append("newSessionToken()|1 != 0")
    if pkg.loop and any(p.local == "nanotime" for p in pkg.pulls):
        uses.append("spin(3) >= 0")
    if pkg.layout != "single":
        uses.append('describe(1) == "1"')
    return "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(" + ", ".join(uses) + ")\n}\n"


def write(root, go: str, pkgs: list[Package]) -> None:
    root.mkdir(parents=True)
    (root / "go.mod").write_text(f"module example.com/gen\n\ngo {go}\n")
    for i, pkg in enumerate(pkgs):
        d = root / f"p{i}"
        d.mkdir()
        (d / "main.go").write_text(main_file(pkg))
        (d / "pulls.go").write_bytes(pulls_file(pkg, go).encode())
        for j, (name, how) in enumerate(pkg.taken):
            if how == "dir":
                (d / name).mkdir()
                (d / name / "README").write_text("not Go\n")
            else:
                (d / (name.upper().replace(".GO", ".go") if how == "upper" else name)).write_text(
                    f"package main\n\nvar taken{j} = {len(name)}\n")


# Counts for the record: GOFIX_PROPERTY_STATS=FILE appends one JSON line per example (its
# release range, packages, pulls, and how many times the go command ran).
_GO_RUNS = [0]


def go_cmd(release: str, args: list[str], root):
    _GO_RUNS[0] += 1
    return run_go(release, args, root)


def record(go_line: str, pkgs: list[Package], runs_before: int) -> None:
    import os
    out = os.environ.get("GOFIX_PROPERTY_STATS")
    if out:
        with open(out, "a") as f:
            f.write(json.dumps({"go": go_line, "packages": len(pkgs),
                                "pulls": sum(len(p.pulls) for p in pkgs),
                                "go_runs": _GO_RUNS[0] - runs_before}) + "\n")


def builds(release: str, root) -> tuple[bool, str]:
    p = go_cmd(release, ["build", "-o", "/dev/null", "./..."], root)
    return p.returncode == 0, p.stdout


def vet_messages(release: str, root) -> set[str] | None:
    """What ``go vet`` says, positions left out; None when it is content."""
    import re
    p = go_cmd(release, ["vet", "./..."], root)
    if p.returncode == 0:
        return None
    return {re.sub(r"^\S+?:\d+:\d+: ", "", line) for line in p.stdout.splitlines() if not line.startswith("#")}


def formatting_dirty(release: str, root) -> list[str]:
    """``gofmt -l``, with the generated misplaced ``// +build`` lines left out: gofmt itself
    would move such a line into the header, where it counts (it is never gofmt-clean), so
    what must be clean is the rest."""
    import shutil
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "m"
        shutil.copytree(root, copy, symlinks=True)
        for p in copy.rglob("*.go"):
            if p.is_file():
                data = p.read_bytes()
                p.write_bytes(data.replace(MISPLACED.encode() + b"\r\n", b"").replace(MISPLACED.encode() + b"\n", b""))
        return gofmt_dirty(release, copy)


def check_module(root, go: str, releases, vet_dirty_before: bool = False) -> None:
    """``vet_dirty_before``: the module as generated may already trip go vet (a misplaced
    ``// +build`` line does: "misplaced +build comment"); then vet after must say nothing new."""
    releases = [r for r in releases if tuple(map(int, r.split("."))) >= tuple(map(int, go.split(".")))]
    before = {r: builds(r, root)[0] for r in releases}
    vet_before = {r: vet_messages(r, root) for r in releases} if vet_dirty_before else {}
    applied = gofix(root, "--apply", "--unsafe-fixes", ".")
    assert applied.returncode in (0, 1), applied.stdout + applied.stderr
    again = gofix(root, "--unsafe-fixes", "--format", "json", ".")
    left = json.loads(again.stdout)
    errors_left = [f for f in left["findings"] if f["severity"] == "error"]
    for r in releases:
        ok, out = builds(r, root)
        if before[r] or not errors_left:
            assert ok, f"Go {r} (built before: {before[r]}):\n{out}\n{applied.stdout}"
        if ok:
            vet = go_cmd(r, ["vet", "./..."], root)
            if vet.returncode != 0 and vet_before.get(r):
                new = vet_messages(r, root) - vet_before[r]
                assert not new, f"go vet {r} says something new:\n{vet.stdout}\n{applied.stdout}"
            else:
                assert vet.returncode == 0, f"go vet {r}:\n{vet.stdout}\n{applied.stdout}"
    assert formatting_dirty(releases[-1], root) == [], applied.stdout
    diff = gofix(root, "--diff", "--unsafe-fixes", ".")
    assert diff.stdout == "", f"a second run changes files:\n{diff.stdout}"


# No shrinking: each example runs the go command a dozen times, and a failing example's
# module is small enough to read as generated.
_COMMON = dict(deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def check_generated(tmp_path_factory, module, releases):
    go_line, pkgs = module
    root = tmp_path_factory.mktemp("gen") / "m"
    write(root, go_line, pkgs)
    runs = _GO_RUNS[0]
    check_module(root, go_line, releases, any(p.misplaced_plus_build for p in pkgs))
    record(go_line, pkgs, runs)


@pytest.mark.go
@settings(max_examples=3, derandomize=True, **_COMMON)
@given(module=modules)
def test_fixes_are_sound_on_ci_releases(tmp_path_factory, module):
    check_generated(tmp_path_factory, module, CI_RELEASES)


@pytest.mark.slow
@settings(max_examples=30, **_COMMON)
@given(module=modules)
def test_fixes_are_sound_on_every_release(tmp_path_factory, module):
    check_generated(tmp_path_factory, module, list(RELEASES))
