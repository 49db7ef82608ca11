"""The knowledge file: several indexed GOROOTs, deduplicated, in one compact container.

Container: the magic line ``gofix-linkname-knowledge\n``, a 4-byte big-endian length, a
zlib-compressed JSON index ``{member: [offset, length]}``, then the zlib-compressed JSON
members.  (A zip archive would do, but reading its central directory of ~3500 entries alone
costs ~60 ms; this index loads in about one.)

Members:

* ``meta``: schema, release labels and full versions, per-release linker rules, ports
  (and those that can build with cgo) and default experiments, and the package list, each package with a bit mask of the releases
  it exists in (bit i = ``releases[i]``).
* ``sym/<package>/<letter>``: one *chunk* per package path as it appears in linker names
  and first letter of the rest (``runtime.nanotime`` and ``time.now`` live in
  ``sym/runtime/n`` and ``sym/time/n``, whichever package's source defines them), so a query
  reads only the chunk it needs.  A chunk holds the files referenced (path, ``//go:build``
  text), the notes, the Go declarations and the assembly ``TEXT`` symbols, each record stored
  once with the mask of the releases where it is identical.  Rows:
  declaration ``[name, kind, signature, value, file, flags, link, note, package, link_files, mask]``
  (``file``/``link_files`` index the chunk's files, ``note`` its notes, ``flags`` the F_* bits
  (F_WRAPPER: a pointer-receiver wrapper the compiler generates, not declared in the source),
  ``link`` a LINK_CODES value); assembly ``[name, abi, file, cond, nosplit, package, mask]``.

Loading meta and one chunk is a few milliseconds; nothing is read until the first query.
"""
from __future__ import annotations

import json
import struct
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from codemod.knowledge.rules import LinkerRules

if TYPE_CHECKING:
    from codemod.knowledge.goroot_index import GorootIndex

SCHEMA = 1

# Flags of a declaration record.
F_BODY, F_NOSPLIT, F_GENERIC, F_PULL, F_ABI0, F_WRAPPER = 1, 2, 4, 8, 16, 32
LINK_CODES = {"": 0, "linkname": 1, "linknamestd": 2}
LINK_NAMES = {v: k for k, v in LINK_CODES.items()}


def package_of(name: str) -> str:
    """The import path in a linker symbol name: runtime.x, crypto/tls.(*T).m, time.Time.abs."""
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    return name[:dot] if dot > 0 else ""


def path_to_prefix(path: str) -> str:
    """objabi.PathToPrefix: the import path as it appears in linker symbol names."""
    out = []
    last_slash = path.rfind("/")
    for i, ch in enumerate(path):
        if ch <= " " or ch in '%"\x7f' or (ch == "." and i > last_slash):
            out.append("%%%02x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def bucket_of(name: str) -> str:
    """Chunks are split by the first letter after the package, so a query reads ~1/30 of runtime."""
    rest = name[len(package_of(name)):].lstrip(".")
    c = rest[:1].lower()
    return c if c.isalnum() else "_"


def chunk_key(name: str) -> tuple[str, str]:
    return package_of(name), bucket_of(name)


def chunk_member(pkg: str, bucket: str) -> str:
    return f"sym/{pkg or '_'}/{bucket}"


MAGIC = b"gofix-linkname-knowledge\n"


def _pack(obj) -> bytes:
    return zlib.compress(json.dumps(obj, separators=(",", ":"), sort_keys=True).encode(), 9)


def write_container(members: dict[str, object], out: Path) -> None:
    blobs, index, offset = [], {}, 0
    for name, obj in members.items():
        blob = _pack(obj)
        index[name] = [offset, len(blob)]
        blobs.append(blob)
        offset += len(blob)
    head = _pack(index)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC + struct.pack(">I", len(head)) + head)
        for blob in blobs:
            f.write(blob)
    tmp.replace(out)


def _mask_table(rows_by_release: list[list[tuple]]) -> list[tuple[tuple, int]]:
    """Deduplicate identical rows across releases: [(row, mask)], in first-seen order."""
    masks: dict[tuple, int] = {}
    for i, rows in enumerate(rows_by_release):
        for row in rows:
            masks[row] = masks.get(row, 0) | (1 << i)
    return list(masks.items())


def write_store(indexes: list[tuple[str, GorootIndex]], out: Path) -> None:
    """Write the knowledge file for [(release label, index)], in release order."""
    releases = [label for label, _ in indexes]
    packages: dict[str, int] = {}
    ports: dict[str, int] = {}
    cgo_ports: dict[str, int] = {}
    for i, (_, ix) in enumerate(indexes):
        for p in getattr(ix, "cgo_ports", ()):
            cgo_ports[p] = cgo_ports.get(p, 0) | (1 << i)
        for p in ix.packages:
            packages[p] = packages.get(p, 0) | (1 << i)
        for p in ix.ports:
            ports[p] = ports.get(p, 0) | (1 << i)
    meta = {
        "schema": SCHEMA,
        "releases": releases,
        "versions": [ix.version for _, ix in indexes],
        "linker": [asdict(ix.linker) for _, ix in indexes],
        "experiments": [_compact_experiments(ix) for _, ix in indexes],
        "ports": ports,
        "cgo_ports": cgo_ports,
        "packages": packages,
    }
    # Rows per chunk and release, before deduplication.
    decl_rows: dict[str, list[list[tuple]]] = {}
    asm_rows: dict[str, list[list[tuple]]] = {}
    for i, (_, ix) in enumerate(indexes):
        for d in ix.decls:
            # A pull (bodyless, renamed to another package's symbol) is kept: it is not a
            # definition, but where that package's assembly defines the symbol, it is the
            # Go declaration the compiler makes the ABI wrapper from (internal/bytealg's
            # abigen_runtime_memequal).
            flags = ((F_BODY if d.has_body else 0) | (F_NOSPLIT if d.nosplit else 0)
                     | (F_GENERIC if d.generic else 0) | (F_PULL if d.pull else 0) | (F_ABI0 if d.abi0 else 0)
                     | (F_WRAPPER if d.wrapper else 0))
            link_files = tuple((f, ix.files.get(f, "")) for f in d.link_files)
            row = (d.name, d.kind, d.signature, d.value, d.file, ix.files.get(d.file, ""), flags,
                   LINK_CODES[d.link], d.note, d.package, link_files)
            decl_rows.setdefault(chunk_key(d.name), [[] for _ in indexes])[i].append(row)
        for a in ix.asm:
            row = (a.name, a.abi, a.file, ix.files.get(a.file, ""), a.cond, int(a.nosplit), a.package)
            asm_rows.setdefault(chunk_key(a.name), [[] for _ in indexes])[i].append(row)
    members: dict[str, object] = {"meta": meta}
    for chunk in sorted(set(decl_rows) | set(asm_rows)):
        members[chunk_member(*chunk)] = _chunk(decl_rows.get(chunk, []), asm_rows.get(chunk, []))
    write_container(members, out)


