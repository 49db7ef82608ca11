"""Every fix compiles, links, and is gofmt- and vet-clean: one regression test per bug found
on generated modules and public code, each building the result with real Go toolchains."""
from __future__ import annotations

import os
import textwrap

import pytest

from tests.e2e import go_build, gofix, gofmt_dirty, sound, write_module
from tests.gotoolchains import CI_RELEASES, run_go


def releases_from(go: str) -> list[str]:
    return [r for r in CI_RELEASES if tuple(map(int, r.split("."))) >= tuple(map(int, go.split(".")))]


def fix_and_check(root, go: str, *platforms: str, args=("--unsafe-fixes",)) -> str:
    """Apply every fix; the module must build, link, vet and gofmt clean on every CI release
    it allows, and a second run must change nothing.  Returns the first run's output."""
    p = gofix(root, "--apply", *args, ".")
    assert p.returncode in (0, 1), p.stdout + p.stderr
    for release in releases_from(go):
        assert sound(release, root, *platforms) == [], p.stdout
    again = gofix(root, "--diff", *args, ".")
    assert again.stdout == "", f"a second run still changes files:\n{again.stdout}"
    return p.stdout + p.stderr


def main_printing_a_pull(name: str, result: str, groups: bool = False) -> str:
    """A main package pulling runtime.<name> (no arguments, one result) and printing a test of
    what it returns; ``groups`` puts a blank line between the imports "fmt" and _ "unsafe"."""
    gap = "\n" if groups else ""
    return (f'package main\n\nimport (\n\t"fmt"\n{gap}\t_ "unsafe"\n)\n\n'
            f"//go:linkname {name} runtime.{name}\nfunc {name}() {result}\n\n"
            f"func main() {{ fmt.Println({name}() >= 0) }}\n")


# runtime.gcount: refused by the Go 1.23+ linker, so the fix splits the file by release.
MAIN_GCOUNT = """
package main

import (
	"fmt"
	_ "unsafe"
)

//go:linkname gcount runtime.gcount
func gcount() int32

func main() { fmt.Println(gcount() > 0) }
"""


def test_a_pull_whose_results_differ_gets_no_call_rewrite(tmp_path):
    """``x, err := fastrand()`` of a pull declared with two results: rewriting the call to
    ``rand.Uint32()`` would not compile, so the call keeps its pull."""
    root = write_module(tmp_path / "m", {"main.go": """
        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        //go:linkname fastrand runtime.fastrand
        func fastrand() (uint32, error)

        func main() {
        	x, err := fastrand()
        	fmt.Println(x >= 0, err == nil)
        }
    """}, go="1.22")
    assert go_build("1.23", root).returncode == 0
    out = fix_and_check(root, "1.22")
    assert "x, err := fastrand()" in (root / "main.go").read_text(), out


def test_two_rules_asking_for_one_import_get_one(tmp_path):
    """LN101 (runtime.fastrandu is gone since Go 1.22: its companion uses math/rand/v2) and
    LN202 (the call becomes rand.Uint64 of math/rand/v2) in one pass: one import."""
    root = write_module(tmp_path / "m", {"main.go": main_printing_a_pull("fastrandu", "uint")}, go="1.22")
    fix_and_check(root, "1.22")
    assert (root / "main.go").read_text().count('"math/rand/v2"') <= 1


@pytest.mark.parametrize("local", ["linux", "amd64", "windows", "js", "wasm", "test", "darwin_arm64"])
def test_new_file_names_never_read_as_constraints(tmp_path, local):
    """LN201 moves a failing pull to ``<stem>_<local>.go``: a local named like a GOOS, a
    GOARCH or ``test`` must not give that file a constraint (or make it a test file)."""
    root = write_module(tmp_path / "m", {"main.go": f"""
        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        //go:linkname nanotime runtime.nanotime
        func nanotime() int64

        //go:linkname {local} runtime.fastrandu
        func {local}() uint

        func main() {{ fmt.Println(nanotime() > 0, {local}() >= 0) }}
    """})
    fix_and_check(root, "1.21", "windows/amd64", "darwin/arm64")
    for p in root.glob("*.go"):
        assert not p.name.endswith(("_test.go", "_linux.go", "_amd64.go", "_windows.go", "_js.go",
                                    "_wasm.go", "_arm64.go")), p.name


