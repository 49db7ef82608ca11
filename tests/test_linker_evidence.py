"""The knowledge base against recorded linker verdicts (tests/data/linker_evidence.tsv).

scripts/record_evidence.py built real pulls of the targets there with the real toolchains of
every release, on four platforms, with cgo on and off.  The fast test asserts the knowledge
base gives every one of those verdicts; the slow one (``--all-releases``) rebuilds a sample that
changes every day, so the recording itself is checked against the linkers again.

What a build answers is ``knowledge.linker_answer``: ``lookup``'s verdict, except where a
build of the pull differs from the verdict on purpose (a variable pull defines the variable).
"""
from __future__ import annotations

import datetime
import random
from collections import Counter
from pathlib import Path

import pytest

from codemod import knowledge as kb
from tests import linker_oracle

EVIDENCE = Path(__file__).resolve().parent / "data" / "linker_evidence.tsv"
STATUS = {"o": "ok", "b": "blocked", "u": "undefined", "d": "duplicate", "e": "error"}
# The configurations the committed recording holds at least (scripts/record_evidence.py records
# all seven releases natively and with cgo; a partial recording names what it has here).
RECORDED_NATIVE = kb.RELEASES
RECORDED_CGO = kb.RELEASES


def load() -> tuple[list[tuple[str, str, bool]], list[tuple[str, str, set[str], str]]]:
    """(configurations (release, platform, cgo), rows (kind, target, categories, letters))."""
    configs: list[tuple[str, str, bool]] = []
    rows = []
    for line in EVIDENCE.read_text().splitlines():
        if line.startswith("#configs\t"):
            for c in line.split("\t", 1)[1].split():
                release, platform, cgo = c.split(":")
                configs.append((release, platform, cgo == "cgo"))
        elif line and not line.startswith("#"):
            kind, target, cats, letters = line.split("\t")
            rows.append((kind, target, set(cats.split(",")), letters))
    return configs, rows


def expected(kind: str, target: str, release: str, platform: str, cgo: bool) -> str:
    """What the linker says about a pull from package main, by the knowledge base."""
    goos, goarch = platform.split("/")
    # the recorded cgo builds import plugin, whose C code makes every cgo link external
    return kb.linker_answer(target, release, goos, goarch, kind, "main", cgo, external_link=cgo)


def disagreements() -> tuple[list[str], int]:
    configs, rows = load()
    bad, n = [], 0
    for kind, target, _, letters in rows:
        for (release, platform, cgo), letter in zip(configs, letters):
            if letter == "-":
                continue
            n += 1
            want = expected(kind, target, release, platform, cgo)
            if STATUS[letter] != want:
                goos, goarch = platform.split("/")
                found = kb.lookup(target, release, goos, goarch, "main", cgo)
                bad.append(f"{release} {platform} cgo={'on' if cgo else 'off'} {kind} {target}: linker "
                           f"{STATUS[letter]}, knowledge {want} ({found.rule}: {found.reason})")
    return bad, n


def test_evidence_covers_every_category():
    configs, rows = load()
    assert len(rows) >= 600
    cats = Counter(c for _, _, cs, _ in rows for c in cs)
    for needed in ("pushed", "blocked-list", "method-ptr", "method-value", "method-wrapper", "assembly",
                   "cgo-only", "platform-only", "added-or-removed", "unpushed", "variable"):
        assert cats[needed] >= 10, f"only {cats[needed]} targets of category {needed}"
    recorded = set(configs)
    for release in RECORDED_NATIVE:
        assert (release, "linux/amd64", False) in recorded
    for release in ("1.21", "1.23", "1.27"):
        for platform in ("darwin/arm64", "windows/amd64", "linux/arm64"):
            assert (release, platform, False) in recorded
    for release in RECORDED_CGO:
        assert (release, "linux/amd64", True) in recorded
    # every configuration recorded a good share of the targets
    for i, config in enumerate(configs):
        assert sum(r[3][i] != "-" for r in rows) >= 100, config


def test_knowledge_agrees_with_every_recorded_verdict():
    bad, n = disagreements()
    print(f"\nknowledge vs recorded linker verdicts: {n - len(bad)}/{n} agree")
    assert not bad, f"{len(bad)} of {n} disagree:\n" + "\n".join(bad[:60])


def _todays_sample(k: int = 12, n_configs: int = 2,
                   seed: str | None = None) -> list[tuple[int, str, str, str]]:
    """k (config index, kind, target, letter) picked by today's date: a rotating sample.

    The cells come from ``n_configs`` configurations only: the first build of a configuration
    compiles every imported package for it (a cross build, a cgo build), which dominates the
    cost; a sample spread over all 23 never finished.  The day picks which configurations, so
    every one comes round."""
    configs, rows = load()
    rng = random.Random(seed or datetime.date.today().isoformat())
    chosen = set(rng.sample(range(len(configs)), n_configs))
    cells = [(i, kind, target, letters[i]) for kind, target, _, letters in rows
             for i in sorted(chosen) if letters[i] != "-"]
    return rng.sample(cells, min(k, len(cells)))


@pytest.mark.slow
@pytest.mark.go
def test_recorded_verdicts_still_hold():
    """Rebuild today's sample with the real linkers: the recording is itself checked."""
    configs, _ = load()
    by_config: dict[int, list[tuple[str, str, str]]] = {}
    for i, kind, target, letter in _todays_sample():
        by_config.setdefault(i, []).append((kind, target, letter))
    bad = []
    for i, cells in sorted(by_config.items()):
        release, platform, cgo = configs[i]
        # the imports the recorder used: the wide set natively, the light one cross-built
        imports = linker_oracle.evidence_imports(release) if platform == "linux/amd64" else linker_oracle.IMPORTS
        got, _ = linker_oracle.record(release, [(k, t) for k, t, _ in cells],
                                      None if platform == "linux/amd64" and not cgo else platform,
                                      imports=imports, cgo=cgo)
        for kind, target, letter in cells:
            if got[target] != STATUS[letter]:
                bad.append(f"{release} {platform} cgo={cgo} {target}: recorded {STATUS[letter]}, now {got[target]}")
    assert not bad, "\n".join(bad)


def test_todays_sample_is_small_and_rotates():
    a = _todays_sample(seed="2026-11-29")
    assert len(a) == 12 and len({i for i, *_ in a}) <= 2
    days = [{i for i, *_ in _todays_sample(seed=f"2026-12-{d:02}")} for d in range(1, 29)]
    configs, _ = load()
    assert len(set().union(*days)) > len(configs) // 2  # a month visits most configurations
