#!/usr/bin/env bash
# OTLP export end to end: `mcptop watch` (built with `--traits OTLP`) sends its traces to a
# receiver built on OpenTelemetry's official protobuf definitions (receiver.py); the spans are
# checked for their names and attributes (MCP semantic conventions) and the bodies for the
# absence of every stored token.
#
#   MCPTOP=/path/to/mcptop-built-with-OTLP integration/otlp/otlp.sh
#
# Prints `ok - …` / `not ok - …` per check and `N passed, M failed`; exits 1 if any failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
DEMO="$(dirname "$MCPTOP")/mcptop-demo-server"
export NO_PROXY='*' no_proxy='*'

# The receiver's virtualenv, made once per requirements file.
venv="${OTLP_VENV:-$repo/.venv-otlp}"
stamp="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q -r "$here/requirements.txt" >&2 &&
        echo "$stamp" >"$venv/.stamp" || { echo "otlp.sh: cannot install $here/requirements.txt" >&2; exit 1; }
fi

NAME=otlp.sh KEEP=OTLP_KEEP
. "$repo/integration/lib/checks.sh"

"$venv/bin/python" -u "$here/receiver.py" "$work" >"$work/receiver.out" 2>"$work/receiver.err" </dev/null &
pids+=("$!")
wait_line "$work/receiver.out" '^listening ' "the receiver"
endpoint="$(sed -n 's/^listening //p' "$work/receiver.out")"
"$DEMO" --oauth --token-lifetime 2 >"$work/demo.out" 2>"$work/demo.err" </dev/null &
pids+=("$!")
wait_line "$work/demo.out" '^listening ' "the demo server"
url="$(sed -n 's/^listening //p' "$work/demo.out")"
issuer_host="${url#http://}"
issuer_host="${issuer_host%%/*}"

export MCPTOP_STATE_DIR="$work/state" XDG_RUNTIME_DIR="$work/run"
export MCPTOP_CONFIG="$work/config.json"
mkdir -p "$work/run" && chmod 700 "$work/run"
echo "{\"mcpServers\": {\"demo\": {\"url\": \"$url\"}}}" >"$MCPTOP_CONFIG"
check "logs in to the demo server" env BROWSER="$repo/integration/interop/browser.sh" "$MCPTOP" auth demo

OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" "$MCPTOP" watch --json --duration 8 \
    >"$work/watch.out" 2>"$work/watch.err" </dev/null &
watch=$!
sleep 3
check "a client calls echo through mcptop proxy while watch runs" \
    python3 "$here/../fleet/stdio_call.py" "$MCPTOP" proxy demo
wait "$watch"
if grep -q "built without OTLP export" "$work/watch.err"; then
    echo "not ok - $MCPTOP was built without OTLP export: swift build --traits OTLP"
    exit 1
fi

spans() {  # spans PYTHON-EXPRESSION-ON-s: the spans for which it holds, one JSON line each
    python3 -c "
import json, sys
found = [s for s in map(json.loads, open('$work/spans.jsonl')) if ($1)]
for s in found: print(json.dumps(s, sort_keys=True))
sys.exit(0 if found else 1)"
}
check "the tool call is a client span 'tools/call echo' after the MCP semantic conventions" spans \
    "s['name'] == 'tools/call echo' and s['kind'] == 3 and s['end'] > s['start']
     and s['attributes'].get('mcp.method.name') == 'tools/call'
     and s['attributes'].get('gen_ai.tool.name') == 'echo'
     and s['attributes'].get('gen_ai.operation.name') == 'execute_tool'
     and s['attributes'].get('mcp.protocol.version', '') != ''
     and s['attributes'].get('mcptop.client.name') == 'otlp-check'
     and s['attributes'].get('mcptop.bridge') == 'proxy' and s['service'] == 'mcptop'"
check "refreshes are spans with the endpoint host, grant type and outcome" spans \
    "s['name'] == 'oauth refresh' and s['attributes'].get('server.address') == '$issuer_host'
     and s['attributes'].get('mcptop.oauth.grant_type') == 'refresh_token'
     and s['attributes'].get('http.response.status_code') == 200
     and s['attributes'].get('mcptop.oauth.outcome') == 'ok' and s['end'] >= s['start']"
check "no span carries mcp.session.id" bash -c "! grep -q 'mcp.session.id' '$work/spans.jsonl'"
no_secret() {  # no stored token or client secret is in any OTLP body
    python3 "$repo/integration/lib/no_stored_secret.py" "$work/state" -- "$work/bodies.bin"
}
check "no stored token appears in what was exported" no_secret
summary
