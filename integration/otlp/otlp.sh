#!/usr/bin/env bash
# OTLP export end to end: `mcptop watch`, `proxy` and `serve` (built with `--traits OTLP`) send
# their traces and metrics to a receiver built on OpenTelemetry's official protobuf definitions
# (receiver.py); the spans are checked for their names and attributes (MCP semantic
# conventions), a refresh nested in the bridged call that needed it; the metrics of watch
# against its Prometheus exposition, those of proxy and serve (told apart by
# OTEL_RESOURCE_ATTRIBUTES=service.instance.id=…) for the bridged calls by client and the
# refreshes their 2-second tokens needed; and the bodies for the absence of every stored token
# and of serve's local token.
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

# watch exports traces and metrics (every second here), and serves the same metrics to
# Prometheus: the two are compared.
OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" OTEL_METRIC_EXPORT_INTERVAL=1000 \
    "$MCPTOP" watch --json --duration 8 --health-interval 2 --metrics 127.0.0.1:0 >"$work/watch.out" 2>"$work/watch.err" </dev/null &
watch=$!
wait_line "$work/watch.err" '^metrics on ' "mcptop watch"
scrape="$(sed -n 's/^metrics on //p' "$work/watch.err")"
sleep 2
check "a client calls echo through mcptop proxy while watch runs" \
    python3 "$here/../fleet/stdio_call.py" "$MCPTOP" proxy demo
sleep 1  # late in the run, so every family OTLP sends by the end is in the scrape too
curl -sf --max-time 5 "$scrape" >"$work/prometheus.txt"
wait "$watch"
if grep -q "built without OTLP export" "$work/watch.err"; then
    echo "not ok - $MCPTOP was built without OTLP export: swift build --traits OTLP"
    exit 1
fi

# A second server that keeps sessions (2025-11-25 only) and forgets them when told (its
# --control FIFO), for the bridges to renew one: proxy and serve count each renewal.
mkfifo "$work/control"
"$DEMO" --no-stateless --control "$work/control" >"$work/sessions.out" 2>"$work/sessions.err" </dev/null &
pids+=("$!")
wait_line "$work/sessions.out" '^listening ' "the demo server with sessions"
sessions_url="$(sed -n 's/^listening //p' "$work/sessions.out")"
echo "{\"mcpServers\": {\"demo\": {\"url\": \"$url\"}, \"sessions\": {\"url\": \"$sessions_url\"}}}" >"$MCPTOP_CONFIG"
cat >"$work/forget-sessions" <<EOF2
#!/usr/bin/env bash
# forget-sessions N: the server forgets every session, and has said so (its Nth time).
printf 'forget-sessions\n' >"$work/control"
for _ in \$(seq 200); do
    ((\$(grep -c '^forget-sessions done' "$work/sessions.out") >= \$1)) && exit 0
    sleep 0.05
done
exit 1
EOF2
chmod +x "$work/forget-sessions"

# proxy: a stdio client (2025-11-25) calls echo twice, 3 s apart (2-second tokens: the second
# call's token is refreshed inside it). OTEL_TRACES_EXPORTER=console would write spans to
# stdout, the protocol's: mcptop ignores it, says so, and stdout stays JSON-RPC.
proxy_calls() {
    OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" OTEL_TRACES_EXPORTER=console OTEL_METRIC_EXPORT_INTERVAL=1000 \
        OTEL_RESOURCE_ATTRIBUTES=service.instance.id=otlp-proxy \
        python3 "$here/../fleet/stdio_call.py" --client otlp-proxy --again 3 "$MCPTOP" proxy demo 2>"$work/proxy.err"
}
check "a client calls echo twice through mcptop proxy, which exports its spans" proxy_calls
check "proxy said it ignores OTEL_TRACES_EXPORTER=console" \
    grep -q "OTEL_TRACES_EXPORTER=console ignored" "$work/proxy.err"
