"""Quiet packages (no rule's trigger word in any file) are answered by a byte search alone; the
answer must be the one the full check gives, for every shape that makes a package not quiet."""
from __future__ import annotations

import json
import os

import pytest

from codemod import cli, engine

PLAIN = b"package p\n\nfunc Plain() int { return 1 }\n"
PULL = b'package p\n\nimport _ "unsafe"\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n'

PACKAGES = {
    "quiet/a.go": PLAIN,
    "quiet/b.go": PLAIN.replace(b"Plain", b"Other"),
    "pull/a.go": PULL,
    # A trigger word in a comment: parsed, nothing found.
    "word/a.go": b"package p\n\n// fastrand is not called here.\nfunc Plain() int { return 1 }\n",
    # A directive in a file the run skips (a leading underscore) still widens the package.
    "hidden/a.go": PLAIN,
    "hidden/_pull.go": PULL,
    # A file name with a GOOS/GOARCH suffix is a constraint no word shows (LN108 reads it).
    "named/a.go": PLAIN,
    "named/a_linux.go": PLAIN.replace(b"Plain", b"Linux"),
    "named/b_amd64.go": b"package p\n\nvar onlyAmd64 = 1\n",
    "binary/a.go": b"package p\n\x00\n",
    "latin1/a.go": b"package p\n\n// caf\xe9\nfunc F() {}\n",
    "utf8/a.go": "package p\n\n// café\nfunc F() {}\n".encode(),
    "assembly/a.go": PLAIN,
    "assembly/a_amd64.s": b"TEXT \xc2\xb7f(SB),0,$0\n",
}


def _tree(root):
    (root).mkdir()
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    for name, data in PACKAGES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _run(capsys, root, *args):
    code = cli.main(["--format", "json", "--no-cache", *args, str(root)])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


LOUD = {"pull", "word", "hidden", "named", "binary", "latin1"}


@pytest.mark.parametrize("args, loud", [
    ((), LOUD), (("--unsafe-fixes",), LOUD),
    # LN203 follows calls (siblings are read) but does not read file names; fastrand is no
    # trigger of it.
    (("--select", "LN203"), LOUD - {"word", "named"}),
    (("--select", "LN108"), LOUD - {"word"}),  # fastrand is no trigger of LN108
    # LN001 neither follows calls nor reads the package: siblings and file names are not read.
    (("--select", "LN001"), LOUD - {"word", "hidden", "named"})])
def test_quiet_answer_is_the_full_checks(tmp_path, capsys, monkeypatch, args, loud):
    root = _tree(tmp_path / "m")
    quiet_dirs = []
    real = engine._QuietPackages.__call__

    def counted(self, directory, files, *listed):
        read = real(self, directory, files, *listed)
        if read is not None:
            quiet_dirs.append(os.path.basename(directory))
        return read

    monkeypatch.setattr(engine._QuietPackages, "__call__", counted)
    fast = _run(capsys, root, *args)
    assert "quiet" in quiet_dirs and "utf8" in quiet_dirs and "assembly" in quiet_dirs
    assert not loud & set(quiet_dirs) and loud | set(quiet_dirs) == {p.split("/")[0] for p in PACKAGES}
    monkeypatch.setattr(engine._QuietPackages, "__call__", lambda self, *a: None)
    full = _run(capsys, root, *args)
    assert fast == full
    assert "binary/a.go" in full[2] and "latin1/a.go" in full[2]


def test_without_whole_package_rules_a_skipped_sibling_does_not_matter(tmp_path):
    # LN001 alone neither follows calls nor reads the package: the directory is not listed.
    root = _tree(tmp_path / "m")
    from rules import select
    quiet = engine._QuietPackages([r for r in select(["LN001"], None) if r.scope == "go"])
    assert quiet(str(root / "hidden"), ["a.go"]) == {"a.go": PLAIN}
    everything = engine._QuietPackages([r for r in select(None, None) if r.scope == "go"])
    assert everything(str(root / "hidden"), ["a.go"]) is None
    assert everything(str(root / "quiet"), ["a.go", "b.go"]) is not None
