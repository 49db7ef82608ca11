"""The pipeline: files -> parsed model -> findings with fixes -> merged edits -> new contents.

The engine knows rules only through :class:`~codemod.rule.Rule`.  It runs every rule over
every file, keeps the first pass's findings as the report, merges the fixes the user asked
for into a conflict-free set, applies them in memory, and runs the rules again on what
changed, until no rule proposes anything (a fixed point) or ``MAX_PASSES`` is reached.
Nothing here writes to disk: :mod:`codemod.writer` and :mod:`codemod.gitops` do that.
"""
from __future__ import annotations

import fnmatch
import functools
import os
import re
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import discovery, gosyntax, linkset, parallel, suppress, trace, versions
from . import fixkit
from .edits import AddImport, CreateFile, DeleteFile, Fix, Safety, TextEdit, merge
from .findings import Finding
from .buildconstraint import filename_constraint
from .importgraph import ModuleImports
from .linkset import ModuleSymbols
from .model import (BOM, DeferredGoFile, GoFile, Module, PackageFacts, Span, Unparsable, grammar_version, parse_file,
                    parse_go_mod, reaches_outside, read_header)
from .rule import BuildFileContext, Context, FixAvailability, Options, Rule
from .sketch import PackageSketch, cached_file_sketch

MAX_PASSES = 8
# From how much work worker processes are used: the Go bytes of the packages to check, each
# package counted PACKAGE_BYTES more for its fixed cost (a tiny package takes ~4 ms, about
# as long as 8 KB of a large one).  About 0.4 s of checks; starting the workers costs ~20 ms.
PARALLEL_BYTES = 1 << 20
PACKAGE_BYTES = 8 << 10
# Go files in the packages the cache does not answer, from which on their quiet check (a read
# and a hash per file, 25 us for a small one) is split between processes: a fork of a run
# holding 80 MB costs about 8 ms.  (Go's src/, 645 packages of 8,000 files: 0.1-0.2 s less.)
QUIET_SPLIT = 2000
# Packages held waiting for their quiet check, about 350 bytes each (their cache entries).
QUIET_CHUNK = 20000


@dataclass(frozen=True)
class Problem:
    """A file the run could not process, or a note about one; one line each when printed."""

    path: Path
    message: str
    error: bool = True
    # Valid Go the parser cannot read (a real toolchain's gofmt parses it): the file is not
    # checked, and its package's fixes are not applied (they could clash with what it holds).
    unchecked: bool = False
    # A judgement on the file's syntax, which may have asked gofmt: whether one is at hand is
    # no part of the cache key, so a package result holding one is not cached.
    syntax: bool = False


@dataclass
class PackageResult:
    """What one package (one directory's files) contributes to a run; what the cache stores."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Final contents of every file the fixes change: path -> (before, after); None = absent.
    changes: dict[Path, tuple[bytes | None, bytes | None]] = field(default_factory=dict)
    applied: list[tuple[Finding | None, Fix]] = field(default_factory=list)
    held_back: list[Finding] = field(default_factory=list)  # fixes below the requested safety
    passes: int = 0
    # Findings an in-source suppression silenced (never reported as findings, never fixed),
    # and every suppression comment of the files checked.
    suppressed: list[suppress.Suppressed] = field(default_factory=list)
    suppressions: dict[Path, suppress.FileSuppressions] = field(default_factory=dict)


@dataclass
class RunResult(PackageResult):
    """The whole run: every package's result, and what only the run as a whole knows."""

    stale_temporaries: list[Path] = field(default_factory=list)  # left by a killed --apply
    fix_level: Safety | None = None  # the lowest safety applied; None: a check without fixes
    # Package directories whose fixes --verify withdrew (they made a build worse).
    withdrawn: set[Path] = field(default_factory=set)
    # Single fixes --verify withdrew, by :func:`fix_key` of their findings (the rest of their
    # package's fixes are written).
    withdrawn_fixes: set[tuple] = field(default_factory=set)
    _fix_keys: dict[int, tuple] = field(default_factory=dict)  # id(finding) -> fix_key, memo
    # With --report-unused-ignores: (file, suppression) pairs that silenced nothing.
    unused_ignores: list | None = None

    @property
    def has_errors(self) -> bool:
        return any(p.error for p in self.problems)

    def absorb(self, part: PackageResult) -> None:
        """Add one package's result to the run's."""
        self.findings.extend(part.findings)
        self.problems.extend(part.problems)
        self.changes.update(part.changes)
        self.applied.extend(part.applied)
        self.held_back.extend(part.held_back)
        self.passes = max(self.passes, part.passes)
        self.suppressed.extend(part.suppressed)
        self.suppressions.update(part.suppressions)

    def fixed(self, finding: Finding) -> bool:
        """Whether the run's fixes take care of ``finding``.

        A fix deferred by a conflict is re-proposed on the next pass, so every eligible fix of a
        converged run is applied, or its finding went away with another fix.
        """
        return (finding.fix is not None and self.fix_level is not None and not self.has_errors
                and finding.fix.safety >= self.fix_level and not self.is_withdrawn(finding))

    def fix_key_of(self, finding: Finding) -> tuple:
        """:func:`fix_key` of a finding of this run, against its file as it is on disk (the
        text the run started from); read only when asked, so a cached run reads no file."""
        key = self._fix_keys.get(id(finding))
        if key is None:
            try:
                source = finding.path.read_bytes()
            except OSError:
                source = None
            key = self._fix_keys[id(finding)] = fix_key(finding, source)
        return key

    def is_withdrawn(self, finding: Finding) -> bool:
        """Whether --verify withdrew the fix of ``finding``, which would otherwise apply."""
        if finding.fix is None or self.fix_level is None or finding.fix.safety < self.fix_level:
            return False
        if self.withdrawn_fixes and self.fix_key_of(finding) in self.withdrawn_fixes:
            return True
        return bool(self.withdrawn) and any(
            p.parent.resolve() in self.withdrawn for p in finding.fix.touches() | {finding.path})


