"""The result cache: a warm run answers from it without reading Go files, and every change the
result depends on (content, options, the package's file set, go.mod) makes it check again."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codemod import cache, cli, engine

FASTRAND = (b'package p\n\nimport _ "unsafe"\n\n//go:linkname fastrand runtime.fastrand\n'
            b"func fastrand() uint32\n\nfunc Roll() uint32 { return fastrand() % 6 }\n")
MISSING = b"package p\n\n//go:linkname x runtime.nanotime\nfunc x() int64\n"
PLAIN = b"package p\n\nfunc Plain() int { return 1 }\n"
OLD = 1_600_000_000  # a modification time far from "racy" (see cache.RACY_SECONDS)


def module(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (OLD, OLD))
    return root


def check(capsys, root: Path, *args: str) -> tuple[int, dict]:
    code = cli.main(["--format", "json", "--cache-dir", str(root.parent / "cache"), *args, str(root)])
    return code, json.loads(capsys.readouterr().out)


class GoReads:
    """Counts the Go files read (by the engine or the cache) while it is installed."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        real = Path.read_bytes

        def read_bytes(path: Path) -> bytes:
            if path.suffix == ".go":
                self.paths.append(path.name)
            return real(path)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_a_warm_run_gives_the_same_answer_without_reading_a_go_file(tmp_path, capsys, monkeypatch):
    root = module(tmp_path / "m", {"a/a.go": FASTRAND, "b/b.go": MISSING, "c/c.go": PLAIN})
    cold = check(capsys, root)
    reads = GoReads(monkeypatch)
    warm = check(capsys, root)
    assert warm == cold and cold[1]["findings"]
    assert reads.paths == []
    # And the answer is the one a run without the cache gives.
    assert check(capsys, root, "--no-cache") == cold


def test_a_changed_file_is_checked_again(tmp_path, capsys):
    root = module(tmp_path / "m", {"a/a.go": PLAIN, "b/b.go": PLAIN})
    assert check(capsys, root)[1]["findings"] == []
    (root / "a/a.go").write_bytes(MISSING)
    code, out = check(capsys, root)
    assert code == 1 and {f["path"] for f in out["findings"]} == {str(root / "a/a.go")}
    (root / "a/a.go").write_bytes(PLAIN)
    assert check(capsys, root) == (0, check(capsys, root, "--no-cache")[1])


def test_a_touched_but_unchanged_file_is_hashed_not_checked(tmp_path, capsys, monkeypatch):
    root = module(tmp_path / "m", {"a/a.go": FASTRAND})
    cold = check(capsys, root)
    os.utime(root / "a/a.go", (OLD + 10, OLD + 10))
    calls = []
    real = engine.check_package
    monkeypatch.setattr(engine, "check_package", lambda *a, **kw: calls.append(a[1]) or real(*a, **kw))
    assert check(capsys, root) == cold
    assert calls == []


def test_options_and_rules_key_the_entries(tmp_path, capsys):
    root = module(tmp_path / "m", {"a/a.go": FASTRAND})
    all_rules = check(capsys, root)[1]
    only_ln001 = check(capsys, root, "--select", "LN001")[1]
    assert {f["rule"] for f in only_ln001["findings"]} < {f["rule"] for f in all_rules["findings"]}
    unsafe = check(capsys, root, "--unsafe-fixes")[1]
    assert unsafe == check(capsys, root, "--unsafe-fixes", "--no-cache")[1]
    assert check(capsys, root)[1] == all_rules


def test_the_package_file_set_keys_the_entries(tmp_path, capsys, monkeypatch):
    # Which files sit next to a package's (assembly, another Go file) is part of its facts, so
    # a file that appears or goes away makes the package count as changed.
    root = module(tmp_path / "m", {"p/a.go": MISSING, "q/q.go": MISSING})
    first = check(capsys, root)
    checked = []
    real = engine.check_package
    monkeypatch.setattr(engine, "check_package",
                        lambda ws, d, *a, **kw: checked.append(d.name) or real(ws, d, *a, **kw))
    def cached_run_checks(expected_dirs):
        fresh = check(capsys, root, "--no-cache")
        checked.clear()
        assert check(capsys, root) == fresh
        assert checked == expected_dirs  # q/ did not change and was not checked again

    (root / "p/asm_amd64.s").write_text("#include \"textflag.h\"\n")
    cached_run_checks(["p"])
    (root / "p/asm_amd64.s").unlink()
    (root / "p/b.go").write_bytes(PLAIN)
    cached_run_checks(["p"])
    (root / "p/b.go").unlink()
    cached_run_checks(["p"])
    assert check(capsys, root) == first
    cached_run_checks([])


