"""Shortcuts the cold run over a large tree takes (a word search before a tree search, work
done once per package or per file rather than per question, a substitution done with
``split``) must give the answers the long way gives, for every spelling that decides them."""
from __future__ import annotations

import json

import pytest

from codemod import cli, model, sketch

PULL = """package p

import _ "unsafe"

// runtime.gcount is refused by the Go 1.23+ linker.
//
//go:linkname gcount runtime.gcount
func gcount() int32
"""


def _module(root, files: dict[str, str]):
    root.mkdir()
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    for name, text in files.items():
        (root / name).write_text(text, "utf-8")
    return root


def _findings(capsys, root, *args) -> list[dict]:
    cli.main(["--format", "json", "--no-cache", *args, str(root)])
    return json.loads(capsys.readouterr().out)["findings"]


# Where a sibling without any trigger word uses the pull: glued to punctuation, as a value,
# after a non-ASCII identifier, in a composite literal; each is a reference the linker sees.
USES = [
    "func Count() int { return int(gcount()) }\n",
    "func Count() int { x:=gcount;return int(x()) }\n",
    "func Count() int { é:=1; return é+int(gcount()) }\n",
    "var table = []func() int32{gcount}\n",
    "func Count() int {\n\treturn int(\n\t\tgcount(),\n\t)\n}\n",
]
# Spellings that are no reference: a longer word, the name inside another identifier (ASCII or
# not), a comment and a string (the tree tells those apart), a field of another value.
NON_USES = [
    "func Count() int { return gcountx() }\nfunc gcountx() int { return 1 }\n",
    "func Count() int { égcount := 1; return égcount }\n",
    "// gcount is not called here.\nfunc Count() int { return 1 }\n",
    'func Count() string { return "gcount()" }\n',
    "type T struct{ gcount func() int32 }\n\nfunc (t T) Count() int32 { return t.gcount() }\n",
]


@pytest.mark.parametrize("use", USES)
def test_a_sibling_spelling_the_pull_refers_to_it(tmp_path, capsys, use):
    root = _module(tmp_path / "m", {"pull.go": PULL, "use.go": "package p\n\n" + use})
    found = [f for f in _findings(capsys, root, "--select", "LN101") if f["rule"] == "LN101"]
    assert found and "gcount" in found[0]["message"], found


@pytest.mark.parametrize("use", NON_USES)
def test_a_sibling_not_spelling_the_pull_as_a_name_does_not(tmp_path, capsys, use):
    # Nothing calls the pull: the object file has no relocation, the link never sees it.
    root = _module(tmp_path / "m", {"pull.go": PULL, "use.go": "package p\n\n" + use})
    assert not [f for f in _findings(capsys, root, "--select", "LN101") if f["rule"] == "LN101"]


@pytest.mark.parametrize("text", [
    b'package p\n\n/* a\n"b" */ var x = "c\\"d" + `e\nf` + \'g\' // h\nfunc F() { _ = "(" }\n',
    b"package p\n\nvar (\n\ta = f(g(h(1), [2]int{}))\n)\n\nfunc (r *T) M[P any]() {}\n",
    b"package p\n\nconst s = '\\'' // x\n/**/func G() {}\n",
    b"",
])
def test_keep_is_the_substitution_that_keeps_every_group(text):
    for pattern in (sketch._LEXEMES, sketch._PARENS):
        template = b"".join(rb"\%d" % (i + 1) for i in range(pattern.groups))
        assert sketch._keep(pattern, text) == pattern.sub(template, text)
    assert sketch.skeleton(text) is not None or b"\x01" in text


@pytest.mark.parametrize("init, found", [
    ("var started = gcount()\n", True),
    ("var (\n\tx, started = 1, int64(gcount())\n)\n", True),
    ("var started = gcountx()\n\nfunc gcountx() int32 { return 0 }\n", False),
    ("// var started = gcount()\nvar started = 1\n", False),
])
def test_a_pulled_call_in_a_sibling_initializer_is_seen(tmp_path, capsys, init, found):
    # The sibling spells no trigger word: it is read because its package pulls, and the
    # rule skips it only when its words do not hold a pull's name.
    root = _module(tmp_path / "m", {"pull.go": PULL, "init.go": "package p\n\n" + init})
    hits = [f for f in _findings(capsys, root, "--select", "LN204") if f["path"].endswith("init.go")]
    assert bool(hits) == found, hits


@pytest.mark.parametrize("package", ["runtime", "sync/atomic", "internal/runtime/atomic", "time", "no/such"])
def test_a_packages_symbols_in_any_release_are_the_union_of_each_releases(package):
    from codemod import knowledge

    union = set().union(*(knowledge.package_symbols(package, r) for r in knowledge.RELEASES))
    assert knowledge.package_symbols_anywhere(package) == union
    assert union or package == "no/such"


def test_a_gate_reads_a_parsed_files_words_from_its_model(tmp_path):
    path = tmp_path / "a_linux.go"
    data = b"package p\n\nvar onlyLinux = 1\n"
    parsed = model.parse_file(path, data)
    pkg = sketch.PackageSketch(tmp_path, ("a_linux.go",), lambda p: data, None, None, trees={"a_linux.go": parsed})
    assert pkg.words("a_linux.go") is sketch.model_words(parsed) == sketch.words_of(data)
    other = sketch.PackageSketch(tmp_path, ("a_linux.go",), lambda p: bytes(bytearray(data)), None, None,
                                 trees={"a_linux.go": parsed})
    assert other.words("a_linux.go") == sketch.words_of(data)  # other bytes: its own words


# A directive whose target is another package of the same module is a handshake no rule
# follows: the package is not read whole for it.  A pull of another module's symbol is; a push
# (a declaration with contents, defining another module's symbol) is not.
HANDSHAKE = """package p

import _ "unsafe"

//go:linkname helper example.com/m/q.helper
func helper() int
"""


@pytest.mark.parametrize("directive, whole", [
    (HANDSHAKE, False),
    (PULL, True),
    (HANDSHAKE.replace("example.com/m/q.helper", "example.com/other.helper"), True),
    (HANDSHAKE.replace("example.com/m/q.helper", "example.com/other.helper")
     .replace("func helper() int", "func helper() int { return 3 }"), False),
    (HANDSHAKE.replace("example.com/m/q.helper", "example.com/other.hook")
     .replace("func helper() int", "var helper = func() int { return 3 }"), False),
    (HANDSHAKE.replace("example.com/m/q.helper", "example.com/other.hook")
     .replace("func helper() int", "var helper func() int"), True),
])
def test_only_a_pull_from_outside_the_module_reads_the_package_whole(tmp_path, capsys, monkeypatch,
                                                                       directive, whole):
    from codemod import engine

    parsed = []
    real = engine.parse_file
    monkeypatch.setattr(engine, "parse_file", lambda path, data: parsed.append(path.name) or real(path, data))
    root = _module(tmp_path / "m", {"link.go": directive, "plain.go": "package p\n\nfunc Plain() int { return 1 }\n"})
    (root / "q").mkdir()
    (root / "q" / "q.go").write_text("package q\n\nfunc helper() int { return 2 }\n")
    _findings(capsys, root, "-j", "1")
    assert "link.go" in parsed
    assert ("plain.go" in parsed) == whole, parsed