def fix_key(finding: Finding, source: bytes | None) -> tuple:
    """What names a finding's fix from one pass to the next, whatever moved around it: rule,
    file, and the whitespace-normalised text of the finding's line (line numbers shift as
    other fixes land; the line's text does not, unless a fix rewrites that very line)."""
    lines = (source or b"").splitlines()
    text = lines[finding.span.line - 1] if 0 < finding.span.line <= len(lines) else b""
    return (finding.rule, str(finding.path), " ".join(text.decode("utf-8", "replace").split()))


class Workspace:
    """File contents as the fixes see them: the disk, overlaid with the edits made so far."""

    def __init__(self, modules: dict[Path, Module | None] | None = None,
                 disk_symbols: dict[Path, ModuleSymbols] | None = None, goroot: str | None = None) -> None:
        self.goroot = goroot  # --goroot: whose gofmt judges a file the parser cannot read
        self.original: dict[Path, bytes | None] = {}
        self.current: dict[Path, bytes | None] = {}
        # path -> (model, the trigger words it was loaded for)
        self._models: dict[Path, tuple[GoFile | Problem | None, tuple[str, ...]]] = {}
        self._modules: dict[Path, Module | None] = {} if modules is None else modules
        self._symbols: dict[Path, ModuleSymbols] = {}
        # Module symbols as on disk, shared by every package's workspace of one run: a package
        # reads them from here until its own fixes change a file.
        self._disk_symbols: dict[Path, ModuleSymbols] = {} if disk_symbols is None else disk_symbols
        self.used_module_symbols = False
        self._imports: dict[Path, ModuleImports] = {}
        self.sketches: dict = {}  # what rules' package gates learnt from the bytes (codemod.sketch)
        self._deferred: dict[Path, DeferredGoFile] = {}

    def read(self, path: Path) -> bytes | None:
        if path not in self.current:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                data = None
            self.original[path] = self.current[path] = data
        return self.current[path]

    def write(self, path: Path, data: bytes | None) -> None:
        self.read(path)
        self.current[path] = data
        self._models.pop(path, None)
        self._deferred.pop(path, None)
        self._symbols.clear()  # a fix may add or remove a definition
        self._imports.clear()  # or an import

    def module_symbols(self, root: Path, module: Module | None) -> ModuleSymbols:
        """What the module at ``root`` defines for the linker, as the files are now."""
        root = root.resolve()
        self.used_module_symbols = True
        if root not in self._symbols and not any(d != self.original[p] for p, d in self.current.items()):
            if root not in self._disk_symbols:
                self._disk_symbols[root] = linkset.scan(root, module, _read_disk)
            self._symbols[root] = self._disk_symbols[root]
        if root not in self._symbols:
            # The scan walks absolute paths; the workspace may know a file by a relative one,
            # and its edited contents are what the next pass must see.
            known = {p.resolve(): p for p in self.current}

            def read(path: Path) -> bytes | None:
                return self.read(known.get(path, path))

            self._symbols[root] = linkset.scan(root, module, read)
        return self._symbols[root]

    def module_imports(self, root: Path, module: Module | None) -> ModuleImports:
        """Which files of the module at ``root`` import a package, as the files are now."""
        root = root.resolve()
        self.used_module_symbols = True  # a whole-module fact: the cache stamps the module
        if root not in self._imports:
            known = {p.resolve(): p for p in self.current}
            self._imports[root] = ModuleImports(root, module, lambda path: self.read(known.get(path, path)))
        return self._imports[root]

    def changed(self) -> dict[Path, tuple[bytes | None, bytes | None]]:
        return {p: (self.original[p], d) for p, d in self.current.items() if d != self.original[p]}

    def parsed(self, path: Path) -> GoFile | None:
        """The model of the file's current text when one was built (a model is dropped when
        its file is written), else None: nothing is parsed here."""
        cached = self._models.get(path)
        return cached[0] if cached is not None and isinstance(cached[0], GoFile) else None

    def model(self, path: Path, triggers: tuple[str, ...] | None) -> GoFile | Problem | None:
        """The parsed file, a Problem saying why it cannot be used, or None when no rule cares.

        ``triggers`` None parses the file whatever words it contains."""
        cached = self._models.get(path)
        # A file the pre-filter skipped for some trigger words may matter for others.
        if cached is not None and (cached[0] is not None or (
                triggers is not None and cached[1] is not None and set(triggers) <= set(cached[1]))):
            return cached[0]
        result = self._load(path, triggers)
        self._models[path] = (result, triggers)
        return result

    def loaded(self) -> frozenset[Path]:
        """The files whose models (or problems) the workspace holds."""
        return frozenset(self._models)

    def forget(self, kept: frozenset[Path]) -> None:
        """Drop every model but those of ``kept`` (see :meth:`loaded`), and every deferred file."""
        for path in [p for p in self._models if p not in kept]:
            del self._models[path]
        self._deferred.clear()

    def deferred(self, path: Path) -> GoFile | Problem | None:
        """The file as :meth:`model` with no trigger words gives it, except that a file not
        parsed yet is parsed only when something asks for its tree (a
        :class:`codemod.model.DeferredGoFile`).  A file that cannot be read, is not text, or
        whose header does not read cleanly is parsed now, so its problem is known now."""
        cached = self._models.get(path)
        if cached is not None and cached[0] is not None:
            return cached[0]
        found = self._deferred.get(path)
        if found is not None:
            return found
        try:
            data = self.read(path)
        except OSError:
            return self.model(path, None)  # which says why it cannot be read
        if data is None:
            return None
        header = None
        if b"\0" not in data and _is_utf8(data):
            source = data[len(BOM):] if data.startswith(BOM) else data
            header = read_header(source)
        if header is None:
            return self.model(path, None)

        # A weak reference: the model would otherwise hold its workspace in a cycle, which
        # only the garbage collector frees, so a run would keep many packages' trees at once.
        workspace = weakref.ref(self)
        found = self._deferred[path] = DeferredGoFile(path, source, source is not data, header,
                                                      lambda: workspace().model(path, None),
                                                      functools.partial(cached_file_sketch, self.sketches,
                                                                        path.name, data))
        return found

    def _load(self, path: Path, triggers: tuple[str, ...] | None) -> GoFile | Problem | None:
        trace.at(path)
        try:
            data = self.read(path)
        except OSError as e:
            return Problem(path, f"cannot read: {e.strerror or e}")
        if data is None:
            return None
        if b"\0" in data:
            return Problem(path, "binary file (contains NUL bytes), skipped")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            return Problem(path, f"not valid UTF-8 (byte {e.start}), skipped")
        # The cheap pre-filter: a file that mentions none of the trigger words cannot concern
        # any rule, so it is never parsed.
        if triggers is not None and not any(t.encode() in data for t in triggers):
            return None
        model = parse_file(path, data)
        if model.syntax_errors:
            s = model.syntax_errors[0]
            gofmt = gosyntax.find(self.goroot)
            if gofmt is not None and gofmt.accepts(model.source):
                return unreadable_problem(path, model.source, s, gofmt)
            return Problem(path, f"syntax error at line {s.line}, column {s.column}; file left unchanged",
                           syntax=True)
        if model.package_clause is None:
            return Problem(path, "no package clause; file left unchanged")
        if model.constraint.error:
            return Problem(path, f"malformed build constraint ({model.constraint.error}); file left unchanged")
        return model

    def module_for(self, directory: Path) -> Module | None:
        return module_for(self._modules, directory)


