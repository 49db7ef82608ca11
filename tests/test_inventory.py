"""gofix-linkname inventory: every directive with its release x platform matrix, as JSON,
Markdown and one self-contained HTML file (opened in a real headless Chromium)."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from codemod import knowledge
from codemod.buildconstraint import Target
from codemod.model import parse_file
from codemod.versions import builds_on
from tests.e2e import gofix, write_module

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def inventory(cwd: Path, *args: str) -> dict:
    p = gofix(cwd, "inventory", "--format", "json", *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.fixture(scope="module")
def examples_inventory() -> dict:
    return inventory(EXAMPLES, ".")


def test_every_directive_of_the_examples_with_the_knowledge_bases_verdicts(examples_inventory):
    inv = examples_inventory
    assert inv["releases"] == list(knowledge.RELEASES)
    assert inv["platforms"] == list(knowledge.DEFAULT_PLATFORMS)
    # Every well-formed directive: examples/malformed/ holds lines every release rejects
    # (LN004), which name no target and so are no inventory entries.
    well_formed = re.compile(r"^//go:linkname \S+( \S+)?$", re.M)
    directives = sum(len(well_formed.findall(open(p, encoding="utf-8").read()))
                     for p in EXAMPLES.rglob("*.go"))
    assert len(inv["entries"]) == directives == inv["summary"]["directives"]
    by_target = {}
    for e in inv["entries"]:
        by_target.setdefault(e["target"], []).append(e)
        assert set(e["matrix"]) == set(inv["releases"])
        if e["kind"] == "push":
            assert {s for row in e["matrix"].values() for s in row.values()} == {"n/a"}
            continue
        model = parse_file(EXAMPLES / e["path"], (EXAMPLES / e["path"]).read_bytes())
        for release, row in e["matrix"].items():
            for plat, status in row.items():
                goos, goarch = plat.split("/")
                # "not built" exactly where the file's constraint leaves it out.
                built = builds_on(model.path.name, model.constraint.expr, Target(release, goos, goarch))
                assert (status == "not built") == (not built), (e, release, plat)
                if not built:
                    continue
                kb = knowledge.lookup(e["target"], release, goos, goarch, e["package"]).status
                # The inventory refines "ok" into "signature mismatch"; otherwise it is the kb's word.
                assert status == kb or (kb == "ok" and status == "signature mismatch"), (e, release, plat)
    assert by_target["runtime.ncpu"][0]["kind"] == "variable"
    assert by_target["runtime.gcount"][0]["replacement"] == "runtime.NumGoroutine()"
    assert by_target["runtime.gcount"][0]["broken_releases"] == ["1.23", "1.24", "1.25", "1.26", "1.27"]
    assert {e["kind"] for e in by_target["runtime.procPin"]} == {"push", "pull"}  # legacy/ has a body
    # pin_v.go declares procUnpin with a result runtime.procUnpin does not return.
    assert by_target["runtime.procUnpin"][-1]["matrix"]["1.27"]["linux/amd64"] == "signature mismatch"
    counts = inv["summary"]["cells"]
    assert sum(counts.values()) == len(inv["entries"]) * len(inv["releases"]) * len(inv["platforms"])
    assert inv["summary"]["broken_pulls_by_release"] == {
        r: sum(1 for e in inv["entries"] if e["kind"] == "pull" and r in e["broken_releases"])
        for r in inv["releases"]}


def test_build_constraints_leave_cells_not_built(tmp_path):
    root = write_module(tmp_path / "m", {
        "old.go": """
            //go:build !go1.23 && linux

            package p

            import _ "unsafe"

            //go:linkname gcount runtime.gcount
            func gcount() int32
            """,
    })
    [e] = inventory(root, ".", "--platforms", "linux/amd64,darwin/arm64")["entries"]
    assert e["matrix"]["1.22"] == {"linux/amd64": "ok", "darwin/arm64": "not built"}
    assert e["matrix"]["1.23"] == {"linux/amd64": "not built", "darwin/arm64": "not built"}
    assert e["broken_releases"] == []


def test_markdown_lists_rollups_and_rows():
    p = gofix(EXAMPLES, "inventory", ".")
    assert p.returncode == 0
    md = p.stdout
    assert md.startswith("# //go:linkname inventory\n")
    assert "| versions/goroutines_v.go:9 | `runtime.gcount` | pull | ok | ok | blocked |" in md
    assert "| `example.com/linkname-hazards/versions` |" in md
    assert "| broken pulls |" in md


def test_unparsable_file_is_named_and_the_rest_inventoried(tmp_path):
    root = write_module(tmp_path / "m", {
        "a.go": 'package p\n\nimport _ "unsafe"\n\n//go:linkname n runtime.nanotime\nfunc n() int64\n',
        "b.go": "package p\n\n//go:linkname x runtime.x\nfunc (\n",
    })
    p = gofix(root, "inventory", "--format", "json", ".")
    assert p.returncode == 2
    assert p.stderr.splitlines() == ["b.go: error: syntax error at line 4, column 1; not inventoried"]
    assert [e["target"] for e in json.loads(p.stdout)["entries"]] == ["runtime.nanotime"]


def test_html_renders_in_headless_chromium(examples_inventory, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    report = tmp_path / "inventory.html"
    p = gofix(EXAMPLES, "inventory", "--format", "html", "--output", str(report), ".")
    assert p.returncode == 0, p.stderr
    html = report.read_text()
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") \
        and "https://" not in html
    counts = examples_inventory["summary"]["cells"]
    broken = examples_inventory["summary"]["broken_pulls_by_release"]
    requests = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            # No JavaScript: the report must read without it.
            page = browser.new_page(java_script_enabled=False, viewport={"width": 1500, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            rendered = {s: page.locator(f'#matrix td.cell[data-status="{s}"]').count() for s in counts}
            assert rendered == counts
            assert page.locator("#matrix tr.entry").count() == len(examples_inventory["entries"])
            # Colour-coded: the cells are painted, blocked ones red, ok ones green.
            assert page.locator("#matrix td.cell.blocked").first.evaluate(
                "e => getComputedStyle(e).backgroundColor") == "rgb(207, 34, 46)"
            assert page.locator("#matrix td.cell.ok").first.evaluate(
                "e => getComputedStyle(e).backgroundColor") == "rgb(45, 164, 78)"
            box = page.locator("#matrix td.cell").first.bounding_box()
            assert box and box["width"] >= 10 and box["height"] >= 10
            bars = {b.get_attribute("data-release"): int(b.get_attribute("data-count"))
                    for b in page.locator("#chart rect.bar").all()}
            assert bars == broken
            heights = {b.get_attribute("data-release"): b.bounding_box()["height"]
                       for b in page.locator("#chart rect.bar").all()}
            tallest = max(broken, key=broken.get)
            assert heights[tallest] == max(heights.values()) > 0
            assert page.locator("#packages tr[data-package]").count() == len(examples_inventory["summary"]["packages"])
            shot = tmp_path / "inventory.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            if os.environ.get("GOFIX_SCREENSHOT_DIR"):
                shutil.copy(shot, Path(os.environ["GOFIX_SCREENSHOT_DIR"]) / "inventory.png")
        finally:
            browser.close()
    assert requests == [report.as_uri()]  # one self-contained file: nothing else was fetched
