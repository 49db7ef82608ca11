"""The user's own Go toolchain as a knowledge source: ``--goroot DIR`` or ``--goroot auto``.

A patch release or a Go newer than the shipped data is indexed with the same indexer as the
generator, once, and cached per version under ``$XDG_CACHE_HOME/gofix-linkname/`` (or
``~/.cache/gofix-linkname/``).  Indexing takes some seconds; later runs load the cache.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from codemod.knowledge.store import SCHEMA, Store, write_store

# Bump when the indexer changes what it records, so stale caches are rebuilt.
INDEXER_VERSION = 2


class GorootError(RuntimeError):
    """No usable GOROOT where the user pointed."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gofix-linkname"


def resolve_goroot(arg: str) -> Path:
    """A GOROOT from ``--goroot``: a directory, or "auto" for ``go env GOROOT`` of the go on PATH."""
    if arg == "auto":
        go = shutil.which("go")
        if not go:
            raise GorootError("--goroot auto: no `go` command on PATH")
        env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="")
        proc = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=env, timeout=60)
        if proc.returncode != 0 or not proc.stdout.strip():
            raise GorootError(f"`go env GOROOT` failed: {proc.stderr.strip()}")
        arg = proc.stdout.strip()
    root = Path(arg).expanduser().resolve()
    if not (root / "src" / "runtime").is_dir():
        raise GorootError(f"{root} is not a GOROOT (no src/runtime)")
    return root


def _cache_key(root: Path, version: str) -> str:
    """Version plus a digest of where it lives and its VERSION file: two trees never share a cache."""
    vfile = root / "VERSION"
    stamp = vfile.read_bytes() if vfile.is_file() else str((root / "src" / "runtime").stat().st_mtime).encode()
    digest = hashlib.sha256(str(root).encode() + b"\0" + stamp + f"\0{SCHEMA}\0{INDEXER_VERSION}".encode())
    return f"goroot-{version}-{digest.hexdigest()[:12]}.kb"


def load_goroot(path: Path | str) -> Store:
    """The knowledge of one GOROOT (``path`` or "auto"), indexing it on first use."""
    from codemod.knowledge.goroot_index import goroot_version, index_goroot

    root = resolve_goroot(str(path))
    version = goroot_version(root)
    cached = cache_dir() / _cache_key(root, version)
    if not cached.is_file():
        write_store([(version, index_goroot(root))], cached)
    return Store(cached)
