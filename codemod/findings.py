"""A finding is data: where, which rule, how bad, what it means per release, how to fix it."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from .edits import Fix
from .model import Span


class Severity(str, Enum):
    ERROR = "error"  # the build fails, or the program silently computes garbage
    WARNING = "warning"  # works today but depends on something that is not a contract
    INFO = "info"  # style, clarity, performance

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    rule: str  # rule code, e.g. "LN001"
    name: str  # rule name, e.g. "missing-unsafe-import"
    path: Path
    span: Span
    severity: Severity
    message: str
    fix: Fix | None = None
    # Releases where the problem shows, and how: {"1.23": "blocked", ...} (only failing ones).
    failing_releases: dict[str, str] | None = None  # JSON: "go_versions"
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def sort_key(self):
        return (str(self.path), self.span.line, self.span.column, self.rule)