def test_go_mod_keys_the_entries(tmp_path, capsys):
    pull = b'package p\n\nimport _ "unsafe"\n\n//go:linkname f example.com/m/q.f\nfunc f()\n'
    root = module(tmp_path / "m", {"p/p.go": pull})
    inside = check(capsys, root)[1]
    (root / "go.mod").write_text("module example.com/other\n\ngo 1.21\n")
    outside = check(capsys, root)[1]
    assert outside == check(capsys, root, "--no-cache")[1]
    assert inside != outside


def test_no_cache_neither_reads_nor_writes(tmp_path, capsys):
    root = module(tmp_path / "m", {"a/a.go": FASTRAND})
    check(capsys, root, "--no-cache")
    assert not (tmp_path / "cache").exists()
    check(capsys, root)
    assert any((tmp_path / "cache").rglob("*"))


def test_a_file_edited_during_the_run_leaves_no_entry(tmp_path, capsys, monkeypatch):
    # A trigger word (in a comment) makes the package checked in full, not by byte search.
    root = module(tmp_path / "m", {"a/a.go": PLAIN.replace(b"func", b"// no fastrand here.\nfunc")})
    real = engine.check_package

    def edit_meanwhile(ws, directory, files, *a, **kw):
        part = real(ws, directory, files, *a, **kw)
        (root / "a/a.go").write_bytes(MISSING)  # after it was read and checked
        return part

    monkeypatch.setattr(engine, "check_package", edit_meanwhile)
    assert check(capsys, root)[1]["findings"] == []
    monkeypatch.setattr(engine, "check_package", real)
    # What is on disk now has a finding, and the cache must not hide it.
    assert {f["rule"] for f in check(capsys, root)[1]["findings"]} == {"LN001"}


# FASTRAND's size, without a word any rule looks for.
CLEAN_SAME_SIZE = b"package p\n\nfunc Roll() uint32 { return 4 }\n"
CLEAN_SAME_SIZE += b"// " + b"x" * (len(FASTRAND) - len(CLEAN_SAME_SIZE) - 4) + b"\n"


def rewrite_keeping_size_and_times(path: Path, data: bytes) -> None:
    """What a tool that puts modification times back does: only the change time moves."""
    st = os.stat(path)
    assert len(data) == st.st_size
    path.write_bytes(data)  # in place: same inode
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_file_rewritten_with_its_size_and_time_put_back_is_checked_again(tmp_path, capsys):
    root = module(tmp_path / "m", {"a/a.go": CLEAN_SAME_SIZE})
    assert check(capsys, root)[1]["findings"] == []
    (entry,) = cache.read_entries(cache_file(tmp_path)).values()
    assert entry["files"]["a.go"][1] == OLD * 10**9  # a trusted stat
    rewrite_keeping_size_and_times(root / "a/a.go", FASTRAND)
    code, out = check(capsys, root)
    assert out["findings"] and (code, out) == check(capsys, root, "--no-cache")


def test_a_file_replaced_by_another_of_the_same_name_size_and_times_is_checked_again(tmp_path, capsys):
    root = module(tmp_path / "m", {"a/a.go": CLEAN_SAME_SIZE, "a/b.go": PLAIN})
    assert check(capsys, root)[1]["findings"] == []
    (root / "a/a.go").unlink()
    (root / "a/new.tmp").write_bytes(FASTRAND)
    os.utime(root / "a/new.tmp", (OLD, OLD))
    os.rename(root / "a/new.tmp", root / "a/a.go")
    code, out = check(capsys, root)
    assert out["findings"] and (code, out) == check(capsys, root, "--no-cache")