_DIRECTIVE_LINE = re.compile(rb"(?m)^[ \t]*//go:linkname[ \t]")


def unreadable_problem(path: Path, source: bytes, at: Span, gofmt: gosyntax.Gofmt) -> Problem:
    """A file gofmt parses and the grammar does not: not checked, and said so.  It is an error
    only when it holds a ``//go:linkname`` directive, a pull the run then cannot check."""
    what = (f"line {at.line}, column {at.column}: syntax tree-sitter-go {grammar_version()} does not "
            f"parse, which {gofmt.name} accepts; not checked, left unchanged")
    lines = [source.count(b"\n", 0, m.start()) + 1 for m in _DIRECTIVE_LINE.finditer(source)]
    if not lines:
        return Problem(path, f"{what}; its package's fixes are not applied", error=False, unchecked=True,
                       syntax=True)
    shown = ", ".join(map(str, lines[:5])) + (", ..." if len(lines) > 5 else "")
    return Problem(path, f"{what}; its //go:linkname directive{'s' if len(lines) > 1 else ''} "
                         f"(line{'s' if len(lines) > 1 else ''} {shown}) cannot be checked", unchecked=True,
                   syntax=True)


def module_for(modules: dict[Path, Module | None], directory: Path, resolved: bool = False) -> Module | None:
    """The module whose go.mod is nearest above ``directory`` (memoized in ``modules``)."""
    if not resolved:
        directory = directory.resolve()  # once: the parent of a real path is a real path
    if directory in modules:
        return modules[directory]
    go_mod = directory / "go.mod"
    if go_mod.is_file():
        try:
            module = parse_go_mod(go_mod, go_mod.read_text("utf-8", "replace"))
        except OSError:
            module = None
    elif directory.parent != directory:
        module = module_for(modules, directory.parent, True)
    else:
        module = None
    modules[directory] = module
    return module


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False  # as Path.is_file says of what it cannot stat


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_disk(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


_IMPORTS_UNSAFE = re.compile(rb'(?m)^\s*(?:import\s+)?(?:[\w.]+\s+)?"unsafe"')


def package_facts(ws: Workspace, directory: Path, go_files: list[Path]) -> PackageFacts:
    """Facts about the whole directory, including files the pre-filter never parsed."""
    # (name, whether a regular file, links followed): a directory entry knows its type, so
    # only a link costs a stat.
    try:
        with os.scandir(directory) as it:
            listing = [(e.name, _is_file(e)) for e in it]
    except OSError:
        listing = []
    names = {name for name, regular in listing if regular}
    # Files created by earlier fixes exist only in the workspace; deleted ones only on disk.
    names |= {p.name for p in go_files}
    go_names = {n for n in names if n.endswith(".go") and ws.read(directory / n) is not None}
    # The plain search first: the pattern's line-start scan is ~50x slower than a byte search.
    unsafe = {n for n in go_names if b'"unsafe"' in (data := ws.read(directory / n))
              and _IMPORTS_UNSAFE.search(data)}
    entries = {name for name, _ in listing} | {p.name for p in go_files}
    return PackageFacts(directory, tuple(sorted(go_names)), any(n.endswith(".s") for n in names),
                        frozenset(unsafe), frozenset(entries))



def run(paths: list[str], rules: list[Rule], options: Options, *, fix_level: Safety | None = None,
        include_generated: bool = False, skip_file=None, rule_allowed=None, progress=None,
        cache=None, withheld: frozenset = frozenset(), jobs: int = 1,
        parallel_bytes: int | None = None) -> RunResult:
    """Check ``paths`` with ``rules``; with ``fix_level`` also compute the fixed contents.

    Packages (directories) are checked and fixed one at a time, each with its own workspace
    that is dropped when it is done: fixes never reach outside their package, and a run over
    a large tree holds one package's bytes and trees at a time.  ``cache`` (a
    :class:`codemod.cache.ResultCache`) answers for packages that did not change since it
    stored them.

    ``skip_file(path)`` leaves files out of the run (configured excludes); ``rule_allowed(rule,
    path)`` turns a rule off for some files (per-file ignores).  ``progress(done, total)`` is
    called as packages are done (for a progress bar).  Fixes whose :func:`fix_key` is in
    ``withheld`` are not applied, in any pass (--verify withdrawing them); such a run does
    not use the cache.

    With ``jobs`` above 1, when the packages that need a full check hold ``parallel_bytes`` of
    Go or more (default :data:`PARALLEL_BYTES`, each package counted :data:`PACKAGE_BYTES` more), they are checked by that many forked worker processes (:mod:`codemod.parallel`);
    results are taken in package order, so the outcome does not depend on ``jobs``.
    """
    result = RunResult(fix_level=fix_level)
    go_rules = [r for r in rules if r.scope == "go"]
    file_rules = [r for r in rules if r.scope == "build-file"]
    triggers = tuple(sorted({t for r in go_rules for t in r.triggers}))

    def wanted(rel: str) -> bool:
        return any(_matches(rel, pat) for r in file_rules for pat in r.file_patterns)

    caching = cache is not None and not withheld
    if caching:
        cache.begin(paths)
    tree = cache.tree() if caching else None
    if tree is not None:
        tree.check_ahead(jobs)
    found = discovery.discover(paths, wanted, listings=caching, grouped=True, tree=tree,
                               skip_file=skip_file)
    result.problems.extend(Problem(p, m) for p, m in found.errors)
    result.stale_temporaries = found.stale_temporaries
    modules: dict[Path, Module | None] = {}
    disk_symbols: dict[Path, ModuleSymbols] = {}
    # A file linked into other directories belongs to several packages: a fix computed for
    # one (a companion file next to it, a pull removed as unused there) could break another.
    shared = {p: others for p, others in found.aliases.items()
              if p.suffix == ".go" and any(o.parent != p.parent for o in others)}

    quiet = _QuietPackages(go_rules)
    # The Go files as paths, made only once a build file concerns a rule.
    go_files = found.go_paths_later() if file_rules and found.other_files else list
    # Each package's files by name, under its directory's str(path): a Path is made only for
    # a package the cache does not answer.  (Or the cache's answer, from the walk.)
    packages: dict[str, list[str]] = {}
    # The packages the walk found as the cache recorded them, empty: their passes, all at once
    # (an empty result adds nothing whose order could show).
    passes, total = cache.answered(found.segments) if caching else (0, 0)
    result.passes = max(result.passes, passes)
    done = total
    for key, names in found.segments:
        if names.__class__ is not list:
            continue
        total += len(names)
        if names:
            have = packages.get(key)
            if have is None:
                packages[key] = names
            else:
                have.extend(names)
    found.segments = []
    listings = found.listings

    def check(directory: Path, files: list[Path], entry) -> tuple[PackageResult, tuple | None]:
        """The full check of one package, and its cache record: a pure function of the files,
        run here or in a worker process."""
        ws = Workspace(modules, disk_symbols, options.goroot)
        part = check_package(ws, directory, files, go_rules, options, fix_level=fix_level,
                             include_generated=include_generated, rule_allowed=rule_allowed,
                             shared=shared, withheld=withheld)
        record = None
        if entry is not None and not any(p.syntax for p in part.problems):
            record = entry.attach(cache).record(
                ws, part.passes if part == PackageResult(passes=part.passes) else part,
                module=functools.partial(module_for, modules, directory))
        return part, record

    # Cached packages are answered as they come, quiet ones a chunk at a time; the rest are
    # checked afterwards, the largest first (in worker processes when the run is big enough
    # to pay for them).
    # Results that add findings, problems or changes are taken in package order, whoever
    # computed them; an empty one adds nothing whose order could show.
    ordered: dict[int, PackageResult] = {}
    checks: list[tuple[int, tuple]] = []
    unknown: list[tuple[int, str, list[str], object]] = []  # neither cached nor checked yet

    def take(index: int, count: int, part: PackageResult, record: tuple | None) -> None:
        nonlocal done
        if caching:
            cache.put(record)
        if part == PackageResult(passes=part.passes):
            result.absorb(part)
        else:
            ordered[index] = part
        done += count
        if progress is not None:
            # Counted as reading and checking each file, the two halves of a file's work.
            progress(2 * done, 2 * total)

    # Nothing in a quiet package can concern a rule: what checking it would conclude, known
    # without a Path or a result object (see _QuietPackages).  The others are checked in full.
    quiet_passes = 0 if fix_level is None else 1

    def quiet_records(items: list[tuple]) -> list:
        """For each unknown package: False when it is not quiet, else its cache record
        (None: nothing to store).  Plain values: made in another process on a large run."""
        out = []
        for _, key, names, entry in items:
            read = quiet(key, names, entry.names if entry is not None else None)
            out.append(False if read is None else
                       entry.record(_Read(read), quiet_passes) if entry is not None else None)
        return out

    def settle(unknown: list[tuple]) -> None:
        """Answer the quiet ones of ``unknown`` packages, and leave the others to check."""
        nonlocal done
        # Each costs a read and a hash of its files: on a large cold run, most of the run.
        processes = jobs if sum(len(names) for _, _, names, _ in unknown) >= QUIET_SPLIT else 1
        for (index, key, names, entry), record in zip(unknown, parallel.split(quiet_records, unknown, processes)):
            if record is False:
                directory = Path(key)
                checks.append((index, (directory, [directory / n for n in names], entry)))
                continue
            if record is not None:
                cache.put(record)
            result.passes = max(result.passes, quiet_passes)
            done += len(names)
            if progress is not None:
                progress(2 * done, 2 * total)

    for index, key in enumerate(list(packages)):
        names = packages.pop(key)
        # A package sharing a file with another through a link is never cached: its result
        # depends on links elsewhere in the tree, which its entry does not record.
        module = functools.partial(_module_of, modules, key)
        entry = cache.lookup(key, names, module, listings.pop(key, False)) \
            if caching and not (shared and any(Path(key) / n in shared for n in names)) else None
        if entry is not None and isinstance(entry.result, int):
            # Stored as the passes of an empty result: nothing to add but the passes.
            result.passes = max(result.passes, entry.result)
            done += len(names)
            if progress is not None:
                progress(2 * done, 2 * total)
            continue
        if entry is None or entry.result is None:
            unknown.append((index, key, names, entry))
            if len(unknown) == QUIET_CHUNK:  # (their entries are the run's largest objects)
                settle(unknown)
                unknown = []
            continue
        take(index, len(names), entry.result, None)
    settle(unknown)
    del unknown

    sizes = {index: PACKAGE_BYTES + _size(args[1]) for index, args in checks} if len(checks) > 1 else {}
    checks.sort(key=lambda c: -sizes.get(c[0], 0))
    threshold = PARALLEL_BYTES if parallel_bytes is None else parallel_bytes
    workers = jobs if sizes and sum(sizes.values()) >= threshold else 1
    for k, (part, record) in parallel.run_all(check, [args for _, args in checks], workers,
                                              [sizes.get(index, 0) for index, _ in checks]):
        index, (_, files, _) = checks[k]
        take(index, len(files), part, record)
    del checks
    for index in sorted(ordered):
        result.absorb(ordered.pop(index))
    if caching:
        cache.finish()
    if file_rules and found.other_files:
        ws = Workspace(modules, disk_symbols, options.goroot)
        result.findings += [
            f for f in _check_build_files(ws, found.other_files, go_files, file_rules, options, triggers)
            if rule_allowed is None or rule_allowed(_rule_of(rules, f), f.path)]
    result.findings.sort(key=lambda f: f.sort_key)
    result.held_back.sort(key=lambda f: f.sort_key)
    if fix_level is None or result.has_errors:
        result.changes = {}
    return result


def _size(files: list[Path]) -> int:
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def _module_of(modules: dict[Path, Module | None], directory: str) -> Module | None:
    return module_for(modules, Path(directory))


class _Read:
    """The files a quiet package read, as the cache asks a workspace for them: by name."""

    used_module_symbols = False
    by_name = True

    def __init__(self, original: dict[str, bytes]) -> None:
        self.original = original


class _QuietPackages:
    """Which packages no rule can say anything about, decided by byte search alone.

    A package is quiet when each of its files reads, is text (valid UTF-8, no NUL byte) and
    holds none of the rules' trigger words, and (when a rule follows calls or reads the whole
    package) no Go file of its directory holds a directive or carries a GOOS/GOARCH suffix in
    its name.  That is exactly when :func:`check_package` would parse nothing and find
    nothing; this answer costs a read and a byte search per file, without a workspace, a
    model or a module.  Anything unusual (a file that cannot be read, a binary or non-UTF-8
    file, a file gone) is left to the full check, which says what it is.
    """

    def __init__(self, rules: list[Rule]) -> None:
        self.triggers = tuple(sorted({t.encode() for r in rules for t in r.triggers}))
        self.whole_package = any(r.follows_calls or r.reads_package for r in rules)
        self.by_name = any(r.reads_package for r in rules)

    def __call__(self, directory: str, files: list[str],
                 listed: tuple[str, ...] | None = None) -> dict[str, bytes] | None:
        """The contents of the files named ``files`` (and of their Go siblings, when they
        matter), by name, when the package in ``directory`` (as str(path)) is quiet, else
        None.  ``listed``: the directory's regular files, when the caller listed them."""
        read: dict[str, bytes] = {}
        triggers = self.triggers
        for name in files:
            data = _read_plain(discovery._join(directory, name))
            # A byte search per word: each runs at memory speed, and together they cost about
            # half of one regular expression alternating between the words (measured on Go's
            # src/, 92 MB: 0.36 s against 0.66 s).
            if data is None or b"\0" in data or any(t in data for t in triggers):
                return None
            if not _is_utf8(data):
                return None
            read[name] = data
        if not self.whole_package:
            return read
        if any(b"go:linkname" in data for data in read.values()):
            return None  # a directive no rule's trigger names still widens the package
        if listed is not None:
            siblings = [n for n in listed if n.endswith(".go") and n not in read]
        else:
            try:
                with os.scandir(directory) as it:
                    siblings = [e.name for e in it if e.name.endswith(".go") and e.name not in read
                                and e.is_file()]
            except OSError:
                return None
        for name in siblings:
            data = _read_plain(discovery._join(directory, name))
            if data is None or b"go:linkname" in data:
                return None
            read[name] = data
        # (A name without "_" has no GOOS/GOARCH suffix: the test skips the parse.)
        if self.by_name and any("_" in n and filename_constraint(n) != (None, None) for n in read):
            return None
        return read


def _read_plain(path: str) -> bytes | None:
    """A file's bytes, None when it cannot be read (os calls: a Python file object costs
    about as much again as the read of a small file)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        chunks = []
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            chunks.append(data)
    except OSError:
        return None
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def check_package(ws: Workspace, directory: Path, files: list[Path], rules: list[Rule],
                  options: Options, *, fix_level: Safety | None = None,
                  include_generated: bool = False, rule_allowed=None,
                  shared: dict[Path, list[Path]] | None = None,
                  withheld: frozenset = frozenset()) -> PackageResult:
    """Check one directory's ``files``; with ``fix_level`` fix them up to a fixed point.

    A pass re-checks only the files whose text the previous pass changed (and the whole
    package when its set of files changed), and a pass that applies nothing ends the loop:
    a dry run of a clean package is one pass.
    """
    part = PackageResult()
    findings = _check_go(ws, files, rules, options, part, report=True,
                         include_generated=include_generated, rule_allowed=rule_allowed,
                         shared=shared)
    part.findings = sorted(findings, key=lambda f: f.sort_key)
    if fix_level is None:
        return part
    pending = [f for f in part.findings if f.fix]
    part.held_back = [f for f in pending if f.fix.safety < fix_level]
    go_files = list(files)
    # Later passes look only for fixes to apply: a rule that never fixes, or fixes only below
    # the requested safety, has nothing to say there.
    fixers = [r for r in rules if r.fix != FixAvailability.NEVER and any(s >= fix_level for s in r.fix_safeties)]
    for n in range(1, MAX_PASSES + 1):
        part.passes = n
        fixes = [(f, f.fix) for f in pending if f.fix and f.fix.safety >= fix_level
                 and not (withheld and fix_key(f, ws.read(f.path)) in withheld)]
        if not fixes:
            break
        merged = merge([fx for _, fx in fixes])
        accepted = {id(fx) for fx in merged.accepted}
        applicable = []
        for finding, fx in fixes:
            if id(fx) not in accepted:
                continue
            problem = _creation_problem(ws, fx)
            if problem:
                part.problems.append(problem)
                continue
            applicable.append(fx)
            part.applied.append((finding if n == 1 else None, fx))
        # Every accepted edit was computed against this pass's text: apply them all at once.
        before = {p: ws.current.get(p) for fx in applicable for p in fx.touches()}
        _apply_fixes(ws, applicable)
        changed = {p for p, data in before.items() if ws.current.get(p) != data}
        if not changed:
            if merged.deferred and not any(p.error for p in part.problems):
                # Nothing applied, yet fixes wait: their own edits overlap, so no further pass
                # can apply them.  Say so rather than count their findings as fixed.
                stuck = ", ".join(sorted({fx.description for fx in merged.deferred}))
                part.problems.append(Problem(Path("."), f"internal error: fixes whose own edits "
                                             f"overlap ({stuck}); nothing will be written"))
                return part
            break
        # Only the files the run was given, plus Go files the fixes created: the workspace also
        # holds siblings read for package facts, and those are not ours to fix.
        created = [p for p in changed if p.suffix == ".go" and before[p] is None]
        removed = [p for p in changed if ws.current.get(p) is None]
        go_files = [p for p in sorted({*go_files, *created}) if ws.current.get(p, b"") is not None]
        if created or removed:
            # Another file set changes what the package's files see of each other.
            recheck = go_files
        else:
            # A rule whose fix lost a conflict proposes it again against the new text; a file
            # whose fixes all landed is re-checked because its text changed.  Files holding
            # directives are re-checked too: whether a pull is still used, or still needed,
            # depends on the calls in the files that changed.
            waiting = {p for fx in merged.deferred for p in fx.touches()}
            recheck = [p for p in go_files if p in changed or p in waiting
                       or b"go:linkname" in (ws.current.get(p) or b"")]
        pending = _check_go(ws, recheck, fixers, options, part, report=False,
                            include_generated=include_generated, package_files=go_files,
                            rule_allowed=rule_allowed, shared=shared)
    else:
        # Name the files plainly ("a.go"), not as a set of Path objects.
        still = sorted({str(p) for f in pending if (fx := f.fix) and fx.safety >= fix_level
                        for p in fx.touches()})
        if still:
            part.problems.append(Problem(Path("."), f"fixes did not converge after {MAX_PASSES} passes "
                                         f"({', '.join(still)}); nothing will be written"))
            return part
    part.changes = ws.changed()
    for path, (_, after) in part.changes.items():
        # The last pass parsed most changed files already, and a model the workspace holds
        # is of a file without syntax errors (see Workspace._load).
        if after is not None and path.suffix == ".go" and ws.parsed(path) is None:
            model = parse_file(path, after)
            if model.syntax_errors:
                part.problems.append(Problem(path, "internal error: the fixes would leave a syntax "
                                             "error; nothing will be written"))
    if any(p.error for p in part.problems):
        part.changes = {}
    return part


def _matches(rel: str, pattern: str) -> bool:
    return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern)


def _rule_of(rules: list[Rule], finding: Finding) -> Rule:
    return next(r for r in rules if r.code == finding.rule)


def _check_go(ws: Workspace, files: list[Path], rules: list[Rule], options: Options,
              part: PackageResult, *, report: bool, include_generated: bool = False,
              package_files: list[Path] | None = None, rule_allowed=None,
              shared: dict[Path, list[Path]] | None = None) -> list[Finding]:
    """Findings of ``rules`` in ``files``; ``package_files`` (default ``files``) are the
    package's files the rules see as siblings.

    In a package that pulls nothing from outside its module, the files read only for a gated
    rule's words or for a rule that reads whole packages (constrained files and their
    siblings) are parsed when a rule asks for their trees (see :meth:`Workspace.deferred`).  Should one of them turn out
    not to parse, the check starts over with every such file parsed up front, which is what
    a rule asking whether it saw the whole package gets too."""
    kept = (len(part.problems), len(part.suppressed), dict(part.suppressions))
    args = dict(report=report, include_generated=include_generated, package_files=package_files,
                rule_allowed=rule_allowed, shared=shared)
    loaded = ws.loaded()
    try:
        return _check_go_once(ws, files, rules, options, part, defer=True, **args)
    except Unparsable:
        # As if the deferring attempt never ran: what it parsed counts as read for no words.
        ws.forget(loaded)
        del part.problems[kept[0]:], part.suppressed[kept[1]:]
        part.suppressions.clear()
        part.suppressions.update(kept[2])
        return _check_go_once(ws, files, rules, options, part, defer=False, **args)


def _check_go_once(ws: Workspace, files: list[Path], rules: list[Rule], options: Options,
                   part: PackageResult, *, report: bool, defer: bool, include_generated: bool = False,
                   package_files: list[Path] | None = None, rule_allowed=None,
                   shared: dict[Path, list[Path]] | None = None) -> list[Finding]:
    by_dir: dict[Path, list[Path]] = {}
    for path in package_files or files:
        by_dir.setdefault(path.parent, []).append(path)
    order = list(dict.fromkeys([*(package_files or []), *files]))
    ungated = [r for r in rules if r.package_gate is None]
    every_word = tuple(sorted({t for r in rules for t in r.triggers}))
    facts_of: dict[Path, PackageFacts] = {}
    if len(ungated) == len(rules):
        active: dict[Path, list[Rule]] = {}
        loaded = {path: ws.model(path, every_word) for path in order}
    else:
        # The rules worth running in each directory: a rule's package gate may rule it out, and
        # then nothing is parsed for its trigger words alone.  The files the other rules want
        # come first: a package that pulls something is read whole anyway (see below), and then
        # the gate reads the trees instead of sketching the bytes.
        base_words = tuple(sorted({t for r in ungated for t in r.triggers}))
        loaded = {path: ws.model(path, base_words) for path in order}
        active, words_of_dir, pulling = {}, {}, set()
        for directory, dir_files in by_dir.items():
            facts = facts_of[directory] = package_facts(ws, directory, dir_files)
            pulls = _pulls(ws.module_for(directory), directory,
                           [m for p in dir_files if isinstance(m := loaded.get(p), GoFile)])
            trees = {n: ws.model(directory / n, None) for n in facts.go_files} if pulls else {}
            if pulls:
                pulling.add(directory)
            active[directory] = _gated_rules(ws, facts, rules, options, trees)
            # As before the gates: with the package read whole anyway, the files spelling any
            # rule's words count as the package's checked files.
            words_of_dir[directory] = every_word if pulls else \
                tuple(sorted({t for r in active[directory] for t in r.triggers}))
        for path in order:
            more = words_of_dir.get(path.parent, base_words)
            if loaded[path] is not None or more == base_words:
                continue
            data = ws.read(path)
            if data is not None and any(t.encode() in data for t in more):
                # Words only a gated rule looks for: that rule asks for the trees it needs.
                loaded[path] = ws.deferred(path) if defer and path.parent not in pulling \
                    else ws.model(path, more)
    models: dict[Path, GoFile] = {}
    unread: dict[Path, Problem] = {}  # valid Go the parser cannot read (Problem.unchecked)
    failed: set[Path] = set()  # every file that could not be parsed
    for path in order:
        m = loaded[path]
        if isinstance(m, Problem):
            failed.add(path)
            if report:
                part.problems.append(m)
            if m.unchecked:
                unread[path] = m
        elif m is not None:
            models[path] = m
    wanted = set(files)
    findings: list[Finding] = []
    all_rules = rules
    for directory, dir_files in by_dir.items():
        rules = active.get(directory, all_rules)
        parsed = {p: models[p] for p in dir_files if p in models}
        if not wanted.intersection(dir_files):
            continue  # none of the files to (re)check is here
        if not parsed and not any(r.follows_calls or r.reads_package for r in rules):
            continue
        facts = facts_of.get(directory) or package_facts(ws, directory, dir_files)
        # A file name with a GOOS/GOARCH suffix is a build constraint no trigger word shows.
        named_gate = any(r.reads_package for r in rules) and any(
            filename_constraint(n) != (None, None) for n in facts.go_files)
        if not parsed and not named_gate \
                and not any(b"go:linkname" in (ws.read(directory / n) or b"") for n in facts.go_files):
            continue
        module = ws.module_for(directory)
        root = module.root if module is not None else directory

        def provider(root=root, module=module):
            return ws.module_symbols(root, module)

        def imports_provider(root=root, module=module):
            return ws.module_imports(root, module)
        # A file no release in range compiles on any platform (``//go:build gccgo``, ``ignore``,
        # ``!go1.19`` in a module starting at 1.21, a tag nobody sets) never reaches a compiler
        # or linker: nothing is claimed about it or changed in it, and it is no package member.
        # Once the package pulls something, any of its files may call the pull by its local
        # name (``mono()``), words or not: read them all, for the rules that follow calls.
        # Which trigger words each file spells, looked for once per file, not once per rule.
        words = sorted({t for r in rules for t in r.triggers})
        spelled = {p: frozenset(t for t in words if t.encode() in m.source) for p, m in parsed.items()}
        pulls = _pulls(module, directory, parsed.values())
        widened = pulls or not parsed or named_gate \
            or any(r.reads_package and not spelled[p].isdisjoint(r.triggers)
                   for r in rules for p in parsed)
        if widened:
            for name in facts.go_files:
                p = directory / name
                if p not in parsed:
                    # Siblings of a package that pulls are parsed now: the rules following
                    # calls read them all.  Otherwise only a rule reading whole packages asks.
                    m = ws.deferred(p) if defer and not pulls else ws.model(p, None)
                    if isinstance(m, GoFile):
                        parsed[p] = m
                    elif isinstance(m, Problem):
                        failed.add(p)
                    if isinstance(m, Problem) and m.unchecked and p not in unread:
                        unread[p] = m
                        if report:
                            part.problems.append(m)
        built = {p: m for p, m in parsed.items()
                 if versions.build_matrix(m, module, options.release_range, options.platforms, options.tags)}
        facts = replace(facts, never_built=frozenset(p.name for p in parsed if p not in built),
                        unread=frozenset(p.name for p in failed if p.parent == directory))
        parsed = built
        run_files = set(dir_files)
        # Files read with constructs newer than the grammar masked: checked, never edited.
        # (Asked of the files a fix touches: the question parses a deferred file.)
        def unedited(p, parsed=parsed):
            m = parsed.get(p)
            return m is not None and bool(m.newer_syntax)
        unread_here = sorted(p for p in unread if p.parent == directory)
        for path, model in parsed.items():
            if path not in run_files or path not in wanted:
                continue  # a sibling read for the package's sake, or one this pass need not check
            trace.at(path)
            present = spelled.get(path)
            if present is None:
                present = frozenset(t for t in words if t.encode() in model.source)
            for rule in rules:
                if present.isdisjoint(rule.triggers) \
                        and not (widened and (rule.follows_calls or rule.reads_package)):
                    continue
                if rule_allowed is not None and not rule_allowed(rule, path):
                    continue
                ctx = Context(rule, model, facts, module, options, parsed, provider, imports_provider)
                for finding in rule.check(ctx):
                    if finding.fix and model.generated and not include_generated:
                        finding = _without_fix(finding, "generated file: fixes are not applied "
                                                        "(use --include-generated)")
                    masked = [p for p in finding.fix.touches() if unedited(p)] if finding.fix else []
                    if masked:
                        finding = _without_fix(finding, f"{masked[0]} is not edited: "
                                                        f"{parsed[masked[0]].newer_syntax[0].describe()}")
                    if finding.fix and unread_here:
                        finding = _without_fix(finding, f"{unread_here[0]} is valid Go the parser cannot "
                                                        "read, so no fix of its package is applied")
                    linked = [p for p in finding.fix.touches() if p in shared] if finding.fix and shared else []
                    if linked:
                        names = ", ".join(str(o) for o in shared[linked[0]])
                        finding = _without_fix(finding, f"{linked[0]} is also in another package through "
                                                        f"a symbolic link ({names}); a fix for one "
                                                        "package could break the other, so fix it by hand")
                    findings.append(finding)
        if report:
            # Of the deferred files, those some rule parsed: nothing was masked in the others.
            part.problems.extend(newer_syntax_note(m) for p, m in parsed.items()
                                 if p in run_files and p in wanted and m.is_parsed and m.newer_syntax)
    findings, silenced = suppress.split(findings, models)
    if report:
        part.suppressed.extend(silenced)
        part.suppressions.update({p: suppress.FileSuppressions(p, tuple(m.suppressions))
                                  for p, m in models.items() if m.suppressions})
    return findings


def _pulls(module: Module | None, directory: Path, models) -> bool:
    """Whether a directive of these files of one directory pulls a symbol of a package outside
    its own package and module.  Such a package is read whole: any of its files may call the
    pull by its local name, words or not.  No rule follows a handshake between the module's
    own packages (GOROOT/src's runtime and its users), a target without a package (a C or
    assembly symbol: ``//go:linkname libc_open libc_open``), nor a push: a declaration with
    contents gives the symbol its definition, and no call of it needs the target's."""
    import_path = None
    if module is not None and module.path:
        try:
            import_path = module.import_path_of(directory)
        except ValueError:
            pass
    return any(d.target and d.target_package and not (d.declaration is not None and d.declaration.defines)
               and reaches_outside(d.target_package, m.package, import_path, module)
               for m in models for d in m.directives)


def newer_syntax_note(model: GoFile) -> Problem:
    """The note saying a file was read with newer constructs masked, and left as it is."""
    first = model.newer_syntax[0]
    more = len(model.newer_syntax) - 1
    others = f" (and {more} more such construct{'s' if more > 1 else ''})" if more else ""
    return Problem(model.path, f"{first.describe()}{others}; read with the construct masked, "
                               "checked, and left unchanged (no fix is applied to it)", error=False)


def _gated_rules(ws: Workspace, facts: PackageFacts, rules: list[Rule], options: Options,
                 trees: dict) -> list[Rule]:
    """``rules`` without those whose package gate rules the package out; ``trees`` holds the
    package's parsed files by name when it was read whole."""
    gates = [r for r in rules if r.package_gate is not None]
    if not gates:
        return rules
    pkg = PackageSketch(facts.directory, facts.go_files, ws.read, ws.module_for(facts.directory), options,
                        ws.sketches, trees)
    out = {r.code for r in gates if not r.package_gate(pkg)}
    return [r for r in rules if r.code not in out]


def _without_fix(finding: Finding, why: str) -> Finding:
    from dataclasses import replace
    return replace(finding, fix=None, extra={**finding.extra, "fix_withheld": why})


def _check_build_files(ws: Workspace, files: list[Path], go_files: Callable[[], list[Path]], rules: list[Rule],
                       options: Options, triggers: tuple[str, ...]) -> list[Finding]:
    """Findings of the build-file ``rules`` in ``files``; ``go_files()`` lists the run's Go files,
    whose directives those rules read when a build file concerns one."""
    if not rules or not files:
        return []
    # The build files that concern a rule come first: the Go files are parsed only when one does.
    wanted = []
    for path in files:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for rule in rules:
            if any(_matches(path.as_posix(), pat) for pat in rule.file_patterns) \
                    and any(t in text for t in rule.triggers):
                wanted.append((path, text, rule))
    if not wanted:
        return []
    parsed = {}
    triggers = ("go:linkname",)  # build-file rules read the directives, and nothing else
    for p in go_files():
        m = ws.model(p, triggers)
        if isinstance(m, GoFile):
            parsed[p] = m
    findings = []
    for path, text, rule in wanted:
        ctx = BuildFileContext(rule, path, text, ws.module_for(path.parent), parsed, options)
        findings.extend(rule.check(ctx))
    return findings


def _creation_problem(ws: Workspace, fix: Fix) -> Problem | None:
    """Why ``fix`` cannot apply: it would create a file that exists, or edit a missing one."""
    for e in fix.edits:
        if isinstance(e, CreateFile) and e.path not in ws.current and e.path.exists() \
                and not e.path.is_file():
            # A directory (or FIFO...) holds the name: reading it as a file would fail or block.
            what = "a directory" if e.path.is_dir() else "something other than a file"
            return Problem(e.path, f"not created, {what} of that name exists ({fix.description})")
        if isinstance(e, CreateFile) and ws.read(e.path) is not None:
            return Problem(e.path, f"not created, a file of that name exists ({fix.description})")
        if isinstance(e, (TextEdit, AddImport)) and ws.read(e.path) is None:
            return Problem(e.path, f"cannot edit a missing file ({fix.description})")
    return None


def _apply_fixes(ws: Workspace, fixes: list[Fix]) -> None:
    """Apply non-conflicting fixes, all computed against the current text, in one step; then
    reconcile each changed file's imports once (:func:`codemod.fixkit.reconcile_imports`)."""
    text_edits: dict[Path, list[TextEdit]] = {}
    requests: dict[Path, list[AddImport]] = {}
    for fix in fixes:
        for e in fix.edits:
            if isinstance(e, TextEdit):
                text_edits.setdefault(e.path, []).append(e)
            elif isinstance(e, AddImport):
                requests.setdefault(e.path, []).append(e)
    for path in {*text_edits, *requests}:
        data = ws.read(path)
        bom = data.startswith(BOM)
        body = data[len(BOM):] if bom else data
        crlf = body.count(b"\r\n") * 2 > body.count(b"\n")
        after = fixkit.apply_pass(path, body, text_edits.get(path, []), requests.get(path, []), crlf,
                                  ws.parsed(path))
        ws.write(path, (BOM if bom else b"") + after)
    for fix in fixes:
        for e in fix.edits:
            if isinstance(e, CreateFile):
                ws.write(e.path, e.text.encode("utf-8"))
            elif isinstance(e, DeleteFile):
                ws.write(e.path, None)
