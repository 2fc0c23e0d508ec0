#!/usr/bin/env bash
# `mcptop proxy` answers what a stdio client asked before closing stdin (the stdio transport:
# the client closes stdin to end the session), with the real binary and the demo server:
#
#   MCPTOP=/path/to/mcptop integration/e2e/stdio_eof.sh
#
# A client that writes initialize, initialized and two calls (one slow) and closes stdin at once
# gets every answer, then the proxy exits 0; SIGTERM while a slow answer is awaited after the
# end of stdin stops the proxy at once (143). Needs mcptop-demo-server beside $MCPTOP (or
# MCPTOP_DEMO_SERVER) and python3.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"
find_binaries

start_server demo "$demo"
url="$(awk '/^listening/ { print $2 }' "$work/demo.stdout")"
export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
echo "{\"mcpServers\": {\"demo\": {\"url\": \"$url\"}}}" >"$MCPTOP_CONFIG"

init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"eof-check","version":"1"}}}'
initialized='{"jsonrpc":"2.0","method":"notifications/initialized"}'
echo_call='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}'
slow_call='{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"slow","arguments":{"steps":2,"delayMs":1000}}}'
printf '%s\n' "$init" "$initialized" "$echo_call" "$slow_call" >"$work/requests"
# proxy REQUESTS: `mcptop proxy demo` reading REQUESTS, which ends right after the last line.
proxy() { exec "$M" proxy demo <"$1"; }

echo "# stdin closed right after the requests: every answer is written before the proxy exits"
bounded "the proxy answers initialize, echo and a 2-second call, then exits 0" 30 0 -- proxy "$work/requests"
answered="$(python3 -c '
import json, sys
ids = []
for line in open(sys.argv[1]):
    message = json.loads(line)
    if "result" in message and not message["result"].get("isError"):
        ids.append(message["id"])
print(" ".join(map(str, sorted(ids))))' "$work/out" 2>&1)"
if [[ "$answered" == "1 2 3" ]]; then pass "answers to requests 1, 2 and 3 on stdout"; else fail "answered: '$answered'"; fi

echo "# SIGTERM while a slow answer is awaited after the end of stdin: stopped at once"
slow_call='{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"slow","arguments":{"steps":3,"delayMs":10000}}}'
printf '%s\n' "$init" "$initialized" "$slow_call" >"$work/slow-requests"
proxy "$work/slow-requests" >"$work/out" 2>"$work/err" &
pid=$!
sleep 2
kill -TERM "$pid"
judge "SIGTERM ends the wait for the 30-second call at once, exit 143" 5 143 "" "$pid" "$(now)" "$work/out" "$work/err"

echo "$passed passed, $failed failed"
((failed == 0))
