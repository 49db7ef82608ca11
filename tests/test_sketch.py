"""codemod.sketch: what the bytes of a Go file show without a parse must match what the tree
shows (or say it does not know), and LN108's package gate built on it must never rule out a
package where the rule reports something."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codemod import engine, scope
from codemod.model import parse_file
from codemod.rule import Options
from codemod.sketch import PackageSketch, sketch, words_of
from rules import gated_file_without_counterpart as ln108
from rules import select
from tests.gotoolchains import goroot

ROOT = Path(__file__).resolve().parent.parent

TRICKY = {
    "groups and generics": """
        //go:build linux && !go1.25

        // Package p is sketched.
        package p

        import (
            "fmt"
            _ "unsafe"
        )

        import "os"

        type (
            A int
            B[T any] struct{ x T }
            C = map[string]func() (int, error)
        )

        var (
            x, y = f(1,
                2), 3
            z int
            w = struct {
                a int
            }{
                a: 1,
            }
        )

        const (
            K0 = iota
            K1
            _
        )

        var _ = fmt.Sprint
        var v1, v2 int

        func init() {}

        func (a A) Method() {}

        func (b *B[T]) Other() {}

        func G[T interface{ ~int }](t T) T {
            var inner = 1
            const local = 2
            type T2 int
            return t
        }

        func bodyless(p uintptr) uintptr

        func s() string {
            return `
        func notAName() {}
        var nope = 1
        `
        }

        /* a block comment
        func alsoNot() {}
        */
        func r() rune { return '}' }

        var q = "}{)(" + os.Args[0]

        func long(a,
            b int) (c int) {
            if a > b { return a }
            return b
        }
        """,
    "no layout": "package p; var a = 1; func b() { var c = 2; _ = c }; type d struct{}\n"
                 "const e, f = 1, 2\nvar g = a +\n    1\n",
    "plus build": "// +build linux,amd64 darwin\n\npackage p\n\nfunc onUnix() {}\n",
}


def _tree_names(m) -> frozenset[str]:
    # (tree-sitter-go files the comma of ``const a, b = ...`` under the spec's names too:
    # scope.top_level_names takes the names only.)
    return scope.top_level_names(m)


def _names(name: str, text: str):
    data = textwrap.dedent(text).lstrip().encode()
    return sketch(name, data), parse_file(Path(name), data)


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_sketch_matches_the_tree(case):
    s, m = _names("a.go", TRICKY[case])
    assert not m.syntax_errors
    assert s.names == _tree_names(m)
    assert s.package == m.package
    assert s.constraint == m.constraint.expr


def _agrees_with_the_tree(paths) -> int:
    checked = 0
    for path in sorted(paths):
        data = path.read_bytes()
        m = parse_file(path, data)
        if m.syntax_errors or m.package_clause is None or m.constraint.error:
            continue
        s = sketch(path.name, data)
        if s.names is None:
            continue  # it may not know; it must never be wrong
        assert (s.names, s.package, s.constraint) == \
            (_tree_names(m), m.package, m.constraint.expr), path
        checked += 1
    return checked


def test_sketch_matches_the_tree_on_every_go_file_of_the_repository():
    paths = [p for d in ("examples", "tests", "snapshots") for p in ROOT.joinpath(d).rglob("*.go")]
    assert _agrees_with_the_tree(paths) > 50


@pytest.mark.parametrize("package", ["runtime", "syscall", "os", "net"])
def test_sketch_matches_the_tree_on_the_standard_library(package):
    """Real code, with every layout the Go team writes: the sketch knows nearly every file."""
    files = sorted((goroot("1.27") / "src" / package).glob("*.go"))
    assert _agrees_with_the_tree(files) >= 0.95 * len(files) > 50


@pytest.mark.parametrize("text", [
    "package p\n\nfunc f() {\n",                       # an unbalanced brace
    "package p\n\nx := 1\n",                           # a statement where a declaration must be
    "/* never closed\npackage p\n",
])
def test_sketch_says_it_does_not_know_rather_than_guess(text):
    assert sketch("a.go", text.encode()).names is None


def test_words_are_whole_words():
    w = words_of("package p // héllo\nvar x_1 = y.z+`w`".encode())
    assert {b"package", b"p", "héllo".encode(), b"x_1", b"y", b"z", b"w"} <= w
    assert b"x" not in w and b"ll" not in w


def _package(tmp_path: Path, files: dict[str, str]) -> PackageSketch:
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
    names = tuple(sorted(files))
    return PackageSketch(tmp_path, names, lambda p: p.read_bytes(),
                         engine.module_for({}, tmp_path), Options())


def test_gate_rules_out_counterparts_that_declare_every_name(tmp_path):
    pkg = _package(tmp_path, {
        "a_linux.go": "package m\n\nfunc helper() int { return 1 }\n",
        "a_other.go": "//go:build !linux\n\npackage m\n\nfunc helper() int { return 2 }\n",
        "use.go": "package m\n\nfunc Use() int { return helper() }\n",
    })
    assert ln108.may_break(pkg) is False


NEW = "//go:build go1.22\n\npackage m\n\nfunc helper() int { return 1 }\n"  # left out of Go 1.21
PULL_LINUX = "package m\n\nimport _ \"unsafe\"\n\n//go:linkname helper runtime.fastrand\nfunc helper() uint32\n"


@pytest.mark.parametrize("files", [
    {"a_new.go": NEW, "use.go": "package m\n\nfunc Use() int { return helper() }\n"},
    # Declared elsewhere only in a test file: the package itself still lacks it.
    {"a_new.go": NEW, "x_test.go": "package m\n\nfunc helper() int { return 2 }\n",
     "use.go": "package m\n\nfunc Use() int { return helper() }\n"},
    # Spelled in the code of a file built there: a use, as far as bytes tell.
    {"a_new.go": NEW, "use_old.go": "//go:build !go1.22\n\npackage m\n\nvar x = helper\n"},
    # Left out of some platforms only, and the missing name is the file's pull.
    {"a_linux.go": PULL_LINUX, "use.go": "package m\n\nfunc Use() uint32 { return helper() }\n"},
])
def test_gate_lets_the_rule_look_wherever_a_name_may_be_missing(tmp_path, files):
    assert ln108.may_break(_package(tmp_path, files)) is True


@pytest.mark.parametrize("files", [
    # Left out of some platforms only, with no directive: a package meant for Linux alone.
    {"a_linux.go": "package m\n\nfunc helper() int { return 1 }\n",
     "use.go": "package m\n\nfunc Use() int { return helper() }\n"},
    # A directive, but the missing name is not the one it pulls.
    {"a_linux.go": PULL_LINUX + "\nfunc other() int { return 1 }\n",
     "b_other.go": "//go:build !linux\n\npackage m\n\nfunc helper() uint32 { return 2 }\n",
     "use.go": "package m\n\nfunc Use() int { return int(helper()) + other() }\n"},
    # "//go:linkname" in the middle of a comment line is no directive.
    {"a_linux.go": "package m\n\n// Not a //go:linkname helper, a plain function.\nfunc helper() int { return 1 }\n",
     "use.go": "package m\n\nfunc Use() int { return helper() }\n"},
    # Spelled where the file is left out only in a comment, a string, or the package clause.
    {"a_new.go": NEW, "doc_old.go": "//go:build !go1.22\n\npackage m\n\n// helper is new.\nfunc other() {}\n"},
    {"a_new.go": NEW, "doc_old.go": "//go:build !go1.22\n\npackage m\n\nvar s = `helper` + \"helper\"\n"},
    {"a_linux.go": PULL_LINUX.replace("helper", "m"),
     "b_other.go": "//go:build !linux\n\npackage m\n\nfunc other() {}\n"},
    # Spelled in an external test built there, which sees none of the package's names unqualified.
    {"a_new.go": NEW, "x_old_test.go": "//go:build !go1.22\n\npackage m_test\n\nfunc helper() {}\n"},
])
def test_gate_rules_out_gaps_the_rule_does_not_claim(tmp_path, files):
    """The gate answers False where the rule run without it finds nothing: where only some
    platforms leave a file out, the rule claims a gap only for the names the file's
    directives pull; and a name is missing only where code of the package refers to it."""
    pkg = _package(tmp_path, files)
    assert ln108.may_break(pkg) is False
    rules = select(["LN108"])
    ungated = engine.run([str(tmp_path)], [r.__class__(**{**r.__dict__, "package_gate": None}) for r in rules],
                         Options())
    assert ungated.findings == []
    assert not ungated.problems


def test_gated_run_reports_what_the_whole_package_run_reports(tmp_path):
    """The engine with the gate and the rule run without it agree, finding or not."""
    files = {
        "a_linux.go": "package m\n\nimport _ \"unsafe\"\n\n//go:linkname helper runtime.fastrand\nfunc helper() uint32\n",
        "b_linux.go": "package m\n\nfunc both() int { return 1 }\n",
        "b_other.go": "//go:build !linux\n\npackage m\n\nfunc both() int { return 2 }\n",
        "use.go": "package m\n\nfunc Use() int { return int(helper()) + both() }\n",
    }
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    rules = select(["LN108"])
    gated = engine.run([str(tmp_path)], rules, Options())
    ungated = engine.run([str(tmp_path)], [r.__class__(**{**r.__dict__, "package_gate": None}) for r in rules],
                         Options())
    assert [(f.path.name, f.message) for f in gated.findings] == \
        [(f.path.name, f.message) for f in ungated.findings]
    assert [f.path.name for f in gated.findings] == ["a_linux.go"]


def test_directive_names_are_every_local_name_the_model_reads(tmp_path):
    """The gate's directive names hold every directive's local name the parse finds, on
    this repository's Go files and on shapes at the edges (a BOM before the first line,
    a directive indented, one named in the middle of a comment line)."""
    shapes = {
        "bom.go": "\ufeff//go:linkname first runtime.nanotime\npackage m\n\nimport _ \"unsafe\"\n\nfunc first() int64\n",
        "indented.go": "package m\n\nimport _ \"unsafe\"\n\nvar (\n\t//go:linkname x runtime.x\n\tx int\n)\n",
        "mention.go": "package m\n\n// See //go:linkname words in the docs.\nfunc words() {}\n",
    }
    for name, text in shapes.items():
        (tmp_path / name).write_text(text)
    paths = [*tmp_path.glob("*.go"),
             *(p for d in ("examples", "tests", "snapshots") for p in ROOT.joinpath(d).rglob("*.go"))]
    checked = 0
    for path in paths:
        data = path.read_bytes()
        m = parse_file(path, data)
        pkg = PackageSketch(path.parent, (path.name,), lambda p, data=data: data, None, Options())
        named = pkg.directive_names(path.name)
        assert {d.local for d in m.directives} <= named, path
        checked += bool(m.directives)
    assert checked > 20
    pkg = PackageSketch(tmp_path, tuple(shapes), lambda p: p.read_bytes(), None, Options())
    assert pkg.directive_names("bom.go") == {"first"}
    assert pkg.directive_names("indented.go") == {"x"}
    assert pkg.directive_names("mention.go") == frozenset()


@pytest.mark.parametrize("package", ["runtime", "syscall", "net"])
def test_code_words_hold_every_identifier_past_the_package_clause(package):
    """What the gate calls a file's code words misses no identifier the tree holds (a name
    in a comment or literal only is what it leaves out, never one in code)."""
    checked = 0
    for path in sorted((goroot("1.27") / "src" / package).glob("*.go")):
        data = path.read_bytes()
        m = parse_file(path, data)
        if m.syntax_errors or m.newer_syntax or m.package_clause is None:
            continue
        words = PackageSketch(path.parent, (path.name,), lambda p, data=data: data, None, Options()).code_words(path.name)
        stack = [m.tree.root_node]
        while stack:
            node = stack.pop()
            if node.type in ("identifier", "type_identifier", "field_identifier") \
                    and node.start_byte >= m.package_clause.end:
                assert m.source[node.start_byte:node.end_byte] in words, (path, node.start_point)
            stack.extend(node.children)
        checked += 1
    assert checked > 50
