"""Time per repository of a campaign, for sizing a fleet-wide one.

    python benchmarks/campaign_fleet.py REPOS.txt [-j 1] [--workdir DIR]

Runs ``gofix-linkname campaign REPOS.txt --replace`` (clone, check --apply --branch, commit,
PR body; no push) and prints, per repository, its Go files, findings, fixed, and the seconds
spent cloning and checking, then the median, 90th percentile and total.  Give it local clones
(bare or not) so the clone time is a local copy; over a network add the clone's time there.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def go_files(source: str) -> int:
    out = subprocess.run(["git", "-C", source, "ls-tree", "-r", "--name-only", "HEAD"],
                         capture_output=True, text=True).stdout
    return sum(1 for x in out.splitlines() if x.endswith(".go"))


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("repos")
    p.add_argument("-j", type=int, default=1)
    p.add_argument("--workdir")
    args = p.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="gofix-fleet-"))
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "codemod", "campaign", args.repos, "--replace",
                          "-j", str(args.j), "--workdir", str(work), "--format", "json"],
                         capture_output=True, text=True, env=env)
    wall = time.monotonic() - started
    rows = json.loads(run.stdout)["repositories"]
    print("| Repository | Go files | Findings | Fixed | Clone s | Check s | Total s | Status |")
    print("|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: -go_files(r["repo"].split("@")[0])):
        src = r["repo"].split("@")[0]
        print(f"| {Path(src).parent.name if src.endswith('/repo') else Path(src).name} | {go_files(src)} | "
              f"{r.get('findings')} | {r.get('fixed')} | {r.get('clone_seconds')} | {r.get('check_seconds')} | "
              f"{r.get('seconds')} | {r['status']}{' (' + r['error'] + ')' if r.get('error') else ''} |")
    secs = sorted(r["seconds"] for r in rows if r.get("seconds") is not None)
    checks = sorted(r["check_seconds"] for r in rows if r.get("check_seconds") is not None)
    q = statistics.quantiles(secs, n=10)[-1] if len(secs) > 1 else secs[0]
    print(f"\n{len(rows)} repositories, -j {args.j}: wall {wall:.1f}s; per repository median "
          f"{statistics.median(secs):.2f}s, p90 {q:.2f}s, max {secs[-1]:.2f}s, sum {sum(secs):.1f}s; "
          f"check alone median {statistics.median(checks):.2f}s, max {checks[-1]:.2f}s; "
          f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