def test_a_file_added_to_or_removed_from_a_package_is_seen_without_a_word(tmp_path, capsys):
    # The package's listing keys the entry: a new Go file, or one gone, makes it checked again.
    root = module(tmp_path / "m", {"a/a.go": PLAIN, "b/b.go": PLAIN})
    assert check(capsys, root)[1]["findings"] == []
    (root / "a/pull.go").write_bytes(MISSING)
    os.utime(root / "a/pull.go", (OLD, OLD))
    code, out = check(capsys, root)
    assert {f["path"] for f in out["findings"]} == {str(root / "a/pull.go")}
    assert (code, out) == check(capsys, root, "--no-cache")
    (root / "a/pull.go").unlink()
    assert check(capsys, root) == (0, check(capsys, root, "--no-cache")[1])


@pytest.mark.parametrize("when", ["before it is read", "after it is read"])
def test_a_file_rewritten_during_the_run_keeping_size_and_times_is_never_answered_stale(
        tmp_path, capsys, monkeypatch, when):
    # The walk stats the file, then the run reads it: an edit in between, or after the read,
    # with the size and modification time put back each time.  The run answers for what it
    # read; the next one for what the file holds.
    root = module(tmp_path / "m", {"a/a.go": CLEAN_SAME_SIZE})
    real = engine._read_plain

    def edit_meanwhile(path):
        if os.path.basename(path) != "a.go":
            return real(path)
        if when == "before it is read":
            rewrite_keeping_size_and_times(Path(path), FASTRAND)
            return real(path)
        data = real(path)
        rewrite_keeping_size_and_times(Path(path), FASTRAND)
        return data

    monkeypatch.setattr(engine, "_read_plain", edit_meanwhile)
    first = check(capsys, root)
    assert bool(first[1]["findings"]) == (when == "before it is read")
    monkeypatch.setattr(engine, "_read_plain", real)
    fresh = check(capsys, root, "--no-cache")
    assert fresh[1]["findings"]
    assert check(capsys, root) == fresh
    assert check(capsys, root) == fresh  # and warm again, from the entry that run made


def test_a_racy_file_is_hashed_on_the_next_run(tmp_path, capsys):
    # Written just now: same size and time after a quick second edit would fool a stat check.
    root = module(tmp_path / "m", {"a/a.go": PLAIN})
    os.utime(root / "a/a.go")
    check(capsys, root)
    st = os.stat(root / "a/a.go")
    same_size = PLAIN.replace(b"return 1", b"return 2")
    (root / "a/a.go").write_bytes(same_size)
    os.utime(root / "a/a.go", ns=(st.st_atime_ns, st.st_mtime_ns))
    (entry,) = cache.read_entries(cache_file(tmp_path)).values()
    size, mtime, ino, digest = entry["files"]["a.go"]
    assert mtime is None and digest is not None  # not trusted: it will be hashed
    assert check(capsys, root) == check(capsys, root, "--no-cache")


def cache_file(tmp_path: Path) -> Path:
    (path,) = (tmp_path / "cache").rglob("*.cache")  # one file for the run's paths
    return path


