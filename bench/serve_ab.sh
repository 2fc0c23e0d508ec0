#!/usr/bin/env bash
# One `mcptop serve` binary against another, in the same run: both serve the same demo server
# side by side; curl sends batches of the same 2026-07-28 tools/call to each in turn (median per
# batch, and each serve's voluntary context switches per call), then the official Python SDK
# client calls both in pairs (bench/paired_latency.py, A as "direct"), in both of its modes.
# For a change to the broker or the HTTP client: build A from the commit before it.
#   bench/serve_ab.sh A_MCPTOP B_MCPTOP [CALLS [ROUNDS]]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
[ $# -ge 2 ] || { echo "usage: bench/serve_ab.sh A_MCPTOP B_MCPTOP [CALLS [ROUNDS]]" >&2; exit 2; }
a="$(realpath "$1")" b="$(realpath "$2")"
calls="${3:-300}"
rounds="${4:-6}"
. bench/lib.sh
bin="$(scripts/build-release.sh -q mcptop-demo-server)"
start demo "$bin/mcptop-demo-server" --json
echo "{\"mcpServers\": {\"demo\": {\"url\": \"$url\"}}}" >"$work/config.json"
common=(--config "$work/config.json" --state-dir "$work/state")
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# One state folder, its token made before either serve starts (a build older than the fix to
# LocalToken could each make one of its own when started at once).
token="$("$a" "${common[@]}" serve --print-token)"
port_a="$(free_port)" port_b="$(free_port)"
"$a" "${common[@]}" serve --listen "127.0.0.1:$port_a" >/dev/null 2>&1 &
serve_a=$!
pids+=($serve_a)
"$b" "${common[@]}" serve --listen "127.0.0.1:$port_b" >/dev/null 2>&1 &
serve_b=$!
pids+=($serve_b)
for port in "$port_a" "$port_b"; do
    for _ in $(seq 100); do curl -fsS --noproxy '*' "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
done

printf '%s' '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}' >"$work/body"
curl_median() {  # curl_median PORT
    : >"$work/curl.cfg"
    for index in $(seq "$calls"); do
        {
            ((index > 1)) && printf 'next\n'
            printf 'url = "http://127.0.0.1:%s/demo/mcp"\nheader = "Content-Type: application/json"\n' "$1"
            printf 'header = "Accept: application/json, text/event-stream"\nheader = "MCP-Protocol-Version: 2026-07-28"\n'
            printf 'header = "Mcp-Method: tools/call"\nheader = "Mcp-Name: echo"\nheader = "Authorization: Bearer %s"\n' "$token"
            printf 'data = "@%s"\nwrite-out = "%%{time_total}\\n"\noutput = "/dev/null"\n' "$work/body"
        } >>"$work/curl.cfg"
    done
    curl -s --noproxy '*' -K "$work/curl.cfg" | sort -n | awk '{ t[NR] = $1 } END { printf "%.3f", t[int((NR + 1) / 2)] * 1000 }'
}
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'; }
printf '%-6s %8s %8s %8s %18s\n' round A B "B - A" "switches/call A B"
for round in $(seq "$rounds"); do
    before="$(switches "$serve_a")"
    time_a="$(curl_median "$port_a")"
    switches_a=$(($(switches "$serve_a") - before))
    before="$(switches "$serve_b")"
    time_b="$(curl_median "$port_b")"
    switches_b=$(($(switches "$serve_b") - before))
    awk -v r="$round" -v a="$time_a" -v b="$time_b" -v sa="$switches_a" -v sb="$switches_b" -v c="$calls" \
        'BEGIN { printf "%-6s %8.3f %8.3f %+8.3f %9.1f %8.1f\n", r, a, b, b - a, sa / c, sb / c }'
done
echo "(curl: median ms per call of $calls on one keep-alive connection)"
for mode in legacy auto; do
    "$PY" bench/paired_latency.py --direct "http://127.0.0.1:$port_a/demo/mcp" --direct-token="$token" \
        --bridge-url "http://127.0.0.1:$port_b/demo/mcp" --token="$token" --mode "$mode" --calls "$calls" |
        "$PY" -c 'import json,sys; r=json.load(sys.stdin); print("python %-7s A %.3f  B %.3f  B - A %+.3f  (middle half %.3f to %.3f)" % (sys.argv[1], r["direct_ms"], r["bridged_ms"], r["added_ms"], *r["added_iqr_ms"]))' "$mode"
done
