#!/usr/bin/env bash
# `mcptop proxy` with a client nobody here wrote: the official Python SDK client over stdio, in
# both its modes (legacy 2025-11-25, auto 2026-07-28), against the Python SDK's OAuth server with
# 2-second access tokens and rotating refresh tokens. Calls spread over many expiries must all
# succeed, with no expired token presented and no rotated refresh token presented again (the
# server counts both), also with three clients at once and a dashboard open on the same store.
# A server without a login answers with an error naming `mcptop auth NAME`. The remote's
# questions (elicitation), its list changes and the client's cancellations cross the bridges in
# every pairing of revisions, and a client following a server that restarts hears what it missed.
#
#   MCPTOP=/path/to/mcptop integration/interop/proxy.sh
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
"$here/setup_venv.sh" >/dev/null || { echo "proxy.sh: setup_venv.sh failed" >&2; exit 1; }
PY="${INTEROP_VENV:-$repo/.venv-interop}/bin/python"

work="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-proxy.XXXXXX")"
pids=()
cleanup() {
    [ -d "$work/tmux" ] && TMUX_TMPDIR="$work/tmux" tmux -L mcptop-proxy kill-server 2>/dev/null
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" -u "$here/py_oauth_server.py" --port 0 --token-lifetime 2 >"$work/server.out" 2>"$work/server.err" </dev/null &
pids+=("$!")
url=""
for _ in $(seq 1 400); do
    url="$(sed -n 's/^listening //p' "$work/server.out" 2>/dev/null | head -1)"
    [ -n "$url" ] && break
    sleep 0.05
done
[ -n "$url" ] || { echo "proxy.sh: py_oauth_server.py did not start" >&2; cat "$work/server.err" >&2; exit 1; }
base="${url%/mcp}"

config="$work/config.json"
state="$work/state"
cat >"$config" <<EOF2
{"mcpServers": {"py": {"url": "$url"}, "fresh": {"url": "${url/127.0.0.1/localhost}"}}}
EOF2

passed=0
failed=0
check() {
    local desc="$1" ok="$2" detail="${3:-}"
    if [ "$ok" = 1 ]; then
        echo "ok - $desc"
        passed=$((passed + 1))
    else
        echo "not ok - $desc"
        [ -n "$detail" ] && echo "$detail" | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
}
stat() { curl -fsS --noproxy '*' "$base/_stats" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
client() {
    timeout -k 5 150 "$PY" "$here/py_proxy_client.py" --mcptop "$MCPTOP" --config "$config" --state-dir "$state" "$@"
}
field() { "$PY" -c "import json,sys; print(json.loads(sys.argv[1]).get('$2'))" "$1"; }

# Logged in once, from the command line, as a user would.
if BROWSER="$here/browser.sh" timeout 60 "$MCPTOP" --config "$config" --state-dir "$state" auth py \
    >"$work/auth.out" 2>&1 </dev/null; then
    check "logged in to py with mcptop auth" 1
else
    check "logged in to py with mcptop auth" 0 "$(cat "$work/auth.out")"
fi

# A login that is missing: an MCP error that names the command.
out="$(client --server fresh --mode legacy --calls 1 --expect-error "mcptop auth fresh" 2>"$work/fresh.err")"
check "no login: the client's call fails naming 'mcptop auth fresh'" \
    "$([ -n "$(field "$out" expectedError)" ] && [ "$(field "$out" expectedError)" != None ] && echo 1 || echo 0)" "$out"

# One client per mode, 150 calls over ~8 s of 2-second tokens.
for mode in legacy auto; do
    out="$(client --server py --mode "$mode" --calls 150 --interval 0.05 2>"$work/$mode.err")"
    check "$mode client: 150 calls through the proxy, none failed ($(field "$out" protocolVersion))" \
        "$([ "$(field "$out" failed)" = 0 ] && echo 1 || echo 0)" "$out
$(tail -5 "$work/$mode.err")"
done

# Three clients at once, each its own proxy process, one login between them, while a monitor
# (`mcptop watch`, the dashboard's engine without a screen) keeps the same login fresh.
timeout -k 5 60 "$MCPTOP" --config "$config" --state-dir "$state" watch --server py --duration 8 --health-interval 1 \
    >"$work/watch.out" 2>"$work/watch.err" </dev/null &
watch_pid=$!
for index in 1 2 3; do
    mode=$([ "$index" = 2 ] && echo legacy || echo auto)
    client --server py --mode "$mode" --calls 100 --interval 0.04 >"$work/many.$index" 2>"$work/many.$index.err" &
    waiters[$index]=$!
done
all=1
for index in 1 2 3; do
    wait "${waiters[$index]}" || all=0
    [ "$(field "$(cat "$work/many.$index")" failed)" = 0 ] || all=0
done
check "three clients at once: 300 calls, none failed" "$all" "$(cat "$work"/many.*)"
wait "$watch_pid"
watch_rc=$?
check "a watch on the same login meanwhile stayed connected (exit $watch_rc)" "$([ "$watch_rc" = 0 ] && echo 1 || echo 0)" \
    "$(tail -n 5 "$work/watch.out" "$work/watch.err")"

# The same through `mcptop serve`: two HTTP clients (one per mode) and one stdio proxy at once.
port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
timeout -k 5 120 "$MCPTOP" --config "$config" --state-dir "$state" serve --listen "127.0.0.1:$port" \
    >"$work/serve.out" 2>"$work/serve.err" </dev/null &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 1 100); do
    curl -fsS --noproxy '*' "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
token="$(timeout 10 "$MCPTOP" --config "$config" --state-dir "$state" serve --print-token)"
code="$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' -X POST -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"ping"}' "http://127.0.0.1:$port/py/mcp")"
check "serve: a request without the local token gets 401" "$([ "$code" = 401 ] && echo 1 || echo 0)" "HTTP $code"
code="$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer wrong-$token" -d '{"jsonrpc":"2.0","id":1,"method":"ping"}' "http://127.0.0.1:$port/py/mcp")"
check "serve: a wrong local token gets 401" "$([ "$code" = 401 ] && echo 1 || echo 0)" "HTTP $code"
# A dashboard open on the same store meanwhile (in a private tmux), as a user would have it.
dashboard=0
if command -v tmux >/dev/null; then
    export TMUX_TMPDIR="$work/tmux"
    mkdir -p "$TMUX_TMPDIR"
    dash() { tmux -L mcptop-proxy "$@"; }
    dash new-session -d -s dash -x 140 -y 40 \
        "env -u NO_COLOR TERM=tmux-256color $MCPTOP --config $config --state-dir $state; echo EXIT=\$?; sleep 60"
    dashboard=1
    sleep 1
    dash send-keys -t dash "/" "py" Enter
