"""``.gofix-linkname.toml``: project settings, found from the checked path up to the repository root.

    select = ["LN0", "LN1"]          # rule codes, code prefixes or names
    ignore = ["LN203"]
    go-versions = "1.22-1.27"
    platforms = ["linux/amd64", "darwin/arm64"]
    cgo = "both"                     # true/"on", false/"off", or "both"
    exclude = ["gen/**", "*_string.go"]
    unsafe-fixes = false

    [per-file-ignores]
    "internal/fastrand/*.go" = ["LN201"]

The same keys may sit under ``[tool.gofix-linkname]`` instead (one style per file).  Globs are
relative to the file's directory; a pattern without ``/`` matches a file or directory name at
any depth.  Command-line flags override the file.  An unknown key or a bad value stops the run
with one line naming the file and the line.
"""
from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE_NAME = ".gofix-linkname.toml"
KEYS = ("select", "ignore", "go-versions", "platforms", "cgo", "exclude", "per-file-ignores",
        "unsafe-fixes")


class ConfigError(Exception):
    """One line: ``path:line: what is wrong``."""


@dataclass
class Setting:
    value: object
    source: str  # "default", "--flag", or "path:line"


@dataclass
class Config:
    path: Path | None  # None: no file found
    values: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def base(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def where(self, key: str) -> str:
        return f"{self.path}:{self.lines.get(key, 1)}"


def find(start: Path) -> Path | None:
    """The nearest config file from ``start`` upward, stopping at the repository root (the
    directory holding ``.git``) or the file system root."""
    # abspath, not resolve(): the path may be a broken or looping link (reported by the run).
    here = Path(os.path.abspath(start))
    if not here.is_dir():
        here = here.parent
    for d in (here, *here.parents):
        candidate = d / FILE_NAME
        if candidate.is_file():
            return candidate
        if (d / ".git").exists():
            return None
    return None


def _key_line(text: str, key: str, table: str | None) -> int:
    """The line that sets ``key`` (in ``[table]`` when given); 1 when it cannot be told."""
    current = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).replace('"', "")
            if key == current.split(".")[-1] and table is None:
                return n
            continue
        m = re.match(r'"?([^"=\s]+)"?\s*=', line)
        if m and m.group(1) == key and (table is None or current == table):
            return n
    return 1


def load(path: Path) -> Config:
    from rules import select as select_rules

    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column \d+\)", str(e))
        where = f":{m.group(1)}" if m else f":{max(1, len(text.splitlines()))}"
        raise ConfigError(f"{path}{where}: not valid TOML: {re.sub(r' [(]at (line|end of document).*', '', str(e))}") from None
    table = None
    if set(data) == {"tool"} and isinstance(data["tool"], dict) and "gofix-linkname" in data["tool"]:
        data, table = data["tool"]["gofix-linkname"], "tool.gofix-linkname"
    config = Config(path)

    def fail(key: str, message: str, sub: str | None = None):
        """Stop at the line setting ``key`` (or, for a table, its entry ``sub``)."""
        if sub is None:
            line = _key_line(text, key, table)
        else:
            line = _key_line(text, sub, f"{table}.{key}" if table else key)
        raise ConfigError(f"{path}:{line}: {message}")

    for key, value in data.items():
        if key not in KEYS:
            hint = f" (did you mean {close[0]!r}?)" if (close := _close(key)) else ""
            fail(key, f"unknown key {key!r}{hint}; known keys: {', '.join(KEYS)}")
        config.lines[key] = _key_line(text, key, table)
        if key in ("select", "ignore"):
            items = _string_list(value)
            if items is None:
                fail(key, f"{key} must be a list of rule codes or names, e.g. [\"LN1\", \"LN203\"]")
            for item in items:
                if not select_rules([item]):
                    fail(key, f"{key}: {item!r} matches no rule (see gofix-linkname rules)")
            config.values[key] = items
        elif key == "go-versions":
            from .cli import UsageError, parse_go_versions
            if not isinstance(value, str):
                fail(key, 'go-versions must be a string like "1.22-1.27"')
            try:
                parse_go_versions(value)
            except UsageError:
                fail(key, f'go-versions: {value!r} is not a release range like "1.22-1.27"')
            config.values[key] = value
        elif key == "platforms":
            items = _string_list(value)
            if not items or any(x.count("/") != 1 or x.startswith("/") or x.endswith("/") for x in items):
                fail(key, 'platforms must be a list of GOOS/GOARCH, e.g. ["linux/amd64", "darwin/arm64"]')
            config.values[key] = items
        elif key == "cgo":
            # true/false, or --cgo's own words: "both" judges builds with and without cgo.
            words = {True: "on", False: "off", "on": "on", "off": "off", "both": "both"}
            if not isinstance(value, (bool, str)) or value not in words:
                fail(key, f'cgo must be true, false, "on", "off" or "both", not {value!r}')
            config.values[key] = words[value]
        elif key == "unsafe-fixes":
            if not isinstance(value, bool):
                fail(key, f"{key} must be true or false, not {value!r}")
            config.values[key] = value
        elif key == "exclude":
            items = _string_list(value, split=False)
            if items is None:
                fail(key, 'exclude must be a list of globs, e.g. ["gen/**"]')
            config.values[key] = items
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                fail(key, 'per-file-ignores must be a table: "glob" = ["LN101"]')
            out = {}
            for glob, codes in value.items():
                items = _string_list(codes)
                if items is None:
                    fail(key, f"per-file-ignores: {glob!r} must map to a list of rule codes", glob)
                for item in items:
                    if not select_rules([item]):
                        fail(key, f"per-file-ignores: {item!r} matches no rule", glob)
                out[glob] = items
            config.values[key] = out
    return config


def _close(key: str) -> list[str]:
    import difflib
    return difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1, cutoff=0.6)


def _string_list(value, split: bool = True) -> list[str] | None:
    if isinstance(value, str) and split:
        return [x.strip() for x in value.split(",") if x.strip()]
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return [x.strip() for x in value]
    return None


def matches(base: Path, path: Path, pattern: str) -> bool:
    """Whether ``path`` (or a directory above it, below ``base``) matches ``pattern``."""
    try:
        rel = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return False
    pattern = pattern.strip().rstrip("/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    parts = rel.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(p, pattern) for p in parts)
    return any(fnmatch.fnmatchcase(p, pattern) or (pattern.endswith("/**") and p == pattern[:-3])
               for p in prefixes)


FLAGS = {"select": "--select", "ignore": "--ignore", "go-versions": "--go-versions",
         "platforms": "--platforms", "cgo": "--cgo", "unsafe-fixes": "--unsafe-fixes"}


def effective(flags: dict[str, object], config: Config, defaults: dict[str, object]) -> dict[str, Setting]:
    """Each setting's value and where it came from: a flag beats the file beats the default."""
    out = {}
    for key in KEYS:
        if flags.get(key) is not None:
            out[key] = Setting(flags[key], FLAGS.get(key, key))
        elif key in config.values:
            out[key] = Setting(config.values[key], config.where(key))
        else:
            out[key] = Setting(defaults.get(key), "default")
    return out
