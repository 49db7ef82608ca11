"""GOROOT/src is the module ``std``: its packages' import paths carry no module prefix, and what
one std package pulls from or pushes to another is a handshake built with it, never a hazard.

The ground truth is Go itself: the standard library of a real toolchain builds and links, so
checked as the module it is it holds no link error, no duplicated definition and no reach into
another release's internals."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from codemod import cli
from codemod.model import Module
from tests.gotoolchains import goroot

# What Go 1.27's std does (time/time.go, runtime/panic.go, hash/maphash): a body named for a
# symbol of the package's own (a legacy name kept for old pullers), a push into another std
# package, and a pull of runtime.rand.
STD_SHAPES = {
    "time/time.go": b"""package time

import _ "unsafe"

func absDate(abs uint64) int { return int(abs) }

//go:linkname legacyAbsClock time.absClock
func legacyAbsClock(abs uint64) (hour, min, sec int) {
	return int(abs), 0, 0
}
""",
    "runtime/panic.go": b"""package runtime

import _ "unsafe"

//go:linkname sync_fatal sync.fatal
func sync_fatal(s string) {
	panic(s)
}
""",
    "hash/maphash/maphash.go": b"""package maphash

import _ "unsafe"

//go:linkname runtime_rand runtime.rand
func runtime_rand() uint64

func seed() uint64 { return runtime_rand() }
""",
}


def _tree(root: Path, module: str) -> Path:
    root.mkdir()
    (root / "go.mod").write_text(f"module {module}\n\ngo 1.21\n")
    for name, data in STD_SHAPES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _rules(capsys, root: Path) -> list[str]:
    cli.main(["--no-cache", "--format", "json", str(root)])
    return sorted(f["rule"] for f in json.loads(capsys.readouterr().out)["findings"])


def test_import_paths_in_the_std_module(tmp_path):
    std = Module(tmp_path, "std", "1.27", None, ())
    assert std.import_path_of(tmp_path / "time") == "time"
    assert std.import_path_of(tmp_path / "vendor/golang.org/x/net/dns/dnsmessage") == \
        "vendor/golang.org/x/net/dns/dnsmessage"
    assert std.contains("runtime") and std.contains("vendor/golang.org/x/net/dns/dnsmessage")
    assert not std.contains("cmd/go") and not std.contains("cmd") and not std.contains("example.com/m")
    other = Module(tmp_path, "example.com/m", "1.21", None, ())
    assert other.import_path_of(tmp_path / "time") == "example.com/m/time"
    assert not other.contains("runtime")


def test_std_handshakes_are_not_hazards(tmp_path, capsys):
    assert _rules(capsys, _tree(tmp_path / "std", "std")) == []


def test_the_same_code_in_another_module_is_reported(tmp_path, capsys):
    # Outside std the same declarations define std's symbols a second time and pull a runtime
    # internal (runtime.rand, which Go 1.21 lacks): the findings the std module must not get.
    assert _rules(capsys, _tree(tmp_path / "m", "example.com/m")) == ["LN002", "LN002", "LN101", "LN202"]


def test_real_standard_library_has_no_link_hazard(capsys):
    """Go 1.27's own src/ builds with Go 1.27: checked for Go 1.27 alone, nothing breaks a build
    or a link there (what is left are notes on where directives stand)."""
    src = goroot("1.27") / "src"
    cli.main(["--no-cache", "--format", "json", "--go-versions", "1.27", str(src)])
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == []
    assert {f["rule"] for f in report["findings"]} <= {"LN003"}, \
        sorted({(f["rule"], f["path"]) for f in report["findings"] if f["rule"] != "LN003"})[:10]
