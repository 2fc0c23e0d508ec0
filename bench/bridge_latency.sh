#!/usr/bin/env bash
# What `mcptop proxy` and `mcptop serve` add to a call: the official Python SDK client calls
# `echo` on the same DemoServer directly, through `mcptop proxy` (stdio) and through
# `mcptop serve` (Streamable HTTP), in both of its modes, in the same run. Prints the median per
# call of each and the difference; also the resident memory of a proxy process and of serve
# with one and with three clients attached.
#   bench/bridge_latency.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
calls="${1:-300}"
scripts/setup.sh
integration/interop/setup_venv.sh >/dev/null
PY="$PWD/.venv-interop/bin/python"
bin="$(scripts/build-release.sh -q mcptop mcptop-demo-server)"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/mcptop-demo-server" --json >"$work/server.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$work/server.out" && break; sleep 0.05; done
url="$(sed -n 's/^listening //p' "$work/server.out")"
cat >"$work/config.json" <<EOF2
{"mcpServers": {"demo": {"url": "$url"}}}
EOF2
common=(--config "$work/config.json" --state-dir "$work/state")
port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin/mcptop" "${common[@]}" serve --listen "127.0.0.1:$port" >/dev/null 2>&1 &
serve=$!
pids+=($serve)
for _ in $(seq 100); do curl -fsS --noproxy '*' "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
token="$("$bin/mcptop" "${common[@]}" serve --print-token)"
client() { "$PY" integration/interop/py_proxy_client.py --calls "$calls" --warmup 20 "$@" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])'; }
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

printf '%-8s %10s %10s %10s %12s %12s\n' mode direct proxy serve "proxy adds" "serve adds"
for mode in legacy auto; do
    direct="$(client --url "$url" --mode "$mode")"
    proxy="$(client --mcptop "$bin/mcptop" "${common[@]}" --server demo --mode "$mode")"
    served="$(client --url "http://127.0.0.1:$port/demo/mcp" --token "$token" --mode "$mode")"
    awk -v m="$mode" -v d="$direct" -v p="$proxy" -v s="$served" \
        'BEGIN { printf "%-8s %10.3f %10.3f %10.3f %12.3f %12.3f\n", m, d, p, s, p - d, s - d }'
done
echo "(median ms per call, $calls calls each, after 20 untimed)"

# Memory: a proxy process holding one client, and serve before and with three clients.
mkfifo "$work/in"
"$bin/mcptop" "${common[@]}" proxy demo <"$work/in" >/dev/null 2>&1 &
proxy_pid=$!
pids+=($proxy_pid)
exec 3>"$work/in"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' >&3
printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}' >&3
sleep 1
echo "proxy process with one client: $(rss "$proxy_pid") MiB resident"
exec 3>&-
before="$(rss "$serve")"
clients=()
for _ in 1 2 3; do
    "$PY" integration/interop/py_proxy_client.py --url "http://127.0.0.1:$port/demo/mcp" --token "$token" --mode legacy \
        --calls 50 >/dev/null &
    clients+=($!)
done
wait "${clients[@]}" || true
echo "serve: $before MiB resident idle, $(rss "$serve") MiB after three clients"
