"""The version-aware rules (LN101-LN107) against real Go toolchains: each hazard fails (or
misbehaves) the way the finding says on the releases it names, and the fixed module builds
and runs on the oldest and newest release in range."""
from __future__ import annotations

import json

import pytest

from tests.e2e import go_build, go_run, gofix, write_module
from tests.gotoolchains import goroot, run_go

OLDEST, CHECKED, NEWEST = "1.21", "1.23", "1.27"  # CI_RELEASES

GCOUNT_MAIN = """
package main

import "fmt"

func main() { fmt.Println("goroutines", gcount() > 0) }
"""

GCOUNT = {
    "main.go": GCOUNT_MAIN,
    "goroutines.go": """
        package main

        import _ "unsafe"

        //go:linkname gcount runtime.gcount
        func gcount() int32
    """,
}

GCOUNT_OPEN_ENDED = {
    "main.go": GCOUNT_MAIN,
    "goroutines.go": """
        //go:build go1.21

        package main

        import _ "unsafe"

        //go:linkname gcount runtime.gcount
        func gcount() int32
    """,
}

CHEAPRAND = {
    "main.go": """
        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        // cheaprand is the runtime's cheap random source.
        //
        //go:linkname cheaprand runtime.cheaprand
        func cheaprand() uint32

        func main() {
        	a, b := cheaprand(), cheaprand()
        	fmt.Println("random", a != b || a != 0)
        }
    """,
}

NCPU = {
    "main.go": """
        package main

        import (
        	"fmt"
        	"runtime"
        	_ "unsafe"
        )

        //go:linkname ncpu runtime.ncpu
        var ncpu int32

        func main() { fmt.Println("cpus", int(ncpu) == runtime.NumCPU()) }
    """,
}

PROCUNPIN = {
    "main.go": """
        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        //go:linkname procPin runtime.procPin
        func procPin() int

        //go:linkname procUnpin runtime.procUnpin
        func procUnpin() int

        func main() {
        	id := procPin()
        	procUnpin()
        	fmt.Println("pinned", id >= 0)
        }
    """,
}

TYPO = {
    "main.go": """
        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        //go:linkname nanotime runtim.nanotime
        func nanotime() int64

        func main() { fmt.Println("clock", nanotime() > 0) }
    """,
}


def _json(module, *args):
    p = gofix(module, "--format", "json", *args, ".")
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)["findings"]


def _apply(module, *args):
    p = gofix(module, "--apply", *args, ".")
    assert p.returncode in (0, 1), p.stdout + p.stderr
    again = _json(module, *args)
    assert not [f for f in again if f["fix"] and f["rule"].startswith("LN1")], again  # idempotent
    return again


def _gofmt_clean(module):
    gofmt = goroot(NEWEST) / "bin" / "gofmt"
    import subprocess
    out = subprocess.run([str(gofmt), "-l", "."], cwd=module, capture_output=True, text=True)
    assert out.stdout == "", f"not gofmt-clean: {out.stdout}"


def _runs(release, module, expect):
    p = go_run(release, module)
    assert p.returncode == 0 and expect in p.stdout, f"go {release}: {p.stdout}"


@pytest.mark.go
def test_blocked_pull_is_bounded_with_a_companion(tmp_path):
    module = write_module(tmp_path / "m", GCOUNT)
    assert go_build(OLDEST, module).returncode == 0
    broken = go_build(NEWEST, module)
    assert broken.returncode != 0 and "invalid reference to runtime.gcount" in broken.stdout

    (f,) = [f for f in _json(module) if f["rule"] == "LN101"]
    assert f["go_versions"] == {r: "blocked" for r in ("1.23", "1.24", "1.25", "1.26", "1.27")}
    assert "blocked by the linker on Go 1.23-1.27" in f["message"]
    assert "runtime.NumGoroutine()" in f["message"] and f["fix"]["safety"] == "safe"

    _apply(module)
    assert (module / "goroutines_go123.go").is_file()
    for release in (OLDEST, CHECKED, NEWEST):
        _runs(release, module, "goroutines true")
    _gofmt_clean(module)