def test_damaged_cache_files_are_empty_without_a_word(tmp_path, capsys):
    root = module(tmp_path / "m", {"a/a.go": FASTRAND, "b/b.go": PLAIN})
    cold = check(capsys, root)
    path = cache_file(tmp_path)
    good = path.read_bytes()
    flipped = bytearray(good)
    flipped[-3] ^= 0x40
    for damaged in (b"not a cache", b"", good[: len(good) // 2], bytes(flipped),
                    good[:40] + b"\xff" * 64):
        path.write_bytes(damaged)
        code = cli.main(["--format", "json", "--cache-dir", str(tmp_path / "cache"), str(root)])
        out = capsys.readouterr()
        assert (code, json.loads(out.out)) == cold and out.err == ""
        # The run wrote a whole file again, which the next run uses.
        assert cache.read_entries(path).keys() == {str(root / "a"), str(root / "b")}


def test_one_file_per_run_read_once_and_written_once(tmp_path, capsys, monkeypatch):
    root = module(tmp_path / "m", {f"p{i}/f.go": PLAIN for i in range(30)} | {"q/q.go": FASTRAND})
    writes = []
    real = cache._atomic_write
    monkeypatch.setattr(cache, "_atomic_write", lambda path, *data, **kw: writes.append(path.name) or real(path, *data, **kw))
    cold = check(capsys, root)
    assert [w for w in writes if w != "CACHEDIR.TAG"] == [cache_file(tmp_path).name]
    writes.clear()
    assert check(capsys, root) == cold
    assert writes == []  # nothing changed: nothing written
    (root / "p3/f.go").write_bytes(MISSING)
    assert check(capsys, root) == check(capsys, root, "--no-cache")
    # The entries, and beside them the diffs the run printed (it has some now).
    assert writes == [cache_file(tmp_path).name, cache_file(tmp_path).with_suffix(".diffs").name]
    assert len(cache.read_entries(cache_file(tmp_path))) == 31


def test_a_warm_run_over_directories_it_cannot_record_writes_nothing(tmp_path, capsys, monkeypatch):
    # A directory holding a link is listed on every run, and one modified just now is not
    # recorded yet: neither is a change to write.
    root = module(tmp_path / "m", {"a/a.go": PLAIN, "b/b.go": FASTRAND, "c/c.go": PLAIN})
    os.symlink("a.go", root / "a/link.go")
    for d, _, _ in os.walk(root):
        os.utime(d, (OLD, OLD))
    os.utime(root / "c")
    writes = []
    real = cache._atomic_write
    monkeypatch.setattr(cache, "_atomic_write", lambda path, *data, **kw: writes.append(path.name) or real(path, *data, **kw))
    cold = check(capsys, root)
    writes.clear()
    assert check(capsys, root) == cold and writes == []
    (entries,) = [cache._read_file(cache_file(tmp_path))[2]]
    assert str(root / "b") in entries and str(root / "a") not in entries and str(root / "c") not in entries


def test_a_run_merges_what_another_run_stored_meanwhile(tmp_path, capsys, monkeypatch):
    # Two runs over the same tree at once: the second to finish keeps the first one's entries
    # for packages it saw but could not store, and the file stays whole.
    root = module(tmp_path / "m", {"a/a.go": FASTRAND, "b/b.go": PLAIN})
    check(capsys, root)
    path = cache_file(tmp_path)
    full = cache.read_entries(path)
    real_store = cache.Entry.store
    other = {}

    def store_but_b(self, ws, result, **kw):
        if self._key.endswith("b"):
            # Meanwhile another run writes the whole file (its own entries for a and b).
            path.write_bytes(other["bytes"])
            return  # this run makes no entry for b (say b changed while it was checked)
        real_store(self, ws, result, **kw)

    other["bytes"] = path.read_bytes()
    path.unlink()
    monkeypatch.setattr(cache.Entry, "store", store_but_b)
    check(capsys, root)
    assert cache.read_entries(path) == full


def test_a_stopped_run_writes_no_cache(tmp_path, capsys, monkeypatch):
    root = module(tmp_path / "m", {"a/a.go": FASTRAND, "b/b.go": PLAIN})
    real = engine.check_package

    def stop(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "check_package", stop)
    assert check_code(root, tmp_path) == 130
    assert not list((tmp_path / "cache").rglob("*.cache"))
    monkeypatch.setattr(engine, "check_package", real)


def check_code(root: Path, tmp_path: Path) -> int:
    return cli.main(["--format", "json", "--cache-dir", str(tmp_path / "cache"), str(root)])


def test_concurrent_runs_share_the_cache(tmp_path):
    files = {f"p{i}/f.go": (FASTRAND if i % 3 == 0 else MISSING if i % 3 == 1 else PLAIN)
             for i in range(60)}
    root = module(tmp_path / "m", files)
    cmd = [sys.executable, "-m", "codemod", "--format", "json", "--cache-dir", str(tmp_path / "cache"),
           str(root)]
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).resolve().parent.parent)}
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
             for _ in range(4)]
    outs = [p.communicate()[0] for p in procs]
    fresh = subprocess.run([*cmd[:5], "--no-cache", str(root)], capture_output=True, env=env).stdout
    assert outs == [fresh] * 4
    assert not [p for p in (tmp_path / "cache").rglob(".tmp-*")]  # no leftovers
    assert len(cache.read_entries(cache_file(tmp_path))) == 60  # whole, whoever wrote last
    warm = subprocess.run(cmd, capture_output=True, env=env).stdout
    assert warm == fresh


