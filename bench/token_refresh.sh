#!/usr/bin/env bash
# Steady tool calls for a minute against the Python SDK's OAuth server with 2-second tokens
# and rotating refresh tokens, once with proactive refresh (the default) and once with
# refresh only on 401, as a comparison. Prints failed calls, refreshes, and how many requests
# carried an expired access token (counted by the server).
#   bench/token_refresh.sh [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
seconds="${1:-60}"
interval=0.5
calls=$(awk -v s="$seconds" -v i="$interval" 'BEGIN { printf "%d", s / i }')

scripts/setup.sh
integration/interop/setup_venv.sh >/dev/null
PY=.venv-interop/bin/python
mcptop="$(scripts/build-release.sh -q mcptop)/mcptop"

work="$(mktemp -d)"
"$PY" -u integration/interop/py_oauth_server.py --port 0 --token-lifetime 2 >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 200); do grep -q '^listening ' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
url="$(sed -n 's/^listening //p' "$work/server.out")"
base="${url%/mcp}"
stat() { curl -s "$base/_stats" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

printf '%-34s %6s %7s %10s %22s\n' "mode" "calls" "failed" "refreshes" "expired-token requests"
for mode in proactive reactive; do
    proactive=true
    [ "$mode" = reactive ] && proactive=false
    printf '{"mcpServers": {"py": {"url": "%s", "oauth": {"proactiveRefresh": %s}}}}\n' "$url" "$proactive" >"$work/$mode.json"
    export MCPTOP_STATE_DIR="$work/state-$mode"
    BROWSER="$PWD/integration/interop/browser.sh" "$mcptop" --config "$work/$mode.json" auth py >/dev/null 2>&1
    refreshes=$(stat refreshes)
    expired=$(stat rejected_expired)
    ok=$("$mcptop" --config "$work/$mode.json" call py echo --args '{"text":"tick"}' --repeat "$calls" \
        --interval "$interval" 2>/dev/null | grep -c '^tick$' || true)
    label="$mode (2 s tokens, ${seconds} s)"
    printf '%-34s %6d %7d %10d %22d\n' "$label" "$calls" $((calls - ok)) $(($(stat refreshes) - refreshes)) \
        $(($(stat rejected_expired) - expired))
done
