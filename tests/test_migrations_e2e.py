"""The migrations against real Go toolchains: the module builds and runs before, and after
``gofix-linkname --apply --unsafe-fixes`` it builds, runs, passes ``go vet``, no longer pulls
what was replaced, and a second run has nothing left to fix."""
from __future__ import annotations

import json

import pytest

from tests.e2e import go_build, go_run, gofix, write_module
from tests.gotoolchains import run_go

MAIN = """
package main

import "fmt"

func main() {
	tok := NewSessionToken()
	salt, err := makeSalt(12)
	fmt.Println("token", len(tok) == 32, "salt", len(salt) == 12 && err == nil)
	fmt.Println("pick", Pick(5) < 5, "roll", roll() < 6)
	fmt.Println("weigh", Weigh([]int{1, 2, 3}) > 0, "spin", Spin(0) == 0)
	fmt.Println("loaded", loadedAt > 0, "stamp", stampMillis > 0)
}
"""

TOKENS = """
package main

import (
	"encoding/binary"
	"encoding/hex"
	_ "unsafe"
)

//go:linkname fastrand runtime.fastrand
func fastrand() uint32

//go:linkname fastrandn runtime.fastrandn
func fastrandn(n uint32) uint32

// NewSessionToken returns 16 random bytes, hex encoded.
func NewSessionToken() string {
	var b [16]byte
	for i := 0; i < len(b); i += 4 {
		binary.LittleEndian.PutUint32(b[i:], fastrand())
	}
	return hex.EncodeToString(b[:])
}

func makeSalt(n int) ([]byte, error) {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(fastrandn(256))
	}
	return out, nil
}

// Pick is not security use.
func Pick(n int) int { return int(fastrandn(uint32(n))) }

func roll() uint32 { return fastrand() % 6 }
"""

CLOCK = """
package main

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

var loadedAt = nanotime()

var (
	stampMillis = nanotime() / 1e6
)

func Weigh(items []int) int64 {
	var sum int64
	for _, v := range items {
		sum += int64(v) * nanotime()
	}
	return sum
}

func Spin(deadline int64) int {
	n := 0
	for nanotime() < deadline {
		n++
	}
	return n
}
"""

FILES = {"main.go": MAIN, "tokens.go": TOKENS, "clock.go": CLOCK}
EXPECTED = ["token true salt true", "pick true roll true", "weigh true spin true",
            "loaded true stamp true"]


def _fixable(module) -> list[dict]:
    p = gofix(module, "--format", "json", "--unsafe-fixes", "--select", "LN2", ".")
    assert p.returncode in (0, 1), p.stderr
    return [f for f in json.loads(p.stdout)["findings"] if f["fix"] and f["fix"]["applicable"]]


def _migrate_and_run(tmp_path, go: str, releases: tuple[str, ...]):
    module = write_module(tmp_path / "m", FILES, go=go)
    for release in releases:
        before = go_run(release, module)
        assert before.returncode == 0, before.stdout
        assert before.stdout.split("\n")[:4] == EXPECTED

    dry = gofix(module, "--select", "LN2", ".")
    assert dry.returncode == 1
    assert "held back" in dry.stdout + dry.stderr  # the unsafe fixes wait for --unsafe-fixes

    applied = gofix(module, "--apply", "--unsafe-fixes", "--select", "LN2", ".")
    assert applied.returncode in (0, 1), applied.stdout + applied.stderr
    tokens = (module / "tokens.go").read_text()
    clock = (module / "clock.go").read_text()
    assert "go:linkname" not in tokens and '"crypto/rand"' in tokens
    assert "now := nanotime()" in clock and "func init() {" in clock

    for release in releases:
        built = go_build(release, module)
        assert built.returncode == 0, f"{release}:\n{built.stdout}\n{tokens}\n{clock}"
        vet = run_go(release, ["vet", "./..."], module)
        assert vet.returncode == 0, vet.stdout
        after = go_run(release, module)
        assert after.returncode == 0, after.stdout
        assert after.stdout.split("\n")[:4] == EXPECTED
    assert _fixable(module) == []
    return tokens


@pytest.mark.go
def test_migrations_go121_build_on_oldest_and_newest(tmp_path):
    tokens = _migrate_and_run(tmp_path, "1.21", ("1.21", "1.27"))
    assert '"math/rand"' in tokens and "math/rand/v2" not in tokens


@pytest.mark.go
def test_migrations_go122_use_math_rand_v2(tmp_path):
    # The module's range is 1.22-1.27; CI has 1.23 and 1.27 (1.22 itself: the slow test below).
    tokens = _migrate_and_run(tmp_path, "1.22", ("1.23", "1.27"))
    assert '"math/rand/v2"' in tokens and "Uint32N" in tokens


@pytest.mark.go
@pytest.mark.slow
def test_migrations_go122_on_every_release_in_range(tmp_path):
    _migrate_and_run(tmp_path, "1.22", ("1.22", "1.24", "1.25", "1.26"))


SPLIT = {
    "main.go": """
        // Copyright 2024 Example.

        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        //go:linkname nanotime runtime.nanotime
        func nanotime() int64

        //go:linkname fastrandu runtime.fastrandu
        func fastrandu() uint

        //go:linkname cheaprand runtime.cheaprand
        func cheaprand() uint32

        func main() {
        	fmt.Println(nanotime() > 0, fastrandu() >= 0, cheaprand() >= 0)
        }
    """,
}


@pytest.mark.go
def test_split_builds_where_the_shared_file_could_not(tmp_path):
    module = write_module(tmp_path / "m", SPLIT, go="1.21")
    # fastrandu is gone from 1.22, cheaprand arrives in 1.22: no release links the file.
    for release, missing in (("1.21", "runtime.cheaprand"), ("1.27", "runtime.fastrandu")):
        before = go_build(release, module)
        assert before.returncode != 0 and f"relocation target {missing} not defined" in before.stdout

    p = gofix(module, "--apply", "--select", "LN201", ".")
    assert p.returncode in (0, 1), p.stdout + p.stderr
    names = sorted(x.name for x in module.glob("*.go"))
    assert names == ["main.go", "main_cheaprand.go", "main_cheaprand_before_go122.go",
                     "main_fastrandu.go", "main_fastrandu_go122.go"]
    assert "//go:build !go1.22" in (module / "main_fastrandu.go").read_text()
    assert "// Copyright 2024 Example." in (module / "main_cheaprand_before_go122.go").read_text()
    for release in ("1.21", "1.23", "1.27"):
        run = go_run(release, module)
        assert run.returncode == 0 and run.stdout.strip() == "true true true", f"{release}: {run.stdout}"
    again = gofix(module, "--format", "json", "--select", "LN201", ".")
    assert json.loads(again.stdout)["findings"] == []