fi
before="$(stat mcp_requests)"
client --url "http://127.0.0.1:$port/py/mcp" --token="$token" --mode auto --calls 100 --interval 0.04 \
    >"$work/serve.auto" 2>"$work/serve.auto.err" &
one=$!
client --url "http://127.0.0.1:$port/py/mcp" --token="$token" --mode legacy --calls 100 --interval 0.04 \
    >"$work/serve.legacy" 2>"$work/serve.legacy.err" &
two=$!
client --server py --mode auto --calls 100 --interval 0.04 >"$work/serve.proxy" 2>"$work/serve.proxy.err" &
three=$!
all=1
for pid in $one $two $three; do wait "$pid" || all=0; done
for file in serve.auto serve.legacy serve.proxy; do [ "$(field "$(cat "$work/$file")" failed)" = 0 ] || all=0; done
check "serve: two HTTP clients (auto, legacy) and a proxy at once, 300 calls, none failed" "$all" \
    "$(cat "$work"/serve.auto "$work"/serve.legacy "$work"/serve.proxy; tail -n 3 "$work"/serve.*.err "$work/serve.err")"
if ((dashboard)); then
    screen="$(dash capture-pane -p -t dash)"
    shown=1
    for pattern in "● connected" "via serve"; do grep -qF -- "$pattern" <<<"$screen" || shown=0; done
    check "a dashboard on the same store meanwhile: py stayed connected, the clients' calls shown via serve" \
        "$shown" "$screen"
    dash send-keys -t dash q
    for _ in $(seq 1 50); do dash capture-pane -p -t dash | grep -q "EXIT=" && break; sleep 0.1; done
    code="$(dash capture-pane -p -t dash | sed -n 's/.*EXIT=\([0-9]*\).*/\1/p' | head -1)"
    check "the dashboard quit with status 0 (was ${code:-none})" "$([ "$code" = 0 ] && echo 1 || echo 0)"
    dash kill-server 2>/dev/null