proxy_renewal() {  # between two calls the server forgets its session; proxy makes a new one
    OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" OTEL_METRIC_EXPORT_INTERVAL=1000 \
        OTEL_RESOURCE_ATTRIBUTES=service.instance.id=otlp-proxy \
        python3 "$here/../fleet/stdio_call.py" --client otlp-proxy --between "$work/forget-sessions 1" \
        "$MCPTOP" proxy sessions 2>"$work/proxy-sessions.err"
}
check "a client's second call through proxy succeeds after the server forgot the session" proxy_renewal

# serve: a 2026-07-28 client (stateless) calls echo twice, 3 s apart.
token="$("$MCPTOP" serve --print-token)"
OTEL_EXPORTER_OTLP_ENDPOINT="$endpoint" OTEL_RESOURCE_ATTRIBUTES=service.instance.id=otlp-serve \
    "$MCPTOP" serve --listen 127.0.0.1:0 --duration 20 \
    >"$work/serve.out" 2>"$work/serve.err" </dev/null &
serve=$!
pids+=("$serve")
wait_line "$work/serve.err" '^serving demo at ' "mcptop serve"
serve_url="$(sed -n 's/^serving demo at //p' "$work/serve.err")"
check "a client calls echo twice through mcptop serve" python3 "$here/serve_calls.py" 3 "$serve_url" "$token"
serve_renewal() {  # calls before and after the server forgot serve's session with it
    python3 "$here/serve_calls.py" 0 "${serve_url%/demo/mcp}/sessions/mcp" "$token" && "$work/forget-sessions" 2 &&
        python3 "$here/serve_calls.py" 0 "${serve_url%/demo/mcp}/sessions/mcp" "$token"
}
check "calls through serve succeed after the server forgot serve's session" serve_renewal
kill -TERM "$serve" && wait "$serve"
check "serve stopped on SIGTERM after sending its spans and metrics" test "$?" -eq 0

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
own_request() {  # own_request METHOD: watch's client span of a request of its own to demo
    spans "s['name'] == '$1' and s['kind'] == 3 and s['end'] >= s['start']
        and s['attributes'].get('mcp.method.name') == '$1'
        and s['attributes'].get('mcp.protocol.version', '') != ''
        and s['attributes'].get('mcptop.server.name') == 'demo' and 'mcptop.bridge' not in s['attributes']
        and 'error.type' not in s['attributes']"
}
check "watch's handshake is a client span ('server/discover', 2026-07-28)" own_request server/discover
check "watch's listing of the tools is a client span 'tools/list'" own_request tools/list
check "watch's health checks are client spans too" bash -c \
    "[ \$(grep -c '\"name\": \"server/discover\"' '$work/spans.jsonl') -ge 3 ]"
check "refreshes are spans with the endpoint host, grant type and outcome" spans \
    "s['name'] == 'oauth refresh' and s['attributes'].get('server.address') == '$issuer_host'
     and s['attributes'].get('mcptop.oauth.grant_type') == 'refresh_token'
     and s['attributes'].get('http.response.status_code') == 200
     and s['attributes'].get('mcptop.oauth.outcome') == 'ok' and s['end'] >= s['start']"
bridged() {  # bridged VIA CLIENT REVISION TRANSPORT: the bridge's span of a client's echo call
    spans "s['name'] == 'tools/call echo' and s['kind'] == 2 and s['end'] > s['start']
        and s['attributes'].get('mcp.method.name') == 'tools/call'
        and s['attributes'].get('gen_ai.tool.name') == 'echo'
        and s['attributes'].get('gen_ai.operation.name') == 'execute_tool'
        and s['attributes'].get('mcptop.bridge') == '$1' and s['attributes'].get('mcptop.client.name') == '$2'
        and s['attributes'].get('mcp.protocol.version') == '$3'
        and s['attributes'].get('network.transport') == '$4'
        and s['attributes'].get('mcptop.server.name') == 'demo'
        and s['attributes'].get('jsonrpc.request.id', '') != '' and 'error.type' not in s['attributes']"
}
check "proxy: a server span 'tools/call echo' per call (MCP semantic conventions, 2025-11-25, pipe)" \
    bridged proxy otlp-proxy 2025-11-25 pipe
