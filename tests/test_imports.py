"""Import edits: ensure_import puts the spec where gofmt/goimports would and never outside the
parentheses; drop_unused_imports removes exactly the imports a fix leaves unused."""
from __future__ import annotations

from pathlib import Path

import pytest

from codemod.edits import apply_text_edits
from codemod.imports import drop_unused_imports, ensure_import
from codemod.model import parse_file

P = Path("x.go")


def add_unsafe(src: bytes) -> bytes:
    f = parse_file(P, src)
    out = apply_text_edits(src, ensure_import(f, "unsafe", "_"), crlf=False)
    g = parse_file(P, out)
    assert g.syntax_errors == [] and not g.root.has_error, out
    assert [i.name for i in g.imports if i.path == "unsafe"] == ["_"], out
    return out


@pytest.mark.parametrize("src, expected", [
    # no import declaration: a new one after the package clause
    (b"package p\n", b'package p\n\nimport _ "unsafe"\n'),
    (b"// Package p.\npackage p // the p\n\nfunc f() {}\n",
     b'// Package p.\npackage p // the p\n\nimport _ "unsafe"\n\nfunc f() {}\n'),
    (b"package p", b'package p\nimport _ "unsafe"\n'),
    # single-line declarations: one more after the last
    (b'package p\n\nimport "fmt"\nimport "os"\n\nvar _ = fmt.Sprint\n',
     b'package p\n\nimport "fmt"\nimport "os"\nimport _ "unsafe"\n\nvar _ = fmt.Sprint\n'),
    # a group: sorted position, the group's indentation, comments untouched
    (b'package p\n\nimport (\n\t"fmt" // print\n\t"weak"\n)\n',
     b'package p\n\nimport (\n\t"fmt" // print\n\t_ "unsafe"\n\t"weak"\n)\n'),
    (b'package p\n\nimport (\n    "fmt"\n    "os"\n)\n',
     b'package p\n\nimport (\n    "fmt"\n    "os"\n    _ "unsafe"\n)\n'),
    # the standard-library group, wherever it stands
    (b'package p\n\nimport (\n\t"example.com/z"\n\n\t"fmt"\n)\n',
     b'package p\n\nimport (\n\t"example.com/z"\n\n\t"fmt"\n\t_ "unsafe"\n)\n'),
    (b'package p\n\nimport (\n\t"fmt"\n\n\t"example.com/z"\n)\n',
     b'package p\n\nimport (\n\t"fmt"\n\t_ "unsafe"\n\n\t"example.com/z"\n)\n'),
])
def test_ensure_import_layouts(src, expected):
    assert add_unsafe(src) == expected


@pytest.mark.parametrize("src, expected", [
    # Layouts gofmt would not leave; a new line there could fall outside the parentheses.
    (b'package p\n\nimport ("fmt")\n', b'package p\n\nimport ("fmt")\nimport _ "unsafe"\n'),
    (b'package p\n\nimport ("weak")\n', b'package p\n\nimport ("weak")\nimport _ "unsafe"\n'),
    (b'package p\n\nimport (\n\t"fmt"\n\t"os")\n', b'package p\n\nimport (\n\t"fmt"\n\t"os")\nimport _ "unsafe"\n'),
    (b'package p\n\nimport (\n\t"fmt"; "weak"\n)\n',
     b'package p\n\nimport (\n\t"fmt"; "weak"\n)\nimport _ "unsafe"\n'),
    (b'package p; import "fmt"; func f() {}\n', b'package p; import "fmt"; import _ "unsafe"; func f() {}\n'),
    (b"package p; func f() {}\n", b'package p; import _ "unsafe"; func f() {}\n'),
])
def test_ensure_import_in_unusual_layouts_stays_go(src, expected):
    assert add_unsafe(src) == expected


def test_ensure_import_does_nothing_when_imported_under_any_name():
    for spec in (b'"unsafe"', b'_ "unsafe"', b'u "unsafe"', b'. "unsafe"'):
        f = parse_file(P, b"package p\n\nimport " + spec + b"\n")
        assert ensure_import(f, "unsafe", "_") == []