def test_new_file_names_avoid_case_collisions_and_directories(tmp_path):
    """A fallback file is never created under a name that exists in another letter case
    (the go command rejects the package) or as a directory."""
    root = write_module(tmp_path / "m", {
        "main.go": MAIN_GCOUNT,
    })
    before = {p.name for p in root.iterdir()}
    # What the tool would name the new files: take every such name, in another case or as a directory.
    p = gofix(root, "--diff", "--unsafe-fixes", ".")
    new = sorted({line[6:] for line in p.stdout.splitlines() if line.startswith("+++ b/")} - before)
    assert new, p.stdout
    for i, name in enumerate(new):
        if i % 2:
            (root / name).mkdir()
            (root / name / "README").write_text("a directory\n")
        else:
            (root / name.upper().replace(".GO", ".go")).write_text("package main\n")
    fix_and_check(root, "1.21")
    names = [p.name.lower() for p in root.iterdir()]
    assert len(names) == len(set(names))


def test_malformed_directives_are_reported_in_the_compilers_words_and_never_fixed(tmp_path):
    root = write_module(tmp_path / "m", {"main.go": """
        package main

        import _ "unsafe"

        //go:linkname mono runtime.nanotime extra
        func mono() int64

        //go:linkname gc runtime.gcount // a trailing comment
        func gc() int32

        func main() { println(mono(), gc()) }
    """})
    source = (root / "main.go").read_bytes()
    for release in CI_RELEASES:
        b = go_build(release, root)
        assert b.returncode != 0 and "usage: //go:linkname localname [linkname]" in b.stdout, b.stdout
    check = gofix(root, "--format", "json", ".")
    import json
    findings = json.loads(check.stdout)["findings"]
    malformed = [f for f in findings if f["name"] == "malformed-directive"]
    assert [f["line"] for f in malformed] == [5, 8]
    assert all("usage: //go:linkname localname [linkname]" in f["message"] and f["fix"] is None
               for f in malformed)
    # No other rule treats them as pulls (no target-unavailable "fix" for runtime.gcount).
    assert {f["name"] for f in findings} == {"malformed-directive"}, findings
    applied = gofix(root, "--apply", "--unsafe-fixes", ".")
    assert applied.returncode == 1
    assert (root / "main.go").read_bytes() == source


def test_a_misplaced_plus_build_line_stays_ineffective(tmp_path):
    """``// +build linux`` directly above the package clause is ignored by go/build: the file
    builds on darwin too, and a fix must not turn the line into an effective constraint."""
    root = write_module(tmp_path / "m", {
        "main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(gcount() > 0) }\n",
        "pull.go": """
            // +build linux
            package main

            import _ "unsafe"

            //go:linkname gcount runtime.gcount
            func gcount() int32
        """,
    })
    assert go_build("1.21", root, goos="darwin", goarch="arm64").returncode == 0
    p = gofix(root, "--apply", "--unsafe-fixes", ".")
    assert p.returncode in (0, 1), p.stderr
    for release in CI_RELEASES:
        for goos, goarch in (("linux", "amd64"), ("darwin", "arm64")):
            b = go_build(release, root, goos=goos, goarch=goarch)
            assert b.returncode == 0, (release, goos, b.stdout)


def test_plus_build_lines_kept_in_step_below_go_1_17(tmp_path):
    root = write_module(tmp_path / "m", {
        "main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(gcount() > 0) }\n",
        "pull.go": """
            //go:build !windows
            // +build !windows

            package main

            import _ "unsafe"

            //go:linkname gcount runtime.gcount
            func gcount() int32
        """,
        "pull_windows.go": "package main\n\nimport \"runtime\"\n\nfunc gcount() int32 { return int32(runtime.NumGoroutine()) }\n",
    }, go="1.16")
    fix_and_check(root, "1.16", "windows/amd64")
    for p in root.glob("*.go"):
        text = p.read_text()
        if "//go:build" in text:
            assert "// +build" in text, p.name


