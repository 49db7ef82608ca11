"""In-source suppressions: //gofix-linkname:ignore and //nolint:gofixlinkname, applied by the
engine to every rule alike; a suppressed finding is neither reported nor fixed."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from codemod.model import parse_file
from tests.e2e import gofix

DATA = Path(__file__).resolve().parent / "data"

# LN002 (pull-with-body) reports at the function's name, two lines below the directive.
BODY = '''package p

import _ "unsafe"

{above}//go:linkname procPin runtime.procPin
func procPin() int {{ return 0 }}{trailing}
'''
NO_UNSAFE = "package p\n\n{above}//go:linkname now runtime.nanotime{trailing}\nfunc now() int64\n"


def module(tmp_path: Path, text: str, name: str = "a.go") -> Path:
    root = tmp_path / "m"
    root.mkdir(exist_ok=True)
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (root / name).write_text(text)
    return root


def findings(root: Path, *args: str) -> dict:
    p = gofix(root, "--format", "json", *args, ".")
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)


def test_model_reads_every_form_and_the_lines_each_covers():
    src = b'''package p

import _ "unsafe"

//gofix-linkname:ignore LN101,missing-unsafe-import -- pinned to Go 1.21
//go:linkname now runtime.nanotime
func now() int64

var a = 1 //nolint:gofixlinkname,gosec // vetted

//nolint
func f() {
	_ = 1
}

//nolint:gosec
var b = 2

// gofix-linkname:ignore LN101
//gofix-linkname:ignorefoo
//nolint:all
var c = 3
//gofix-linkname:ignore
var d = 4
'''
    got = [(s.kind, s.codes, s.reason, s.lines, s.specific)
           for s in parse_file(Path("a.go"), src).suppressions]
    assert got == [
        # Above a directive: its line, the directive's, and the declaration the directive names.
        ("ignore", ("LN101", "missing-unsafe-import"), "pinned to Go 1.21", (5, 7), True),
        ("nolint", None, "vetted", (9, 9), True),          # trailing: its own line only
        ("nolint", None, "", (11, 14), False),             # bare, above a node: the whole node
        ("nolint", None, "", (21, 22), False),             # all linters
        ("ignore", None, "", (23, 24), True),              # no codes: every rule
    ]  # "//nolint:gosec", "// gofix-linkname:ignore" (a space) and "ignorefoo" are not ours


def test_ignore_above_a_directive_silences_a_finding_on_its_declaration(tmp_path):
    plain = findings(module(tmp_path, BODY.format(above="", trailing="")), "--select", "LN002")
    assert [f["line"] for f in plain["findings"]] == [6]
    root = module(tmp_path, BODY.format(above="//gofix-linkname:ignore LN002 -- our own runtime fork\n",
                                        trailing=""))
    before = (root / "a.go").read_bytes()
    doc = findings(root, "--select", "LN002")
    assert doc["findings"] == []
    assert [(s["rule"], s["suppression"]["reason"]) for s in doc["suppressed"]] == \
        [("LN002", "our own runtime fork")]
    # Not fixed either: --apply leaves the file alone and exits clean.
    p = gofix(root, "--select", "LN002", "--apply", ".")
    assert p.returncode == 0, p.stdout + p.stderr
    assert (root / "a.go").read_bytes() == before
    assert "1 suppressed in the source" in p.stderr


def test_nolint_trailing_and_other_linters(tmp_path):
    # (Not after a //go:linkname: the comment would become the directive's third argument.)
    root = module(tmp_path, BODY.format(above="", trailing=" //nolint:gofixlinkname // vendored"))
    assert findings(root, "--select", "LN002")["findings"] == []
    root = module(tmp_path, BODY.format(above="", trailing=" //nolint:gosec"))
    assert [f["rule"] for f in findings(root, "--select", "LN002")["findings"]] == ["LN002"]
    # On a line of its own, as golangci-lint reads it: the whole declaration that follows.
    root = module(tmp_path, NO_UNSAFE.format(above="//nolint:gofixlinkname\n", trailing=""))
    assert findings(root, "--select", "LN001")["findings"] == []
    # A code for another rule does not silence this one.
    root = module(tmp_path, NO_UNSAFE.format(above="//gofix-linkname:ignore LN002\n", trailing=""))
    assert [f["rule"] for f in findings(root, "--select", "LN001")["findings"]] == ["LN001"]


def test_report_unused_ignores(tmp_path):
    text = NO_UNSAFE.format(above="//gofix-linkname:ignore LN001 -- used\n", trailing="") + \
        "\n//gofix-linkname:ignore LN002 -- stale\n//go:linkname pin runtime.procPin\nfunc pin() int\n" \
        "\n//gofix-linkname:ignore LN999\nvar x = 1\n"
    root = module(tmp_path, text)
    p = gofix(root, "--select", "LN001,LN002", "--report-unused-ignores", ".")
    assert p.returncode == 1
    unused = [ln for ln in p.stdout.splitlines() if "unused suppression" in ln]
    assert unused == ["a.go:7:1: unused suppression: //gofix-linkname:ignore LN002 -- stale silences no finding",
                      "a.go:11:1: unused suppression: //gofix-linkname:ignore LN999 silences no finding"]
    # LN002 did not run: its suppression may be needed by a full run, so it is not reported.
    doc = findings(root, "--select", "LN001", "--report-unused-ignores")
    assert [(u["line"], u["rules"]) for u in doc["unused_ignores"]] == [(11, ["LN999"])]
    # Without the flag, nothing about it.
    assert "unused_ignores" not in findings(root, "--select", "LN001")


def test_sarif_shows_suppressed_findings_as_suppressed(tmp_path):
    root = module(tmp_path, NO_UNSAFE.format(above="//gofix-linkname:ignore LN001 -- generated elsewhere\n",
                                             trailing=""))
    log = json.loads(gofix(root, "--format", "sarif", "--select", "LN001", ".").stdout)
    jsonschema.Draft4Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text())).validate(log)
    [result] = log["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                       "justification": "generated elsewhere"}]
