"""The knowledge base against the real linker: its status of a pull equals what ``go build`` says.

CI (default run): the releases of ``CI_RELEASES``.  Slow (``--all-releases``): the others too.
Every disagreement is a bug in the generator or a linker rule modeled wrongly.

Function pulls are judged by building them (tests/linker_oracle.py).  Variable pulls only
where the variable exists: a pull of a removed variable defines a new one and links, so the
knowledge base says "undefined" there on purpose (checked against the sources below).
"""
from __future__ import annotations

import re

import pytest

from codemod import knowledge as kb
from tests import linker_oracle
from tests.gotoolchains import CI_RELEASES, RELEASES, goroot

# A fixed mix of function targets, pulled from package main on linux/amd64.
PUSHED = [
    "runtime.nanotime", "runtime.fastrand", "runtime.fastrandn", "runtime.fastrand64",
    "runtime.memhash", "runtime.procPin", "runtime.procUnpin", "sync.runtime_canSpin",
    "sync.runtime_doSpin", "sync.runtime_Semacquire", "sync.runtime_Semrelease", "time.now",
    "time.Sleep", "reflect.typelinks", "reflect.unsafe_New", "reflect.resolveTypeOff",
    "runtime.mapiterinit", "runtime.mapiternext", "runtime.typedmemmove", "runtime.stringHash",
    "runtime.gopark", "runtime.goready", "runtime.mallocgc", "runtime.throw",
    "runtime.entersyscall", "runtime.exitsyscall", "runtime.growslice", "runtime.gostring",
    "syscall.runtime_envs", "os.runtime_args", "internal/poll.runtime_pollOpen", "runtime.cgocall",
]
ASSEMBLY = [   # pushed or not, implemented in assembly (or wrappers of it)
    "runtime.memequal", "runtime.memmove", "runtime.cputicks", "runtime.morestack_noctxt",
    "runtime.memclrNoHeapPointers", "runtime.rt0_go", "runtime.call16", "runtime.asmcgocall",
    "runtime.publicationBarrier", "internal/bytealg.IndexByte", "internal/bytealg.IndexByteString",
    "syscall.rawSyscallNoError", "syscall.Syscall", "runtime.usleep", "runtime.osyield",
    "runtime.nanotime1",
]
UNPUSHED = [
    "runtime.gcount", "runtime.stopTheWorld", "runtime.goexit1", "runtime.lock", "runtime.unlock",
    "runtime.findnull", "runtime.printlock", "runtime.roundupsize", "runtime.fatal",
    "runtime.bool2int", "strings.Index", "fmt.Println", "os.Getenv", "errors.New",
    "sync.(*Mutex).Lock", "time.Time.Unix",
    "runtime.newobject", "runtime.assertE2I2",   # compiler builtins: unchecked by the 1.23 linker
]
BLOCKED_LIST = [
    "runtime.coroswitch", "runtime.newcoro", "runtime.getStaticuint64s", "time.runtimeNano",
    "time.runtimeNow", "sync.runtime_SemacquireWaitGroup", "internal/weak.runtime_registerWeakPointer",
    "runtime.addmoduledata", "runtime.mapaccess1_faststr",
    "internal/cpu.riscvHWProbe",   # listed from 1.25, defined on linux/riscv64 only: still "blocked"
]
REMOVED_OR_ADDED = [
    "runtime.fastrandu", "runtime.addtimer", "runtime.deltimer", "runtime.atoi",
    "runtime.overLoadFactor", "runtime.cheaprand", "runtime.rand", "runtime.cheaprandn",
]
NOWHERE = [
    "runtime.getg", "runtime.getcallerpc", "slices.Sort", "runtime.walltime", "runtime.load_g",
    "syscall.syscall", "syscall.loadsystemlibrary", "net.runtime_pollOpen", "runtime.no_such_symbol",
]
FUNC_TARGETS = PUSHED + ASSEMBLY + UNPUSHED + BLOCKED_LIST + REMOVED_OR_ADDED + NOWHERE

