#!/usr/bin/env bash
# What `mcptop proxy` and `mcptop serve` add to a call: the official Python SDK client calls
# `echo` on the same DemoServer directly, through `mcptop proxy` (stdio) and through
# `mcptop serve` (Streamable HTTP), in both of its modes, in the same run. Prints the median per
# call of each and the difference; then the same in pairs of alternating calls from one client
# process (bench/paired_latency.py), which takes the client's run-to-run drift out. Then the same through curl (one keep-alive connection, no
# MCP client library), which shows what `serve` itself adds; and the memory of proxy processes
# (resident, and the private part each further client adds) and of serve with three clients.
#   bench/bridge_latency.sh [CALLS [ROUNDS]]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
calls="${1:-300}"
rounds="${2:-5}"
. bench/lib.sh
bin="$(scripts/build-release.sh -q mcptop mcptop-demo-server)"
start demo "$bin/mcptop-demo-server" --json
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

# The client's own timing moves by half a millisecond from one run to the next (its direct
# column alone), so each mode runs in $rounds rounds of direct, proxy and serve back to back,
# and what the bridges add is the median of the rounds' differences, not of three lone runs.
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-8s %10s %10s %10s %12s %12s\n' mode direct proxy serve "proxy adds" "serve adds"
for mode in legacy auto; do
    : >"$work/rounds"
    for _ in $(seq "$rounds"); do
        direct="$(client --url "$url" --mode "$mode")"
        proxy="$(client --mcptop "$bin/mcptop" "${common[@]}" --server demo --mode "$mode")"
        served="$(client --url "http://127.0.0.1:$port/demo/mcp" --token="$token" --mode "$mode")"
        echo "$direct $proxy $served" >>"$work/rounds"
    done
    column() { awk "{ print $1 }" "$work/rounds" | median; }
    printf '%-8s %10.3f %10.3f %10.3f %12.3f %12.3f   (serve adds per round: %s)\n' "$mode" \
        "$(column '$1')" "$(column '$2')" "$(column '$3')" "$(column '$2 - $1')" "$(column '$3 - $1')" \
        "$(awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $3 - $1 }' "$work/rounds")"
done
echo "(median over $rounds rounds of each round's median ms per call, $calls calls each after 20 untimed)"

# The same in pairs: one client process with a session straight to the server and one through
# the bridge, calls alternating between them (bench/paired_latency.py), so the load on the two
# cores and the client's own state are the same for both calls of a pair. What the bridge adds
# is the median of the pairs' differences, with the middle half of them.
printf '%-8s %-6s %10s %10s %10s   %s\n' mode bridge direct bridged adds "(middle half of the pairs)"
paired() {  # paired MODE BRIDGE ARGS...
    "$PY" bench/paired_latency.py --direct "$url" --mode "$1" --calls "$calls" "${@:3}" |
        "$PY" -c 'import json,sys; r=json.load(sys.stdin); print("%-8s %-6s %10.3f %10.3f %10.3f   (%.3f to %.3f)" % (r["mode"], sys.argv[1], r["direct_ms"], r["bridged_ms"], r["added_ms"], *r["added_iqr_ms"]))' "$2"
}
for mode in legacy auto; do
    paired "$mode" serve --bridge-url "http://127.0.0.1:$port/demo/mcp" --token="$token"
    paired "$mode" proxy --bridge-command "$bin/mcptop ${common[*]} proxy demo"
done

# The broker alone: curl sends the same 2026-07-28 tools/call on one keep-alive connection,
# directly and through serve; libcurl's own time per request, median of $calls.
printf '%s' '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}' >"$work/body"
curl_median() {  # curl_median URL [HEADER]
    : >"$work/curl.cfg"
    for index in $(seq "$calls"); do
        {
            ((index > 1)) && printf 'next\n'
            printf 'url = "%s"\nheader = "Content-Type: application/json"\n' "$1"
            printf 'header = "Accept: application/json, text/event-stream"\nheader = "MCP-Protocol-Version: 2026-07-28"\n'
            printf 'header = "Mcp-Method: tools/call"\nheader = "Mcp-Name: echo"\n'
            [ -n "${2:-}" ] && printf 'header = "%s"\n' "$2"
            printf 'data = "@%s"\nwrite-out = "%%{time_total}\\n"\noutput = "/dev/null"\n' "$work/body"
        } >>"$work/curl.cfg"
    done
    curl -s --noproxy '*' -K "$work/curl.cfg" | sort -n | awk '{ t[NR] = $1 } END { printf "%.3f", t[int((NR + 1) / 2)] * 1000 }'
}
# And the thread hand-offs per call: each process's voluntary context switches (all its
# threads) over the run, divided by the calls.
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'; }
demo_pid="${pids[0]}"
demo_before="$(switches "$demo_pid")"
direct="$(curl_median "$url")"
demo_direct=$(($(switches "$demo_pid") - demo_before))
demo_before="$(switches "$demo_pid")" serve_before="$(switches "$serve")"
served="$(curl_median "http://127.0.0.1:$port/demo/mcp" "Authorization: Bearer $token")"
serve_switches=$(($(switches "$serve") - serve_before))
awk -v d="$direct" -v s="$served" 'BEGIN { printf "curl     %10.3f %10s %10.3f %12s %12.3f\n", d, "-", s, "-", s - d }'
awk -v c="$calls" -v d="$demo_direct" -v s="$serve_switches" \
    'BEGIN { printf "voluntary context switches per call: the demo server %.1f, serve %.1f\n", d / c, s / c }'

# Memory: proxy processes holding one client each after a call. A proxy's resident set is
# mostly the binary's and the libraries' pages, shared by every mcptop process on the machine;
# what each further client adds is the proxy's private memory (USS: Private_Clean +
# Private_Dirty in /proc/PID/smaps_rollup).
uss() { awk '/^Private_(Clean|Dirty):/ { kb += $2 } END { printf "%.1f", kb / 1024 }' "/proc/$1/smaps_rollup"; }
proxies=()
for index in 1 2 3; do
    mkfifo "$work/in$index"
    "$bin/mcptop" "${common[@]}" proxy demo <"$work/in$index" >/dev/null 2>&1 &
    proxies+=($!)
    pids+=($!)
    exec {fd}>"$work/in$index"
    printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' >&$fd
    printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}' >&$fd
done
sleep 1
for proxy_pid in "${proxies[@]}"; do
    echo "proxy $proxy_pid with one client: $(rss "$proxy_pid") MiB resident, $(uss "$proxy_pid") MiB private (added per client)"
done
before="$(rss "$serve")"
clients=()
for _ in 1 2 3; do
    "$PY" integration/interop/py_proxy_client.py --url "http://127.0.0.1:$port/demo/mcp" --token="$token" --mode legacy \
        --calls 50 >/dev/null &
    clients+=($!)
done
wait "${clients[@]}" || true
echo "serve: $before MiB resident idle, $(rss "$serve") MiB after three clients"
