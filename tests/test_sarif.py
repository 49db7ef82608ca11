"""--format sarif (checked against the official SARIF 2.1.0 schema), --format github, --output."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from codemod.annotations import escape_data, escape_property
from tests.e2e import gofix

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((DATA / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture
def examples(tmp_path) -> Path:
    return Path(shutil.copytree(EXAMPLES, tmp_path / "examples"))


def sarif(cwd: Path, *args: str) -> dict:
    p = gofix(cwd, "--format", "sarif", *args)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)


def test_sarif_of_the_examples_is_valid_and_complete(examples, schema):
    log = sarif(examples, ".")
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    text = json.loads(gofix(examples, "--format", "json", ".").stdout)
    assert len(run["results"]) == len(text["findings"]) >= 10
    # Same findings, same places.
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]] == \
        [(f["rule"], f["path"], f["line"]) for f in text["findings"]]
    levels = {f["severity"]: r["level"] for r, f in zip(run["results"], text["findings"])}
    assert levels == {"error": "error", "warning": "warning", "info": "note"}
    rules = run["tool"]["driver"]["rules"]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    # Per-release verdicts ride along in properties.
    versioned = [r for r in run["results"] if "goVersions" in r["properties"]]
    assert versioned and all(re.fullmatch(r"1\.\d+", v) for r in versioned for v in r["properties"]["goVersions"])


def test_rule_help_comes_from_the_rule_docs_and_links_to_their_heading():
    from codemod import sarif
    from rules import ALL

    docs = (REPO / "docs" / "rules.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
               for h in re.findall(r"(?m)^## (.+)$", docs)}
    for rule in ALL:
        d = sarif.rule_descriptor(rule)
        assert d["shortDescription"]["text"] == rule.summary
        assert d["fullDescription"]["text"] and not d["fullDescription"]["text"].startswith("#")
        assert d["help"]["markdown"].count("\n") > 3
        assert d["helpUri"].split("#")[1] in anchors, d["helpUri"]


def test_fingerprints_survive_unrelated_edits(examples):
    before = sarif(examples, ".")["runs"][0]["results"]
    target = examples / "versions" / "pin_v.go"
    text = target.read_text()
    # Lines added above everything move every finding down but change none of them.
    target.write_text(text.replace("package ", "// An unrelated comment.\n// And another.\n\npackage ", 1))
    after = sarif(examples, ".")["runs"][0]["results"]

    def prints(results, uri):
        return [(r["ruleId"], r["partialFingerprints"]["gofixLinkname/v1"],
                 r["locations"][0]["physicalLocation"]["region"]["startLine"])
                for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri]

    old, new = prints(before, "versions/pin_v.go"), prints(after, "versions/pin_v.go")
    assert old and [(r, fp) for r, fp, _ in old] == [(r, fp) for r, fp, _ in new]
    assert all(n == o + 3 for (_, _, o), (_, _, n) in zip(old, new))
    # Every fingerprint in the run is distinct.
    fps = [r["partialFingerprints"]["gofixLinkname/v1"] for r in after]
    assert len(fps) == len(set(fps))


def _apply_sarif_fix(root: Path, fix: dict) -> dict[str, bytes]:
    out = {}
    for change in fix["artifactChanges"]:
        path = root / unquote(change["artifactLocation"]["uri"])
        data = path.read_bytes() if path.exists() else b""
        for rep in sorted(change["replacements"], key=lambda r: r["deletedRegion"]["byteOffset"], reverse=True):
            start = rep["deletedRegion"]["byteOffset"]
            end = start + rep["deletedRegion"]["byteLength"]
            data = data[:start] + rep.get("insertedContent", {}).get("text", "").encode() + data[end:]
        out[change["artifactLocation"]["uri"]] = data
    return out


def test_sarif_fixes_are_the_edits_apply_writes(tmp_path):
    src = b'package p\r\n\r\n//go:linkname now runtime.nanotime\r\nfunc now() int64\r\n'
    root = tmp_path / "m"
    root.mkdir()
    (root / "a.go").write_bytes(b"\xef\xbb\xbf" + src)  # a BOM and CRLF: offsets and endings must hold
    results = sarif(root, "--select", "LN001", ".")["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["LN001"]
    by_sarif = _apply_sarif_fix(root, results[0]["fixes"][0])
    assert gofix(root, "--select", "LN001", "--apply", ".").returncode == 0
    assert by_sarif == {"a.go": (root / "a.go").read_bytes()}


def test_github_annotations_and_escaping(examples):
    p = gofix(examples, "--format", "github", ".")
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    count = len(json.loads(gofix(examples, "--format", "json", ".").stdout)["findings"])
    assert len(lines) == count
    for line in lines:
        m = re.fullmatch(r"::(error|warning|notice) ([^:]+)::(.*)", line)
        assert m, line
        props = dict(kv.split("=", 1) for kv in m.group(2).split(","))
        assert {"file", "line", "endLine", "title"} <= props.keys()
        assert (examples / props["file"]).is_file()
        assert re.fullmatch(r"LN\d{3} [a-z-]+", props["title"])
        assert "\n" not in m.group(3)
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


@pytest.mark.parametrize("fmt", ["sarif", "json", "github"])
def test_output_file_gets_the_format_and_the_terminal_the_text(examples, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    p = gofix(examples, "--format", fmt, "--output", str(out), ".")
    assert p.returncode == 1
    assert re.search(r"(?m)^\S+\.go:\d+:\d+: LN\d{3} ", p.stdout)  # the text report
    assert "Found" in p.stderr
    written = out.read_text()
    if fmt == "github":
        assert written.startswith("::")
    else:
        assert json.loads(written)
    assert written not in p.stdout


def test_output_file_that_cannot_be_written_is_one_error(examples, tmp_path):
    p = gofix(examples, "--format", "sarif", "--output", str(tmp_path / "missing" / "r.sarif"), ".")
    assert p.returncode == 2
    assert "--output" in p.stderr and "r.sarif" in p.stderr
