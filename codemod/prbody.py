"""The pull request a run proposes, in Markdown: what was found, what was fixed, what a reviewer
must decide, and how to get the same result again.

Rendered from the run's findings (never from its printed output), like every other report, so
the body, the text report and the JSON always agree.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import __version__

if TYPE_CHECKING:  # the command line reads PLACEHOLDER_HELP before anything runs: stay light
    from .engine import RunResult
    from .findings import Finding


@dataclass(frozen=True)
class Tally:
    """The numbers a pull request and a campaign summary report for one run."""

    findings: int
    fixed: int
    held_back: int
    no_fix: int
    files: int

    @classmethod
    def of(cls, result: RunResult, applied: bool) -> "Tally":
        fixed = sum(1 for f in result.findings if applied and result.fixed(f))
        return cls(findings=len(result.findings), fixed=fixed, held_back=len(result.held_back),
                   no_fix=sum(1 for f in result.findings if f.fix is None),
                   files=len(result.changes) if applied else 0)


def _plural(n: int, word: str, suffix: str = "s") -> str:
    return f"{n} {word}{suffix * (n != 1)}"


def default_summary(result: RunResult, applied: bool) -> str:
    t = Tally.of(result, applied)
    return f"fix {_plural(t.fixed, 'linkname finding')} in {_plural(t.files, 'file')}"


def placeholders(result: RunResult, applied: bool, branch: str | None) -> dict[str, str]:
    """The values --title and --commit-message templates can use, by name (``{fixed}``)."""
    t = Tally.of(result, applied)
    fixed_rules = Counter(f"{f.rule} {f.name}" for f in result.findings if applied and result.fixed(f))
    return {
        "findings": str(t.findings),
        "fixed": str(t.fixed),
        "held_back": str(t.held_back),
        "files": str(t.files),
        "rules": ", ".join(sorted({f.rule for f in result.findings if applied and result.fixed(f)})),
        "rule_lines": "\n".join(f"- {r}: {c}" for r, c in sorted(fixed_rules.items())),
        "branch": branch or "",
        "version": __version__,
        "summary": default_summary(result, applied),
    }


PLACEHOLDER_HELP = ", ".join("{" + k + "}" for k in
                             ("findings", "fixed", "held_back", "files", "rules", "rule_lines",
                              "branch", "version", "summary"))


class TemplateError(ValueError):
    pass


def fill(template: str, values: Mapping[str, str], flag: str) -> str:
    r"""``template`` with its ``{name}`` placeholders filled; ``\n`` in it starts a new line."""
    text = template.replace("\\n", "\n")
    try:
        return text.format_map(dict(values))
    except KeyError as e:
        raise TemplateError(f"{flag}: unknown placeholder {{{e.args[0]}}}; known: {PLACEHOLDER_HELP}") from e
    except (ValueError, IndexError) as e:
        raise TemplateError(f"{flag}: {template!r} is not a template ({e}); write {{{{ and }}}} for braces") from e


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def releases_affected(f: Finding) -> str:
    if f.failing_releases:
        from .versions import describe_failures
        return describe_failures(dict(f.failing_releases))
    return "every release checked" if str(f.severity) == "error" else "not release-specific"


def platforms_affected(f: Finding, checked: Iterable[str]) -> str:
    """The platforms a finding concerns: the rule's own list when it gives one, else the run's."""
    plats = f.extra.get("platforms")
    if plats:
        return ", ".join(plats)
    return "all checked" if f.failing_releases else "any"


def fix_state(f: Finding, result: RunResult, applied: bool) -> str:
    if f.fix is None:
        why = f.extra.get("fix_withheld")
        return f"no automatic fix{': ' + why if why else ''}"
    if applied and result.fixed(f):
        return f"fixed ({f.fix.safety}): {f.fix.description}"
    if getattr(result, "is_withdrawn", None) and result.is_withdrawn(f):
        return f"withdrawn by --verify (the build got worse): {f.fix.description}"
    if f in result.held_back:
        return f"held back ({f.fix.safety}): {f.fix.description}"
    return f"fixable ({f.fix.safety}) with --apply: {f.fix.description}"


def verify_section(verify: Any) -> list[str]:
    """The verification matrix, when the run verified its fixes with real toolchains.

    Accepts what a verifier hands over: an object with a ``markdown()`` method, a list of rows
    (mappings with the same keys), or ``{release: {platform: outcome}}``.
    """
    if verify is None:
        return []
    out = ["## Verified with real Go toolchains", ""]
    if hasattr(verify, "markdown"):
        out.append(verify.markdown().rstrip())
    elif hasattr(verify, "cells"):  # a package x toolchain/platform matrix of before -> after
        out += _cells_table(verify)
    elif isinstance(verify, Mapping):
        plats = sorted({p for row in verify.values() for p in row})
        out.append("| Release | " + " | ".join(plats) + " |")
        out.append("|---|" + "---|" * len(plats))
        for rel, row in verify.items():
            out.append(f"| {rel} | " + " | ".join(_cell(row.get(p, "")) for p in plats) + " |")
    else:
        rows = [dict(r) for r in verify]
        if rows:
            keys = list(rows[0])
            out.append("| " + " | ".join(keys) + " |")
            out.append("|---" * len(keys) + "|")
            for r in rows:
                out.append("| " + " | ".join(_cell(r.get(k, "")) for k in keys) + " |")
        else:
            out.append("Nothing to verify.")
    return out + [""]


def _side(side: Any) -> str:
    status = getattr(side, "status", str(side))
    step = getattr(side, "step", "")
    return f"{status} ({step})" if step and status != "ok" else status


def _cells_table(report: Any) -> list[str]:
    cells = list(report.cells)
    if not cells:
        return ["No package changed, so nothing was built."]
    columns = list(dict.fromkeys(c.column for c in cells))
    out = ["Each package before -> after the fixes, built, linked and vetted with each toolchain.", "",
           "| Package | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for pkg in dict.fromkeys(c.package for c in cells):
        mine = {c.column: c for c in cells if c.package == pkg}
        row = []
        for col in columns:
            c = mine.get(col)
            row.append("" if c is None else f"{_side(c.before)} -> {_side(c.after)}"
                       + (f" **worse**: {c.why}" if getattr(c, "worse", False) else ""))
        out.append(f"| `{pkg}` | " + " | ".join(_cell(x) for x in row) + " |")
    withdrawn = dict(getattr(report, "withdrawn", {}) or {})
    if withdrawn:
        out += ["", "Withdrawn from this change because verification found them worse:", ""]
        fixes = dict(getattr(report, "withdrawn_fixes", {}) or {})
        kept = dict(getattr(report, "kept", {}) or {})
        for pkg, why in sorted(withdrawn.items()):
            out.append(f"- `{pkg}`: {why}")
            if kept.get(pkg):
                out.append(f"  - only these fixes; its {kept[pkg]} other fix(es) verified and are in this change:")
                out += [f"  - {fx['rule']} `{fx['path']}:{fx['line']}`: {fx['description']}"
                        for fx in fixes.get(pkg, [])]
    return out


def render(result: RunResult, *, title: str, applied: bool, branch: str | None = None,
           checked_releases: Iterable[str] = (), checked_platforms: Iterable[str] = (),
           reproduce: str = "gofix-linkname --diff .", verify: Any = None) -> str:
    from .diff import display_path
    from .versions import format_releases

    t = Tally.of(result, applied)
    checked_platforms = list(checked_platforms)
    out = [f"# {title}", ""]
    if not t.findings:
        out += ["gofix-linkname found no hazardous `//go:linkname` use.", ""]
    else:
        where = f" on branch `{branch}`" if branch and applied else ""
        out += [f"gofix-linkname {__version__} found **{_plural(t.findings, 'finding')}**: "
                f"**{t.fixed} fixed**{where} in {_plural(t.files, 'file')}, "
                f"**{t.held_back} held back** (unsafe fixes, listed below for review), "
                f"{t.no_fix} without an automatic fix.", ""]
    releases = list(checked_releases)
    if releases or checked_platforms:
        scope = []
        if releases:
            scope.append(format_releases(releases))
        if checked_platforms:
            scope.append(", ".join(checked_platforms))
        out += [f"Checked against {' on '.join(scope)}.", ""]

    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        by_rule.setdefault((f.rule, f.name), []).append(f)
    if by_rule:
        out += ["## Findings by rule", ""]
        for (code, name), found in sorted(by_rule.items()):
            fixed = sum(1 for f in found if applied and result.fixed(f))
            out += [f"### {code} {name}: {_plural(len(found), 'finding')}, {fixed} fixed", ""]
            out += ["| Location | Severity | Releases affected | Platforms | Fix | Finding |",
                    "|---|---|---|---|---|---|"]
            for f in found:
                out.append(f"| `{display_path(f.path)}:{f.span.line}` | {f.severity} | "
                           f"{_cell(releases_affected(f))} | {_cell(platforms_affected(f, checked_platforms))} | "
                           f"{_cell(fix_state(f, result, applied))} | {_cell(f.message)} |")
            out.append("")

    if result.held_back:
        out += ["## Unsafe fixes held back", "",
                "These fixes change behaviour, so they are not in this change. Review each and "
                "apply the ones you accept with `--unsafe-fixes`.", ""]
        for f in result.held_back:
            why = f.fix.why_unsafe or "it changes behaviour"
            out.append(f"- `{display_path(f.path)}:{f.span.line}` {f.rule}: {f.fix.description}. "
                       f"Why unsafe: {why}.")
        out.append("")

    out += verify_section(verify)

    problems = [p for p in result.problems if p.error]
    if problems:
        out += ["## Files not processed", ""]
        out += [f"- `{display_path(p.path)}`: {p.message}" for p in problems] + [""]

    out += ["## Reproduce", "", "```sh", reproduce, "```", "",
            f"<sub>Generated by gofix-linkname {__version__}.</sub>", ""]
    return "\n".join(out)