def test_gofmt_clean_after_closing_the_gap_under_a_doc_comment(tmp_path):
    root = write_module(tmp_path / "m", {"main.go": """
        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        // nanotime reads the runtime's clock.
        //go:linkname nanotime runtime.nanotime

        func nanotime() int64

        // walltime is documented too.
        func walltime() int64 { return 1 }

        //go:linkname walltime2 runtime.walltime
        // walltime2 has its doc below the directive.

        func walltime2() (int64, int32)

        func main() { fmt.Println(nanotime() > 0, walltime() > 0) }
    """})
    fix_and_check(root, "1.21")


def test_gofmt_clean_after_removing_the_last_import_of_a_group(tmp_path):
    root = write_module(tmp_path / "m", {"main.go": main_printing_a_pull("fastrand", "uint32", groups=True)})
    fix_and_check(root, "1.21")
    assert "unsafe" not in (root / "main.go").read_text()


def test_new_files_from_crlf_input_are_crlf(tmp_path):
    root = write_module(tmp_path / "m", {})
    (root / "main.go").write_bytes(MAIN_GCOUNT.lstrip().replace("\n", "\r\n").encode())
    fix_and_check(root, "1.21")
    for p in root.glob("*.go"):
        data = p.read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n"), p.name


def test_a_go121_file_in_a_go122_module_gets_math_rand(tmp_path):
    """go vet's stdversion: a ``//go:build go1.21`` file may not use math/rand/v2 (new in 1.22)."""
    root = write_module(tmp_path / "m", {
        "main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(roll() < 6) }\n",
        "roll.go": """
            //go:build go1.21

            package main

            import _ "unsafe"

            //go:linkname fastrand runtime.fastrand
            func fastrand() uint32

            func roll() uint32 { return fastrand() % 6 }
        """}, go="1.22")
    fix_and_check(root, "1.22")
    assert '"math/rand"' in (root / "roll.go").read_text()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_file_symlinked_into_two_packages(tmp_path):
    """One file, two packages: a fix that adds a companion file in one directory would break
    the other.  Such a file is reported, its fixes withheld, and the link kept."""
    root = write_module(tmp_path / "m", {
        "a/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(gcount() > 0) }\n",
        "a/pull.go": """
            package main

            import _ "unsafe"

            //go:linkname gcount runtime.gcount
            func gcount() int32
        """,
        "b/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(gcount() > 0) }\n",
    })
    (root / "b" / "pull.go").symlink_to(root / "a" / "pull.go")
    p = gofix(root, "--apply", "--unsafe-fixes", ".")
    assert (root / "b" / "pull.go").is_symlink()
    assert "symbolic link" in p.stdout + p.stderr
    for release in CI_RELEASES:
        b = run_go(release, ["build", "-o", "/dev/null", "./..."], root)
        expect_ok = release == "1.21"  # gcount is blocked from 1.23 on, fix or no fix
        assert (b.returncode == 0) == expect_ok, b.stdout


def test_never_hoist_the_clock_out_of_a_benchmarks_measured_loop(tmp_path):
    root = write_module(tmp_path / "m", {
        "clock.go": """
            package clock

            import _ "unsafe"

            //go:linkname nanotime runtime.nanotime
            func nanotime() int64

            func Busy(n int) int64 {
            	var sum int64
            	for i := 0; i < n; i++ {
            		sum += nanotime() / 1e9
            	}
            	return sum
            }
        """,
        "clock_test.go": """
            package clock

            import "testing"

            var sink int64

            func BenchmarkNanotime(b *testing.B) {
            	for i := 0; i < b.N; i++ {
            		sink += nanotime() & 1
            	}
            }

            func BenchmarkNanotimeRange(b *testing.B) {
            	for range b.N {
            		sink += nanotime() & 1
            	}
            }

            func BenchmarkNanotimeLoop(b *testing.B) {
            	for b.Loop() {
            		for j := 0; j < 2; j++ {
            			sink += nanotime() & 1
            		}
            	}
            }
        """,
    }, go="1.24")
    before = (root / "clock_test.go").read_text()
    import json
    found = json.loads(gofix(root, "--format", "json", "--select", "LN203", ".").stdout)["findings"]
    assert [f["path"] for f in found] == ["clock.go"]  # the measured loops are not reported at all
    p = gofix(root, "--apply", "--unsafe-fixes", "--select", "LN203", ".")
    assert (root / "clock_test.go").read_text() == before, p.stdout
    assert "now := nanotime()" in (root / "clock.go").read_text()  # an ordinary loop still is