check "proxy: the client's initialize is a span too" \
    spans "s['name'] == 'initialize' and s['kind'] == 2 and s['attributes'].get('mcptop.bridge') == 'proxy'
           and s['attributes'].get('mcp.method.name') == 'initialize'"
check "serve: a server span 'tools/call echo' per call (2026-07-28, tcp)" bridged serve otlp-serve 2026-07-28 tcp
refresh_inside() {  # refresh_inside VIA: a refresh whose parent is that bridge's tools/call span
    python3 -c "
import json, sys
spans = [json.loads(line) for line in open('$work/spans.jsonl')]
calls = {(s['trace'], s['id']) for s in spans
         if s['name'] == 'tools/call echo' and s['attributes'].get('mcptop.bridge') == '$1'}
inside = [s for s in spans if s['name'] == 'oauth refresh' and (s['trace'], s['parent']) in calls
          and s['attributes'].get('mcptop.oauth.grant_type') == 'refresh_token'
          and s['attributes'].get('server.address') == '$issuer_host'
          and s['attributes'].get('mcptop.oauth.outcome') == 'ok']
print(len(calls), 'calls,', len(inside), 'refreshes inside one')
sys.exit(0 if inside else 1)"
}
check "proxy: the refresh a call needed is a child span of that call" refresh_inside proxy
check "serve: the refresh a call needed is a child span of that call" refresh_inside serve
check "a refresh made on no call's behalf (watch's schedule) is a root span" \
    spans "s['name'] == 'oauth refresh' and s['parent'] == '' and s['attributes'].get('mcptop.server.name') == 'demo'"
check "no span carries mcp.session.id" bash -c "! grep -q 'mcp.session.id' '$work/spans.jsonl'"
same_metrics() {  # OTLP's metric families are the exposition's: names, help, types, units
    python3 -c "
import json, re, sys
help, kind = {}, {}
for line in open('$work/prometheus.txt'):
    if m := re.match(r'# HELP (mcptop_\\w+) (.*)', line): help[m[1]] = m[2]
    if m := re.match(r'# TYPE (mcptop_\\w+) (\\w+)', line): kind[m[1]] = m[2]
otlp = {}
for point in map(json.loads, open('$work/metrics.jsonl')):
    if point['instance'] not in ('otlp-proxy', 'otlp-serve'): otlp[point['name']] = point
print(len(help), 'families scraped,', len(otlp), 'received over OTLP')
types = {'counter': 'sum', 'gauge': 'gauge', 'histogram': 'histogram'}
problems = sorted(set(help) ^ set(otlp))
for name, point in otlp.items():
    if name not in help: continue
    if point['description'] != help[name]: problems.append(name + ': description differs')
    if point['type'] != types[kind[name]]: problems.append(name + ': ' + point['type'] + ' for a ' + kind[name])
    if point['unit'] != ('s' if '_seconds' in name else ''): problems.append(name + ': unit ' + repr(point['unit']))
    if point['attributes'].get('server') != 'demo': problems.append(name + ': server ' + repr(point['attributes']))
    if point['service'] != 'mcptop': problems.append(name + ': service ' + repr(point['service']))
print('\n'.join(problems))
sys.exit(1 if problems or len(help) < 10 else 0)"
}
exports_every_second() {  # OTEL_METRIC_EXPORT_INTERVAL=1000 over watch's 8 s (not the default 60 s)
    local exports
    exports="$(grep -c '^/v1/metrics$' "$work/requests.log")"
    echo "$exports metrics exports"
    ((exports >= 5))
}
check "watch sends its metrics at OTEL_METRIC_EXPORT_INTERVAL" exports_every_second
check "watch's OTLP metrics are the families of its Prometheus exposition (names, help, types, units)" same_metrics
received_metric() {  # received_metric NAME: a data point of NAME came from watch over OTLP
    python3 -c "
import json, sys
points = map(json.loads, open('$work/metrics.jsonl'))
sys.exit(0 if any(p['name'] == '$1' and p['instance'] not in ('otlp-proxy', 'otlp-serve') for p in points) else 1)"
}
for name in mcptop_needs_login mcptop_refreshes_total mcptop_refresh_failures_total mcptop_bridged_calls_total \
    mcptop_tool_call_duration_seconds mcptop_token_seconds_remaining; do
    check "watch's OTLP metrics: $name" received_metric "$name"
