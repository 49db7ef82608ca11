"""Go syntax newer than the tree-sitter-go grammar: generic methods (Go 1.27) and ``new`` of an
expression (Go 1.26).

The file is read with the construct masked, checked like any other, never edited, and named
in one note that is no error (the exit code says what the findings say).  A truly broken file
is still one error line, exit 2.  Each construct is checked against real toolchains: the
release it is said to come with compiles it, the one before does not.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codemod.model import parse_file
from tests.e2e import gofix, write_module
from tests.gotoolchains import run_go

GENERIC_METHOD = """\
package main

type Rand struct{ seed int64 }

type Gen[T any] struct{ v T }

// N has type parameters of its own: Go 1.27.
func (r *Rand) N[Int ~int | ~int64](n Int) Int { return n + Int(r.seed) }

func (g Gen[T]) Pair[U any](u U) (T, U) { return g.v, u }

func main() {
	r := &Rand{seed: 1}
	_ = r.N(3)
	_, _ = Gen[int]{v: 1}.Pair("x")
	_ = nanotime()
}
"""

PULL = """\
package main

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64
"""

NEW_EXPRESSION = """\
package main

import "fmt"

type secret int

func main() {
	p := new(int64(-64))
	q := new(secret(*p))
	var r *[]int = new([]int)
	fmt.Println(*p, *q, r, clock())
}
"""


def _model(src: str):
    return parse_file(Path("a.go"), src.encode())


def test_a_generic_method_is_read_masked_with_everything_else_intact():
    f = _model(GENERIC_METHOD + "\n//go:linkname clock runtime.nanotime\nfunc clock() int64\n")
    assert f.syntax_errors == []
    assert [(n.span.line, n.what, n.release) for n in f.newer_syntax] == [
        (8, "a generic method", "1.27"), (10, "a generic method", "1.27")]
    assert {"main", "clock"} <= set(f.declarations)
    assert [(d.local, d.target, d.declaration is not None) for d in f.directives] == [
        ("clock", "runtime.nanotime", True)]
    # The model's text is the file as written; only the tree was built from the masked copy.
    assert f.source == (GENERIC_METHOD + "\n//go:linkname clock runtime.nanotime\nfunc clock() int64\n").encode()
    assert "tree-sitter-go" in f.newer_syntax[0].describe()


def test_a_generic_method_whose_receiver_spans_lines():
    f = _model("package p\n\ntype T struct{}\n\nfunc (\n\tt *T,\n) N[X any](x X) X { return x }\n")
    assert f.syntax_errors == []
    assert [(n.span.line, n.what) for n in f.newer_syntax] == [(5, "a generic method")]


def test_new_of_an_expression_is_read_masked_and_new_of_a_type_is_not_flagged():
    f = _model(NEW_EXPRESSION)
    assert f.syntax_errors == []
    assert [(n.span.line, n.what, n.release) for n in f.newer_syntax] == [
        (8, "new(expression)", "1.26"), (9, "new(expression)", "1.26")]


def test_a_function_named_make_called_on_an_expression():
    # Valid Go in every release (a package-level make shadows the builtin); the grammar
    # wants a type there.  It is read masked, with no release claimed.
    f = _model("package p\n\nfunc make(n int) []int { return nil }\n\nvar x = make(1 + 2)\n")
    assert f.syntax_errors == []
    assert [(n.span.line, n.what, n.release) for n in f.newer_syntax] == [(5, "make(expression)", None)]


def test_look_alikes_in_strings_and_comments_are_not_newer_syntax():
    src = ("package p\n\nvar s = `\nfunc (r *T) N[X any]() {}\n`\n\n/*\nfunc (r *T) M[X any]() {}\n*/\n"
           "var t = \"new(1+2)\"\n")
    f = _model(src)
    assert f.syntax_errors == [] and f.newer_syntax == []


@pytest.mark.parametrize("src, line", [
    # A broken file stays broken: masking repairs only what it recognises.
    ("package p\n\nfunc (r *T) N[X any](x X) {\n\treturn x +\n}\n", 4),
    ("package p\n\nvar p = new(int64(-64))\n\nfunc f( {\n", 5),
    ("package p\n\nvar p = new(1 +)\n", 3),
])
def test_a_real_syntax_error_next_to_newer_syntax_is_still_one(src, line):
    f = _model(src)
    assert f.syntax_errors and f.syntax_errors[0].line == line


def _claims_hold(tmp_path: Path, src: str, release: str, before: str) -> None:
    """``src`` (with PULL) builds and links on Go ``release`` and is refused by ``before``."""
    for r, ok in ((release, True), (before, False)):
        mod = write_module(tmp_path / f"go{r}", {"a.go": src, "pull.go": PULL}, go=r)
        built = run_go(r, ["build", "-o", "/dev/null", "."], mod)
        assert (built.returncode == 0) == ok, (r, built.stdout)


def test_newer_syntax_claims_match_real_toolchains(tmp_path):
    _claims_hold(tmp_path / "gm", GENERIC_METHOD, "1.27", "1.26")
    _claims_hold(tmp_path / "new", NEW_EXPRESSION.replace("clock()", "nanotime()"), "1.26", "1.25")


def test_a_package_with_a_generic_method_is_checked_and_the_file_left_as_it_is(tmp_path):
    """Go 1.27 code: the masked file's own finding is reported without a fix, the sibling's is
    fixed, the run is no error, and the masked file is byte-identical afterwards."""
    mod = write_module(tmp_path / "m", {
        "a.go": GENERIC_METHOD + "\n//go:linkname clock runtime.nanotime\nfunc clock() int64\n",
        "b.go": "package main\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n",
    }, go="1.27")
    a_before = (mod / "a.go").read_bytes()
    # As written, both files lack the unsafe import the compiler asks of a //go:linkname file.
    assert "unsafe" in run_go("1.27", ["build", "-o", "/dev/null", "."], mod).stdout

    p = gofix(mod, "--select", "LN001", "--format", "json", ".")
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    assert doc["errors"] == []
    assert [n["path"] for n in doc["notes"]] == ["a.go"]
    note = doc["notes"][0]["message"]
    assert note.startswith("line 8: a generic method (Go 1.27), which tree-sitter-go ")
    assert "does not parse (and 1 more such construct)" in note and "left unchanged" in note
    by_file = {f["path"]: f for f in doc["findings"]}
    assert set(by_file) == {"a.go", "b.go"} and all(f["rule"] == "LN001" for f in doc["findings"])
    assert by_file["a.go"]["fix"] is None and "a.go is not edited" in by_file["a.go"]["fix_withheld"]
    assert by_file["b.go"]["fix"] is not None
    assert "a.go: note: line 8: a generic method (Go 1.27)" in p.stderr
    github = gofix(mod, "--select", "LN001", "--format", "github", ".").stdout.splitlines()
    assert [x.split("::")[1] for x in github if x.startswith("::notice")] == [
        "notice file=a.go,title=gofix-linkname"]

    p = gofix(mod, "--select", "LN001", "--apply", ".")
    assert p.returncode == 1, p.stderr  # a.go's finding remains
    assert (mod / "a.go").read_bytes() == a_before
    assert b'import _ "unsafe"' in (mod / "b.go").read_bytes()
    # b.go now compiles; a.go is what is left, and the compiler says so of a.go alone.
    out = run_go("1.27", ["build", "-o", "/dev/null", "."], mod).stdout
    assert "a.go" in out and "b.go" not in out


def test_new_of_an_expression_in_a_clean_package_is_a_note_and_exit_0(tmp_path):
    mod = write_module(tmp_path / "m", {"a.go": NEW_EXPRESSION, "pull.go": PULL.replace(
        "nanotime()", "clock()").replace("nanotime ", "clock ")}, go="1.26")
    assert run_go("1.26", ["build", "-o", "/dev/null", "."], mod).returncode == 0
    # a.go holds no directive: it is read because its package pulls (a call may use the pull)
    p = gofix(mod, "--format", "json", ".")
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(p.stdout)
    assert doc["findings"] == [] and doc["errors"] == []
    assert [n["path"] for n in doc["notes"]] == ["a.go"]
    assert doc["notes"][0]["message"].startswith("line 8: new(expression) (Go 1.26)")


# Valid Go 1.27 that the masking does not repair (a comment between receiver and name): only a
# real toolchain can say it is valid, and the run asks one when it has one.
UNREPAIRED = """\
package main