fi
kill -TERM "$serve_pid" 2>/dev/null
stopped=0
for _ in $(seq 1 50); do kill -0 "$serve_pid" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
check "serve stops on SIGTERM within 5 s" "$stopped"

# Two serves and four `serve --print-token` started at once on a new state folder (a systemd
# unit's first start while the user prints a client's config): all hold the one stored token,
# and both serves accept it.
race_state="$work/race-state"
race_ports=()
for _ in 1 2; do
    race_port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    race_ports+=("$race_port")
    timeout -k 5 60 "$MCPTOP" --config "$config" --state-dir "$race_state" serve --listen "127.0.0.1:$race_port" \
        >/dev/null 2>"$work/race-serve.$race_port" </dev/null &
    pids+=("$!")
done
printers=()
for index in 1 2 3 4; do
    timeout 10 "$MCPTOP" --config "$config" --state-dir "$race_state" serve --print-token >"$work/race.$index" 2>&1 &
    printers+=("$!")
done
wait "${printers[@]}"
race_token="$(cat "$race_state/serve-token" 2>/dev/null)"
printed="$(sort -u "$work"/race.[1-4])"
check "serve: processes started at once print the one stored token" \
    "$([ -n "$race_token" ] && [ "$printed" = "$race_token" ] && echo 1 || echo 0)" "$(wc -l <<<"$printed") different"
codes=""
for race_port in "${race_ports[@]}"; do
    for _ in $(seq 1 100); do
        curl -fsS --noproxy '*' "http://127.0.0.1:$race_port/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    codes+="$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' -X POST -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H "Authorization: Bearer $race_token" \
        -d '{"jsonrpc":"2.0","id":1,"method":"ping"}' "http://127.0.0.1:$race_port/py/mcp") "
done
check "serve: both serves started at once accept the stored token" \
    "$([ "$codes" = "200 200 " ] && echo 1 || echo 0)" "HTTP $codes"
for race_port in "${race_ports[@]}"; do pkill -TERM -f -- "--listen 127.0.0.1:$race_port" 2>/dev/null; done

# The revision bridge against DemoServer (mcptop-demo-server beside mcptop): a 2025-11-25 client
# to a server that speaks only 2026-07-28, a 2026-07-28 client to a 2024-11-05 HTTP+SSE server,
# and progress through the proxy in both directions of the bridge.
demo_server="$(dirname "$MCPTOP")/mcptop-demo-server"
if [ -x "$demo_server" ]; then
    start_demo() {  # start_demo NAME ARGS...: URL in $work/NAME.url
        "$demo_server" "${@:2}" >"$work/$1.demo" 2>&1 </dev/null &
        pids+=($!)
        for _ in $(seq 1 100); do grep -q listening "$work/$1.demo" 2>/dev/null && break; sleep 0.05; done
        sed -n 's/^listening //p' "$work/$1.demo" >"$work/$1.url"
    }
    start_demo modern --no-stateful
    start_demo legacy
    bridge_config="$work/bridge.json"
    cat >"$bridge_config" <<EOF2
{"mcpServers": {
  "modern-only": {"url": "$(cat "$work/modern.url")"},
  "old-sse": {"url": "$(sed 's#/mcp$#/sse#' "$work/legacy.url")", "type": "sse"}
}}
EOF2
    bridge() { timeout -k 5 60 "$PY" "$here/py_proxy_client.py" --mcptop "$MCPTOP" --config "$bridge_config" --state-dir "$state" "$@"; }
    out="$(bridge --server modern-only --mode legacy --calls 20 2>"$work/b1.err")"
    check "a 2025-11-25 client reaches a 2026-07-28-only server through the proxy" \
        "$([ "$(field "$out" failed)" = 0 ] && [ "$(field "$out" protocolVersion)" = 2025-11-25 ] && echo 1 || echo 0)" "$out"
    out="$(bridge --server old-sse --mode auto --calls 20 2>"$work/b2.err")"
    check "a 2026-07-28 client reaches a 2024-11-05 HTTP+SSE server through the proxy" \
        "$([ "$(field "$out" failed)" = 0 ] && [ "$(field "$out" protocolVersion)" = 2026-07-28 ] && echo 1 || echo 0)" "$out"
    for pair in "modern-only legacy" "old-sse auto"; do
        set -- $pair
        out="$(bridge --server "$1" --mode "$2" --progress 2>"$work/b3.err")"
        check "progress from $1 reaches a $2 client with its own token ($(field "$out" progress) notifications)" \
            "$([ "$(field "$out" failed)" = 0 ] && echo 1 || echo 0)" "$out"
    done