# Platform-specific targets, cross-built like `oracle.py --platform`.
CROSS = {
    "linux/arm64": ["runtime.walltime", "runtime.load_g", "runtime.nanotime1", "syscall.rawSyscallNoError",
                    "runtime.cputicks", "runtime.memequal"],
    "darwin/arm64": ["runtime.walltime", "syscall.syscall", "syscall.rawSyscallNoError", "runtime.nanotime1",
                     "runtime.load_g"],
    "windows/amd64": ["runtime.walltime", "syscall.loadsystemlibrary", "runtime.usleep", "syscall.Syscall",
                      "runtime.nanotime1", "runtime.osyield"],
}

# Variables: judged by a build only where they exist (see module doc).
VAR_TARGETS = ["runtime.ncpu", "runtime.vdsoClockgettimeSym", "runtime.writeBarrier", "os.Args",
               "runtime.buildVersion", "runtime.zerobase", "syscall.envs"]


def test_the_mix_is_big_enough():
    assert len(set(FUNC_TARGETS)) == len(FUNC_TARGETS) >= 60


def _disagreements(release: str) -> tuple[list[str], int]:
    """Compare every pull of the mix under ``release``; returns (disagreements, comparisons)."""
    checks: list[tuple[str, str, str, str]] = []     # (kind, target, platform, kb status)
    for t in FUNC_TARGETS:
        checks.append(("func", t, "linux/amd64", kb.lookup(t, release).status))
    for platform, targets in CROSS.items():
        goos, goarch = platform.split("/")
        for t in targets:
            checks.append(("func", t, platform, kb.lookup(t, release, goos, goarch).status))
    for t in VAR_TARGETS:
        status = kb.lookup(t, release).status
        if status != "undefined":
            checks.append(("var", t, "linux/amd64", status))
    bad = []
    for platform in ["linux/amd64", *CROSS]:
        mine = [c for c in checks if c[2] == platform]
        got = linker_oracle.statuses(
            release, [(k, t) for k, t, _, _ in mine],
            platform=None if platform == "linux/amd64" else platform,
            hint_ok={t for _, t, _, s in mine if s == "ok"})
        for kind, t, _, want in mine:
            if got[t] != want:
                why = kb.lookup(t, release, *platform.split("/")).reason
                bad.append(f"{release} {platform} {kind} {t}: linker says {got[t]}, knowledge says {want} ({why})")
    return bad, len(checks)


def _check(release: str):
    bad, n = _disagreements(release)
    print(f"\nknowledge vs linker, Go {release}: {n - len(bad)}/{n} agree")
    assert not bad, "\n".join(bad)


@pytest.mark.go
@pytest.mark.parametrize("release", CI_RELEASES)
def test_knowledge_matches_linker(release):
    _check(release)


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.parametrize("release", [r for r in RELEASES if r not in CI_RELEASES])
def test_knowledge_matches_linker_all_releases(release):
    _check(release)


# ---------------------------------------------------------------------------------------------
# Variables against the sources


def _declares_ncpu_int32(release: str) -> bool:
    src = goroot(release) / "src" / "runtime"
    return any(re.search(r"^\s*ncpu\s+int32\b", p.read_text(), re.M)
               for p in src.glob("*.go") if not p.name.endswith("_test.go"))


@pytest.mark.go
@pytest.mark.parametrize("release", CI_RELEASES)
def test_runtime_ncpu_against_source(release):
    found = kb.lookup("runtime.ncpu", release)
    if _declares_ncpu_int32(release):
        assert found.status != "undefined" and found.symbol.signature == "int32"
    else:
        assert found.status == "undefined"


@pytest.mark.slow
@pytest.mark.go
@pytest.mark.parametrize("release", [r for r in RELEASES if r not in CI_RELEASES])
def test_runtime_ncpu_against_source_all_releases(release):
    test_runtime_ncpu_against_source(release)
