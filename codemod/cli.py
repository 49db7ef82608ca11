"""The gofix-linkname command line.

    gofix-linkname [check] [PATH...] [--apply [--unsafe-fixes] [--branch NAME]] [--diff] [--format json]
                   [--verify [--go GOROOT|BINARY|VERSION]...]
    gofix-linkname gen-test [PATH...]
    gofix-linkname info TARGET...
    gofix-linkname rules
    gofix-linkname explain RULE
    gofix-linkname config [PATH] [flags]
    gofix-linkname inventory [PATH...] [--format md|html|json] [--output FILE]
    gofix-linkname campaign REPOS.txt [-j N | --executor dask://HOST:PORT] [check options]

Exit codes: 0 nothing found (or, with --apply, everything found was fixed), 1 findings remain,
2 usage or processing error.
"""
from __future__ import annotations

import argparse
import re
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("check", "info", "rules", "explain", "gen-test", "config", "inventory", "campaign")
FORMATS = ("text", "json", "sarif", "github")


class UsageError(Exception):
    pass


class _OnFirstUse:
    """A module imported when first used: ``--version`` and ``--help`` need none of the engine
    (importing it and the rules costs ~0.15 s)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        import importlib

        module = importlib.import_module(self._name)
        globals()[self._name.rsplit(".", 1)[-1]] = module  # later uses go straight to it
        return getattr(module, attr)


diff = _OnFirstUse("codemod.diff")
engine = _OnFirstUse("codemod.engine")
publish = _OnFirstUse("codemod.publish")
render = _OnFirstUse("codemod.render")
versions = _OnFirstUse("codemod.versions")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 too; keep its one-line form
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _check_parser(prog: str) -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description="Find and fix hazardous //go:linkname use. "
                "Dry run by default: findings plus the diff --apply would write.",
                epilog="Other commands: gen-test PATH... (write a test per package that links every "
                "pull), rules, explain RULE, info TARGET. --verify prints a matrix package x "
                "toolchain: before -> after.")
    p.add_argument("paths", nargs="*", default=["."], help="files or directories (./... and dir/... accepted)")
    p.add_argument("--apply", action="store_true", help="write the safe fixes")
    p.add_argument("--unsafe-fixes", action=argparse.BooleanOptionalAction, default=None,
                   help="also apply fixes that change behaviour")
    p.add_argument("--diff", action="store_true", help="print only the unified diff (for git apply)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), json, sarif (SARIF 2.1.0) or github (Actions annotations)")
    p.add_argument("--output", metavar="FILE",
                   help="write the --format output to FILE; the text report still goes to the terminal")
    p.add_argument("--config", metavar="FILE",
                   help="read settings from FILE instead of the nearest .gofix-linkname.toml")
    p.add_argument("--no-config", action="store_true", help="ignore .gofix-linkname.toml files")
    p.add_argument("--report-unused-ignores", action="store_true",
                   help="list //gofix-linkname:ignore and //nolint:gofixlinkname comments that silence nothing")
    p.add_argument("--branch", metavar="NAME", help="with --apply: commit the fixes on a new branch NAME")
    p.add_argument("--force-branch", action="store_true", help="with --branch: replace an existing branch")
    p.add_argument("--include-generated", action="store_true", help="fix generated files too")
    p.add_argument("--select", metavar="RULES", help="comma-separated rule codes, prefixes or names")
    p.add_argument("--ignore", metavar="RULES", help="comma-separated rule codes, prefixes or names")
    p.add_argument("--go-versions", metavar="RANGE", help="Go releases the code is built with, e.g. 1.22-1.27")
    p.add_argument("--platforms", metavar="LIST", help="GOOS/GOARCH list, e.g. linux/amd64,darwin/arm64")
    p.add_argument("--tags", metavar="LIST", help="build tags to treat as set, as with go build -tags a,b")
    p.add_argument("--goroot", metavar="DIR", help="also know this Go toolchain's sources ('auto': go env GOROOT)")
    p.add_argument("--verify", action="store_true",
                   help="build, link and vet each changed package before and after the fixes with real Go "
                        "toolchains (in temporary copies); withdraw the fixes of a package that gets worse")
    p.add_argument("--go", metavar="GOROOT|BINARY|VERSION", action="append",
                   help="with --verify: a toolchain to verify with (repeatable; default: go and go1.N.M on "
                        "PATH and ~/sdk/go*); a version like 1.23 picks an installed one")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="where to keep results of unchanged packages (default: the user cache "
                        "directory, or $GOFIX_LINKNAME_CACHE_DIR)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    p.add_argument("-j", "--jobs", type=_jobs, metavar="N",
                   help="check packages in up to N processes at once (default: the CPUs this process "
                        "may use; 1: in this process only); small runs stay in one process")
    publish.add_arguments(p)
    p.add_argument("--cgo", choices=("on", "off", "both"), default="both",
                   help="judge pulls for builds with cgo on, off, or both (default: both; "
                        "a verdict that differs says so, e.g. 'undefined without cgo')")
    p.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    p.add_argument("--version", action="version", version=f"gofix-linkname {__version__}")
    return p


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of processes")
    return n


def parse_go_versions(text: str, covered: tuple[str, ...] | None = None) -> tuple[str, str]:
    try:
        return versions.parse_release_range(text, covered)
    except versions.OptionError as e:
        raise UsageError(str(e)) from e


def _options(args, extra_release: str | None = None) -> Options:
    from .rule import Options
    kw = {}
    if args.go_versions is not None:
        covered = versions.known_releases() + ((extra_release,) if extra_release else ())
        kw["release_range"] = parse_go_versions(args.go_versions, covered)
    if args.platforms is not None:
        try:
            kw["platforms"] = versions.parse_platforms(args.platforms)
        except versions.OptionError as e:
            raise UsageError(str(e)) from e
    if args.goroot:
        kw["goroot"] = args.goroot
    if args.tags:
        tags = [x.strip() for x in args.tags.replace(" ", ",").split(",") if x.strip()]
        if any(not re.fullmatch(r"[A-Za-z0-9_.]+", t) for t in tags):
            raise UsageError(f"--tags: {args.tags!r} is not a list of build tags like a,b")
        kw["tags"] = frozenset(tags)
    from .knowledge import cgo_mode
    kw["cgo"] = cgo_mode(args.cgo)
    return Options(**kw)


def _split(value: str | None) -> list[str] | None:
    return [x.strip() for x in value.split(",") if x.strip()] if value else None


def run_check(argv: list[str], prog: str = "gofix-linkname") -> int:
    args = _check_parser(prog).parse_args(argv)  # --version and --help end here
    from rules import select

    try:
        settings = _apply_config(args, _flags_given(argv))
    except UsageError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    try:
        if args.branch is not None and not args.apply:
            raise UsageError("--branch commits fixes, so it needs --apply")
        if args.force_branch and args.branch is None:
            raise UsageError("--force-branch goes with --branch")
        if args.diff and args.format != "text":
            raise UsageError(f"--diff and --format {args.format} are two different outputs; choose one")
        if args.go and not args.verify:
            raise UsageError("--go chooses toolchains for --verify; add --verify")
        problem = publish.check_usage(args)
        if problem:
            raise UsageError(problem)
        if args.branch is not None:
            from .gitops import branch_name_problem
            problem = branch_name_problem(args.branch)
            if problem:
                raise UsageError(f"--branch: {problem}")
        extra_release = goroot_used = None
        if args.goroot:
            # Loaded first: its release widens the range --go-versions may name.
            from .knowledge import use_goroot
            try:
                goroot_used = str(use_goroot(args.goroot))
                extra_release = versions.minor(goroot_used)
            except Exception as e:  # an unusable toolchain is a usage problem, said in one line
                raise UsageError(f"--goroot {args.goroot}: {e}") from e
        options = _options(args, extra_release)
        chains = _verify_toolchains(args, prog) if args.verify else []
        chosen = select(_split(args.select), _split(args.ignore))
        if not chosen:
            raise UsageError("--select/--ignore leave no rule to run")
    except UsageError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    from .knowledge import set_cgo
    set_cgo(options.cgo)      # the rules' knowledge lookups answer for this cgo setting

    from .edits import Safety
    level = Safety.UNSAFE if args.unsafe_fixes else Safety.SAFE
    from .terminal import ProgressBar

    # A run allocates millions of short-lived objects (tree nodes, sets of words) and few
    # cycles: the collector's default of a young-generation pass every 700 allocations spent
    # ~5% of a cold run on Go's src/ finding nothing; every 20,000 costs no memory we measured.
    import gc
    gc.set_threshold(20_000, 20, 20)
    with ProgressBar(sys.stderr) as bar:
        result = engine.run(args.paths, chosen, options, fix_level=level,
                            include_generated=args.include_generated, progress=bar,
                            cache=(cache := _cache(args, chosen, options, level, goroot_used, settings)),
                            jobs=args.jobs or engine.parallel.default_jobs(),
                            **_file_filters(settings))
    from . import trace
    trace.at(None)  # what follows (output, writing) names its own file, or none
    _remove_stale_temporaries(result.stale_temporaries, prog)
    for p in result.problems:
        print(f"{diff.shown_path(p.path)}: {'error' if p.error else 'note'}: {p.message}", file=sys.stderr)
    checked = None if args.verify else False  # False: no --verify; None: nothing to verify
    if args.verify and result.changes:
        from . import verify

        def rerun(paths: list[str], withheld: frozenset):
            # The same run on one package's files, some fixes withheld: --verify narrowing a
            # worse package down to the fixes that make it worse.
            return engine.run(paths, chosen, options, fix_level=level,
                              include_generated=args.include_generated, withheld=withheld,
                              **_file_filters(settings))

        checked = verify.check_run(result, chains, list(options.platforms) if args.platforms else None,
                                   display=diff.display_path, rerun=rerun)
    try:
        memo = cache.diffs() if cache is not None and result.changes else None
        used = {} if memo is not None else None
        patch = diff.render(result.changes, memo, used)
        if used is not None:
            cache.keep_diffs(used)
    except diff.DiffError as e:
        print(f"{prog}: internal error: {e}; nothing written", file=sys.stderr)
        return EXIT_ERROR

    write_failed = False
    if args.apply and result.changes:
        write_failed = not _write(args, result, prog)

    published, body = None, ""
    if publish.wanted(args) and not write_failed:
        published, body = publish.publish(args, argv, result, options, args.apply, prog,
                                          verify=checked or None)
        for e in published.errors:
            print(f"{prog}: error: {e}", file=sys.stderr)
    extra = {"publish": published.as_json()} if published else None

    applied = args.apply and not write_failed
    unused = _unused_ignores(result, chosen) if args.report_unused_ignores else None
    if unused is not None:
        result.unused_ignores = unused
    if args.output:
        text = patch if args.diff else _formatted(args.format, result, chosen, applied, patch, checked, extra)
        if not _write_output(args.output, text, prog):
            write_failed = True
    if args.format != "text" and not args.output:
        sys.stdout.write(_formatted(args.format, result, chosen, applied, patch, checked, extra))
    elif args.diff:
        sys.stdout.write(patch)
        if checked:
            sys.stderr.write(checked.to_text())
    elif args.pr_body == "-":
        sys.stdout.write(body)
        if args.verify:
            sys.stderr.write(_verify_text(checked))
        print(render.summary(result, applying=applied), file=sys.stderr)
    else:
        from .terminal import write_report, write_summary

        write_report(render.text_report(result, applied=applied), sys.stdout)
        if args.verify:
            sys.stdout.write(_verify_text(checked))
        if unused:
            write_report(render.unused_ignores_text(unused), sys.stdout)
        if patch and not args.apply:
            sys.stdout.write("\n" + patch)  # never coloured: it is meant for git apply too
        write_summary(render.summary(result, applying=applied), sys.stderr)

    if result.has_errors or write_failed or (published and published.errors):
        return EXIT_ERROR
    remaining = [f for f in result.findings if not (args.apply and result.fixed(f))]
    return EXIT_FINDINGS if remaining or unused else EXIT_CLEAN


def _config_file(args):
    """The config that applies to this run (None: none found or --no-config)."""
    from .config import Config, ConfigError, find, load

    if args.no_config:
        return Config(None)
    path = Path(args.config) if args.config else find(Path(args.paths[0] if args.paths else "."))
    if path is None:
        return Config(None)
    try:
        return load(path)
    except ConfigError as e:
        raise UsageError(str(e)) from None


def _flags_given(argv: list[str]) -> frozenset[str]:
    """The long options on the command line (``--cgo=on`` counts as ``--cgo``)."""
    return frozenset(a.split("=", 1)[0] for a in argv if a.startswith("--"))


def _settings(args, given: frozenset[str] = frozenset()):
    from .config import effective

    from .rule import Options

    config = _config_file(args)
    flags = {"select": _split(args.select), "ignore": _split(args.ignore), "go-versions": args.go_versions,
             "platforms": _split(args.platforms),
             "cgo": getattr(args, "cgo", None) if "--cgo" in given else None,
             "unsafe-fixes": args.unsafe_fixes}
    defaults = {"select": ["all"], "ignore": [], "go-versions": "the module's go line up to 1.27",
                "platforms": list(Options().platforms), "cgo": "both", "exclude": [],
                "per-file-ignores": {}, "unsafe-fixes": False}
    return config, effective(flags, config, defaults)


def _apply_config(args, given: frozenset[str] = frozenset()) -> dict:
    """Fill in from the config file what no flag said; returns the effective settings."""
    config, settings = _settings(args, given)
    for key, attr in (("select", "select"), ("ignore", "ignore"), ("platforms", "platforms")):
        if settings[key].source not in ("default",) and getattr(args, attr) is None:
            setattr(args, attr, ",".join(settings[key].value))
    if args.go_versions is None and "go-versions" in config.values:
        args.go_versions = config.values["go-versions"]
    if args.unsafe_fixes is None and "unsafe-fixes" in config.values:
        args.unsafe_fixes = config.values["unsafe-fixes"]
    if "--cgo" not in given and "cgo" in config.values:
        args.cgo = config.values["cgo"]  # "on", "off" or "both", as --cgo takes it
    return {"config": config, **settings}


def _file_filters(settings: dict) -> dict:
    """Engine callbacks for the config's exclude and per-file-ignores (nothing when unset)."""
    from .config import matches

    config = settings["config"]
    exclude = settings["exclude"].value or []
    per_file = settings["per-file-ignores"].value or {}
    out = {}
    if exclude:
        out["skip_file"] = lambda path: any(matches(config.base, path, g) for g in exclude)
    if per_file:
        from rules import select

        ignored = [(g, {r.code for r in select(codes)}) for g, codes in per_file.items()]
        out["rule_allowed"] = lambda rule, path: not any(
            rule.code in codes and matches(config.base, path, g) for g, codes in ignored)
    return out


