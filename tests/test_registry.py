"""The rule registry: built from the modules, every rule documented, docs generated, examples kept."""
from __future__ import annotations

import re

import rules
from codemod import docs
from codemod.rule import Rule
from tests.snapshot import ROOT as SNAPSHOTS

SECTIONS = ("## What it does", "## Why is this bad?", "## Go releases affected", "## Fix safety")


def test_registry_is_built_from_modules():
    import pkgutil

    modules = [m.name for m in pkgutil.iter_modules(rules.__path__) if not m.name.startswith("_")]
    assert len(rules.ALL) == len(modules)
    assert all(isinstance(r, Rule) for r in rules.ALL)
    codes = [r.code for r in rules.ALL]
    assert codes == sorted(set(codes))


def test_every_rule_is_documented():
    for r in rules.ALL:
        assert re.fullmatch(r"LN\d{3}", r.code), r.code
        assert re.fullmatch(r"[a-z0-9-]+", r.name), r.name
        assert r.doc.startswith(f"{r.name} ({r.code})"), f"{r.code}: docstring must open with its name"
        for section in SECTIONS:
            assert section in r.doc, f"{r.code} lacks {section!r}"


def test_every_rule_has_a_snapshot_case():
    for r in rules.ALL:
        if r.scope != "go":
            continue
        assert (SNAPSHOTS / r.name).is_dir(), f"no snapshots/{r.name}/"


def test_rules_doc_is_current():
    assert docs.main(["--check"]) == 0, "run: python -m codemod.docs"