def test_ensure_import_in_a_crlf_file_through_the_engine(tmp_path, monkeypatch):
    from codemod import engine
    from codemod.edits import Safety
    from codemod.rule import Options
    from rules import select

    src = b'package p\r\n\r\nimport (\r\n\t"fmt"\r\n)\r\n\r\nvar _ = fmt.Sprint\r\n\r\n//go:linkname x runtime.x\r\nfunc x()\r\n'
    (tmp_path / "c.go").write_bytes(src)
    monkeypatch.chdir(tmp_path)
    result = engine.run(["."], select(["LN001"]), Options(), fix_level=Safety.SAFE)
    assert result.changes[Path("c.go")][1] == src.replace(b'\t"fmt"\r\n', b'\t"fmt"\r\n\t_ "unsafe"\r\n')


def drop(src: bytes, removed_text: bytes) -> bytes:
    """Remove ``removed_text`` (e.g. a function body) and the imports only it used."""
    start = src.index(removed_text)
    f = parse_file(P, src)
    from codemod.edits import TextEdit

    edits = [TextEdit(P, start, start + len(removed_text), ""),
             *drop_unused_imports(f, [(start, start + len(removed_text))])]
    out = apply_text_edits(src, edits, crlf=False)
    assert parse_file(P, out).syntax_errors == []
    return out


BODY = b" { return time.Now().UnixNano() }"


def test_an_import_used_only_by_the_removed_code_goes():
    src = b'package p\n\nimport (\n\t"fmt"\n\t"time"\n\t_ "unsafe"\n)\n\nvar _ = fmt.Sprint\n\nfunc now() int64' + BODY + b"\n"
    assert drop(src, BODY) == \
        b'package p\n\nimport (\n\t"fmt"\n\t_ "unsafe"\n)\n\nvar _ = fmt.Sprint\n\nfunc now() int64\n'


def test_an_import_used_elsewhere_stays():
    src = b'package p\n\nimport "time"\n\nvar t = time.Second\n\nfunc now() int64' + BODY + b"\n"
    assert drop(src, BODY) == b'package p\n\nimport "time"\n\nvar t = time.Second\n\nfunc now() int64\n'


def test_blank_dot_and_already_unused_imports_stay():
    src = b'package p\n\nimport (\n\t"os"\n\t. "strings"\n\t_ "unsafe"\n\t"time"\n)\n\nfunc now() int64' + BODY + b"\n"
    assert drop(src, BODY) == \
        b'package p\n\nimport (\n\t"os"\n\t. "strings"\n\t_ "unsafe"\n)\n\nfunc now() int64\n'


def test_a_group_left_empty_goes_whole():
    src = b'package p\n\nimport (\n\t"time"\n)\n\nimport _ "unsafe"\n\nfunc now() int64' + BODY + b"\n"
    assert drop(src, BODY) == b'package p\n\nimport _ "unsafe"\n\nfunc now() int64\n'


def test_a_renamed_import_is_traced_by_its_name():
    src = b'package p\n\nimport (\n\tt "time"\n\t_ "unsafe"\n)\n\nfunc now() int64 { return t.Now().UnixNano() }\n'
    assert drop(src, b" { return t.Now().UnixNano() }") == \
        b'package p\n\nimport (\n\t_ "unsafe"\n)\n\nfunc now() int64\n'


@pytest.mark.parametrize("imports, expected", [
    # A spec sharing its line with another: only its own text goes, never the neighbour.
    (b'import (\n\t"fmt"; "time"\n\t_ "unsafe"\n)', b'import (\n\t"fmt"\n\t_ "unsafe"\n)'),
    (b'import (\n\t"time"; "fmt"\n\t_ "unsafe"\n)', b'import (\n\t"fmt"\n\t_ "unsafe"\n)'),
    (b'import (\n\t"fmt"; "time"; "os"\n\t_ "unsafe"\n)', b'import (\n\t"fmt"; \n\t_ "unsafe"\n)'),
    (b'import "fmt"; import "time"\nimport _ "unsafe"', b'import "fmt"\nimport _ "unsafe"'),
    (b'import "time"; import "fmt"\nimport _ "unsafe"', b'import "fmt"\nimport _ "unsafe"'),
])
def test_dropping_keeps_what_shares_the_line(imports, expected):
    use = b"\n\nvar _ = fmt.Sprint\n\nfunc now() int64"
    body = b" { return time.Now().UnixNano() + int64(os.Getpid()) }" if b'"os"' in imports else BODY
    src = b"package p\n\n" + imports + use + body + b"\n"
    assert drop(src, body) == b"package p\n\n" + expected + use + b"\n"
