"""The fix kit: new file names, release words, +build lines, and the per-pass import
reconciliation (before/after pairs; the e2e tests build the results with real Go)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from codemod import buildconstraint as bc
from codemod import fixkit
from codemod.edits import AddImport, TextEdit, apply_text_edits
from codemod.model import parse_file


def test_new_file_path_keeps_platform_and_test_suffixes():
    name = lambda p, w, taken=(): fixkit.new_file_path(Path(p), w, taken).name  # noqa: E731
    assert name("d/clock.go", "go123") == "clock_go123.go"
    assert name("d/clock_linux.go", "go123") == "clock_go123_linux.go"
    assert name("d/clock_linux_arm64.go", "go123") == "clock_go123_linux_arm64.go"
    assert name("d/clock_test.go", "go123") == "clock_go123_test.go"
    assert name("d/clock.go", "go123", {"clock_go123.go"}) == "clock_go1232.go"
    for p in ("clock_linux.go", "clock_linux_arm64.go", "clock_test.go", "clock.go"):
        new = name(p, "x")
        assert bc.filename_constraint(new) == bc.filename_constraint(p)


def test_new_file_path_never_reads_as_a_constraint_or_a_test():
    for word in ("linux", "amd64", "windows", "js", "wasm", "test", "darwin_arm64", "ios"):
        new = fixkit.new_file_path(Path("d/s.go"), word).name
        assert bc.filename_constraint(new) == (None, None) and not new.endswith("_test.go"), new
    # From a file that has a suffix, the new one has the same and no other.
    new = fixkit.new_file_path(Path("d/s_windows.go"), "linux").name
    assert bc.filename_constraint(new) == ("windows", None), new


def test_new_file_path_avoids_names_in_any_case():
    assert fixkit.new_file_path(Path("d/g.go"), "go123", {"G_GO123.go"}).name == "g_go1232.go"
    assert fixkit.new_file_path(Path("d/g.go"), "go123", {"g_go123.go", "g_go1232.GO"}).name == "g_go1233.go"


def test_release_words():
    w = lambda t: fixkit.release_word(bc.parse_expr(t))  # noqa: E731
    assert w("go1.22") == "go122"
    assert w("!go1.23") == "before_go123"
    assert w("go1.22 && !go1.25") == "go122_before_go125"
    assert w("linux && go1.23") == "go123"
    assert w("linux") is None and w("go1.21 || go1.23") is None


def test_plus_build_lines_as_gofmt_writes_them():
    lines = lambda t: bc.plus_build_lines(bc.parse_expr(t))  # noqa: E731
    assert lines("linux && !go1.23") == ["// +build linux,!go1.23"]
    assert lines("!(linux && amd64)") == ["// +build !linux !amd64"]
    assert lines("(linux || darwin) && !go1.23") == ["// +build linux darwin", "// +build !go1.23"]


def _reconcile(before: str, after: str, *requests: tuple[str, str | None]) -> str:
    path = Path("a.go")
    b, a = textwrap.dedent(before).lstrip().encode(), textwrap.dedent(after).lstrip().encode()
    out = fixkit.reconcile_imports(path, b, a, [AddImport(path, p, n) for p, n in requests], False)
    return out.decode()


def test_two_requests_for_one_import_add_it_once():
    out = _reconcile('''
        package p

        import "fmt"

        func f() { fmt.Println() }
    ''', '''
        package p

        import "fmt"

        func f() { fmt.Println(rand.Uint32(), rand.Uint64()) }
    ''', ("math/rand/v2", None), ("math/rand/v2", None))
    assert out.count('"math/rand/v2"') == 1
    assert parse_file(Path("a.go"), out.encode()).imports[-1].path == "math/rand/v2"


def test_unused_imports_and_the_last_blank_unsafe_go_with_no_blank_line_before_the_paren():
    before = '''
        package p

        import (
        	"fmt"
        	"time"

        	_ "unsafe"
        )

        //go:linkname now runtime.nanotime
        func now() int64

        func f() { fmt.Println(time.Now()) }
    '''
    after = '''
        package p

        import (
        	"fmt"
        	"time"

        	_ "unsafe"
        )

        func f() { fmt.Println() }
    '''
    assert _reconcile(before, after) == textwrap.dedent('''
        package p

        import (
        	"fmt"
        )

        func f() { fmt.Println() }
    ''').lstrip()


def test_a_blank_import_becomes_the_named_one_the_code_needs():
    out = _reconcile('''
        package p

        import _ "unsafe"

        //go:linkname x runtime.x
        var x int
    ''', '''
        package p

        import _ "unsafe"

        var x = unsafe.Sizeof(0)
    ''', ("unsafe", None))
    assert 'import "unsafe"' in out and '_ "unsafe"' not in out


def test_resolved_edits_give_the_engine_result_as_one_replacement():
    path = Path("a.go")
    src = b"package p\r\n\r\nfunc f() {}\r\n"
    at = src.index(b"func")
    edits = [TextEdit(path, at, at + len(b"func f() {}"), "func f() { _ = rand.Int() }"),
             AddImport(path, "math/rand", None)]
    from codemod.edits import Fix, Safety
    (e,) = fixkit.resolved_edits(Fix("x", Safety.SAFE, tuple(edits)), lambda p: src)
    out = apply_text_edits(src, [e], False)
    assert out == b'package p\r\n\r\nimport "math/rand"\r\n\r\nfunc f() { _ = rand.Int() }\r\n'


def test_license_header_leaves_a_multi_line_package_doc_behind():
    from pathlib import Path

    from codemod.fixkit import license_header
    from codemod.model import parse_file

    src = (b"// Copyright 2024 The Authors.\n// SPDX-License-Identifier: MIT\n\n//go:build !go1.23\n\n"
           b"// Package p does things,\n// over several lines.\npackage p\n")
    assert license_header(parse_file(Path("p.go"), src)) == \
        "// Copyright 2024 The Authors.\n// SPDX-License-Identifier: MIT\n\n"
    assert license_header(parse_file(Path("p.go"), b"//go:build x\n\n// Doc.\n// More.\npackage p\n")) == ""


def test_removing_a_standalone_var_pull_takes_its_doc_comment():
    src = (b"package p\n\nimport _ \"unsafe\"\n\nvar keep int32\n\n"
           b"// ncpu is the CPU count the runtime measured.\n//\n//go:linkname ncpu runtime.ncpu\n"
           b"var ncpu int32\n\nfunc f() {}\n")
    f = parse_file(Path("p.go"), src)
    (d,) = f.directives
    out = apply_text_edits(src, fixkit.remove_pulls(f, [d]), False)
    assert out == b"package p\n\nimport _ \"unsafe\"\n\nvar keep int32\n\nfunc f() {}\n"
