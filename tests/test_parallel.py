"""Packages checked in worker processes give the run the same result, byte for byte, as when
they are checked in one process; a worker's failure reaches the user as the parent's would."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from codemod import cli, engine, parallel, trace
from codemod.cache import ResultCache
from codemod.edits import Safety
from codemod.rule import Options
from rules import select
from tests.processes import pids_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked on Linux only")


@pytest.fixture
def tree(tmp_path):
    """The examples, plus packages enough that the workers share them out."""
    root = tmp_path / "m"
    shutil.copytree(EXAMPLES, root)
    for i in range(6):
        pkg = root / f"extra{i}"
        pkg.mkdir()
        (pkg / "a.go").write_text(f"package extra{i}\n\n//go:linkname nanotime runtime.nanotime\n"
                                  f"func nanotime() int64\n\nfunc F() int64 {{ return nanotime() }}\n")
    return root


@pytest.fixture
def checkers(tmp_path, monkeypatch):
    """Which processes checked packages (a file, since workers cannot write to the test's memory)."""
    return pids_of(monkeypatch, tmp_path / "pids", engine, "check_package")


@pytest.fixture
def pids(checkers, monkeypatch):
    """:func:`checkers`, with workers used however small the run."""
    monkeypatch.setattr(engine, "PARALLEL_BYTES", 0)
    return checkers


def _cli(capsys, *args):
    code = cli.main(["--no-cache", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("args", [("--format", "json"), ("--format", "sarif"), ("--diff",),
                                  ("--diff", "--unsafe-fixes"), ("--format", "json", "--unsafe-fixes")])
def test_workers_give_the_output_of_one_process(tree, pids, capsys, args):
    serial = _cli(capsys, "-j", "1", *args, str(tree))
    assert len(pids()) == 1
    shared = _cli(capsys, "-j", "2", *args, str(tree))
    checked_by = pids()
    assert len(checked_by) == 3, "the parent and two workers each checked packages"
    assert shared == serial


def test_apply_with_workers_writes_what_one_process_writes(tree, tmp_path, pids, capsys):
    other = tmp_path / "other"
    shutil.copytree(tree, other)
    assert cli.main(["--no-cache", "--apply", "-j", "1", str(tree)]) == \
        cli.main(["--no-cache", "--apply", "-j", "2", str(other)])
    assert len(pids()) == 3
    for path in sorted(tree.rglob("*")):
        twin = other / path.relative_to(tree)
        assert path.is_file() == twin.is_file()
        if path.is_file():
            assert path.read_bytes() == twin.read_bytes(), path


def test_workers_fill_the_cache_the_next_run_reads(tree, tmp_path, pids):
    rules = select(None, None)
    options = Options()
    cold_cache = ResultCache(tmp_path / "cache", options_key="k")
    cold = engine.run([str(tree)], rules, options, fix_level=Safety.SAFE, cache=cold_cache,
                      jobs=2, parallel_bytes=0)
    cold_cache.finish()
    assert len(pids()) == 3 and cold_cache.misses > 0
    warm_cache = ResultCache(tmp_path / "cache", options_key="k")
    warm = engine.run([str(tree)], rules, options, fix_level=Safety.SAFE, cache=warm_cache, jobs=2)
    assert pids() == set(), "every package came from the cache"
    assert warm_cache.misses == 0
    assert [f.sort_key for f in warm.findings] == [f.sort_key for f in cold.findings]
    assert warm.changes == cold.changes


def test_a_worker_failure_is_raised_here_naming_its_file(tree, monkeypatch, pids):
    check = engine.check_package
    broken = tree / "extra3"

    def failing(ws, directory, files, *args, **kwargs):
        if directory == broken:
            trace.at(files[0])
            raise ValueError("a rule fell over")
        return check(ws, directory, files, *args, **kwargs)

    monkeypatch.setattr(engine, "check_package", failing)
    trace.at(None)
    with pytest.raises(ValueError, match="a rule fell over"):
        engine.run([str(tree)], select(None, None), Options(), jobs=2, parallel_bytes=0)
    assert trace.current == broken / "a.go"


def test_the_internal_error_line_names_the_file_a_worker_was_on(tree, monkeypatch, pids, capsys):
    def failing(ws, directory, files, *args, **kwargs):
        trace.at(files[0])
        raise ValueError("a rule fell over")

    monkeypatch.setattr(engine, "check_package", failing)
    code = cli.main(["--no-cache", "-j", "2", str(tree)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "while processing" in err[0] and "a rule fell over" in err[0]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(capsys, value):
    with pytest.raises(SystemExit) as stop:
        cli.main(["-j", value, str(EXAMPLES)])
    assert stop.value.code == 2
    assert f"'{value}' is not a positive number of processes" in capsys.readouterr().err


def test_a_small_run_stays_in_one_process(tree, checkers):
    engine.run([str(tree)], select(None, None), Options(), jobs=2)  # default threshold
    assert checkers() == {str(os.getpid())}


def test_json_output_is_the_same_with_any_number_of_workers(tree, pids, capsys):
    outputs = {jobs: json.loads(_cli(capsys, "-j", jobs, "--format", "json", str(tree))[1])
               for jobs in ("1", "2", "3")}
    assert outputs["1"] == outputs["2"] == outputs["3"]
    assert outputs["1"]["findings"]


def test_small_calls_travel_in_groups_and_large_ones_alone():
    # Sizes as the engine passes them: largest first.
    groups = parallel.batches([10 << 20, 2 << 20, *[9 << 10] * 100], jobs=2)
    assert groups[0] == [0] and groups[1] == [1]
    assert [i for g in groups for i in g] == list(range(102))
    assert all(len(g) > 1 for g in groups[2:-1])
    assert len(parallel.batches([9 << 10] * 1000, jobs=2)) >= 16


def _suppressing(tree):
    """Packages whose files carry suppression comments: one that silences its finding, one
    that silences nothing."""
    for i in range(3):
        (tree / f"extra{i}" / "quiet.go").write_text(
            f"package extra{i}\n\nimport _ \"unsafe\"\n\n//gofix-linkname:ignore LN101 -- measured\n"
            "//go:linkname gcount runtime.gcount\nfunc gcount() int32\n\n"
            "// nolint:gofixlinkname\nfunc G() int32 { return gcount() }\n")


@pytest.mark.parametrize("args", [("--format", "json", "--report-unused-ignores"), ("--report-unused-ignores",)])
def test_suppressions_found_by_workers_reach_the_report(tree, pids, capsys, args):
    # A worker sends its package's result back pickled: what it kept of the suppression
    # comments must travel without the file's tree (which cannot be pickled).
    _suppressing(tree)
    serial = _cli(capsys, "-j", "1", *args, str(tree))
    pids()
    shared = _cli(capsys, "-j", "2", *args, str(tree))
    assert len(pids()) == 3
    assert shared == serial
    assert "internal error" not in serial[2]
    assert serial[1].count("nolint:gofixlinkname") == 3, serial[1]


def test_a_package_with_suppressions_is_cached(tree, tmp_path, pids):
    _suppressing(tree)
    rules = select(None, None)
    cold_cache = ResultCache(tmp_path / "cache", options_key="k")
    cold = engine.run([str(tree)], rules, Options(), cache=cold_cache, jobs=2, parallel_bytes=0)
    cold_cache.finish()
    assert len(pids()) == 3
    warm_cache = ResultCache(tmp_path / "cache", options_key="k")
    warm = engine.run([str(tree)], rules, Options(), cache=warm_cache, jobs=1)
    assert warm_cache.misses == 0 and pids() == set()
    assert len(warm.suppressed) == len(cold.suppressed) == 3
    assert sorted(warm.suppressions) == sorted(cold.suppressions)
