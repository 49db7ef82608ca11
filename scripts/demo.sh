#!/usr/bin/env bash
# Quick start, part one: set up, then show what gofix-linkname finds in the bundled example
# module and the diff --apply would write (a dry run: nothing is changed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
set +e
.venv/bin/gofix-linkname ./examples/... "$@"
rc=$?
set -e
# Exit 1 means "findings": exactly what the example module is for.
[ "$rc" -le 1 ] || exit "$rc"
