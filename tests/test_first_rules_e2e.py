"""The first three rules against real Go toolchains: the hazard does what the rule says, and
the fixed module builds and runs."""
from __future__ import annotations

import pytest

from tests.e2e import go_build, go_run, gofix, write_module

RELEASES = ("1.21", "1.27")  # the oldest and newest release the tool knows

MAIN = """
package main

import "fmt"

func main() {
	if t := nanotime(); t > 0 {
		fmt.Println("ok")
	}
}
"""

MISSING_UNSAFE = {
    "main.go": MAIN,
    "clock.go": """
        package main

        //go:linkname nanotime runtime.nanotime
        func nanotime() int64
    """,
}

PULL_WITH_BODY = {
    "main.go": MAIN,
    "clock.go": """
        package main

        import (
        	"time"
        	_ "unsafe"
        )

        //go:linkname nanotime runtime.nanotime
        func nanotime() int64 { return time.Now().UnixNano() }
    """,
}

DETACHED = {
    "main.go": MAIN,
    "clock.go": """
        package main

        import _ "unsafe"

        //go:linkname nanotime runtime.nanotime

        func nanotime() int64
    """,
}


@pytest.mark.go
@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("files, rule, broken", [
    (MISSING_UNSAFE, "LN001", '//go:linkname only allowed in Go files that import "unsafe"'),
    (PULL_WITH_BODY, "LN002", "duplicated definition of symbol runtime.nanotime"),
    (DETACHED, "LN003", None),  # measured: builds and runs correctly, only style
], ids=["missing-unsafe-import", "pull-with-body", "detached-directive"])
def test_fix_builds_and_runs(tmp_path, release, files, rule, broken):
    module = write_module(tmp_path / "m", files)
    before = go_build(release, module)
    if broken:
        assert before.returncode != 0 and broken in before.stdout, before.stdout
    else:
        assert before.returncode == 0, before.stdout

    check = gofix(module, "--select", "LN00", "--format", "json", ".")
    assert check.returncode == 1, check.stderr
    assert rule in check.stdout

    applied = gofix(module, "--select", "LN00", "--apply", ".")
    assert applied.returncode == 0, applied.stdout + applied.stderr

    after = go_build(release, module)
    assert after.returncode == 0, after.stdout
    assert go_run(release, module).stdout.strip() == "ok"
    assert gofix(module, "--select", "LN00", ".").returncode == 0  # nothing left to fix