def test_a_stack_of_directives_over_its_declarations_is_attached(tmp_path):
    root = write_module(tmp_path / "m", {"main.go": """
        package main

        import (
        	"fmt"
        	_ "unsafe"
        )

        //go:linkname a a
        //go:linkname b b
        var a int
        var b = &a

        func main() { fmt.Println(*b == a) }
    """})
    p = gofix(root, "--format", "json", "--select", "LN003", ".")
    assert '"detached-directive"' not in p.stdout
    fix_and_check(root, "1.21")


def test_fallback_names_say_which_releases_they_are_for(tmp_path):
    root = write_module(tmp_path / "m", {
        "main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(fastrandu() >= 0) }\n",
        "runtime_go119.go": """
            //go:build go1.19

            package main

            import _ "unsafe"

            //go:linkname fastrandu runtime.fastrandu
            func fastrandu() uint
        """})
    fix_and_check(root, "1.21")
    assert (root / "runtime_go119_go122.go").is_file(), sorted(p.name for p in root.iterdir())


# The shapes of a cgo-free FFI library's fakecgo package (ebitengine/purego,
# internal/fakecgo/callbacks.go and linux.go): directives stacked over declarations.
STACKS = """
    package main

    import (
    	"fmt"
    	_ "unsafe"
    )

    // TODO: a note that belongs to no declaration

    //go:linkname tramp tramp
    //go:linkname hook hook
    var tramp byte
    var hook = &tramp

    // Indicates whether a key was created.
    //
    // A paragraph the declaration below does not own.

    //go:linkname created created
    var xcreated uintptr
    var created = &xcreated

    func errno() int32 { return 0 }

    //go:linkname setegid setegid
    //go:linkname seteuid seteuid
    //go:linkname setgid setgid

    var setegid = &tramp
    var seteuid = &tramp
    var setgid = &tramp

    var other int
    //go:linkname late late

    var late = &tramp

    func main() { fmt.Println(hook == &tramp, *created, errno(), setegid, seteuid, setgid, other, late) }
"""


def test_directives_stacked_over_declarations(tmp_path):
    """A stack right above its declarations is attached, even with a declaration it does not
    name in the run (``var xcreated``); a stack a blank line away from its run of declarations
    joins it (one blank line removed, no double blank line left); a directive moved under a
    declaration gets the blank line gofmt puts between a declaration and the next one's
    directives.  The result builds, links, vets and is gofmt-clean, and is exactly this."""
    root = write_module(tmp_path / "m", {"main.go": STACKS})
    p = gofix(root, "--format", "json", "--select", "LN003", ".")
    import json
    lines = sorted(f["line"] for f in json.loads(p.stdout)["findings"])
    assert lines == [25, 26, 27, 34], p.stdout  # the separated stack, and the glued directive
    fix_and_check(root, "1.21")
    after = (root / "main.go").read_text()
    assert after == textwrap.dedent(STACKS).lstrip("\n").replace(
        "//go:linkname setgid setgid\n\nvar setegid", "//go:linkname setgid setgid\nvar setegid").replace(
        "var other int\n//go:linkname late late\n\nvar late", "var other int\n\n//go:linkname late late\nvar late")


