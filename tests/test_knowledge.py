"""The knowledge base: measured facts, the query API, the indexer on a small GOROOT, `info`."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

import pytest

from codemod import knowledge as kb
from codemod.knowledge import goroot_index, info, rules

REL = kb.RELEASES


def statuses(target: str, goos: str = "linux", goarch: str = "amd64", from_package: str = "main") -> list[str]:
    return [kb.lookup(target, r, goos, goarch, from_package).status for r in REL]


# ---------------------------------------------------------------------------------------------
# Facts measured with the real toolchains (linux/amd64, pull from package main)

OK, BL, UN = "ok", "blocked", "undefined"


@pytest.mark.parametrize("target,expected", [
    ("runtime.gcount", [OK, OK, BL, BL, BL, BL, BL]),
    ("runtime.stopTheWorld", [OK, OK, BL, BL, BL, BL, BL]),
    ("runtime.goexit1", [OK, OK, BL, BL, BL, BL, BL]),
    ("runtime.lock", [OK, OK, BL, BL, BL, BL, BL]),
    ("runtime.newobject", [OK, OK, OK, BL, BL, BL, BL]),
    ("runtime.assertE2I2", [OK, OK, OK, BL, BL, BL, BL]),
    ("runtime.fastrandu", [OK, UN, UN, UN, UN, UN, UN]),
    ("runtime.cheaprand", [UN, OK, OK, OK, OK, OK, OK]),
    ("runtime.rand", [UN, OK, OK, OK, OK, OK, OK]),
    ("runtime.addtimer", [OK, OK, UN, UN, UN, UN, UN]),
    ("runtime.atoi", [OK, OK, BL, BL, UN, UN, UN]),
    ("runtime.walltime", [UN] * 7),
    ("runtime.getg", [UN] * 7),
])
def test_measured_facts(target, expected):
    assert statuses(target) == expected


@pytest.mark.parametrize("target", [
    "runtime.nanotime", "runtime.fastrand", "runtime.fastrandn", "runtime.fastrand64", "runtime.memhash",
    "runtime.procPin", "sync.runtime_canSpin", "time.now", "reflect.typelinks", "runtime.mapiterinit",
])
def test_measured_ok_everywhere(target):
    assert statuses(target) == [OK] * 7


def test_variable_ncpu_from_source():
    for r in ("1.21", "1.22", "1.23", "1.24"):
        found = kb.lookup("runtime.ncpu", r)
        assert found.symbol is not None and found.symbol.kind == "var" and found.symbol.signature == "int32"
    assert statuses("runtime.ncpu")[:4] == [OK, OK, BL, BL]     # the 1.23 linker checks var pulls too
    assert statuses("runtime.ncpu")[4:] == [UN, UN, UN]
    assert "not defined in Go 1.25" in kb.lookup("runtime.ncpu", "1.25").reason


# ---------------------------------------------------------------------------------------------
# The query API


def test_symbol_details():
    s = kb.lookup("runtime.nanotime", "1.27").symbol
    assert s.name == "runtime.nanotime" and s.kind == "func" and s.signature == "func() int64"
    assert s.package == "runtime" and s.file == "src/runtime/time_nofake.go"
    assert s.has_body and s.nosplit and s.pushed
    memhash = kb.lookup("runtime.memhash", "1.21").symbol
    assert memhash.signature == "func(p unsafe.Pointer, h, s uintptr) uintptr"
    assert not memhash.has_body and memhash.assembly.endswith("asm_amd64.s")
    assert "Do not remove or change the type signature" in kb.lookup("runtime.memhash", "1.23").symbol.note
    assert kb.lookup("runtime.memhash", "1.21").symbol.note is None     # the notes came with 1.23


def test_pushed_from_another_package():
    # time.now is defined in runtime (//go:linkname time_now time.now)
    s = kb.lookup("time.now", "1.27").symbol
    assert s.package == "runtime" and s.pushed
    assert s.signature == "func() (sec int64, nsec int32, mono int64)"


def test_reasons():
    assert kb.lookup("runtime.nanotime", "1.27").reason == ""
    assert "not pushed" in kb.lookup("runtime.gcount", "1.23").reason
    assert "blocked list" in kb.lookup("runtime.getStaticuint64s", "1.24").reason
    assert "reflect" in kb.lookup("runtime.getStaticuint64s", "1.24").reason
    assert "not defined in Go 1.22" in kb.lookup("runtime.fastrandu", "1.22").reason
    walltime = kb.lookup("runtime.walltime", "1.27")
    assert "linux/amd64" in walltime.reason and "linux/arm64" in walltime.defined_elsewhere
    assert walltime.symbol is None
    assert "generic" in kb.lookup("slices.Sort", "1.27").reason
    # the blocked list is checked before the name is resolved (measured: blocked, not undefined)
    risc = kb.lookup("internal/cpu.riscvHWProbe", "1.27")
    assert risc.status == "blocked" and risc.symbol is None


def test_platforms():
    assert kb.lookup("runtime.walltime", "1.27", "darwin", "arm64").status == OK
    assert kb.lookup("syscall.loadsystemlibrary", "1.23", "windows", "amd64").status == OK
    assert kb.lookup("syscall.loadsystemlibrary", "1.23", "linux", "amd64").status == UN
    # per-platform variants with different signatures
    darwin = kb.lookup("runtime.walltime", "1.27", "darwin", "arm64").symbol.signature
    assert darwin == "func() (int64, int32)"


def test_from_package_rules():
    assert kb.lookup("runtime.getStaticuint64s", "1.24", from_package="reflect").status == OK
    assert kb.lookup("time.runtimeNano", "1.27", from_package="time").status == OK
    assert kb.lookup("runtime.mapaccess1_faststr", "1.24").status == BL
    assert kb.lookup("runtime.mapaccess1_faststr", "1.24", from_package="runtime").status == OK
    # //go:linknamestd pushes only to the standard library
    assert kb.lookup("runtime.coroswitch", "1.24").status == BL
    assert kb.lookup("runtime.coroswitch", "1.24", from_package="iter").status == OK
    # a pull from the defining package itself is never checked
    assert kb.lookup("runtime.gcount", "1.27", from_package="runtime").status == OK


def test_pullers_outside_std_share_one_answer():
    # One answer serves every package outside std whose path does not begin the target's
    # name: it must be the answer the linker rules give for each of them.
    blocked = sorted({n for r in REL for n in kb._stores[0].linker(kb._resolve(r)[1]).blocked})
    targets = blocked[::3] + _RUNTIME_NAMES[::4] + ["runtime.coroswitch", "time.runtimeNano",
                                                   "sync.runtime_Semacquire", "example.com/m.f"]
    for target in targets:
        for release in ("1.21", "1.23", "1.27"):
            for puller in ("example.com/m/p", "github.com/a/b_test"):
                unshared = kb._lookup.__wrapped__(target, release, "linux", "amd64", puller, None)
                assert kb.lookup(target, release, from_package=puller, cgo=None) == unshared, (target, puller)
    assert kb._judged_as("runtime.nanotime", "example.com/m") == kb._ANY_OUTSIDE_STD
    # Named by the answer: a std package, "main", a module without a dot, a target's own path.
    for puller in ("runtime", "main", "mymod/p", "example.com/m"):
        assert kb._judged_as("example.com/m.f", puller) == puller


def test_releases_outside_the_known_ones():
    later = kb.lookup("runtime.fastrand", "1.29")
    assert later.release == "1.27" and later.approximate and later.requested_release == "1.29"
    earlier = kb.lookup("runtime.fastrandu", "1.19")
    assert earlier.release == "1.21" and earlier.approximate
    patch = kb.lookup("runtime.gcount", "1.23.4")
    assert patch.release == "1.23" and not patch.approximate and patch.status == BL
    assert kb.lookup("runtime.gcount", "go1.23").release == "1.23"
    with pytest.raises(ValueError):
        kb.lookup("runtime.gcount", "latest")


def test_packages_and_symbols():
    assert kb.known_package("runtime") and kb.known_package("internal/bytealg")
    assert kb.known_package("vendor/golang.org/x/net/dns/dnsmessage")
    assert not kb.known_package("cmd/link/internal/loader") and not kb.known_package("github.com/x/y")
    assert kb.known_package("unique", "1.23") and not kb.known_package("unique", "1.22")
    assert "unique" in kb.std_packages("1.23") and "unique" not in kb.std_packages("1.22")
    assert "runtime" in kb.std_packages()
    names = kb.package_symbols("runtime", "1.21")
    assert "runtime.nanotime" in names and "runtime.fastrandu" in names
    assert "runtime.fastrandu" not in kb.package_symbols("runtime", "1.22")
    assert "time.now" in kb.package_symbols("time", "1.27")


def test_releases_where():
    assert kb.releases_where("runtime.cheaprand") == list(REL[1:])
    assert kb.releases_where("runtime.gcount", "blocked") == list(REL[2:])


def test_lookup_is_memoized():
    assert kb.lookup("runtime.nanotime", "1.27") is kb.lookup("runtime.nanotime", "1.27")


def test_load_and_first_query_under_100ms():
    # CPU time, not wall time: a busy CI machine must not make this flaky.
    code = ("import time; t = time.process_time(); from codemod.knowledge import lookup; "
            "lookup('runtime.nanotime', '1.27'); print(time.process_time() - t)")
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(5))
    assert best < 0.1, f"import + load + first query took {best * 1000:.0f} ms of CPU"


def test_data_file_is_compact():
    assert kb.DATA_FILE.stat().st_size < 5_000_000


# ---------------------------------------------------------------------------------------------
# Linker rules as pure functions


def test_judge_pull_order():
    r = rules.LinkerRules(check_linkname=True, blocked={"a.x": ["b"], "a.y": []}, linknamestd=True)
    go = rules.Definition(package="a", kind="func", assembly=False, push="linkname")
    assert rules.judge_pull(r, "a.x", go, "b") == ("ok", "")
    assert rules.judge_pull(r, "a.x", go, "c")[0] == "blocked"         # listed beats pushed
    assert "no package" in rules.judge_pull(r, "a.y", go, "a")[1]
    unpushed = rules.Definition(package="a", kind="func", assembly=False, push="")
    assert rules.judge_pull(r, "a.z", unpushed, "main")[0] == "blocked"
    assert rules.judge_pull(r, "a.z", unpushed, "a")[0] == "ok"
    std = rules.Definition(package="a", kind="func", assembly=False, push="linknamestd")
    assert rules.judge_pull(r, "a.z", std, "main", puller_std=False)[0] == "blocked"
    assert rules.judge_pull(r, "a.z", std, "os", puller_std=True)[0] == "ok"
    assert rules.judge_pull(rules.LinkerRules(), "a.z", unpushed, "main") == ("ok", "")


def test_fips_frozen_alias():
    r = rules.LinkerRules(check_linkname=True, blocked={"crypto/internal/fips140.fatal": ["crypto/internal/fips140"]},
                          fips_frozen_alias=True)
    d = rules.Definition(package="runtime", kind="func", assembly=False, push="linkname")
    assert rules.judge_pull(r, "crypto/internal/fips140.fatal", d, "crypto/internal/fips140/v1.0.0")[0] == "ok"


# ---------------------------------------------------------------------------------------------
# The indexer on a small GOROOT written here


LOADER = '''
package loader

var blockedLinknames = map[string][]string{
	// a comment
	"runtime.secret": {"internal/only"},
	"runtime.nobody": {},
}

func (l *Loader) checkLinkname(pkg, name string, s Sym) {
	if osym.IsLinkname() || osym.ABIWrapper() {
		return
	}
}
'''

EXP = '''
package buildcfg

func ParseGOEXPERIMENT(goos, goarch, goexp string) (*ExperimentFlags, error) {
	var regabiSupported, regabiAlwaysOn bool
	switch goarch {
	case "amd64", "arm64":
		regabiAlwaysOn = true
		regabiSupported = true
	}
	dwarf5Supported := (goos != "darwin" && goos != "ios")

	baseline := goexperiment.Flags{
		RegabiWrappers: regabiSupported,
		SwissMap:       true,
		Dwarf5:         dwarf5Supported,
	}
	return nil, nil
}
'''

FILES = {
    "VERSION": "go1.99.1\ntime 2030-01-01\n",
    "src/cmd/link/internal/loader/loader.go": LOADER,
    "src/internal/buildcfg/exp.go": EXP,
    "src/cmd/dist/build.go": 'package main\nvar cgoEnabled = map[string]bool{\n\t"linux/amd64": true,\n\t"linux/386": true,\n\t"windows/amd64": true,\n\t"darwin/arm64": true,\n}\n',
    "src/runtime/a.go": '''
        package runtime

        import "unsafe"

        // pushed should be an internal detail.
        //
        // Do not remove or change the type signature.
        // See go.dev/issue/67401.
        //
        //go:linkname pushed
        //go:nosplit
        func pushed(p unsafe.Pointer, n uintptr) int64 { return 0 }

        func unpushed() {}

        //go:linkname sync_canSpin sync.runtime_canSpin
        func sync_canSpin(i int) bool { return false }

        func intrinsic() *byte

        //go:linkname asmPushed
        func asmPushed() int

        func asmPlain()

        type T struct{}

        func (t *T) M() {}
        func (T) V() {}
        func G[X any](x X) {}

        var (
        	ncpu  int32
        	other = 3
        )
        var secret, nobody int
        ''',
    "src/runtime/b_linux.go": "package runtime\n\nfunc linuxOnly() {}\n",
    "src/runtime/c.go": "//go:build unix && !goexperiment.swissmap\n\npackage runtime\n\nfunc unixNoSwiss() {}\n",
    "src/runtime/d.go": "//go:build goexperiment.swissmap\n\npackage runtime\n\nfunc swiss() {}\n",
    "src/runtime/e.go": "//go:build windows\n\npackage runtime\n\nfunc windowsVariant(x int) int { return x }\n",
    "src/runtime/f.go": "//go:build !windows\n\npackage runtime\n\nfunc windowsVariant() {}\n",
    "src/runtime/a_test.go": "package runtime\n\nfunc testOnly() {}\n",
    "src/runtime/testdata/x/x.go": "package x\n\nfunc inTestdata() {}\n",
    "src/runtime/gen.go": "//go:build ignore\n\npackage main\n\nfunc generator() {}\n",
    "src/runtime/asm_amd64.s": textwrap.dedent('''
        #include "textflag.h"
        TEXT ·asmPushed(SB),NOSPLIT,$0
        	RET
        TEXT runtime·asmPlain<ABIInternal>(SB),NOSPLIT,$0
        	RET
        #ifdef GOOS_windows
        TEXT ·winAsm(SB),NOSPLIT,$0
        	RET
        #endif
        TEXT local<>(SB),NOSPLIT,$0
        	RET
        '''),
    "src/internal/foo/foo.go": "package foo\n\nfunc Exported() {}\n",
    # a push under another local name (reflect/badlinkname.go), and a value method whose
    # pointer-receiver wrapper the compiler generates
    "src/reflect/value.go": '''
        package reflect

        import "unsafe"

        type rtype struct{}

        func (t *rtype) Align() int { return 0 }
        func (t *rtype) Other() int { return 0 }

        type Value struct{}

        func (v Value) pointer() unsafe.Pointer { return nil }
        func (v Value) plain() int { return 0 }

        //go:linkname zeroVal runtime.zeroVal
        var zeroVal [8]byte
        ''',
    "src/reflect/badlinkname.go": '''
        package reflect

        import "unsafe"

        //go:linkname badlinkname_rtype_Align reflect.(*rtype).Align
        func badlinkname_rtype_Align(*rtype) int

        //go:linkname badlinkname_Value_pointer reflect.(*Value).pointer
        func badlinkname_Value_pointer(Value) unsafe.Pointer
        ''',
    "src/reflect/asm_amd64.s": "TEXT ·dummy(SB),0,$0\n\tRET\n",
    "src/runtime/zero.go": "package runtime\n\n//go:linkname zeroVal\nvar zeroVal [8]byte\n",
    # cgo: a file importing "C", and runtime/cgo's initialized definition of a syscall variable
    "src/plugin/plugin_dlopen.go": '''
        //go:build linux

        package plugin

        /*
        #include <dlfcn.h>
        */
        import "C"

        var pluginsMu int

        func open() {}
        ''',
    "src/plugin/plugin_stubs.go": "//go:build !cgo\n\npackage plugin\n\nfunc stub() {}\n",
    "src/syscall/syscall_linux.go": "package syscall\n\nimport \"unsafe\"\n\nvar cgo_libc_setegid unsafe.Pointer\n",
    "src/runtime/cgo/linux.go": '''
        //go:build linux

        package cgo

        import "unsafe"

        //go:linkname _cgo_libc_setegid _cgo_libc_setegid
        //go:linkname cgo_libc_setegid syscall.cgo_libc_setegid
        var _cgo_libc_setegid byte
        var cgo_libc_setegid = unsafe.Pointer(&_cgo_libc_setegid)
        ''',
}


@pytest.fixture(scope="module")
def mini_goroot(tmp_path_factory):
    root = tmp_path_factory.mktemp("goroot")
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n") if rel.endswith(".go") else text)
    return root


@pytest.fixture(scope="module")
def mini_index(mini_goroot):
    return goroot_index.index_goroot(mini_goroot)


def _decl(ix, name):
    found = [d for d in ix.decls if d.name == name]
    assert found, f"{name} not indexed"
    return found[0]


def test_index_names_and_pushes(mini_index):
    ix = mini_index
    assert ix.version == "1.99.1"
    assert ix.packages == ["internal/buildcfg", "internal/foo", "plugin", "reflect", "runtime", "runtime/cgo",
                           "syscall"]    # not cmd/...
    p = _decl(ix, "runtime.pushed")
    assert p.signature == "func(p unsafe.Pointer, n uintptr) int64" and p.has_body and p.nosplit
    assert p.link == "linkname" and "Do not remove" in p.note
    assert _decl(ix, "runtime.unpushed").link == ""
    spin = _decl(ix, "sync.runtime_canSpin")
    assert spin.package == "runtime" and spin.link == "linkname"
    assert _decl(ix, "runtime.(*T).M").kind == "method"
    assert _decl(ix, "runtime.T.V").kind == "method"
    assert _decl(ix, "runtime.G").generic
    assert _decl(ix, "runtime.ncpu").signature == "int32"
    other = _decl(ix, "runtime.other")
    assert other.signature == "" and other.value == "3"
    names = {d.name for d in ix.decls}
    assert not names & {"runtime.testOnly", "x.inTestdata", "main.generator", "runtime.generator"}
    assert {"runtime.windowsVariant"} <= names


def test_index_files_and_asm(mini_index):
    ix = mini_index
    assert ix.files["src/runtime/c.go"] == "unix && !goexperiment.swissmap"
    asm = {a.name: a for a in ix.asm}
    assert asm["runtime.asmPushed"].abi == "ABI0" and asm["runtime.asmPlain"].abi == "ABIInternal"
    assert asm["runtime.winAsm"].cond == "windows"
    assert "local" not in " ".join(asm)


def test_index_linker_rules_and_experiments(mini_index):
    ix = mini_index
    assert ix.linker.check_linkname and ix.linker.abi_wrapper_allowed and not ix.linker.asm_wrapper_rule
    assert ix.linker.blocked == {"runtime.secret": ["internal/only"], "runtime.nobody": []}
    assert ix.ports == ["darwin/arm64", "linux/386", "linux/amd64", "windows/amd64"]
    assert ix.experiments["linux/amd64"] == ["dwarf5", "regabiwrappers", "swissmap"]
    assert ix.experiments["darwin/arm64"] == ["regabiwrappers", "swissmap"]
    assert ix.experiments["linux/386"] == ["dwarf5", "swissmap"]


def test_user_goroot_answers(mini_goroot, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    release = kb.use_goroot(mini_goroot)
    assert release == "1.99.1"
    assert list((tmp_path / "cache" / "gofix-linkname").glob("goroot-1.99.1-*.kb"))

    def status(t, goos="linux", goarch="amd64", frm="main"):
        return kb.lookup(t, release, goos, goarch, frm).status

    assert status("runtime.pushed") == "ok"
    assert status("runtime.unpushed") == "blocked"
    assert status("sync.runtime_canSpin") == "ok"
    assert status("runtime.intrinsic") == "undefined"
    assert status("runtime.asmPushed") == "ok"
    assert status("runtime.asmPlain") == "blocked"        # ABIInternal assembly: no wrapper in this linker
    assert status("runtime.linuxOnly") == "blocked" and status("runtime.linuxOnly", "windows") == "undefined"
    assert status("runtime.swiss") == "blocked" and status("runtime.unixNoSwiss") == "undefined"
    # defined only under #ifdef GOOS_windows; no Go declaration marks it
    assert status("runtime.winAsm", "windows") == "blocked" and status("runtime.winAsm") == "undefined"
    assert status("runtime.secret") == "blocked" and status("runtime.secret", frm="internal/only") == "ok"
    # a two-argument directive on another declaration pushes the symbol it names
    align = kb.lookup("reflect.(*rtype).Align", release, cgo=False)
    assert align.status == "ok" and align.rule == "push-other-name"
    assert align.symbol.file == "src/reflect/value.go" and align.symbol.push_file == "src/reflect/badlinkname.go"
    assert status("reflect.(*rtype).Other") == "blocked"
    # (*Value).pointer exists only as the compiler's wrapper of Value.pointer
    wrapper = kb.lookup("reflect.(*Value).pointer", release, cgo=False)
    assert wrapper.status == "ok" and wrapper.symbol.generated
    assert status("reflect.(*Value).plain") == "blocked" and status("reflect.Value.plain") == "blocked"
    # a variable pulled elsewhere is cited where it is defined
    assert kb.lookup("runtime.zeroVal", release, cgo=False).symbol.file == "src/runtime/zero.go"
    # cgo: files importing "C" and runtime/cgo are built only with cgo on
    assert kb.lookup("plugin.open", release, cgo=False).status == "undefined"
    assert "without cgo" in kb.lookup("plugin.open", release, cgo=False).reason
    assert kb.lookup("plugin.open", release, cgo=True).status == "blocked"
    assert kb.lookup("plugin.stub", release, cgo=True).status == "undefined"
    both = kb.lookup("plugin.open", release, cgo=None)
    assert both.status == "undefined" and both.cgo_other == "blocked" and "with cgo it is refused" in both.reason
    assert kb.lookup("plugin.open", release, "windows", "amd64", cgo=True).status == "undefined"
    setegid = kb.lookup("syscall.cgo_libc_setegid", release, cgo=True)
    assert setegid.status == "ok" and setegid.symbol.package == "runtime/cgo"
    off = kb.lookup("syscall.cgo_libc_setegid", release, cgo=False)
    assert off.status == "blocked" and off.symbol.package == "syscall"
    assert kb.lookup("runtime.pushed", release, cgo=None).cgo is None
    assert status("runtime.ncpu") == "blocked"
    assert kb.lookup("runtime.windowsVariant", release, "windows", "amd64").symbol.signature == "func(x int) int"
    assert kb.lookup("runtime.windowsVariant", release).symbol.signature == "func()"
    assert not kb.lookup("runtime.pushed", release).approximate
    assert kb.use_goroot(mini_goroot) == release          # cached: same store, no second entry


# ---------------------------------------------------------------------------------------------
# gofix-linkname info


def _info(capsys, *argv) -> tuple[int, str]:
    p = argparse.ArgumentParser()
    info.add_arguments(p)
    code = info.run(p.parse_args(list(argv)))
    return code, capsys.readouterr().out


def test_info_json(capsys):
    code, out = _info(capsys, "runtime.walltime", "runtime.gcount", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["target"] for d in data] == ["runtime.walltime", "runtime.gcount"]
    wall = data[0]["releases"]["1.27"]
    assert set(wall["platforms"]) == set(kb.DEFAULT_PLATFORMS)
    assert wall["platforms"]["darwin/arm64"] == "ok" and wall["platforms"]["linux/amd64"] == "undefined"
    assert wall["status"] == "undefined"                      # the worst over the platforms
    assert wall["signature"].startswith("func()")
    gcount = data[1]["releases"]
    assert gcount["1.22"]["status"] == "ok" and gcount["1.23"]["status"] == "blocked"
    assert gcount["1.23"]["signature"] == "func() int32"
    assert list(gcount) == list(kb.RELEASES)


def test_info_text_and_platforms(capsys):
    code, out = _info(capsys, "runtime.fastrandu", "--platforms", "linux/amd64,linux/arm64")
    assert code == 0
    assert "runtime.fastrandu" in out and "linux/arm64" in out
    assert "not defined (defined in Go 1.21)  [1.22-1.27: linux/amd64, linux/arm64]" in out
    code, _ = _info(capsys, "runtime.gcount", "--platforms", "linux")
    assert code == 2


def test_info_says_what_it_does_not_cover(capsys):
    # The toolchain's own packages (go list calls cmd/vendor/... standard: checked by
    # tests/test_truth_e2e.py) are not indexed: the answer must not say no such package
    # exists; a bare name is explained as one; a typo in a std path still reads as before.
    code, out = _info(capsys, "cmd/vendor/golang.org/x/arch/x86/x86asm.Decode", "GetGoID", "runtim.nanotime")
    assert code == 0
    assert "no standard-library package 'cmd/" not in out
    assert "'cmd/vendor/golang.org/x/arch/x86/x86asm' is one of the toolchain's own packages" in out
    assert "a bare symbol name, with no package path" in out
    assert "no standard-library package ''" not in out
    assert "no standard-library package 'runtim'" in out


# ---------------------------------------------------------------------------------------------
# Every indexed symbol answers consistently


from hypothesis import given, settings, strategies as st  # noqa: E402

_RUNTIME_NAMES = kb.package_symbols("runtime", "1.27")[::25] + kb.package_symbols("syscall", "1.23")[::25]


@settings(max_examples=60, deadline=None)
@given(target=st.sampled_from(_RUNTIME_NAMES), release=st.sampled_from(REL),
       platform=st.sampled_from(kb.DEFAULT_PLATFORMS))
def test_any_symbol_answers_consistently(target, release, platform):
    goos, goarch = platform.split("/")
    found = kb.lookup(target, release, goos, goarch)
    assert found.status in ("ok", "blocked", "undefined")
    if found.status == "undefined":
        assert found.symbol is None
    if found.status == "ok":
        assert found.symbol is not None      # (a blocked-list name may be blocked and undefined)
    assert (found.reason == "") == (found.status == "ok")
    if found.symbol is not None:
        assert found.symbol.name == target
    if found.status != "undefined":
        assert target in kb.package_symbols(target.split(".")[0] if "/" not in target else
                                            target[:target.index(".", target.rfind("/"))], release)


# ---------------------------------------------------------------------------------------------
# The model read from the compiler and linker sources, on the shipped data (measured facts;
# tests/data/linker_evidence.tsv holds many more)


def test_push_under_another_local_name():
    for r in ("1.23", "1.27"):
        align = kb.lookup("reflect.(*rtype).Align", r, cgo=False)
        assert align.status == OK and align.rule == "push-other-name"
        assert align.symbol.file == "src/reflect/type.go" and align.symbol.push_file == "src/reflect/badlinkname.go"
        assert kb.lookup("runtime.funcInfo.entry", r).status == OK
        assert kb.lookup("net/http.(*Transport).RoundTrip", r).status == OK
        assert kb.lookup("net/url.(*URL).setPath", r).status == OK
        # exported methods of exported types, never pushed: refused
        assert kb.lookup("sync.(*Mutex).Lock", r).status == BL
        assert kb.lookup("time.Time.Unix", r).status == BL


def test_generated_pointer_wrapper():
    assert statuses("reflect.(*Value).pointer") == [OK] * 7
    s = kb.lookup("reflect.(*Value).pointer", "1.21").symbol
    assert s.generated and s.file == "src/reflect/value.go"


def test_cgo_dimension():
    assert kb.lookup("plugin.pluginsMu", "1.21", cgo=True).status == OK
    assert [kb.lookup("plugin.pluginsMu", r, cgo=True).status for r in REL[2:]] == [BL] * 5
    # net's cgo resolver (cgo_unix.go and its import "C" helpers) exists only with cgo on
    off = kb.lookup("net.cgoSockaddr", "1.21", cgo=False)
    assert off.status == UN and "without cgo" in off.reason
    both = kb.lookup("net.cgoSockaddr", "1.21", cgo=None)
    assert both.status == UN and both.cgo_other == OK and "with cgo it links" in both.reason
    assert kb.lookup("net.cgoSockaddr", "1.27", cgo=True).status == BL
    assert kb.lookup("syscall.cgo_libc_setegid", "1.27", cgo=True).symbol.package == "runtime/cgo"
    assert kb.lookup("syscall.cgo_libc_setegid", "1.27", cgo=False).symbol.package == "syscall"


def test_set_cgo_default():
    try:
        kb.set_cgo(True)
        assert kb.lookup("net.cgoSockaddr", "1.21").status == OK
        kb.set_cgo(False)
        assert kb.lookup("net.cgoSockaddr", "1.21").status == UN
    finally:
        kb.set_cgo(None)
    with pytest.raises(ValueError):
        kb.cgo_mode("maybe")


def test_citations_name_the_definition():
    assert kb.lookup("runtime.zeroVal", "1.27").symbol.file == "src/runtime/runtime.go"
    for r in ("1.24", "1.25"):
        assert kb.lookup("runtime.mapiternext", r).symbol.file == "src/runtime/linkname_swiss.go"


def test_info_cgo_and_rules(capsys):
    code, out = _info(capsys, "net.cgoSockaddr", "--format", "json", "--platforms", "linux/amd64")
    assert code == 0
    entry = json.loads(out)[0]["releases"]["1.21"]
    assert entry["status"] == UN and entry["cgo_other"] == {"linux/amd64": OK}
    assert entry["rules"] == {"linux/amd64": "undefined"} and entry["file"] == "src/net/cgo_unix.go"
    code, out = _info(capsys, "net.cgoSockaddr", "--cgo", "on", "--format", "json", "--platforms", "linux/amd64")
    assert json.loads(out)[0]["releases"]["1.21"]["status"] == OK
    code, out = _info(capsys, "reflect.(*rtype).Align", "--platforms", "linux/amd64")
    assert "pushed in src/reflect/badlinkname.go" in out and "push-other-name" in out


def test_initializers_are_never_cut():
    from codemod.exprtext import shorten
    long = "map[string]int{" + ", ".join(f'"k{i}": {i}' for i in range(100)) + "}"
    assert shorten(long, 40) == "map[string]int{…}"
    for target in ("runtime.zeroVal", "runtime.buildVersion", "os.Args", "syscall.envs"):
        s = kb.lookup(target, "1.27").symbol
        if s is not None and s.value:
            assert s.value.count("(") == s.value.count(")") and s.value.count("{") == s.value.count("}")


def test_every_constraint_in_the_knowledge_file_is_a_build_expression():
    # The generator writes assembly #ifdef conditions as build tags (asmmacro.NAME); a file
    # written with another spelling (the old asm-macro:NAME) would not parse here.
    from codemod.buildconstraint import parse_expr
    from codemod.knowledge.store import Store

    store = Store(kb.DATA_FILE)
    seen = 0
    for member in store._member_index():
        if not member.startswith("sym/"):
            continue
        chunk = store.read(member)
        for _, constraint in chunk["files"]:
            if constraint:
                parse_expr(constraint)
                seen += 1
        for row in chunk["asm"]:
            if row[3]:
                parse_expr(row[3])
                seen += 1
    assert seen > 1000
