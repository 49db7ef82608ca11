"""Snapshot cases: real output of gofix-linkname compared with reviewed golden files.

A case is a directory ``snapshots/<rule-name>/<case>/`` holding:

- ``input/``: the Go files (and go.mod) as a user has them;
- ``args`` (optional): command-line flags, one line, e.g. ``--unsafe-fixes --go-versions 1.21-1.27``;
- ``findings.txt``: the expected findings and fix lines (paths relative to ``input/``);
- ``fix.diff``: the expected unified diff (empty when nothing is fixed).

``pytest --update-snapshots`` rewrites the golden files from the current output; review the
result with ``git diff snapshots/`` like any code change.
"""
from __future__ import annotations

import contextlib
import os
import shlex
import shutil
from pathlib import Path

from codemod import diff, engine, render
from codemod.cli import _check_parser, _options
from codemod.edits import Safety
from codemod.writer import write_all

ROOT = Path(__file__).resolve().parent.parent / "snapshots"


def cases() -> list[Path]:
    return sorted(p for p in ROOT.glob("*/*") if (p / "input").is_dir())


def case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


@contextlib.contextmanager
def inside(directory: Path):
    """Work in ``directory``: the paths a run reports and writes are relative to it."""
    old = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(old)


def _check(case: Path) -> engine.RunResult:
    """Run the check in the current directory with the case's flags, as the command line would."""
    from rules import select

    args_file = case / "args"
    argv = shlex.split(args_file.read_text()) if args_file.exists() else []
    args = _check_parser("gofix-linkname").parse_args([*argv, "."])
    level = Safety.UNSAFE if args.unsafe_fixes else Safety.SAFE
    return engine.run(["."], select(), _options(args), fix_level=level,
                      include_generated=args.include_generated)


def run_case(case: Path, workdir: Path) -> tuple[str, str, Path]:
    """Copy the case's input to ``workdir`` and run the check there; (findings, diff, module).

    The fixes are written, so the caller can build or re-check the fixed module.
    """
    module = workdir / "input"
    shutil.copytree(case / "input", module, symlinks=True)
    with inside(module):
        result = _check(case)
        problems = "".join(f"{diff.display_path(p.path)}: {'error' if p.error else 'note'}: {p.message}\n"
                           for p in result.problems)
        patch = diff.render(result.changes)
        write_all(result.changes)
    return problems + render.text_report(result), patch, module


def rerun_findings(module: Path, case: Path) -> list:
    """Findings whose fix the same flags would still apply, after the fixes were written."""
    with inside(module):
        result = _check(case)
    return [f for f in result.findings if result.fixed(f)]
