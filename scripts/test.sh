#!/usr/bin/env bash
# The whole test suite: what `make test` and CI run.
#   1. setup (system packages), 2. build, 3. swift test (unit + loopback integration),
#   4. format lint and the shipped Prometheus rules (promtool), 5. the shipped systemd units
#   (systemd-analyze verify, skipped where it cannot run), then the integration/ scripts:
#   interop with the official Python MCP SDK (protocol, OAuth, its client through proxy and
#   serve), the binary end to end (tmux, hostile servers, a fault matrix, demo and install), a
#   fleet of three watches under Prometheus and Alertmanager, and a short run of each fuzz
#   target (Fuzz/); last, the OTLP build and its receiver.
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

echo "== prometheus rules (contrib/prometheus)"
promtool check rules contrib/prometheus/mcptop.rules.yml
promtool test rules contrib/prometheus/tests/*.yml

# The end-to-end scripts drive the debug binary; each runs even when one before it failed,
# and the run fails at the end, naming them.
export MCPTOP
MCPTOP="$(swift build --show-bin-path)/mcptop"
failed=()
run() {  # run TITLE SCRIPT [ARGUMENT…]
    echo "== $1"
    "${@:2}" || failed+=("${*:2}")
}
run "systemd units (contrib/systemd): systemd-analyze verify" scripts/verify-units.sh
run "interop" integration/interop/run.sh
run "interop: OAuth" integration/interop/oauth.sh
run "interop: proxy and serve (the Python SDK client through mcptop)" integration/interop/proxy.sh
run "dashboard end to end (tmux)" integration/e2e/dashboard.sh
run "keys the terminal sends (tmux)" integration/e2e/keys.sh
run "hung and hostile servers: deadlines, signals, exit status" integration/e2e/hangs.sh
run "proxy: what a stdio client asked before closing stdin is answered" integration/e2e/stdio_eof.sh
run "a hostile server, one mode per attack: hangs at each step, huge, endless and slow bodies, redirects, foreign metadata, absurd numbers, 100k tools" integration/e2e/hostile.sh
run "a fault matrix: damaged store, token endpoint failures, revocations, 404 sessions, restarts, a cut stream, a full disk, dashboards + watch + proxies on one store" integration/e2e/faults.sh
run "a dashboard you can trust (tmux)" integration/e2e/trust.sh
run "other clients: import, their tokens, read-only (tmux)" integration/e2e/others.sh
run "the shipped binary: demo server beside it, make install and uninstall" integration/e2e/demo_install.sh
run "HTTPS_PROXY and NO_PROXY, an MCP server over TLS with a CA of one's own" integration/e2e/proxy.sh
run "auth --device: the code, a QR code ZBar reads, the login approved elsewhere" integration/e2e/device.sh
run "the dashboard's device login at 80x24 (tmux)" integration/e2e/device_dashboard.sh
run "a fleet: three hosts, real Prometheus and Alertmanager, faults injected" integration/fleet/fleet.sh
run "fuzzing: every libFuzzer target for 3 s on its seeds (scripts/fuzz)" scripts/fuzz all 3
# Last, as it rebuilds the package with the OTLP trait on (swift-otel), into the same folder.
echo "== build with --traits OTLP"
if quiet swift build --traits OTLP --product mcptop; then
    run "OTLP traces from watch, proxy and serve to a receiver on the official protobuf definitions" \
        integration/otlp/otlp.sh
else
    failed+=("swift build --traits OTLP")
fi
if ((${#failed[@]} > 0)); then
    echo "failed: ${failed[*]}" >&2
    exit 1
fi
