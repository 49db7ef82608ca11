"""The bundled example module shows every hazard the tool knows."""
from __future__ import annotations

import json
from pathlib import Path

import rules
from tests.e2e import gofix

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_examples_show_every_rule(tmp_path):
    p = gofix(EXAMPLES.parent, "--format", "json", "--unsafe-fixes", "./examples/...")
    assert p.returncode == 1, p.stderr
    report = json.loads(p.stdout)
    shown = {f["rule"] for f in report["findings"]}
    missing = sorted(f"{r.code} {r.name}" for r in rules.ALL if r.code not in shown)
    assert not missing, f"examples/ shows no case of: {', '.join(missing)}"
    assert report["errors"] == []


def test_dry_run_changes_nothing():
    before = {p: p.read_bytes() for p in EXAMPLES.rglob("*") if p.is_file()}
    gofix(EXAMPLES.parent, "--unsafe-fixes", "./examples/...")
    assert before == {p: p.read_bytes() for p in EXAMPLES.rglob("*") if p.is_file()}
