"""gated-file-without-counterpart (LN108) on minimal modules: where a constrained file's names
go missing, and every way a name is still provided (or not a use at all)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from codemod import engine
from codemod.edits import CreateFile, Safety
from codemod.rule import Options
from rules import select

LN108 = select(["LN108"])

PULL_OLD = """
    //go:build !go1.23

    package m

    import _ "unsafe"

    //go:linkname nanotime runtime.nanotime
    func nanotime() int64
"""
USES = """
    package m

    func Elapsed(start int64) int64 { return nanotime() - start }
"""


def run(tmp_path: Path, files: dict[str, str], go: str = "1.21", **options):
    (tmp_path / "go.mod").write_text(f"module example.com/m\n\ngo {go}\n")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
    return engine.run([str(tmp_path)], LN108, Options(**options), fix_level=Safety.UNSAFE)


def test_release_gated_pull_used_elsewhere_breaks_later_releases(tmp_path):
    result = run(tmp_path, {"clock_old.go": PULL_OLD, "use.go": USES})
    (f,) = result.findings
    assert (f.path.name, f.span.line, f.severity.value) == ("clock_old.go", 1, "error")
    assert f.failing_releases == {r: "undefined" for r in ("1.23", "1.24", "1.25", "1.26", "1.27")}
    assert "nanotime is declared only in this file" in f.message
    assert "leaves out of Go 1.23-1.27; use.go uses it there" in f.message
    assert '"undefined: nanotime"' in f.message
    # The companion: built exactly where the pull's file is not, over the public clock.
    assert f.fix.safety == Safety.UNSAFE and "time.Now()" in f.fix.why_unsafe
    (created,) = [e for e in f.fix.edits if isinstance(e, CreateFile)]
    assert created.path.name == "clock_old_go123.go"
    assert created.text.startswith("//go:build go1.23\n\npackage m\n\nimport \"time\"\n")
    assert "func nanotime() int64 {" in created.text
    # Fixed, nothing is left to report.
    assert tmp_path / "clock_old_go123.go" in result.changes
    for path, (_, after) in result.changes.items():
        path.write_bytes(after)
    assert run(tmp_path, {}).findings == []


def test_platform_gated_file_names_the_platforms(tmp_path):
    result = run(tmp_path, {
        "hash_amd64.go": """
            package m

            import "unsafe"

            //go:linkname memhash runtime.memhash
            func memhash(p unsafe.Pointer, h, s uintptr) uintptr
        """,
        "table.go": """
            package m

            import "unsafe"

            func Sum(b []byte) uintptr { return memhash(unsafe.Pointer(&b[0]), 0, uintptr(len(b))) }
        """})
    (f,) = result.findings
    assert f.path.name == "hash_amd64.go" and f.span.line == 1  # the package clause
    assert "which its file name leaves out of Go 1.21-1.27 on linux/arm64, darwin/arm64" in f.message
    assert f.failing_releases == {r: "undefined" for r in ("1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27")}
    (created,) = [e for e in f.fix.edits if isinstance(e, CreateFile)]
    # The companion's name carries no _amd64 (go/build would read it as a constraint).
    assert created.path.name == "hash_other.go"
    assert created.text.startswith("//go:build !amd64\n")
    assert '"hash/maphash"' in created.text


HASH_PULL = 'package m\n\nimport _ "unsafe"\n\n//go:linkname hashFn runtime.fastrand\nfunc hashFn() uint32\n'
HASH_USE = "package m\n\nfunc Use() uint32 { return hashFn() }\n"


def test_platforms_outside_the_analysed_set_are_not_claimed(tmp_path):
    # Gated by its name alone: no word in either file says so.
    files = {"hash_linux.go": HASH_PULL + "\nfunc helper() uint32 { return 1 }\n",
             "use.go": "package m\n\nfunc Use() uint32 { return hashFn() + helper() }\n"}
    assert run(tmp_path, files, platforms=("linux/amd64", "linux/arm64")).findings == []
    (f,) = run(tmp_path, {}, platforms=("linux/amd64", "windows/amd64")).findings
    assert "hashFn, helper are declared only in this file, which its file name leaves out of " \
           "Go 1.21-1.27 on windows/amd64" in f.message
    # A plain function has no public replacement: reported, no fix, and it says why.
    assert f.fix is None and "helper is not a pull" in f.extra["fix_withheld"]


def test_a_package_written_for_some_platforms_only_is_not_claimed_for_others(tmp_path):
    # gVisor's pkg/flipcall: futex_linux.go declares what the unconstrained files call; a Linux
    # package by design, which nothing in its files says.
    files = {"futex_linux.go": """
        package m

        func yieldThread() {}
    """, "ctrl.go": """
        package m

        func Wait() { yieldThread() }
    """, "io.go": """
        //go:build !false

        package m

        func Size() int { return 1 }
    """}
    assert run(tmp_path, files).findings == []
    # runc's libcontainer/configs has _unsupported.go files and still builds on Linux alone
    # (its dependencies do not build elsewhere): no more a claim than without them.
    assert run(tmp_path, {"futex_unsupported.go": "//go:build !linux\n\npackage m\n\nfunc spin() {}\n"}).findings == []
    # A pull gated to one system is this tool's business wherever the package goes.
    (tmp_path / "futex_linux.go").write_text(
        "package m\n\nimport _ \"unsafe\"\n\n//go:linkname yieldThread runtime.osyield\nfunc yieldThread()\n")
    (f,) = run(tmp_path, {}).findings
    assert "yieldThread is declared only in this file" in f.message and "on darwin/arm64, windows/amd64" in f.message


def test_the_message_names_what_leaves_the_file_out(tmp_path):
    # gVisor writes //go:build !false on files its name gates.
    (f,) = run(tmp_path, {"use.go": HASH_USE, "hash_linux.go": "//go:build !false\n" + HASH_PULL}).findings
    assert "which its file name leaves out of" in f.message
    (tmp_path / "hash_linux.go").unlink()
    (f,) = run(tmp_path, {"hash.go": "//go:build linux\n" + HASH_PULL}).findings
    assert "which its build constraint (linux) leaves out of" in f.message
    (tmp_path / "hash.go").unlink()
    (f,) = run(tmp_path, {"hash_arm64.go": "//go:build linux\n" + HASH_PULL},
               platforms=("linux/arm64", "linux/amd64", "darwin/arm64")).findings
    assert "which its file name and build constraint (linux) leaves out of" in f.message


def test_complementary_sibling_provides_the_name(tmp_path):
    result = run(tmp_path, {"clock_old.go": PULL_OLD, "use.go": USES, "clock_new.go": """
        //go:build go1.23

        package m

        import "time"

        var origin = time.Now()

        func nanotime() int64 { return int64(time.Since(origin)) }
    """})
    assert result.findings == []


def test_a_gap_between_two_gated_files_is_reported_without_a_fix(tmp_path):
    result = run(tmp_path, {"clock_old.go": PULL_OLD, "use.go": USES, "clock_new.go": """
        //go:build go1.25

        package m

        import "time"

        func nanotime() int64 { return time.Now().UnixNano() }
    """})
    (f,) = result.findings  # one gap, reported once (by the first file declaring the name)
    assert f.path.name == "clock_new.go"
    assert "nanotime is declared only in this file and clock_old.go, none of which Go 1.23-1.24 builds; " \
           "use.go uses it there" in f.message
    assert f.failing_releases == {"1.23": "undefined", "1.24": "undefined"}
    assert f.fix is None and "also declared in another file" in f.extra["fix_withheld"]


def test_what_is_not_a_use_of_the_package_level_name(tmp_path):
    # A parameter, a local variable, a range variable, a field, a method, a composite-literal
    # key, a type-switch variable: each spelled like the gated name, none refers to it.
    result = run(tmp_path, {"clock_old.go": PULL_OLD, "use.go": """
        package m

        type T struct{ nanotime int64 }

        func (T) nanotimeOf() {}

        func (t T) M() int64 { return t.nanotime }

        func A(nanotime func() int64) int64 { return nanotime() }

        func B() int64 {
        	nanotime := func() int64 { return 1 }
        	return nanotime()
        }

        func C(xs []int64) (s int64) {
        	for _, nanotime := range xs {
        		s += nanotime
        	}
        	return T{nanotime: 1}.nanotime + s
        }

        func D(x any) int64 {
        	switch nanotime := x.(type) {
        	case int64:
        		return nanotime
        	}
        	return 0
        }
    """})
    assert result.findings == []


def test_a_local_declaration_in_another_block_does_not_hide_a_use(tmp_path):
    result = run(tmp_path, {"clock_old.go": PULL_OLD, "use.go": """
        package m

        func A() int64 {
        	if true {
        		nanotime := int64(1)
        		_ = nanotime
        	}
        	return nanotime()
        }
    """})
    (f,) = result.findings
    assert "use.go uses it there" in f.message


def test_uses_only_where_the_file_is_built_are_fine(tmp_path):
    result = run(tmp_path, {"clock_old.go": PULL_OLD, "use_old.go": """
        //go:build !go1.23

        package m

        func Elapsed(start int64) int64 { return nanotime() - start }
    """})
    assert result.findings == []


def test_a_use_in_a_test_file_breaks_the_tests_only(tmp_path):
    result = run(tmp_path, {"clock_old.go": PULL_OLD, "clock_test.go": """
        package m

        import "testing"

        func TestClock(t *testing.T) {
        	if nanotime() <= 0 {
        		t.Fatal("clock")
        	}
        }
    """, "other.go": "package m\n"})
    (f,) = result.findings
    assert f.severity.value == "warning"
    assert "the package's tests do not compile there" in f.message
    # An external test package cannot name it unqualified: no use.
    (tmp_path / "clock_test.go").write_text((tmp_path / "clock_test.go").read_text()
                                            .replace("package m", "package m_test"))
    assert run(tmp_path, {}).findings == []


def test_builtin_names_and_dot_imports_are_not_claimed(tmp_path):
    # Where the file is left out, min is the builtin again; a dot import may supply anything.
    result = run(tmp_path, {"min_old.go": """
        //go:build !go1.23

        package m

        func min(a, b int) int {
        	if a < b {
        		return a
        	}
        	return b
        }
    """, "use.go": """
        package m

        func Low(a, b int) int { return min(a, b) }
    """, "dot_old.go": """
        //go:build !go1.23

        package m

        func Sprint(a ...any) string { return "" }
    """, "dot.go": """
        package m

        import . "fmt"

        func Show() string { return Sprint(1) }
    """})
    assert result.findings == []


def test_a_file_no_release_builds_and_tags_nobody_sets(tmp_path):
    # An ignored file is no member of the package: nothing declared there is missing anywhere.
    files = {"old.go": "//go:build ignore\n\npackage m\n\nfunc hashFn() int { return 1 }\n",
             "use.go": "package m\n\nfunc Use() int { return 2 }\n"}
    assert run(tmp_path, files).findings == []
    # A tag nobody sets leaves the file out of every build: used, it breaks everywhere; with
    # --tags it is in again.
    files = {"fast.go": "//go:build fast\n\npackage m\n\nfunc hashFn() int { return 1 }\n",
             "use.go": "package m\n\nfunc Use() int { return hashFn() }\n"}
    assert run(tmp_path, files).findings == []  # built nowhere: the file is no member either
    assert run(tmp_path, {}, tags=frozenset({"fast"})).findings == []


def test_the_module_range_bounds_the_claim(tmp_path):
    # go 1.23: the releases the pull's file leaves out are the whole range, and every release
    # of it breaks; with --go-versions 1.21-1.22 nothing is excluded.
    files = {"clock_old.go": PULL_OLD.replace("!go1.23", "!go1.24"), "use.go": USES}
    (f,) = run(tmp_path, files, go="1.21").findings
    assert list(f.failing_releases) == ["1.24", "1.25", "1.26", "1.27"]
    assert run(tmp_path, {}, release_range=("1.21", "1.23")).findings == []


def test_a_qualified_type_is_not_a_use(tmp_path):
    # testing.T names the testing package's T, not the package's own T.
    result = run(tmp_path, {"types_old.go": """
        //go:build !go1.23

        package m

        type T struct{ A int }
    """, "a_test.go": """
        package m

        import "testing"

        func TestA(t *testing.T) {}
    """, "a.go": "package m\n"})
    assert result.findings == []


def test_an_internal_package_counts_only_where_the_module_imports_it(tmp_path):
    # sonic's internal/native/avx2: its amd64-only code is imported by dispatch_amd64.go
    # alone, so that it cannot compile for arm64 is no defect.
    files = {
        "internal/fast/text.go": """
            //go:build amd64

            package fast

            import _ "unsafe"

            //go:linkname text runtime.nanotime
            func text() int64
        """,
        "internal/fast/export.go": """
            package fast

            func Len() int { return int(text()) }
        """,
        "internal/fast/export_test.go": """
            package fast_test

            import (
            	"testing"

            	"example.com/m/internal/fast"
            )

            func TestLen(t *testing.T) { _ = fast.Len() }
        """,
        "dispatch_amd64.go": """
            package m

            import "example.com/m/internal/fast"

            func Len() int { return fast.Len() }
        """,
        "dispatch.go": """
            //go:build !amd64

            package m

            func Len() int { return 0 }
        """,
        "link.go": """
            package m

            import _ "unsafe"

            //go:linkname nanotime runtime.nanotime
            func nanotime() int64
        """,
    }
    assert run(tmp_path, files).findings == []
    # Imported without a constraint, it is built for arm64 too, and breaks there.
    (tmp_path / "dispatch.go").write_text('package m\n\nimport _ "example.com/m/internal/fast"\n')
    (tmp_path / "dispatch_amd64.go").unlink()
    (f,) = run(tmp_path, {}).findings
    assert f.path.name == "text.go" and "on linux/arm64, darwin/arm64" in f.message


def test_top_level_names_are_read_from_the_specs():
    from codemod import scope
    from codemod.model import parse_file

    src = b"""package p

