"""A big file is parsed in pieces (codemod.model._Chunks): its model, and what every rule finds
and fixes in it, are those of the same file parsed whole.

The tests cut files as finely as the cutting rule allows (one piece per allowed cut), so small
files exercise what a 20 MB file does with ~1 MB pieces."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codemod import model
from codemod.model import captures, parse_file
from tests.gotoolchains import goroot

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def finely_cut(monkeypatch):
    """Every file parsed in pieces where it can be, the pieces as small as the cuts allow."""
    monkeypatch.setattr(model, "CHUNKED_ABOVE", 0)
    monkeypatch.setattr(model, "CHUNK_BYTES", 1)


def _node(n) -> tuple | None:
    return None if n is None else (n.type, n.start_byte, n.end_byte, tuple(n.start_point), tuple(n.end_point))


def _dump(m: model.GoFile) -> dict:
    """Everything the model says, nodes as (type, range, points)."""
    root = m.root
    decls = {name: [(d.kind, d.span, d.statement, d.has_body, d.defines, _node(d.node), _node(d.body),
                     _node(d.doc_anchor), d.doc) for d in ds]
             for name, ds in m.declarations.items()}
    # Sorted: one query over a whole tree does not yield in source order, nor do the pieces'
    # queries yield in the same order (the callers sort, or ask whether any or all).
    identifiers = sorted(captures("[(identifier) (type_identifier) (comment)] @i", root).get("i", []),
                         key=lambda n: (n.start_byte, n.end_byte, n.type))
    return {
        "package": (m.package, m.package_clause, m.bom, m.crlf, m.generated, m.constraint),
        "imports": m.imports, "directives": m.directives, "malformed": m.malformed_directives,
        "suppressions": m.suppressions, "errors": m.syntax_errors, "newer": m.newer_syntax,
        "declarations": decls,
        "children": [_node(c) for c in root.children],
        "named": [_node(c) for c in root.named_children],
        "counts": (root.child_count, root.named_child_count, root.start_byte, root.end_byte),
        "top_level": {t: [_node(c) for c in m.top_level(t, "comment")]
                      for t in ("function_declaration", "var_declaration", "const_declaration",
                                "type_declaration", "method_declaration")},
        "captured": [_node(n) for n in identifiers],
        # The node at each identifier and comment, and at each line start (between nodes).
        "at": [_node(root.descendant_for_byte_range(n.start_byte, n.end_byte)) for n in identifiers]
        + [(o, root.descendant_for_byte_range(o, o + 1).type) for o in range(0, len(m.source), 97)],
    }


def _compare(paths: list[Path]) -> int:
    """How many of ``paths`` were cut in pieces; each one's model is that of a whole parse."""
    cut = 0
    for path in paths:
        data = path.read_bytes()
        saved = model.CHUNKED_ABOVE
        model.CHUNKED_ABOVE = 1 << 62
        try:
            whole = parse_file(path, data)
        finally:
            model.CHUNKED_ABOVE = saved
        pieces = model._parse_in_pieces(path, data.removeprefix(model.BOM), data.startswith(model.BOM))
        if pieces is None:
            continue
        cut += 1
        assert isinstance(pieces.trees, model._Chunks) and len(pieces.trees) >= 2
        assert _dump(pieces) == _dump(whole), path
    return cut


def test_pieces_give_the_model_of_a_whole_parse_on_every_go_file_of_the_repository(finely_cut):
    paths = [p for d in ("examples", "tests", "snapshots") for p in ROOT.joinpath(d).rglob("*.go")]
    assert _compare(paths) >= 20


@pytest.mark.parametrize("package", ["runtime", "syscall", "reflect", "internal/syscall/unix"])
def test_pieces_give_the_model_of_a_whole_parse_on_the_standard_library(finely_cut, package):
    files = sorted((goroot("1.27") / "src" / package).glob("*.go"))
    assert _compare(files) >= 0.5 * len(files) > 10


@pytest.mark.parametrize("text", [
    # A cut where a raw string, a comment or a body written without gofmt goes on: the piece
    # before it does not parse, and the file is parsed whole.
    "package p\n\nvar s = `\n}\n\nfunc f() {}\n`\n\nfunc g() {}\n",
    "package p\n\n/*\n}\n\nfunc f() {}\n*/\n\nfunc g() {}\n",
    "package p\n\nfunc f() {\n\tif true {\n}\n\nfunc() {}()\n}\n\nfunc g() {}\n",
    "package p\n\nfunc f() {\n",  # a syntax error
])
def test_a_file_that_cannot_be_cut_is_parsed_whole(finely_cut, text):
    assert model._parse_in_pieces(Path("a.go"), text.encode(), False) is None
    m = parse_file(Path("a.go"), text.encode())
    assert m.tree is not None


