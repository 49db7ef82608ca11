#!/usr/bin/env bash
# Create .venv (once) and install gofix-linkname into it, with the test tools or the
# benchmark peers (rg, ast-grep) when asked:
#   scripts/setup.sh [test|bench]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
extra=""
[ "${1:-}" = "test" ] && extra="[test]"
[ "${1:-}" = "bench" ] && extra="[test,bench]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra}" 2> >(grep -v '^WARNING: Location' >&2)