def run_config(argv: list[str]) -> int:
    """``gofix-linkname config [PATH] [flags]``: the effective settings and where each comes from."""
    prog = "gofix-linkname config"
    args = _check_parser(prog).parse_args(argv)
    try:
        config, settings = _settings(args, _flags_given(argv))
    except UsageError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        import json
        doc = {"file": str(config.path) if config.path else None,
               "settings": {k: {"value": s.value, "source": s.source} for k, s in settings.items()}}
        print(json.dumps(doc, indent=2))
        return EXIT_CLEAN
    print(f"config file: {config.path if config.path else '(none found)'}")
    for key, s in settings.items():
        value = s.value
        if isinstance(value, list):
            value = ", ".join(value) or "(none)"
        elif isinstance(value, dict):
            value = "; ".join(f"{g}: {', '.join(c)}" for g, c in value.items()) or "(none)"
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif value is None:
            value = "(not set)"
        print(f"{key:<17} {str(value):<40} {s.source}")
    return EXIT_CLEAN


def _unused_ignores(result: engine.RunResult, chosen) -> list:
    from rules import ALL

    from . import suppress
    return suppress.unused(result.suppressions, result.suppressed, chosen, ALL)


def _formatted(fmt: str, result: engine.RunResult, rules, applied: bool, patch: str,
               checked=None, extra: dict | None = None) -> str:
    """The report in a machine format (or the text report with its diff, for --output)."""
    if fmt == "json":
        # The "verify" field is there exactly when --verify was asked for (null: nothing changed).
        verified = {"verify": checked.to_json() if checked else None} if checked is not False else {}
        extra = {**verified, **(extra or {})} or None
        return render.json_report(result, applied=applied, extra=extra)
    if fmt == "sarif":
        from . import sarif
        return sarif.report(result, rules, applied=applied)
    if fmt == "github":
        from . import annotations
        return annotations.report(result)
    text = render.text_report(result, applied=applied)
    if checked is not False:
        text += _verify_text(checked)
    return text + ("\n" + patch if patch and not applied else "")