def test_a_piece_is_parsed_again_only_when_a_rule_reaches_into_it(finely_cut):
    text = "package p\n\nimport _ \"unsafe\"\n" + "".join(
        f"\n// F{i} doc.\nfunc F{i}() int {{\n\treturn {i}\n}}\n" for i in range(50)) + \
        "\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n"
    m = parse_file(Path("a.go"), text.encode())
    assert isinstance(m.trees, model._Chunks) and len(m.trees) > 40
    assert m.trees.trees == {}  # the model was built a piece at a time, no tree kept
    d = m.directives[0].declaration
    assert d.node.type == "function_declaration" and d.doc.start == m.directives[0].span.start
    assert not d.has_body and d.body is None
    assert list(m.trees.trees) == [len(m.trees) - 1]
    assert m.top_level("const_declaration") == [] and len(m.trees.trees) == 1


def _big_module(root: Path) -> Path:
    """A module whose file holds every kind of hazard among many plain functions."""
    root.mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/big\n\ngo 1.21\n")
    plain = "".join(f"\n// F{i} adds.\nfunc F{i}(xs []int) int {{\n\tt := 0\n\tfor _, x := range xs {{\n"
                    f"\t\tt += x * {i}\n\t}}\n\treturn t\n}}\n" for i in range(40))
    (root / "big.go").write_text(
        "package big\n\nimport (\n\t\"fmt\"\n)\n" + plain +
        "\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n" + plain +
        "\n//go:linkname fastrand runtime.fastrand\nfunc fastrand() uint32\n"
        "\n//go:linkname ncpu runtime.ncpu\nvar ncpu int32\n"
        "\n//go:linkname typo runtime.nanotim\nfunc typo() int64\n"
        "\n//go:linkname body runtime.walltime\nfunc body() int64 { return 0 }\n"
        "\nvar start = nanotime()\n"
        "\n// Spin reads the clock in a loop.\nfunc Spin(n int) int64 {\n\tvar s int64\n"
        "\tfor i := 0; i < n; i++ {\n\t\ts += nanotime()\n\t}\n\treturn s\n}\n" + plain +
        "\n//nolint:gofixlinkname\nfunc Roll() uint32 { return fastrand() % 6 }\n"
        "\n// Show prints.\nfunc Show() { fmt.Println(Roll(), ncpu, typo(), body(), start) }\n" + plain +
        "\nconst debug = false\n\ntype T struct{ x int }\n\nvar (\n\ta = 1\n\tb = 2\n)\n"
        "\n//gofix-linkname:ignore LN203 -- measured\n//go:linkname cputicks runtime.cputicks\n"
        "func cputicks() int64\n\nfunc Loop() {\n\tfor {\n\t\tif cputicks() > 0 && !debug {\n"
        "\t\t\tbreak\n\t\t}\n\t}\n}\n")
    return root


def _run(capsys, args: list[str], cwd: Path, monkeypatch) -> tuple[int, str, str]:
    from codemod import cli

    monkeypatch.chdir(cwd)
    code = cli.main(["--no-cache", *args, "."])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args", [["--format", "json", "--unsafe-fixes"], ["--diff", "--unsafe-fixes"],
                                  ["--diff"]])
def test_a_run_over_pieces_finds_and_fixes_what_a_whole_parse_does(tmp_path, capsys, monkeypatch, args):
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "examples", tree / "examples")
    shutil.copytree(ROOT / "snapshots", tree / "snapshots")
    _big_module(tree / "big")
    whole = _run(capsys, args, tree, monkeypatch)
    cut: list[Path] = []
    real = model._parse_in_pieces

    def counted(path, source, bom):
        found = real(path, source, bom)
        if found is not None:
            cut.append(path)
        return found

    monkeypatch.setattr(model, "_parse_in_pieces", counted)
    monkeypatch.setattr(model, "CHUNKED_ABOVE", 0)
    monkeypatch.setattr(model, "CHUNK_BYTES", 1)
    pieces = _run(capsys, args, tree, monkeypatch)
    assert len({p.name for p in cut}) >= 10 and any(p.name == "big.go" for p in cut)
    assert pieces == whole
    assert whole[1].count("LN") >= 20 or whole[1].count("@@") >= 10


def test_apply_over_pieces_writes_what_a_whole_parse_does(tmp_path, capsys, monkeypatch):
    whole_tree, cut_tree = _big_module(tmp_path / "whole"), tmp_path / "cut"
    shutil.copytree(whole_tree, cut_tree)
    whole = _run(capsys, ["--apply", "--unsafe-fixes"], whole_tree, monkeypatch)
    monkeypatch.setattr(model, "CHUNKED_ABOVE", 0)
    monkeypatch.setattr(model, "CHUNK_BYTES", 1)
    pieces = _run(capsys, ["--apply", "--unsafe-fixes"], cut_tree, monkeypatch)
    assert pieces == whole
    assert (cut_tree / "big.go").read_bytes() == (whole_tree / "big.go").read_bytes() \
        != _big_module(tmp_path / "fresh").joinpath("big.go").read_bytes()