var a, b = 1, 2
var (
\tc int
\td, e = 3, 4
)
const (
\tg = iota
\th
)
type (
\tj struct{}
\tk = int
)
type L[T any] struct{}
func m() {}
func (j) n() {}
var _ = 1
func init() {}
var table = []byte{1, 2, 3}
"""
    assert sorted(scope.top_level_names(parse_file(Path("a.go"), src))) == \
        ["L", "a", "b", "c", "d", "e", "g", "h", "j", "k", "m", "table"]


def test_an_internal_importer_counts_only_where_it_is_built_in_turn(tmp_path):
    # sonic's internal/jit: imported by an unconstrained file of internal/jitdec, which only
    # amd64 files import; jit's amd64-only names are never missing in a build.
    files = {
        "internal/jit/arch_amd64.go": "package jit\n\nimport _ \"unsafe\"\n\n"
                                      "//go:linkname ticks runtime.cputicks\nfunc ticks() int64\n",
        "internal/jit/use.go": "package jit\n\nfunc Zero() int64 { return ticks() }\n",
        "internal/jitdec/debug.go": 'package jitdec\n\nimport "example.com/m/internal/jit"\n\n'
                                    "func R() int { return int(jit.Zero()) }\n",
        "d_amd64.go": 'package m\n\nimport _ "example.com/m/internal/jitdec"\n',
        "d.go": "package m\n",
    }
    assert run(tmp_path, files).findings == []
    # Once jitdec is imported everywhere, jit is built for arm64 too, and breaks there.
    (tmp_path / "d.go").write_text('package m\n\nimport _ "example.com/m/internal/jitdec"\n')
    (f,) = run(tmp_path, {}).findings
    assert f.path.name == "arch_amd64.go" and "on linux/arm64, darwin/arm64" in f.message


def test_a_result_type_is_a_use(tmp_path):
    (f,) = run(tmp_path, {"reg.go": "//go:build !go1.23\n\npackage m\n\ntype Reg int\n",
                          "use.go": "package m\n\nfunc Zero() Reg { return 0 }\n"}).findings
    assert "Reg is declared only in this file" in f.message