def _write_output(name: str, text: str, prog: str) -> bool:
    from .writer import WriteError, write_all

    path = Path(name)
    try:
        before = path.read_bytes() if path.exists() else None
        write_all({path: (before, text.encode("utf-8"))})
    except (OSError, WriteError) as e:
        print(f"{prog}: error: --output {name}: {e}", file=sys.stderr)
        return False
    return True

def _verify_toolchains(args, prog: str) -> list:
    """The toolchains --verify builds with; a --go that names none is a usage error."""
    from . import verify

    try:
        chains = verify.toolchains(args.go)
    except verify.ToolchainError as e:
        raise UsageError(f"--verify: {e}") from None
    for t in chains:
        print(f"verify: using {t.version} ({t.goroot}; {t.found})", file=sys.stderr)
    return chains


def _verify_text(checked) -> str:
    return checked.to_text() if checked else "verify: no change to verify\n"


def _cache(args, rules, options: Options, level: Safety, goroot: str | None, settings=None):
    """The result cache for this run's choices, or None with --no-cache."""
    if args.no_cache:
        return None
    from .cache import ResultCache, default_dir

    import dataclasses

    # Sets print in a per-process order: sort them, or no two runs would share an entry.
    opts = [(f.name, sorted(v) if isinstance(v := getattr(options, f.name), (set, frozenset)) else v)
            for f in dataclasses.fields(options)]
    # Configured excludes and per-file ignores decide which files and rules a package gets.
    filters = ""
    if settings is not None:
        config = settings.get("config")
        exclude = settings["exclude"].value if "exclude" in settings else None
        per_file = settings["per-file-ignores"].value if "per-file-ignores" in settings else None
        filters = repr((str(getattr(config, "base", "")), sorted(exclude or []),
                        sorted((g, sorted(c)) for g, c in (per_file or {}).items())))
    key = repr((sorted((r.code, r.name, r.triggers, r.scope) for r in rules), opts, int(level),
                args.include_generated, filters))
    root = Path(args.cache_dir) if args.cache_dir else default_dir()
    return ResultCache(root, options_key=key, goroot=goroot or options.goroot)