def _compact_experiments(ix: GorootIndex) -> dict[str, object]:
    """{experiment: "*" if on for every port, else [ports]}."""
    by_exp: dict[str, list[str]] = {}
    for port, exps in ix.experiments.items():
        for e in exps:
            by_exp.setdefault(e, []).append(port)
    return {e: ("*" if len(p) == len(ix.experiments) else sorted(p)) for e, p in sorted(by_exp.items())}


def _chunk(decls_by_release: list[list[tuple]], asm_by_release: list[list[tuple]]) -> dict:
    files: dict[tuple[str, str], int] = {}
    notes: dict[str, int] = {"": 0}

    def file_idx(path: str, constraint: str) -> int:
        return files.setdefault((path, constraint), len(files))

    decls = []
    for (name, kind, sig, value, path, cons, flags, link, note, pkg, link_files), mask in _mask_table(decls_by_release):
        decls.append([name, kind, sig, value, file_idx(path, cons), flags, link,
                      notes.setdefault(note, len(notes)), pkg, [file_idx(*f) for f in link_files], mask])
    asm = []
    for (name, abi, path, cons, cond, nosplit, pkg), mask in _mask_table(asm_by_release):
        asm.append([name, abi, file_idx(path, cons), cond, nosplit, pkg, mask])
    return {"files": [list(k) for k in files], "notes": list(notes), "decls": decls, "asm": asm}


class Store:
    """A knowledge file opened lazily: its index and meta on first use, each chunk on first query."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._index: dict[str, list[int]] | None = None
        self._base = 0
        self._meta: dict | None = None
        self._chunks: dict[tuple[str, str], dict] = {}
        self._buckets: dict[str, list[str]] | None = None

    def _member_index(self) -> dict[str, list[int]]:
        if self._index is None:
            with open(self.path, "rb") as f:
                magic = f.read(len(MAGIC))
                if magic != MAGIC:
                    raise ValueError(f"{self.path}: not a gofix-linkname knowledge file")
                (n,) = struct.unpack(">I", f.read(4))
                self._index = json.loads(zlib.decompress(f.read(n)))
                self._base = len(MAGIC) + 4 + n
        return self._index

    def read(self, member: str):
        """A member's JSON value, or None when the file has no such member."""
        where = self._member_index().get(member)
        if where is None:
            return None
        with open(self.path, "rb") as f:
            f.seek(self._base + where[0])
            return json.loads(zlib.decompress(f.read(where[1])))

    @property
    def meta(self) -> dict:
        if self._meta is None:
            self._meta = self.read("meta")
            if self._meta.get("schema") != SCHEMA:
                raise ValueError(f"{self.path}: knowledge schema {self._meta.get('schema')}, expected {SCHEMA}")
        return self._meta

    @property
    def releases(self) -> list[str]:
        return self.meta["releases"]

    def linker(self, i: int) -> LinkerRules:
        return LinkerRules(**self.meta["linker"][i])

    def buckets(self, pkg: str) -> list[str]:
        """The chunk buckets stored for a package (for listing all its symbols)."""
        if self._buckets is None:
            # One pass over the member names for every package: a scan per call cost ~7 ms.
            by_pkg: dict[str, list[str]] = {}
            for n in self._member_index():
                if n.startswith("sym/"):
                    pkg_part, sep, bucket = n[4:].rpartition("/")
                    if sep and bucket:
                        by_pkg.setdefault(pkg_part, []).append(bucket)
            self._buckets = by_pkg
        return list(self._buckets.get(pkg or "_", ()))

    def chunk_for(self, name: str) -> dict:
        return self.chunk(*chunk_key(name))

    def chunk(self, pkg: str, bucket: str) -> dict:
        """{"files": [...], "notes": [...], "decls": {name: [rows]}, "asm": {name: [rows]}}."""
        key = (pkg, bucket)
        found = self._chunks.get(key)
        if found is None:
            raw = self.read(chunk_member(pkg, bucket)) or {"files": [], "notes": [""], "decls": [], "asm": []}
            decls: dict[str, list] = {}
            for row in raw["decls"]:
                decls.setdefault(row[0], []).append(row)
            asm: dict[str, list] = {}
            for row in raw["asm"]:
                asm.setdefault(row[0], []).append(row)
            found = {"files": raw["files"], "notes": raw["notes"], "decls": decls, "asm": asm}
            self._chunks[key] = found
        return found