def test_a_warm_run_prints_the_diffs_of_the_last_without_computing_them(tmp_path, capsys, monkeypatch):
    from codemod import diff

    root = module(tmp_path / "m", {"a/a.go": MISSING, "b/b.go": MISSING, "c/c.go": PLAIN})

    def patch() -> str:
        assert cli.main(["--diff", "--cache-dir", str(tmp_path / "cache"), str(root)]) == 1
        return capsys.readouterr().out

    cold = patch()
    assert "+import _ \"unsafe\"" in cold
    computed = []
    real = diff._named_diff
    monkeypatch.setattr(diff, "_named_diff", lambda name, *a: computed.append(name) or real(name, *a))
    assert patch() == cold and computed == []
    # A file whose contents moved gets its diff computed (and checked) again, the other not.
    (root / "b/b.go").write_bytes(MISSING.replace(b"func x()", b"func y()"))
    fresh = cli.main(["--diff", "--no-cache", str(root)]), capsys.readouterr().out
    computed.clear()
    assert patch() == fresh[1] and [n.rsplit("/", 1)[-1] for n in computed] == ["b.go"]
    computed.clear()
    assert patch() == fresh[1] and computed == []
    # A damaged memo is an empty one.
    (memo,) = (tmp_path / "cache").rglob("*.diffs")
    memo.write_bytes(b"garbage")
    assert patch() == fresh[1] and len(computed) == 2


def test_default_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GOFIX_LINKNAME_CACHE_DIR", str(tmp_path / "x"))
    assert cache.default_dir() == tmp_path / "x"
    monkeypatch.delenv("GOFIX_LINKNAME_CACHE_DIR")
    assert "gofix-linkname" in str(cache.default_dir())


def test_a_push_elsewhere_in_the_module_invalidates_a_pull_that_depends_on_it(tmp_path, capsys):
    # What the module defines (a push in another package) decides whether a pull links.
    pull = b'package p\n\nimport _ "unsafe"\n\n//go:linkname helper runtime.myHelper\nfunc helper() int\n'
    push = b'package q\n\nimport _ "unsafe"\n\n//go:linkname myHelper runtime.myHelper\nfunc myHelper() int { return 1 }\n'
    root = module(tmp_path / "m", {"p/p.go": pull, "q/q.go": PLAIN.replace(b"package p", b"package q")})
    before = check(capsys, root)
    (root / "q/q.go").write_bytes(push)
    after = check(capsys, root)
    assert after == check(capsys, root, "--no-cache")
    assert [f for f in after[1]["findings"] if f["path"].endswith("p.go")] != \
        [f for f in before[1]["findings"] if f["path"].endswith("p.go")]


def test_an_importer_elsewhere_in_the_module_invalidates_a_gated_file_finding(tmp_path, capsys):
    # LN108 judges an internal package by where the module imports it: the answer depends on
    # a file outside the package, so touching that file must make the package checked again.
    gated = b"//go:build amd64\n\npackage fast\n\nimport _ \"unsafe\"\n\n//go:linkname text runtime.nanotime\nfunc text() int64\n"
    user = b"package fast\n\nfunc Len() int { return int(text()) }\n"
    root = module(tmp_path / "m", {
        "internal/fast/text.go": gated, "internal/fast/use.go": user,
        "d_amd64.go": b'package m\n\nimport _ "example.com/m/internal/fast"\n',
        "d.go": b"package m\n"})
    assert check(capsys, root, "--select", "LN108")[1]["findings"] == []
    assert check(capsys, root, "--select", "LN108")[1]["findings"] == []  # warm
    (root / "d_amd64.go").unlink()
    (root / "d.go").write_bytes(b'package m\n\nimport _ "example.com/m/internal/fast"\n')
    (found,) = check(capsys, root, "--select", "LN108")[1]["findings"]
    assert found["path"].endswith("text.go") and found["rule"] == "LN108"