DOC_COMMENTS = """
    package main

    import (
    	"fmt"
    	_ "unsafe"
    )

    //go:linkname a a

    // a is documented below its directive.
    func a() int { return 1 }

    // An old note, not b's.
    //go:linkname b b

    // b is documented too.
    func b() int { return 2 }

    // c's note.
    //go:linkname c c

    func c() int { return 3 }

    //go:linkname d d
    // d's text, below the directive.

    func d() int { return 4 }

    //go:noinline
    //go:linkname e e

    func e() int { return 5 }

    // f's doc.
    //
    //go:noinline
    func f() int { return 6 }

    //go:linkname f f

    // g's doc.
    func g() int { return 7 }

    //go:linkname g g

    func main() { fmt.Println(a(), b(), c(), d(), e(), f(), g()) }
"""

DOC_COMMENTS_FIXED = """
    package main

    import (
    	"fmt"
    	_ "unsafe"
    )

    // a is documented below its directive.
    //
    //go:linkname a a
    func a() int { return 1 }

    // An old note, not b's.

    // b is documented too.
    //
    //go:linkname b b
    func b() int { return 2 }

    // c's note.
    //
    //go:linkname c c
    func c() int { return 3 }

    // d's text, below the directive.
    //
    //go:linkname d d
    func d() int { return 4 }

    //go:noinline

    //go:linkname e e
    func e() int { return 5 }

    // f's doc.
    //
    //go:noinline
    //go:linkname f f
    func f() int { return 6 }

    // g's doc.
    //
    //go:linkname g g
    func g() int { return 7 }

    func main() { fmt.Println(a(), b(), c(), d(), e(), f(), g()) }
"""


def test_directive_and_doc_comments_in_every_order(tmp_path):
    """LN003 with doc comments above the directive, between it and the declaration, on both
    sides, after the declaration, and with another directive (``//go:noinline``) nearby: the
    directive ends up last in the declaration's doc comment after a bare ``//`` line, as gofmt
    wants; a note that was not the declaration's doc stays apart; a floating ``//go:noinline``
    is not brought onto a declaration (that would change what the compiler does)."""
    root = write_module(tmp_path / "m", {"main.go": DOC_COMMENTS})
    assert gofmt_dirty("1.27", root) == []
    fix_and_check(root, "1.21")
    assert (root / "main.go").read_text() == textwrap.dedent(DOC_COMMENTS_FIXED).lstrip("\n")
    assert run_go("1.27", ["run", "."], root).stdout.split() == ["1", "2", "3", "4", "5", "6", "7"]


def test_a_pull_given_a_body_sheds_its_noescape(tmp_path):
    """phuslu/log: ``//go:noescape`` over an exported pull.  The compiler refuses it on a function
    with a body ("can only use //go:noescape with external func implementations"), so the fix
    that gives the pull a body in place takes it away, with the bare ``//`` line before it."""
    root = write_module(tmp_path / "m", {
        "main.go": """
            package main

            import "fmt"

            func main() { fmt.Println(Fastrandn(10) < 10, roll() < 6) }
        """,
        "rand.go": """
            package main

            import _ "unsafe"

            // Fastrandn returns a pseudorandom uint32 in [0,n).
            //
            //go:noescape
            //go:linkname Fastrandn runtime.fastrandn
            func Fastrandn(n uint32) uint32
        """,
        # runtime.fastrandu is gone from Go 1.22: LN101 replaces the pull in place.
        "roll.go": """
            package main

            import _ "unsafe"

            //go:linkname fastrandu runtime.fastrandu
            //go:noescape
            func fastrandu() uint

            func roll() uint { return fastrandu() % 6 }
        """}, go="1.22")
    out = fix_and_check(root, "1.22")
    assert "noescape" not in (root / "rand.go").read_text() + (root / "roll.go").read_text(), out
    assert (root / "rand.go").read_text().startswith(
        "package main\n\nimport \"math/rand/v2\"\n\n// Fastrandn returns a pseudorandom uint32 in [0,n).\n"
        "func Fastrandn(n uint32) uint32 {\n")