def _write(args, result: engine.RunResult, prog: str) -> bool:
    from .gitops import GitError, commit_on_branch
    from .writer import Interrupted, WriteError, write_all

    try:
        if args.branch is not None:
            start = publish.start_of(args)
            sha = commit_on_branch(start, args.branch, result.changes,
                                   publish.commit_message(args, result), args.force_branch)
            print(f"Committed {len(result.changes)} file(s) on branch {args.branch} ({sha[:12]}); "
                  "your work tree and current branch are unchanged.", file=sys.stderr)
        else:
            write_all(result.changes)
    except Interrupted as e:
        print(f"{prog}: interrupted: {e}", file=sys.stderr)
        raise SystemExit(128 + e.signum) from None
    except (GitError, WriteError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return False
    return True


def _remove_stale_temporaries(paths, prog: str) -> None:
    from .writer import remove_stale

    for path, why in remove_stale(paths):
        if why is None:
            print(f"{prog}: note: removed {diff.shown_path(path)}, a temporary file left by an "
                  "interrupted gofix-linkname run", file=sys.stderr)
        else:
            print(f"{prog}: note: cannot remove {diff.shown_path(path)}, a temporary file left by an "
                  f"interrupted gofix-linkname run: {why}", file=sys.stderr)


def run_rules(argv: list[str]) -> int:
    from rules import ALL

    if argv:
        print("usage: gofix-linkname rules", file=sys.stderr)
        return EXIT_ERROR
    for r in ALL:
        print(f"{r.code}  {r.name:<32} {str(r.severity):<8} fix: {r.fix_label():<26} {r.summary}")
    return EXIT_CLEAN


def run_explain(argv: list[str]) -> int:
    from rules import by_id

    if len(argv) != 1:
        print("usage: gofix-linkname explain RULE", file=sys.stderr)
        return EXIT_ERROR
    rule = by_id(argv[0])
    if rule is None:
        print(f"gofix-linkname: error: no rule {argv[0]!r} (see gofix-linkname rules)", file=sys.stderr)
        return EXIT_ERROR
    print(f"{rule.code} {rule.name}: {rule.summary}\n")
    print(f"Severity: {rule.severity}. Fix: {rule.fix_label()}.\n")
    doc = rule.doc.split("\n", 1)[1] if "\n" in rule.doc else rule.doc
    print(doc.strip())
    return EXIT_CLEAN


def run_info(argv: list[str]) -> int:
    from .knowledge import info

    p = _Parser(prog="gofix-linkname info",
                description="What each Go release and platform does with a linkname target.")
    info.add_arguments(p)
    return info.run(p.parse_args(argv))


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP outside the write: stop as Ctrl-C does (the write holds them itself)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum, frame):
    raise Stopped(signum)


