"""codemod.versions: the releases and platforms a file is built with, and writing constraints."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from codemod import buildconstraint as bc
from codemod import versions as v
from codemod.buildconstraint import Target
from codemod.edits import apply_text_edits
from codemod.model import Module, parse_file

KNOWN = v.known_releases()
PLATFORMS = ("linux/amd64", "linux/arm64", "darwin/arm64", "windows/amd64")


def module(go="1.21", toolchain=None):
    return Module(Path("/m"), "example.com/m", go, toolchain, ())


def gofile(name: str, text: str):
    return parse_file(Path(name), text.encode())


def test_known_releases_are_ordered_and_cover_the_measured_ones():
    assert KNOWN[0] == "1.21" and KNOWN[-1] == "1.27"
    assert list(KNOWN) == sorted(KNOWN, key=v.key)


@pytest.mark.parametrize("given, expected", [
    ("1.22.3", "1.22"), ("go1.23.4", "1.23"), ("1.21rc2", "1.21"), ("1.21", "1.21"), ("", None), (None, None),
])
def test_minor(given, expected):
    assert v.minor(given) == expected


def test_range_from_go_directive_to_newest():
    assert v.release_range(module("1.23")) == ("1.23", "1.24", "1.25", "1.26", "1.27")


def test_toolchain_raises_the_lower_bound():
    assert v.release_range(module("1.21", "go1.24.2"))[0] == "1.24"
    assert v.release_range(module("1.24", "go1.22.0"))[0] == "1.24"


def test_old_go_directive_is_clamped_to_known_releases():
    assert v.release_range(module("1.16")) == KNOWN
    assert v.release_range(None) == KNOWN


def test_go_versions_flag_overrides_the_module():
    assert v.release_range(module("1.21"), ("1.22", "1.24")) == ("1.22", "1.23", "1.24")
    assert v.release_range(module("1.21"), ("1.25.1", "1.25.9")) == ("1.25",)


def test_matrix_unconstrained_file_is_every_release_and_platform():
    f = gofile("a.go", "package a\n")
    m = v.build_matrix(f, module("1.25"), None, PLATFORMS)
    assert len(m) == 3 * 4
    assert {t.release for t in m} == {"1.25", "1.26", "1.27"}


def test_matrix_version_tags_are_minimum_releases():
    f = gofile("a.go", "//go:build go1.23 && !go1.25\n\npackage a\n")
    assert v.releases_of(v.build_matrix(f, module("1.21"), None, PLATFORMS)) == ["1.23", "1.24"]


def test_matrix_filename_suffix_and_goos_tags():
    f = gofile("clock_linux.go", "package a\n")
    m = v.build_matrix(f, module("1.27"), None, PLATFORMS)
    assert {(t.goos, t.goarch) for t in m} == {("linux", "amd64"), ("linux", "arm64")}
    g = gofile("x_arm64.go", "//go:build darwin || windows\n\npackage a\n")
    assert {(t.goos, t.goarch) for t in v.build_matrix(g, module("1.27"), None, PLATFORMS)} == {("darwin", "arm64")}
    h = gofile("x.go", "// +build !windows\n\npackage a\n")
    assert all(t.goos != "windows" for t in v.build_matrix(h, module("1.27"), None, PLATFORMS))


def test_tags_nobody_sets_are_false_as_in_go_build():
    t = Target("1.23", "linux", "amd64")
    assert not v.builds_on("a.go", bc.parse_expr("purego"), t)
    assert not v.builds_on("a.go", bc.parse_expr("routinex"), t)
    assert v.builds_on("a.go", bc.parse_expr("!routinex"), t)
    assert v.builds_on("a.go", bc.parse_expr("routinex"), t, frozenset({"routinex"}))
    assert not v.builds_on("a.go", bc.parse_expr("!routinex"), t, frozenset({"routinex"}))
    assert not v.builds_on("a.go", bc.parse_expr("ignore"), t, frozenset({"ignore"}))
    assert not v.builds_on("a.go", bc.parse_expr("gccgo"), t)
    assert v.builds_on("a.go", bc.parse_expr("gc && amd64.v1"), t)
    assert not v.builds_on("a.go", bc.parse_expr("amd64.v3"), t)
    assert not v.builds_on("a.go", bc.parse_expr("go1.24 && purego"), t, frozenset({"purego"}))


def test_cgo_and_experiments_may_be_either():
    t = Target("1.23", "linux", "amd64")
    assert v.builds_on("a.go", bc.parse_expr("cgo"), t)
    assert v.builds_on("a.go", bc.parse_expr("!cgo"), t)
    assert not v.builds_on("a.go", bc.parse_expr("cgo && !cgo"), t)
    assert v.builds_on("a.go", bc.parse_expr("goexperiment.swissmap"), t)


@pytest.mark.parametrize("releases, text", [
    (["1.23", "1.24", "1.25", "1.26", "1.27"], "Go 1.23-1.27"),
    (["1.21"], "Go 1.21"),
    (["1.21", "1.23", "1.24"], "Go 1.21, 1.23-1.24"),
    (["1.27", "1.21", "1.22"], "Go 1.21-1.22, 1.27"),
])
def test_format_releases(releases, text):
    assert v.format_releases(releases) == text


def test_describe_failures_names_each_outcome():
    text = v.describe_failures({"1.21": "undefined", "1.23": "blocked", "1.24": "blocked"})
    assert text == "undefined on Go 1.21; blocked by the linker on Go 1.23-1.24"


def test_release_bound_writes_only_needed_bounds():
    universe = list(KNOWN)
    fmt = lambda x: bc.format_expr(x)  # noqa: E731
    assert fmt(v.release_bound(["1.21", "1.22"], universe)) == "!go1.23"
    assert fmt(v.release_bound(["1.22", "1.23", "1.24", "1.25", "1.26", "1.27"], universe)) == "go1.22"
    assert fmt(v.release_bound(["1.22", "1.23"], universe)) == "go1.22 && !go1.24"
    assert fmt(v.release_bound(["1.21", "1.25", "1.26", "1.27"], universe)) == "!go1.22 || go1.25"
    assert v.release_bound(universe, universe) is None
    with pytest.raises(ValueError):
        v.release_bound([], universe)


@given(st.lists(st.booleans(), min_size=7, max_size=7).filter(lambda b: any(b) and not all(b)))
def test_release_bound_and_complement_partition_the_range(bits):
    universe = list(KNOWN)
    works = [r for r, b in zip(universe, bits) if b]
    existing = bc.parse_expr("linux || darwin")
    keep = v.bounded(existing, v.release_bound(works, universe))
    rest = v.complement(existing, v.release_bound(works, universe))
    for r in universe + ["1.28", "1.30"]:  # releases after the range side with the newest
        t = Target(r, "linux", "amd64")
        want = r in works if r in universe else universe[-1] in works
        assert bc.evaluate(keep, t.satisfies) == want
        assert bc.evaluate(rest, t.satisfies) == (not want)
        assert not bc.evaluate(keep, Target(r, "windows", "amd64").satisfies)
        assert not bc.evaluate(rest, Target(r, "windows", "amd64").satisfies)


def test_simplify_keeps_tightest_bounds():
    x = v.simplify(bc.parse_expr("go1.21 && linux && go1.23 && !go1.26 && !go1.25"))
    assert bc.format_expr(x) == "go1.23 && linux && !go1.25"
    assert bc.format_expr(v.complement(bc.parse_expr("go1.21"), bc.parse_expr("!go1.23"))) == "go1.23"


def test_open_ended():
    assert v.open_ended(bc.parse_expr("go1.21")) == "1.21"
    assert v.open_ended(bc.parse_expr("go1.21 && linux")) == "1.21"
    assert v.open_ended(bc.parse_expr("go1.21 && !go1.23")) is None
    assert v.open_ended(bc.parse_expr("go1.21 && (!go1.23 || purego)")) is None
    assert v.open_ended(bc.parse_expr("linux")) is None
    assert v.open_ended(None) is None


def _edit(text: str, expr) -> str:
    f = gofile("a.go", text)
    return apply_text_edits(f.source, v.constraint_edits(f, expr), False).decode()


def test_constraint_edits_add_replace_and_drop_plus_build():
    assert _edit("package a\n", bc.parse_expr("!go1.23")) == "//go:build !go1.23\n\npackage a\n"
    assert _edit("//go:build linux\n\npackage a\n", bc.parse_expr("linux && !go1.23")) == \
        "//go:build linux && !go1.23\n\npackage a\n"
    assert _edit("//go:build linux\n// +build linux\n\npackage a\n", bc.parse_expr("linux && !go1.23")) == \
        "//go:build linux && !go1.23\n\npackage a\n"
    assert _edit("// +build linux\n\npackage a\n", bc.parse_expr("linux && go1.23")) == \
        "//go:build linux && go1.23\n\npackage a\n"
    assert _edit("// Copyright.\n\n//go:build linux\n\npackage a\n", None) == "// Copyright.\n\npackage a\n"