def _age_directories(root: Path) -> None:
    for d, _, _ in os.walk(root):
        os.utime(d, (OLD, OLD))


def test_a_warm_run_answers_unchanged_quiet_packages_as_it_walks(tmp_path, capsys, monkeypatch):
    # Packages recorded empty that need no go.mod are answered from the directory's record
    # and their files' stats: no lookup, no listing, no Path.  The others are looked up.
    root = module(tmp_path / "m", {"a/a.go": FASTRAND, "b/b.go": PLAIN, "c/c.go": PLAIN, "c/d.go": PLAIN})
    _age_directories(root)
    cold = check(capsys, root)
    looked = []
    real = cache.ResultCache.lookup
    monkeypatch.setattr(cache.ResultCache, "lookup",
                        lambda self, d, *a, **kw: looked.append(Path(d).name) or real(self, d, *a, **kw))
    assert check(capsys, root) == cold and looked == ["a"]
    # A file whose stat moved is no answer: the lookup hashes it.
    os.utime(root / "c/d.go", (OLD + 5, OLD + 5))
    looked.clear()
    assert check(capsys, root) == cold and looked == ["a", "c"]
    looked.clear()
    assert check(capsys, root) == cold and looked == ["a"]
    # And what it answers is what the packages hold.
    (root / "c/d.go").write_bytes(MISSING)
    assert check(capsys, root) == check(capsys, root, "--no-cache") != cold


def test_a_build_file_beside_an_answered_package_is_still_read(tmp_path, capsys):
    root = module(tmp_path / "m", {"tools/t.go": PLAIN})
    (root / "tools/build.sh").write_text("go build -ldflags=-checklinkname=0 ./...\n")
    _age_directories(root)
    cold = check(capsys, root)
    assert [f["rule"] for f in cold[1]["findings"]] == ["LN107"]
    assert check(capsys, root) == cold


def test_a_touched_file_is_hashed_once_then_known_by_its_stat_again(tmp_path, capsys, monkeypatch):
    root = module(tmp_path / "m", {"a/a.go": FASTRAND})
    cold = check(capsys, root)
    hashed = []
    real = cache.content_hash
    # (go.mod is hashed too, once a run: it keys the entry.)
    monkeypatch.setattr(cache, "content_hash", lambda data: data == FASTRAND and hashed.append(data) or real(data))
    os.utime(root / "a/a.go", (OLD + 10, OLD + 10))
    assert check(capsys, root) == cold and hashed == [FASTRAND]
    hashed.clear()
    assert check(capsys, root) == cold and hashed == []
    # Touched just now ("racy"): hashed until it is old enough to be trusted.
    os.utime(root / "a/a.go")
    for _ in range(2):
        hashed.clear()
        assert check(capsys, root) == cold and hashed == [FASTRAND]


def test_a_cache_file_is_written_and_read_in_frames(tmp_path, capsys, monkeypatch):
    # One marshal per few thousand packages, not one of the whole file (the run's largest
    # object on a large tree): the entries and directory records of every frame come back.
    monkeypatch.setattr(cache, "_FRAME_KEYS", 2)
    root = module(tmp_path / "m", {f"p{i}/a.go": (FASTRAND if i % 2 else PLAIN) for i in range(7)})
    _age_directories(root)
    cold = check(capsys, root)
    entries, _, dirs = cache._read_file(cache_file(tmp_path))
    assert len(entries) == 7 and {str(root), *(str(root / f"p{i}") for i in range(7))} <= set(dirs)
    checked = []
    real = engine.check_package
    monkeypatch.setattr(engine, "check_package", lambda *a, **kw: checked.append(a[1]) or real(*a, **kw))
    assert check(capsys, root) == cold and checked == []
    # A frame cut short is a damaged file: empty, and the run checks everything again.
    data = cache_file(tmp_path).read_bytes()
    cache_file(tmp_path).write_bytes(data[:-5])
    assert cache._read_file(cache_file(tmp_path))[0] == {}
    assert check(capsys, root) == cold and len(checked) == 3