else
    check "mcptop-demo-server beside $MCPTOP (for the revision bridge checks)" 0
fi

# The remote's questions (elicitation) reach the user through the bridge in every pairing of
# revisions: mid-call requests of a stateful server (2024-11-05 HTTP+SSE, 2025-11-25 sessions)
# and `input_required` results of a 2026-07-28 one (mrtr.mdx), to a legacy client (asked with a
# request of the proxy's own) and to a 2026-07-28 one (answered by its retry). The Python peer's
# `greet` tool asks; the client answers "Ada".
start_py() {  # start_py NAME ARGS...: URL in $work/NAME.url
    "$PY" -u "$here/py_server.py" "${@:2}" >"$work/$1.py" 2>"$work/$1.py.err" </dev/null &
    pids+=($!)
    for _ in $(seq 1 200); do grep -q listening "$work/$1.py" 2>/dev/null && break; sleep 0.05; done
    sed -n 's/^listening //p' "$work/$1.py" >"$work/$1.url"
}
start_py asks-http --transport streamable
start_py asks-sse --transport sse
asks_config="$work/asks.json"
cat >"$asks_config" <<EOF2
{"mcpServers": {
  "modern": {"url": "$(cat "$work/asks-http.url")", "protocolVersion": "2026-07-28"},
  "stateful": {"url": "$(cat "$work/asks-http.url")", "protocolVersion": "2025-11-25"},
  "old-sse": {"url": "$(cat "$work/asks-sse.url")", "type": "sse"}
}}
EOF2
asks_port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
timeout -k 5 120 "$MCPTOP" --config "$asks_config" --state-dir "$state" serve --listen "127.0.0.1:$asks_port" \
    >"$work/asks.serve.out" 2>"$work/asks.serve.err" </dev/null &
pids+=("$!")
for _ in $(seq 1 100); do
    curl -fsS --noproxy '*' "http://127.0.0.1:$asks_port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
asks() { timeout -k 5 60 "$PY" "$here/py_proxy_client.py" --elicit "$@"; }
for remote in modern stateful old-sse; do
    for mode in legacy auto; do
        out="$(asks --mcptop "$MCPTOP" --config "$asks_config" --state-dir "$state" --server "$remote" --mode "$mode" \
            2>"$work/asks.$remote.$mode.err")"
        check "proxy: $remote asks a $mode client ($(field "$out" protocolVersion)) and hears its answer" \
            "$([ "$(field "$out" failed)" = 0 ] && echo 1 || echo 0)" "$out"
        out="$(asks --url "http://127.0.0.1:$asks_port/$remote/mcp" --token="$token" --mode "$mode" \
            2>"$work/asks.serve.$remote.$mode.err")"
        check "serve: $remote asks a $mode client ($(field "$out" protocolVersion)) and hears its answer" \
            "$([ "$(field "$out" failed)" = 0 ] && echo 1 || echo 0)" "$out"
    done
done

# Cancellation through the bridge in every pairing: the client gives up a slow call (a legacy
# client says notifications/cancelled, a 2026-07-28 one closes its stream), the proxy cancels
# the remote's request in the remote's form, and the Python peer says it was cancelled.
cancelled() { cat "$work/asks-http.py.err" "$work/asks-sse.py.err" | grep -c "slow cancelled"; }
for remote in modern stateful old-sse; do
    for mode in legacy auto; do
        for bridge in proxy serve; do
            before="$(cancelled)"
            if [ "$bridge" = proxy ]; then
                target=(--mcptop "$MCPTOP" --config "$asks_config" --state-dir "$state" --server "$remote")
            else
                target=(--url "http://127.0.0.1:$asks_port/$remote/mcp" --token="$token")
            fi
            out="$(timeout -k 5 60 "$PY" "$here/py_proxy_client.py" --cancel "${target[@]}" --mode "$mode" \
                2>"$work/cancel.$bridge.$remote.$mode.err")"
            for _ in $(seq 1 20); do (($(cancelled) > before)) && break; sleep 0.1; done
            check "$bridge: a $mode client's cancelled call is cancelled on $remote, and the session serves on" \
                "$([ "$(field "$out" failed)" = 0 ] && (($(cancelled) > before)) && echo 1 || echo 0)" "$out"
        done
    done