@pytest.mark.go
def test_open_ended_tag_gets_an_upper_bound(tmp_path):
    module = write_module(tmp_path / "m", GCOUNT_OPEN_ENDED)
    findings = _json(module)
    assert [f["rule"] for f in findings] == ["LN102"]
    _apply(module)
    assert "//go:build go1.21 && !go1.23" in (module / "goroutines.go").read_text()
    for release in (OLDEST, NEWEST):
        _runs(release, module, "goroutines true")


@pytest.mark.go
def test_undefined_pull_moves_to_a_bounded_file(tmp_path):
    module = write_module(tmp_path / "m", CHEAPRAND)
    broken = go_build(OLDEST, module)
    assert broken.returncode != 0 and "relocation target runtime.cheaprand not defined" in broken.stdout
    (f,) = [f for f in _json(module, "--select", "LN1") if f["rule"] == "LN101"]
    assert f["go_versions"] == {"1.21": "undefined"}
    _apply(module, "--select", "LN1")
    assert (module / "main_linkname.go").is_file() and (module / "main_before_go122.go").is_file()
    for release in (OLDEST, NEWEST):
        _runs(release, module, "random true")
    _gofmt_clean(module)


@pytest.mark.go
def test_variable_pull_reads_zero_then_is_replaced(tmp_path):
    module = write_module(tmp_path / "m", NCPU)
    _runs(OLDEST, module, "cpus true")
    assert "invalid reference to runtime.ncpu" in go_build(CHECKED, module).stdout
    _runs(NEWEST, module, "cpus false")  # links, reads 0: the silent failure the rule describes
    (f,) = [f for f in _json(module) if f["rule"] == "LN106"]
    assert f["severity"] == "error"
    assert f["go_versions"] == {"1.23": "blocked", "1.24": "blocked", "1.25": "undefined",
                                "1.26": "undefined", "1.27": "undefined"}
    _apply(module)
    for release in (OLDEST, CHECKED, NEWEST):
        _runs(release, module, "cpus true")


@pytest.mark.go
@pytest.mark.parametrize("release", [OLDEST, NEWEST])
def test_signature_fix_and_typo_fix_build_and_run(tmp_path, release):
    pin = write_module(tmp_path / "pin", PROCUNPIN)
    _apply(pin)
    assert "func procUnpin()\n" in (pin / "main.go").read_text()
    _runs(release, pin, "pinned true")

    typo = write_module(tmp_path / "typo", TYPO)
    broken = go_build(release, typo)
    assert "relocation target runtim.nanotime not defined" in broken.stdout
    _apply(typo)
    _runs(release, typo, "clock true")


@pytest.mark.go
def test_checklinkname_flag_hides_the_blocked_pull(tmp_path):
    module = write_module(tmp_path / "m", {**GCOUNT, "Makefile": "build:\n\tgo build -ldflags=-checklinkname=0 .\n"})
    # What the flag does on a checked release: the refused pull links.
    assert run_go(NEWEST, ["build", "-ldflags=-checklinkname=0", "-o", "/dev/null", "."], module).returncode == 0
    # And older linkers do not know it.
    old = run_go(OLDEST, ["build", "-ldflags=-checklinkname=0", "-o", "/dev/null", "."], module)
    assert "flag provided but not defined: -checklinkname" in old.stdout
    (f,) = [f for f in _json(module) if f["rule"] == "LN107"]
    assert f["path"] == "Makefile" and f["line"] == 2
    assert "runtime.gcount (goroutines.go:5" in f["message"]


def test_checklinkname_flag_with_nothing_refused_may_still_serve_a_dependency(tmp_path):
    # XTLS/Xray-core passes the flag for its Android build while none of its own pulls is
    # refused: the flag covers the dependencies too, whose pulls are not judged.
    module = write_module(tmp_path / "m", {
        "clock.go": 'package m\n\nimport _ "unsafe"\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n',
        ".github/workflows/release.yml": "jobs:\n  b:\n    steps:\n      - run: go build -ldflags=\"-checklinkname=0\" ./...\n"})
    out = gofix(module, "--select", "LN107", "./...").stdout
    assert "no pull of the module is refused today; unless a dependency needs the flag (their pulls are not " \
           "judged here), it can go before it hides one" in out, out