done
bridge_metric() {  # bridge_metric INSTANCE NAME MIN ATTRIBUTES-JSON: a point of NAME from that process, with
    # those attributes, whose value (a histogram's count) reached MIN
    python3 -c "
import json, sys
want = json.loads('$4')
found = [p for p in map(json.loads, open('$work/metrics.jsonl'))
         if p['instance'] == '$1' and p['name'] == '$2' and p['service'] == 'mcptop'
         and all(p['attributes'].get(k) == v for k, v in want.items())]
best = max((p.get('value', p.get('count', 0)) for p in found), default=None)
print('$2 from $1:', best)
sys.exit(0 if best is not None and best >= $3 else 1)"
}
for via in proxy serve; do
    check "$via: its client's calls are counted by server, client and bridge over OTLP" \
        bridge_metric "otlp-$via" mcptop_bridged_calls_total 2 "{\"server\": \"demo\", \"client\": \"otlp-$via\", \"via\": \"$via\"}"
    check "$via: and by outcome, as watch counts tool calls" \
        bridge_metric "otlp-$via" mcptop_tool_calls_total 2 '{"server": "demo", "outcome": "ok"}'
    check "$via: their durations" bridge_metric "otlp-$via" mcptop_tool_call_duration_seconds 2 '{"server": "demo"}'
    check "$via: the refresh its 2-second tokens needed is counted" \
        bridge_metric "otlp-$via" mcptop_refreshes_total 1 '{"server": "demo", "result": "ok"}'
    check "$via: the session it renewed for its client is counted" \
        bridge_metric "otlp-$via" mcptop_session_renewals_total 1 '{"server": "sessions"}'
    check "$via: the token's countdown" bridge_metric "otlp-$via" mcptop_token_seconds_remaining 0 '{"server": "demo"}'
    check "$via: failures by reason, at 0, labelled with the issuer" bridge_metric "otlp-$via" \
        mcptop_refresh_failures_total 0 "{\"server\": \"demo\", \"issuer\": \"$issuer_host\", \"reason\": \"invalid_grant\"}"
done
bridge_families() {  # the bridges' families are watch's (description, type, unit), and no connection states
    python3 -c "
import json, sys
points = list(map(json.loads, open('$work/metrics.jsonl')))
watch = {p['name']: (p['description'], p['type'], p['unit']) for p in points if p['instance'] not in ('otlp-proxy', 'otlp-serve')}
bridges = {(p['instance'], p['name']): (p['description'], p['type'], p['unit']) for p in points if p['instance'] in ('otlp-proxy', 'otlp-serve')}
problems = [f'{i} {n}: {d} (watch: {watch.get(n)})' for (i, n), d in bridges.items() if watch.get(n) != d]
problems += [f'{i} sent {n}' for (i, n) in bridges if n == 'mcptop_connection_state']
print(len(bridges), 'bridge families;', '; '.join(problems))
sys.exit(1 if problems or not bridges else 0)"
}
check "proxy's and serve's metrics are watch's families, without connection states" bridge_families
no_secret() {  # no stored token or client secret is in any OTLP body
    python3 "$repo/integration/lib/no_stored_secret.py" "$work/state" -- "$work/bodies.bin"
}
check "no stored token appears in what was exported" no_secret
check "serve's local token appears in nothing exported" bash -c "! grep -qaF '$token' '$work/bodies.bin'"
summary
