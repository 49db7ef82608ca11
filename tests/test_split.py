"""Work split between processes (parallel.split) changes nothing but the time it takes.

A warm run over a large tree compares the recorded directories with the disk before its walk,
and a large run reads its unknown packages for the quiet check, in slices, one per process:
either answers exactly what one process answers, whatever changed, and whichever process did
the work (or failed to)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from codemod import cache, cli, discovery, engine, parallel
from tests.processes import pids_of

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="the check is split by fork, on Linux only")

OLD = 1_600_000_000  # long ago: a directory modified then is recorded (see discovery.Tree)
PULL = "package {name}\n\n//go:linkname x runtime.nanotime\nfunc x() int64\n"  # no unsafe import
PLAIN = "package {name}\n\nfunc Plain() int {{ return 1 }}\n"


# ---------------------------------------------------------------------------------------------
# parallel.split


def _pid_tagged(items: list) -> list:
    return [(item * 2, os.getpid()) for item in items]


def test_split_gives_what_one_call_gives_in_order_computed_in_two_processes():
    items = list(range(1001))
    out = parallel.split(_pid_tagged, items, 2)
    assert [value for value, _ in out] == [item * 2 for item in items]
    pids = [pid for _, pid in out]
    assert pids[0] == os.getpid() and pids[-1] != os.getpid()  # the last slice: a child's
    assert parallel.split(lambda part: bytes(i % 7 for i in part), items, 3) == bytes(i % 7 for i in items)
    # One process, or fewer items than processes: all of it, here.
    assert parallel.split(_pid_tagged, items, 1) == [(item * 2, os.getpid()) for item in items]
    assert [v for v, _ in parallel.split(_pid_tagged, [5], 4)] == [10]


def test_a_slice_whose_process_fails_or_dies_is_computed_here():
    parent = os.getpid()

    def fails_away(items: list) -> list:
        if os.getpid() != parent:
            raise RuntimeError("a child's failure")
        return [item + 1 for item in items]

    def dies_away(items: list) -> list:
        if os.getpid() != parent:
            os._exit(3)
        return [item + 1 for item in items]

    def answers_short(items: list) -> list:
        return [item + 1 for item in items][:None if os.getpid() == parent else 1]

    for work in (fails_away, dies_away, answers_short):
        assert parallel.split(work, list(range(100)), 2) == list(range(1, 101))


def test_an_interrupted_split_stops_its_children(tmp_path):
    parent = os.getpid()
    started = tmp_path / "child"

    def slow_away(items: list) -> list:
        if os.getpid() != parent:
            started.write_text(str(os.getpid()))
            time.sleep(60)
            return items
        while not started.exists():
            time.sleep(0.01)
        raise KeyboardInterrupt

    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        parallel.split(slow_away, list(range(10)), 2)
    assert time.monotonic() - began < 30
    with pytest.raises(ProcessLookupError):  # stopped and reaped: no such process
        os.kill(int(started.read_text()), 0)


# ---------------------------------------------------------------------------------------------
# a warm run


@pytest.fixture
def ahead(monkeypatch, tmp_path):
    """Runs whose walk is checked ahead however small the tree, in two processes; the pids of
    the processes that compared directories."""
    monkeypatch.setattr(discovery.Tree, "AHEAD_DIRECTORIES", 0)
    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    return pids_of(monkeypatch, tmp_path / "pids", discovery.Tree, "_compare")


def _age(root: Path) -> None:
    for d, _, names in os.walk(root):
        for name in names:
            os.utime(Path(d) / name, (OLD, OLD))
        os.utime(d, (OLD, OLD))


def _module(root: Path, packages: int = 8) -> Path:
    root.mkdir()
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    for i in range(packages):
        pkg = root / f"p{i}"
        pkg.mkdir()
        (pkg / "a.go").write_text((PULL if i % 3 == 0 else PLAIN).format(name=f"p{i}"))
    _age(root)
    return root


def _report(capsys, root: Path, *args: str) -> dict:
    cli.main(["--format", "json", *args, str(root)])
    return json.loads(capsys.readouterr().out)


def _warm_equals_uncached(capsys, root: Path) -> dict:
    warm = _report(capsys, root, "--cache-dir", str(root.parent / "cache"))
    assert warm == _report(capsys, root, "--no-cache")
    return warm


def test_a_warm_run_checked_ahead_answers_as_an_uncached_run_whatever_changed(tmp_path, capsys, ahead):
    root = _module(tmp_path / "m")
    cold = _warm_equals_uncached(capsys, root)
    assert ahead() == set()  # nothing recorded yet: nothing to check ahead
    assert _warm_equals_uncached(capsys, root) == cold
    assert len(ahead()) == 2  # both processes compared directories

    # A file's content changed, its directory's entries did not.
    (root / "p1/a.go").write_text(PULL.format(name="p1"))
    changed = _warm_equals_uncached(capsys, root)
    assert len(changed["findings"]) == len(cold["findings"]) + 1
    # The same, with the file's size and times as they were: its content decides.
    size = (root / "p3/a.go").stat().st_size
    (root / "p3/a.go").write_text(PLAIN.format(name="p3").ljust(size - 1) + "\n")
    assert (root / "p3/a.go").stat().st_size == size
    os.utime(root / "p3/a.go", (OLD, OLD))
    _warm_equals_uncached(capsys, root)
    # A file added to a package; a package gone; a new package in a new directory.
    (root / "p4/b.go").write_text(PULL.format(name="p4"))
    for p in (root / "p5").iterdir():
        p.unlink()
    (root / "p5").rmdir()
    (root / "p2/sub").mkdir()
    (root / "p2/sub/c.go").write_text(PULL.format(name="sub"))
    after = _warm_equals_uncached(capsys, root)
    paths = {f["path"] for f in after["findings"]}
    assert any(p.endswith("p4/b.go") for p in paths) and any(p.endswith("p2/sub/c.go") for p in paths)
    assert not any("/p5/" in p for p in paths)
    _age(root)
    _warm_equals_uncached(capsys, root)
    assert _warm_equals_uncached(capsys, root) == after


def test_a_warm_run_whose_child_fails_answers_the_same(tmp_path, capsys, ahead, monkeypatch):
    root = _module(tmp_path / "m")
    cold = _warm_equals_uncached(capsys, root)
    parent = os.getpid()
    compare = discovery.Tree._compare

    def fails_away(self, keys):
        if os.getpid() != parent:
            os._exit(1)
        return compare(self, keys)

    monkeypatch.setattr(discovery.Tree, "_compare", fails_away)
    (root / "p1/a.go").write_text(PULL.format(name="p1"))
    warm = _warm_equals_uncached(capsys, root)
    assert len(warm["findings"]) == len(cold["findings"]) + 1


def test_the_walk_stats_no_directory_the_check_found_as_recorded(tmp_path, capsys, ahead, monkeypatch):
    root = _module(tmp_path / "m")
    _warm_equals_uncached(capsys, root)
    (root / "p6/b.go").write_text(PLAIN.format(name="p6"))  # p6/ changed: the walk lists it
    os.utime(root / "p6", (OLD, OLD))  # (a stat of its own all the same: its change time moved)
    # What the walk stats (in this process, after the check).
    walked: list[str] = []
    discover, real_stat = discovery.discover, os.stat

    def counted(*args, **kwargs):
        monkeypatch.setattr(os, "stat", lambda p, *a, **k: walked.append(os.path.relpath(p, root)) or real_stat(p, *a, **k))
        try:
            return discover(*args, **kwargs)
        finally:
            monkeypatch.setattr(os, "stat", real_stat)

    monkeypatch.setattr(discovery, "discover", counted)
    _report(capsys, root, "--cache-dir", str(root.parent / "cache"))
    assert "p6" in walked and not {"p0", "p1", "p2", "p3", "p4", "p5", "p7"} & set(walked)


# ---------------------------------------------------------------------------------------------
# the quiet check of a large run


@pytest.fixture
def quiet_split(monkeypatch, tmp_path):
    """Runs whose quiet checks are split however few the packages, in chunks of 7; the pids
    of the processes that made them."""
    monkeypatch.setattr(engine, "QUIET_SPLIT", 0)
    monkeypatch.setattr(engine, "QUIET_CHUNK", 7)
    return pids_of(monkeypatch, tmp_path / "quiet-pids", engine._QuietPackages, "__call__")


def _cache_file(cache_dir: Path) -> dict:
    (file,) = cache_dir.rglob("*.cache")
    return cache.read_entries(file)


@pytest.mark.parametrize("args", [(), ("--diff", "--unsafe-fixes")])
def test_quiet_checks_split_between_processes_store_what_one_process_stores(
        tmp_path, capsys, quiet_split, args):
    root = _module(tmp_path / "m", packages=30)
    (root / "p4/bad.go").write_bytes(b"package p4\n\xff\n")  # not UTF-8: the full check says so
    one = [cli.main(["-j", "1", "--cache-dir", str(tmp_path / "c1"), *args, str(root)]), capsys.readouterr()]
    assert quiet_split() == {str(os.getpid())}
    two = [cli.main(["-j", "2", "--cache-dir", str(tmp_path / "c2"), *args, str(root)]), capsys.readouterr()]
    split = quiet_split()
    assert str(os.getpid()) in split and len(split) > 1  # here, and a child per chunk
    assert two == one
    assert _cache_file(tmp_path / "c2") == _cache_file(tmp_path / "c1")
    assert len(_cache_file(tmp_path / "c2")) == 30
    # And the next run takes its answers from what the split run stored.
    assert cli.main(["-j", "2", "--cache-dir", str(tmp_path / "c2"), *args, str(root)]) == one[0]
    assert capsys.readouterr() == one[1]
    assert quiet_split() == set()