done

# Notifications outside requests: the client follows the tool list (a 2026-07-28 client with
# `subscriptions/listen`, a legacy one on stdout or serve's GET stream), another call changes it
# (the peer's `touch`), and the client hears it, whatever each side speaks.
follows() { timeout -k 5 60 "$PY" "$here/py_proxy_client.py" "$@"; }
for remote in modern stateful old-sse; do
    for mode in legacy auto; do
        out="$(follows --list-changed --mcptop "$MCPTOP" --config "$asks_config" --state-dir "$state" \
            --server "$remote" --mode "$mode" 2>"$work/lists.$remote.$mode.err")"
        check "proxy: a $mode client hears that $remote's tool list changed" \
            "$([ "$(field "$out" failed)" = 0 ] && echo 1 || echo 0)" "$out"
        out="$(follows --list-changed --url "http://127.0.0.1:$asks_port/$remote/mcp" --token="$token" \
            --mode "$mode" 2>"$work/lists.serve.$remote.$mode.err")"
        check "serve: a $mode client hears that $remote's tool list changed" \
            "$([ "$(field "$out" failed)" = 0 ] && echo 1 || echo 0)" "$out"
    done
done

# The server restarts under a client that follows its tool list: the proxy's stream to it
# breaks, comes back, and the client hears that the list may have changed (what it missed).
restart_port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
start_py restart --transport streamable --port "$restart_port"
restart_pid="${pids[-1]}"
restart_config="$work/restart.json"
cat >"$restart_config" <<EOF2
{"mcpServers": {
  "modern": {"url": "http://127.0.0.1:$restart_port/mcp", "protocolVersion": "2026-07-28"},
  "stateful": {"url": "http://127.0.0.1:$restart_port/mcp", "protocolVersion": "2025-11-25"}
}}
EOF2
for pair in "modern auto" "stateful legacy"; do
    set -- $pair
    follows --await-change 25 --mcptop "$MCPTOP" --config "$restart_config" --state-dir "$state" --server "$1" \
        --mode "$2" >"$work/restart.$1.out" 2>"$work/restart.$1.err" &
    follower=$!
    for _ in $(seq 1 100); do grep -q following "$work/restart.$1.err" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    kill "$restart_pid" 2>/dev/null
    wait "$restart_pid" 2>/dev/null
    sleep 1
    start_py restart --transport streamable --port "$restart_port"
    restart_pid="${pids[-1]}"
    wait "$follower"
    out="$(cat "$work/restart.$1.out")"
    check "a restart of $1 under a following $2 client: the client hears its tool list may have changed" \
        "$([ "$(field "$out" failed)" = 0 ] && echo 1 || echo 0)" "$out $(tail -n 3 "$work/restart.$1.err")"
done

refreshes="$(stat refreshes)"
check "tokens were refreshed along the way ($refreshes refreshes)" "$([ "$refreshes" -ge 4 ] && echo 1 || echo 0)"
check "no expired access token was presented" "$([ "$(stat rejected_expired)" = 0 ] && echo 1 || echo 0)" \
    "rejected_expired=$(stat rejected_expired)"
check "no rotated refresh token was presented again" "$([ "$(stat refresh_reuse)" = 0 ] && echo 1 || echo 0)" \
    "refresh_reuse=$(stat refresh_reuse)"
if grep -rqiE 'bearer [a-z0-9]|refresh_token' "$work"/*.err 2>/dev/null; then
    check "no secret on the proxy's stderr" 0
else
    check "no secret on the proxy's stderr" 1
fi

echo "$passed passed, $failed failed"
((failed == 0))
