"""pre-commit hooks (through the real `pre-commit try-repo`, offline) and the GitHub Action's
run step (its shell script, run as the runner would run it)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MISSING_UNSAFE = "package p\n\n//go:linkname now runtime.nanotime\nfunc now() int64\n"
CLEAN = 'package p\n\nimport _ "unsafe"\n\n//go:linkname now runtime.nanotime\nfunc now() int64\n'


def offline_env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        # Anything that tried the network would fail: no index, a proxy that refuses.
        "PIP_NO_INDEX": "1", "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    })
    return env


def git(cwd: Path, *args: str, env=None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def consumer_repo(tmp_path: Path, files: dict[str, str], env: dict) -> Path:
    root = tmp_path / "consumer"
    root.mkdir()
    git(root, "init", "-q", env=env)
    (root / "go.mod").write_text("module example.com/c\n\ngo 1.21\n")
    for name, text in files.items():
        (root / name).write_text(text)
    git(root, "add", "-A", env=env)
    return root


def try_repo(root: Path, hook: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "pre-commit"), "try-repo", str(REPO), hook, "--all-files"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"gofix-linkname", "gofix-linkname-apply"}
    assert all(h["types"] == ["go"] for h in hooks.values())
    assert hooks["gofix-linkname-apply"]["entry"].split()[1:] == ["--apply"]


def test_pre_commit_check_hook_fails_on_a_finding_offline(tmp_path):
    env = offline_env(tmp_path)
    root = consumer_repo(tmp_path, {"a.go": MISSING_UNSAFE, "b.go": CLEAN, "notes.txt": "x\n"}, env)
    p = try_repo(root, "gofix-linkname", env)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "a.go:3:1: LN001 error" in p.stdout
    assert "b.go:" not in p.stdout.replace("+++ b/a.go", "")  # clean file: nothing to say
    assert (root / "a.go").read_text() == MISSING_UNSAFE  # the check hook never writes
    # Only the clean file staged: the hook passes.
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "b.go").write_text(CLEAN)
    git(clean, "init", "-q", env=env)
    git(clean, "add", "-A", env=env)
    p = try_repo(clean, "gofix-linkname", env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Passed" in p.stdout


def test_pre_commit_apply_hook_fixes_the_file(tmp_path):
    env = offline_env(tmp_path)
    root = consumer_repo(tmp_path, {"a.go": MISSING_UNSAFE}, env)
    p = try_repo(root, "gofix-linkname-apply", env)
    assert p.returncode == 1  # pre-commit fails a hook that modified files, so they can be reviewed
    assert "files were modified by this hook" in p.stdout
    assert 'import _ "unsafe"' in (root / "a.go").read_text()
    git(root, "add", "-A", env=env)
    p = try_repo(root, "gofix-linkname-apply", env)
    assert p.returncode == 0, p.stdout + p.stderr


def test_action_runs_the_tool_with_sarif_output_and_uploads_it(tmp_path):
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    run = next(s for s in steps if s.get("id") == "run")
    # Run its script as the runner does (bash -e), on a tree with a finding.
    env = offline_env(tmp_path)
    root = consumer_repo(tmp_path, {"a.go": MISSING_UNSAFE}, env)
    out = tmp_path / "github_output"
    env.update(GOFIX_PATHS="./...", GOFIX_ARGS="--select LN0", GOFIX_SARIF="out.sarif", GITHUB_OUTPUT=str(out))
    p = subprocess.run(["bash", "-e", "-c", run["run"]], cwd=root, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr  # findings do not stop the job before the upload
    assert out.read_text() == "exit-code=1\n"
    log = json.loads((root / "out.sarif").read_text())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["LN001"]
    assert "a.go:3:1: LN001" in p.stdout  # the text report, for the job log
    # A usage error stops the job.
    env["GOFIX_ARGS"] = "--go-versions nonsense"
    p = subprocess.run(["bash", "-e", "-c", run["run"]], cwd=root, env=env, capture_output=True, text=True)
    assert p.returncode == 2
