#!/usr/bin/env bash
# The whole test suite: what `make test` and CI run.
#   1. setup (system packages), 2. build, 3. swift test (unit + loopback integration),
#   4. interop against the official Python MCP SDK and a stdio server, 5. format lint.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

scripts/setup.sh

# Runs a command, hiding the build's progress lines and a dependency's harmless warning
# about its CMakeLists.txt; with pipefail a failing command still fails the script.
quiet() {
    "$@" 2>&1 | { grep --line-buffered -vE "found 1 file\(s\) which are unhandled|CMakeLists.txt$|^\[[0-9]+/[0-9]+\] " || true; }
}

echo "== build"
quiet swift build --build-tests

echo "== swift test"
SNAPSHOT_TESTING_RECORD=never quiet swift test

echo "== format"
swift format lint --strict --recursive Sources Tests

echo "== interop"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/interop/run.sh

echo "== interop: OAuth"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/interop/oauth.sh

echo "== interop: proxy and serve (the Python SDK client through mcptop)"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/interop/proxy.sh

echo "== dashboard end to end (tmux)"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/e2e/dashboard.sh

echo "== keys the terminal sends (tmux)"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/e2e/keys.sh

echo "== hung and hostile servers: deadlines, signals, exit status"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/e2e/hangs.sh

echo "== a dashboard you can trust (tmux)"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/e2e/trust.sh

echo "== the shipped binary: demo server beside it, make install and uninstall"
MCPTOP="$(swift build --show-bin-path)/mcptop" integration/e2e/demo_install.sh
