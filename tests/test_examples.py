"""The bundled example module shows every hazard the tool knows."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import rules
from tests.e2e import go_build, gofix
from tests.gotoolchains import CI_RELEASES

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


@pytest.mark.go
@pytest.mark.parametrize("release", CI_RELEASES)
def test_fixed_examples_build(tmp_path, release):
    """Every hazard fixed (safe and unsafe), the example module builds on each CI release, and
    a second run has nothing left to fix."""
    module = tmp_path / "examples"
    shutil.copytree(EXAMPLES, module)
    assert go_build(release, module).returncode != 0  # the hazards are real
    applied = gofix(module, "--apply", "--unsafe-fixes", ".")
    assert applied.returncode in (0, 1), applied.stderr
    built = go_build(release, module)
    assert built.returncode == 0, built.stdout
    again = gofix(module, "--unsafe-fixes", "--format", "json", ".")
    assert [f for f in json.loads(again.stdout)["findings"] if f["fix"]] == []
