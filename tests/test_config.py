""".gofix-linkname.toml: found upward to the repository root, overridden by flags, explained by
`gofix-linkname config`, and every mistake in it one line naming the file and the line."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e import gofix

NO_UNSAFE = "package p\n\n//go:linkname now runtime.nosuchfunc\nfunc now() int64\n"  # LN001 and LN104
# LN001 (safe fix) and, for the clock read in a loop, LN203 (unsafe fix).
LOOP = '''package p

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

func spin(n int) (t int64) {
	for i := 0; i < n; i++ {
		t += nanotime()
	}
	return t
}
'''


def project(tmp_path: Path, config: str | None, files: dict[str, str], git: bool = True) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    if config is not None:
        (root / ".gofix-linkname.toml").write_text(config)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def rules_found(cwd: Path, *args: str) -> list[tuple[str, str]]:
    p = gofix(cwd, "--format", "json", *args)
    assert p.returncode in (0, 1), p.stderr
    return [(f["path"], f["rule"]) for f in json.loads(p.stdout)["findings"]]


def settings(cwd: Path, *args: str) -> dict:
    p = gofix(cwd, "config", "--format", "json", *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_found_from_a_subdirectory_up_to_the_repository_root(tmp_path):
    root = project(tmp_path, 'select = ["LN001"]\n', {"sub/deep/a.go": NO_UNSAFE})
    deep = root / "sub" / "deep"
    doc = settings(deep, ".")
    assert doc["file"] == str(root / ".gofix-linkname.toml")
    assert doc["settings"]["select"] == {"value": ["LN001"],
                                         "source": f"{root / '.gofix-linkname.toml'}:1"}
    assert rules_found(deep, ".") == [("a.go", "LN001")]
    # Above the repository root it is not looked for: the file belongs to another project.
    (tmp_path / ".gofix-linkname.toml").write_text('select = ["LN104"]\n')
    (root / ".gofix-linkname.toml").unlink()
    assert settings(deep, ".")["file"] is None
    assert ("a.go", "LN001") in rules_found(deep, ".")


def test_flags_override_the_file_and_config_says_where_each_value_came_from(tmp_path):
    root = project(tmp_path, 'select = ["LN001"]\ngo-versions = "1.22-1.27"\n'
                             'platforms = ["linux/amd64"]\n', {"a.go": NO_UNSAFE})
    doc = settings(root, "--select", "LN104", ".")["settings"]
    cfg = str(root / ".gofix-linkname.toml")
    assert {k: v["source"] for k, v in doc.items()} == {
        "select": "--select", "ignore": "default", "go-versions": f"{cfg}:2", "platforms": f"{cfg}:3",
        "cgo": "default", "exclude": "default", "per-file-ignores": "default", "unsafe-fixes": "default"}
    assert doc["select"]["value"] == ["LN104"]
    assert rules_found(root, "--select", "LN104", ".") == [("a.go", "LN104")]
    assert rules_found(root, ".") == [("a.go", "LN001")]
    assert rules_found(root, "--no-config", "--select", "LN001,LN104", ".") == [("a.go", "LN001"), ("a.go", "LN104")]
    text = gofix(root, "config", ".").stdout
    assert f"config file: {cfg}" in text
    assert any(line.split()[:2] == ["go-versions", "1.22-1.27"] and line.endswith(f"{cfg}:2")
               for line in text.splitlines())


def test_exclude_and_per_file_ignores(tmp_path):
    root = project(tmp_path, 'select = ["LN001", "LN104"]\nexclude = ["gen/**", "*_skip.go"]\n\n'
                             '[per-file-ignores]\n"legacy/*.go" = ["LN001"]\n',
                   {"a.go": NO_UNSAFE, "gen/b.go": NO_UNSAFE, "c_skip.go": NO_UNSAFE,
                    "legacy/d.go": NO_UNSAFE})
    assert sorted(rules_found(root, ".")) == [("a.go", "LN001"), ("a.go", "LN104"), ("legacy/d.go", "LN104")]
    # Per-file ignores also keep the rule's fix off the file.
    before = (root / "legacy" / "d.go").read_bytes()
    gofix(root, "--apply", ".")
    assert (root / "legacy" / "d.go").read_bytes() == before
    assert b'"unsafe"' in (root / "a.go").read_bytes()


def test_an_excluded_file_named_on_the_command_line_stays_out(tmp_path):
    root = project(tmp_path, 'select = ["LN001"]\nexclude = ["gen/**", "*_skip.go"]\n',
                   {"a.go": NO_UNSAFE, "gen/b.go": NO_UNSAFE, "c_skip.go": NO_UNSAFE})
    assert rules_found(root, "gen/b.go", "c_skip.go", "a.go") == [("a.go", "LN001")]


def test_unsafe_fixes_from_the_file_and_the_flag_that_turns_them_off(tmp_path):
    root = project(tmp_path, "unsafe-fixes = true\n", {"a.go": LOOP})
    p = gofix(root, "--no-unsafe-fixes", "--diff", ".")
    assert p.stdout == ""
    p = gofix(root, "--diff", ".")
    assert p.stdout.startswith("--- a/a.go\n+++ b/a.go\n")  # the unsafe LN203 fix, from the file
    assert settings(root, ".")["settings"]["unsafe-fixes"]["value"] is True


def test_tool_table_style(tmp_path):
    root = project(tmp_path, '[tool.gofix-linkname]\nselect = ["LN104"]\n\n'
                             '[tool.gofix-linkname.per-file-ignores]\n"x.go" = ["LN104"]\n',
                   {"a.go": NO_UNSAFE, "x.go": NO_UNSAFE.replace("now", "now2")})
    assert rules_found(root, ".") == [("a.go", "LN104")]


@pytest.mark.parametrize("text, line, words", [
    ('select = ["LN001"]\nselct = ["LN1"]\n', 2, "unknown key 'selct' (did you mean 'select'?)"),
    ('cgo = "yes"\n', 1, 'cgo must be true, false, "on", "off" or "both"'),
    ('\n\ngo-versions = "1.x"\n', 3, "is not a release range"),
    ('platforms = ["linux"]\n', 1, "GOOS/GOARCH"),
    ('ignore = ["LN9"]\n', 1, "'LN9' matches no rule"),
    ('exclude = "gen"\n', 1, "list of globs"),
    ('unsafe-fixes = 1\n', 1, "true or false"),
    ('[per-file-ignores]\n"a.go" = ["LN001"]\n"b.go" = ["XX1"]\n', 3, "'XX1' matches no rule"),
    ('select = ["LN1"\n', 1, "not valid TOML"),
    ('select = [\n  "LN1",\n]\nx = = 1\n', 4, "not valid TOML"),
])
def test_a_bad_file_is_one_line_naming_file_and_line(tmp_path, text, line, words):
    root = project(tmp_path, text, {"a.go": NO_UNSAFE})
    before = (root / "a.go").read_bytes()
    for args in ((".",), ("--apply", "."), ("config", ".")):
        p = gofix(root, *args)
        assert p.returncode == 2
        [msg] = p.stderr.splitlines()
        assert msg.startswith(f"gofix-linkname{' config' if args[0] == 'config' else ''}: error: "
                              f"{root / '.gofix-linkname.toml'}:{line}: "), msg
        assert words in msg
        assert p.stdout == ""
    assert (root / "a.go").read_bytes() == before