@contextmanager
def _stop_on_signals():
    """SIGTERM and SIGHUP raise :class:`Stopped` while the command runs, so they unwind as
    SIGINT does (child processes killed, one line, nothing written) instead of killing the
    process on the spot.  A signal the caller ignores (``nohup``) stays ignored."""
    previous = {}
    for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGHUP")):
        if s is None:
            continue
        try:
            if signal.getsignal(s) is signal.SIG_IGN:
                continue
            previous[s] = signal.signal(s, _raise_stopped)
        except ValueError:  # not the main thread: no handler can be set, no signal comes here
            break
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


REPORT_HOW = ("please report it with the command line and this message (--debug shows the "
              "traceback)")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    from . import trace

    trace.at(None)
    trace.written = None
    try:
        with _stop_on_signals():
            return _dispatch(argv)
    except KeyboardInterrupt as e:
        # Outside the write (which holds signals and says what it did): before it nothing was
        # written, after it everything was.
        signum = getattr(e, "signum", signal.SIGINT)
        by = "" if signum == signal.SIGINT else f" by {signal.Signals(signum).name}"
        if trace.written is not None:
            print(f"gofix-linkname: interrupted{by} after the write; the write completed, all "
                  f"{trace.written} file(s) fixed", file=sys.stderr)
        else:
            print(f"gofix-linkname: interrupted{by}; nothing written", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:
        return EXIT_ERROR
    except SystemExit:
        raise
    except Exception as e:
        # A bug, not bad input: one line naming where it happened; the writer puts back any
        # file it had written, so nothing is half-changed.
        if debug:
            import traceback
            traceback.print_exc()
        where = f" while processing {diff.shown_path(trace.current)}" if trace.current else ""
        text = " ".join(str(e).split()) or "no message"
        print(f"gofix-linkname: internal error{where}: {type(e).__name__}: {text}; nothing written; "
              f"{REPORT_HOW}", file=sys.stderr)
        return EXIT_ERROR


def _dispatch(argv: list[str]) -> int:
    if argv and argv[0] in SUBCOMMANDS:
        cmd, rest = argv[0], argv[1:]
        if cmd == "info":
            return run_info(rest)
        if cmd == "rules":
            return run_rules(rest)
        if cmd == "explain":
            return run_explain(rest)
        if cmd == "gen-test":
            from .gentest import run_gen_test
            return run_gen_test(rest)
        if cmd == "config":
            return run_config(rest)
        if cmd == "inventory":
            from . import inventory
            return inventory.run(rest)
        if cmd == "campaign":
            from . import campaign
            return campaign.run(rest)
        return run_check(rest, "gofix-linkname check")
    return run_check(argv)


if __name__ == "__main__":
    sys.exit(main())
