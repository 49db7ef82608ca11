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


def test_rules_never_import_other_rules():
    """Shared helpers live in codemod/ (pulls, fixkit, replacements): a rule module imports
    no other module of rules/, so each rule can be read, moved or removed on its own."""
    import ast
    from pathlib import Path

    for path in sorted(Path(rules.__file__).parent.glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["rules." + (node.module or "")]
                names += [f"{node.module}.{a.name}" for a in node.names if node.module == "rules"]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            bad = [n for n in names if n == "rules" or n.startswith("rules.")]
            assert not bad, f"{path.name} imports {bad[0]}"


def test_listed_fix_availability_matches_what_rules_emit(tmp_path):
    """``gofix-linkname rules`` shows each rule's fix availability and safety levels; every
    finding of every snapshot case agrees with them (a rule that never fixes emits no fix; each
    emitted fix has one of the listed safety levels; an "always" rule fixes every finding)."""
    import shutil

    from codemod.rule import FixAvailability
    from tests.snapshot import _check, cases, inside

    by_code = {r.code: r for r in rules.ALL}
    for case in cases():
        work = tmp_path / case.parent.name / case.name
        shutil.copytree(case / "input", work)
        with inside(work):
            result = _check(case)
        for f in result.findings:
            rule = by_code[f.rule]
            if rule.fix == FixAvailability.NEVER:
                assert f.fix is None and "fix_withheld" not in f.extra, f"{f.rule} in {case}"
                continue
            if f.fix is None:
                assert rule.fix == FixAvailability.SOMETIMES or "generated" in f.extra.get("fix_withheld", ""), \
                    f"{f.rule} is listed as always fixing, but not in {case}: {f.message}"
                continue
            assert f.fix.safety in rule.fix_safeties, f"{f.rule} emitted a {f.fix.safety} fix in {case}"
