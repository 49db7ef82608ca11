"""The knowledge file: several indexed GOROOTs, deduplicated, in one zip archive.

Layout (all members JSON, deflated):

* ``meta.json``: schema, release labels and full versions, per-release linker rules, ports
  and default experiments, and the package list, each package with a bit mask of the releases
  it exists in (bit i = ``releases[i]``).
* ``sym/<package>.json``: one *chunk* per package path as it appears in linker names
  (``runtime.nanotime`` and ``time.now`` live in ``sym/runtime.json`` and ``sym/time.json``,
  whichever package's source defines them), so a query reads only the chunk it needs.
  A chunk holds the files referenced (path, ``//go:build`` text), the notes, the Go
  declarations and the assembly ``TEXT`` symbols, each record stored once with the mask of the
  releases where it is identical.

Loading meta and one chunk is a few milliseconds; nothing is read until the first query.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path

from codemod.knowledge.goroot_index import GorootIndex, LinkerRules

SCHEMA = 1

# Flags of a declaration record.
F_BODY, F_NOSPLIT, F_GENERIC = 1, 2, 4
LINK_CODES = {"": 0, "linkname": 1, "linknamestd": 2}
LINK_NAMES = {v: k for k, v in LINK_CODES.items()}


def package_of(name: str) -> str:
    """The import path in a linker symbol name: runtime.x, crypto/tls.(*T).m, time.Time.abs."""
    slash = name.rfind("/")
    dot = name.find(".", slash + 1)
    return name[:dot] if dot > 0 else ""


def chunk_member(pkg: str) -> str:
    return f"sym/{pkg or '_'}.json"


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
    for i, (_, ix) in enumerate(indexes):
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
        "packages": packages,
    }
    # Rows per chunk and release, before deduplication.
    decl_rows: dict[str, list[list[tuple]]] = {}
    asm_rows: dict[str, list[list[tuple]]] = {}
    for i, (_, ix) in enumerate(indexes):
        for d in ix.decls:
            if d.pull:
                continue   # a reference to another package's symbol, not a definition
            flags = (F_BODY if d.has_body else 0) | (F_NOSPLIT if d.nosplit else 0) | (F_GENERIC if d.generic else 0)
            row = (d.name, d.kind, d.signature, d.value, d.file, ix.files.get(d.file, ""), flags,
                   LINK_CODES[d.link], d.note, d.package)
            decl_rows.setdefault(package_of(d.name), [[] for _ in indexes])[i].append(row)
        for a in ix.asm:
            row = (a.name, a.abi, a.file, ix.files.get(a.file, ""), a.cond, int(a.nosplit), a.package)
            asm_rows.setdefault(package_of(a.name), [[] for _ in indexes])[i].append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("meta.json", json.dumps(meta, separators=(",", ":"), sort_keys=True))
        for chunk in sorted(set(decl_rows) | set(asm_rows)):
            zf.writestr(chunk_member(chunk), json.dumps(
                _chunk(decl_rows.get(chunk, []), asm_rows.get(chunk, [])), separators=(",", ":")))
    tmp.replace(out)


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
    for (name, kind, sig, value, path, cons, flags, link, note, pkg), mask in _mask_table(decls_by_release):
        decls.append([name, kind, sig, value, file_idx(path, cons), flags, link,
                      notes.setdefault(note, len(notes)), pkg, mask])
    asm = []
    for (name, abi, path, cons, cond, nosplit, pkg), mask in _mask_table(asm_by_release):
        asm.append([name, abi, file_idx(path, cons), cond, nosplit, pkg, mask])
    return {"files": [list(k) for k in files], "notes": list(notes), "decls": decls, "asm": asm}


class Store:
    """A knowledge file opened lazily: meta on first use, each chunk on first query."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._meta: dict | None = None
        self._chunks: dict[str, dict] = {}

    def _archive(self) -> zipfile.ZipFile:
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.path)
        return self._zip

    @property
    def meta(self) -> dict:
        if self._meta is None:
            self._meta = json.loads(self._archive().read("meta.json"))
            if self._meta.get("schema") != SCHEMA:
                raise ValueError(f"{self.path}: knowledge schema {self._meta.get('schema')}, expected {SCHEMA}")
        return self._meta

    @property
    def releases(self) -> list[str]:
        return self.meta["releases"]

    def linker(self, i: int) -> LinkerRules:
        return LinkerRules(**self.meta["linker"][i])

    def chunk(self, pkg: str) -> dict:
        """{"files": [...], "notes": [...], "decls": {name: [rows]}, "asm": {name: [rows]}}."""
        found = self._chunks.get(pkg)
        if found is None:
            try:
                raw = json.loads(self._archive().read(chunk_member(pkg)))
            except KeyError:
                raw = {"files": [], "notes": [""], "decls": [], "asm": []}
            decls: dict[str, list] = {}
            for row in raw["decls"]:
                decls.setdefault(row[0], []).append(row)
            asm: dict[str, list] = {}
            for row in raw["asm"]:
                asm.setdefault(row[0], []).append(row)
            found = {"files": raw["files"], "notes": raw["notes"], "decls": decls, "asm": asm}
            self._chunks[pkg] = found
        return found