type Rand struct{ seed int64 }

func (r *Rand) /* drawn from the seed */ N[Int ~int | ~int64](n Int) Int { return n + Int(r.seed) }

func main() { _ = (&Rand{}).N(3); _ = nanotime() }
"""


def _gofix_env(cwd: Path, goroot: Path | None, tmp: Path, *args: str):
    """The command line with only ``goroot``'s Go in reach (none: no Go at all)."""
    import os
    import shutil
    import subprocess
    import sys

    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    git = shutil.which("git")
    if git and not (bin_dir / "git").exists():
        (bin_dir / "git").symlink_to(git)
    env = {k: v for k, v in os.environ.items() if k != "GOROOT"}
    env["PATH"] = str(bin_dir)
    if goroot is not None:
        env["GOROOT"] = str(goroot)
    return subprocess.run([sys.executable, "-m", "codemod", "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_valid_go_the_grammar_cannot_read_is_a_note_when_gofmt_accepts_it(tmp_path):
    from tests.gotoolchains import goroot

    mod = write_module(tmp_path / "m", {"a.go": UNREPAIRED, "pull.go": PULL}, go="1.27")
    assert run_go("1.27", ["build", "-o", "/dev/null", "."], mod).returncode == 0
    assert run_go("1.26", ["vet", "."], mod, GOFLAGS="-mod=mod").returncode != 0  # not before 1.27
    assert _model(UNREPAIRED).syntax_errors  # the grammar cannot read it, masked or not
    (mod / "pull.go").write_text(PULL.replace('import _ "unsafe"\n\n', ""))  # LN001 to find
    before = {p.name: p.read_bytes() for p in mod.iterdir()}

    p = _gofix_env(mod, goroot("1.27"), tmp_path, "--format", "json", "--apply", ".")
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    assert doc["errors"] == []
    assert [n["path"] for n in doc["notes"]] == ["a.go"]
    assert doc["notes"][0]["message"].startswith("line 5, column 1: syntax tree-sitter-go ")
    assert "which gofmt of go1.27" in doc["notes"][0]["message"]
    # The package's fixes are held back: a.go could declare what a fix would add.
    [finding] = doc["findings"]
    assert finding["path"] == "pull.go" and finding["rule"] == "LN001" and finding["fix"] is None
    assert "a.go is valid Go the parser cannot read" in finding["fix_withheld"]
    assert {p.name: p.read_bytes() for p in mod.iterdir()} == before


def test_a_directive_in_a_file_the_grammar_cannot_read_stays_an_error(tmp_path):
    from tests.gotoolchains import goroot

    src = UNREPAIRED + '\n//go:linkname clock runtime.nanotime\nfunc clock() int64\n'
    mod = write_module(tmp_path / "m", {"a.go": 'package main\n\nimport _ "unsafe"\n' + src[len("package main\n"):],
                                        "pull.go": PULL}, go="1.27")
    assert run_go("1.27", ["build", "-o", "/dev/null", "."], mod).returncode == 0
    line = (mod / "a.go").read_text().splitlines().index("//go:linkname clock runtime.nanotime") + 1
    # With Go 1.27 at hand: valid, unreadable, and its pull unchecked: an error, exit 2.
    p = _gofix_env(mod, goroot("1.27"), tmp_path, ".")
    assert p.returncode == 2, p.stderr
    [err] = [x for x in p.stderr.splitlines() if x.startswith("a.go:")]
    assert re.fullmatch(rf"a\.go: error: line 7, column 1: syntax tree-sitter-go \S+ does not parse, which "
                        rf"gofmt of go1\.27\.\d+ accepts; not checked, left unchanged; its //go:linkname "
                        rf"directive \(line {line}\) cannot be checked", err), err
    # Without Go, or with a gofmt that predates the syntax: the syntax error it always was.
    for root in (None, goroot("1.26")):
        p = _gofix_env(mod, root, tmp_path, ".")
        assert p.returncode == 2, p.stderr
        assert [x for x in p.stderr.splitlines() if x.startswith("a.go:")] == [
            "a.go: error: syntax error at line 7, column 1; file left unchanged"]


def test_a_broken_file_is_a_syntax_error_with_go_at_hand_too(tmp_path):
    from tests.gotoolchains import goroot

    bad = b"package p\n\n//go:linkname x runtime.x\nfunc x( {\n"
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "syn.go").write_bytes(bad)
    p = _gofix_env(tmp_path / "m", goroot("1.27"), tmp_path, "--apply", ".")
    assert p.returncode == 2
    [err] = [x for x in p.stderr.splitlines() if x.startswith("syn.go:")]
    assert re.fullmatch(r"syn\.go: error: syntax error at line 4, column \d+; file left unchanged", err), err
    assert (tmp_path / "m" / "syn.go").read_bytes() == bad


FASTRAND_PULL = 'package main\n\nimport _ "unsafe"\n\n//go:linkname fastrand runtime.fastrand\nfunc fastrand() uint32\n'


@pytest.mark.parametrize("unreadable", [False, True])
def test_no_claim_that_a_pull_is_unused_when_a_file_that_may_call_it_was_not_read(tmp_path, unreadable):
    from tests.gotoolchains import goroot

    method = "func (r *Rand) /* c */ N" if unreadable else "func (r *Rand) N"
    src = (f"package main\n\ntype Rand struct{{ seed int64 }}\n\n{method}[Int ~int](n Int) Int "
           "{ return n + Int(fastrand()) }\n\nfunc main() { _ = (&Rand{}).N(3) }\n")
    mod = write_module(tmp_path / "m", {"a.go": src, "pull.go": FASTRAND_PULL}, go="1.27")
    assert run_go("1.27", ["build", "-o", "/dev/null", "."], mod).returncode == 0
    unused = "but nothing in the package calls it"
    p = _gofix_env(mod, goroot("1.27"), tmp_path, "--format", "json", ".")
    doc = json.loads(p.stdout)
    assert doc["errors"] == [] and [n["path"] for n in doc["notes"]] == ["a.go"]
    assert not any(unused in f["message"] for f in doc["findings"])
    # The same package where a.go does not call it: read (masked), the claim is sound and made;
    # unread, it is not made, since a.go could call it.
    (mod / "a.go").write_text(src.replace("n + Int(fastrand())", "n"))
    doc = json.loads(_gofix_env(mod, goroot("1.27"), tmp_path, "--format", "json", ".").stdout)
    assert any(unused in f["message"] for f in doc["findings"]) == (not unreadable)
