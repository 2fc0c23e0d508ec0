#!/usr/bin/env bash
# Per-call latency: N sequential `tools/call echo` on one connection, mcptop's client against
# the official Python SDK client, on the same servers in the same run, for both revisions.
# Servers: DemoServer (fast, so the clients' own cost shows) and the Python SDK's own server
# (uvicorn, what many real servers run). Prints a table with mcptop/python ratios.
#   bench/call_latency.sh [CALLS]   (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
calls="${1:-500}"

. bench/lib.sh
bin="$(scripts/build-release.sh -q mcptop-bench-client mcptop-demo-server)"

# name|label|command: the servers compared, each started once.
servers=(
    "demo|DemoServer, JSON|$bin/mcptop-demo-server --json"
    "demo_sse|DemoServer, SSE|$bin/mcptop-demo-server"
    "python|Python SDK, JSON|$PY -u integration/interop/py_server.py --transport streamable --json-response"
    "python_sse|Python SDK, SSE|$PY -u integration/interop/py_server.py --transport streamable"
    "python_nagle|Python SDK, JSON, Nagle on|$PY -u integration/interop/py_server.py --transport streamable --json-response --nagle"
)

ms() { sed -E 's/.*"ms_per_call": ?([0-9.e+-]+).*/\1/'; }

printf '%-28s %-11s %10s %10s %7s\n' "server" "revision" "mcptop ms" "python ms" "ratio"
for entry in "${servers[@]}"; do
    IFS='|' read -r name label command <<<"$entry"
    # shellcheck disable=SC2086
    start "$name" $command
    for version in 2025-11-25 2026-07-28; do
        mode=legacy
        [ "$version" = 2026-07-28 ] && mode=auto
        mcptop_ms="$("$bin/mcptop-bench-client" "$url" "$version" "$calls" | ms)"
        python_ms="$("$PY" integration/interop/py_client_bench.py "$url" --mode "$mode" --calls "$calls" | ms)"
        ratio="$(awk -v a="$mcptop_ms" -v b="$python_ms" 'BEGIN { printf "%.2f", a / b }')"
        printf '%-28s %-11s %10.3f %10.3f %7s\n' "$label" "$version" "$mcptop_ms" "$python_ms" "$ratio"
    done
done
