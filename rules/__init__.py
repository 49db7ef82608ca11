"""The rule registry, built from the modules of this package (never a hand-kept list).

Each module defines ``RULE``; codes are unique and sort the registry.
"""
from __future__ import annotations

import importlib
import pkgutil

from codemod.rule import Rule


def _load() -> tuple[Rule, ...]:
    found: dict[str, Rule] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            continue
        if rule.code in found:
            raise RuntimeError(f"rule code {rule.code} used by {found[rule.code].name} and {rule.name}")
        found[rule.code] = rule
    return tuple(found[c] for c in sorted(found))


ALL: tuple[Rule, ...] = _load()


def select(codes_or_names: list[str] | None = None, ignore: list[str] | None = None) -> list[Rule]:
    """Rules matching any selector (a code, a code prefix such as ``LN1``, or a name)."""
    def hit(rule: Rule, sel: str) -> bool:
        return rule.code.startswith(sel.upper()) or rule.name == sel

    chosen = [r for r in ALL if not codes_or_names or any(hit(r, s) for s in codes_or_names)]
    return [r for r in chosen if not ignore or not any(hit(r, s) for s in ignore)]


def by_id(ident: str) -> Rule | None:
    return next((r for r in ALL if r.code == ident.upper() or r.name == ident), None)
