#!/usr/bin/env bash
# Interop tests: mcptop against the official Python MCP SDK server (integration/interop/py_server.py).
#
#   MCPTOP=/path/to/mcptop integration/interop/run.sh
#
# Starts py_server.py instances on free 127.0.0.1 ports:
#   streamable HTTP with SSE responses, streamable HTTP with JSON responses,
#   streamable HTTP with SSE responses and the SDK's stateless switch, and the legacy
#   HTTP+SSE transport; stdio servers are spawned by mcptop itself from the config.
# Writes a temporary mcptop config naming them, runs mcptop against each and prints
# `ok - ...` / `not ok - ...` per check, then `N passed, M failed`. Exit 1 if any failed.
#
# Environment:
#   MCPTOP                  the mcptop binary (required)
#   INTEROP_VENV            venv for the Python SDK (default <repo>/.venv-interop)
#   INTEROP_START_TIMEOUT   seconds to wait for each server's `listening` line (default 20)
#   INTEROP_CALL_TIMEOUT    seconds one mcptop run may take (default 30)
#   INTEROP_KEEP=1          keep the temporary directory (config, server logs)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [[ -z "${MCPTOP:-}" ]]; then
    echo "usage: MCPTOP=/path/to/mcptop $0" >&2
    exit 1
fi
if [[ "$MCPTOP" != */* ]]; then
    MCPTOP="$(command -v "$MCPTOP" || true)"
fi
if [[ -z "$MCPTOP" || ! -x "$MCPTOP" ]]; then
    echo "run.sh: MCPTOP=${MCPTOP:-} is not an executable file" >&2
    exit 1
fi
MCPTOP="$(cd "$(dirname "$MCPTOP")" && pwd)/$(basename "$MCPTOP")"

start_timeout="${INTEROP_START_TIMEOUT:-20}"
call_timeout="${INTEROP_CALL_TIMEOUT:-30}"

"$here/setup_venv.sh" || { echo "run.sh: setup_venv.sh failed" >&2; exit 1; }
venv="${INTEROP_VENV:-$repo/.venv-interop}"
PY="$venv/bin/python"

work="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-interop.XXXXXX")"
server_pids=()

cleanup() {
    local pid i
    for pid in "${server_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${server_pids[@]}"; do
        # Up to ~3 s for a graceful exit, then SIGKILL.
        for ((i = 0; i < 30; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [[ "${INTEROP_KEEP:-0}" == 1 ]]; then
        echo "run.sh: kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# launch_server LABEL ARGS...: start py_server.py in the background.
launch_server() {
    local label="$1"
    shift
    "$PY" -u "$here/py_server.py" "$@" >"$work/$label.out" 2>"$work/$label.err" </dev/null &
    server_pids+=("$!")
    eval "pid_$label=$!"
}

# await_server LABEL VAR: wait for its `listening <URL>` line and store the URL in VAR.
await_server() {
    local label="$1" var="$2" pid line deadline
    eval "pid=\$pid_$label"
    deadline=$((SECONDS + start_timeout))
    while :; do
        line="$(grep -m1 '^listening ' "$work/$label.out" 2>/dev/null || true)"
        if [[ -n "$line" ]]; then
            printf -v "$var" '%s' "${line#listening }"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "run.sh: py_server.py ($label) exited before listening; its stderr:" >&2
            sed 's/^/    /' "$work/$label.err" >&2
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            echo "run.sh: py_server.py ($label) printed no 'listening' line within ${start_timeout}s; its stderr:" >&2
            sed 's/^/    /' "$work/$label.err" >&2
            exit 1
        fi
        sleep 0.05
    done
}

launch_server sse --transport streamable
launch_server json --transport streamable --json-response
launch_server stateless --transport streamable --stateless
launch_server legacy --transport sse
await_server sse URL_SSE
await_server json URL_JSON
await_server stateless URL_STATELESS
await_server legacy URL_LEGACY

# A port nothing listens on, for the connection-error check.
DEAD_PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"

config="$work/mcptop.json"
URL_SSE="$URL_SSE" URL_JSON="$URL_JSON" URL_STATELESS="$URL_STATELESS" URL_LEGACY="$URL_LEGACY" \
    DEAD_PORT="$DEAD_PORT" PY="$PY" SERVER="$here/py_server.py" "$PY" - >"$config" <<'EOF'
import json, os
e = os.environ
servers = {
    "sse-25":  {"url": e["URL_SSE"], "protocolVersion": "2025-11-25"},
    "sse-26":  {"url": e["URL_SSE"], "protocolVersion": "2026-07-28"},
    "sse-auto": {"url": e["URL_SSE"]},
    "json-25": {"url": e["URL_JSON"], "protocolVersion": "2025-11-25"},
    "json-26": {"url": e["URL_JSON"], "protocolVersion": "2026-07-28"},
    "json-auto": {"url": e["URL_JSON"]},
    "stateless-25": {"url": e["URL_STATELESS"], "protocolVersion": "2025-11-25"},
    "legacy-sse": {"url": e["URL_LEGACY"], "transport": "sse"},
    "stdio": {"command": e["PY"], "args": [e["SERVER"], "--transport", "stdio"]},
    "dead": {"url": "http://127.0.0.1:%s/mcp" % e["DEAD_PORT"]},
}
print(json.dumps({"mcpServers": servers}, indent=2))
EOF

passed=0
failed=0
rc=0
last_cmd=""

# mc ARGS...: run mcptop with the config; sets rc, stdout in $work/stdout, stderr in $work/stderr.
mc() {
    last_cmd="$(printf '%q ' "$MCPTOP" --config "$config" "$@")"
    timeout -k 5 "$call_timeout" "$MCPTOP" --config "$config" "$@" \
        >"$work/stdout" 2>"$work/stderr" </dev/null
    rc=$?
}

# expect DESC WANT_RC [ASSERTION ARGS...]: judge the last mc run.
expect() {
    local desc="$1" want_rc="$2" why=""
    shift 2
    if [[ "$rc" != "$want_rc" ]]; then
        why="exit status $rc, expected $want_rc"
        [[ "$rc" == 124 ]] && why="$why (timed out after ${call_timeout}s)"
    elif (($# > 0)); then
        if why="$(OUT_FILE="$work/stdout" ERR_FILE="$work/stderr" "$PY" "$here/interop_assert.py" "$@" 2>&1)"; then
            why=""
        else
            why="${why:-assertion $1 failed}"
        fi
    fi
    if [[ -z "$why" ]]; then
        echo "ok - $desc"
        passed=$((passed + 1))
    else
        echo "not ok - $desc"
        echo "#   $why"
        echo "#   \$ $last_cmd   (exit $rc)"
        echo "#   stdout:"
        sed 's/^/#     /' "$work/stdout"
        echo "#   stderr:"
        sed 's/^/#     /' "$work/stderr"
        failed=$((failed + 1))
    fi
}

# suite NAME LABEL TRANSPORT VERSIONS PROGRESS(yes|no)
suite() {
    local name="$1" label="$2" transport="$3" versions="$4" progress="$5"

    mc tools "$name" --json
    expect "$label: tools lists echo/add/slow/fail/touch/greet" 0 tools "$name" "$transport" "$versions"

    mc call "$name" echo --args '{"text":"hello interop"}' --json
    expect "$label: call echo returns the text" 0 text "hello interop"

    mc call "$name" echo --args '{"text":"hello interop"}'
    expect "$label: call echo without --json prints the text" 0 plain "hello interop"

    mc call "$name" add --args '{"a":2,"b":3}' --json
    expect "$label: call add 2+3 gives 5" 0 text 5 5.0

    mc call "$name" fail --args '{}' --json
    expect "$label: call fail exits 3 with isError" 3 error

    mc call "$name" slow --args '{"steps":3,"delayMs":50}' --json
    if [[ "$progress" == yes ]]; then
        expect "$label: call slow returns its result" 0 text "done after 3 steps"
        expect "$label: call slow prints progress on stderr" 0 progress
    else
        expect "$label: call slow returns its result (no progress over JSON responses)" 0 text "done after 3 steps"
    fi
}

V25=2025-11-25
V26=2026-07-28
suite sse-25 "streamable+SSE pinned $V25" streamable-http "$V25" yes
suite sse-26 "streamable+SSE pinned $V26" streamable-http "$V26" yes
suite sse-auto "streamable+SSE negotiated" streamable-http "$V25,$V26" yes
suite json-25 "streamable+JSON pinned $V25" streamable-http "$V25" no
suite json-26 "streamable+JSON pinned $V26" streamable-http "$V26" no
suite json-auto "streamable+JSON negotiated" streamable-http "$V25,$V26" no
suite stateless-25 "streamable+SSE stateless_http pinned $V25" streamable-http "$V25" yes
suite legacy-sse "legacy HTTP+SSE transport" sse 2024-11-05 yes
suite stdio "stdio" stdio "$V25,$V26" yes

mc tools no-such-server --json
expect "tools on a server name not in the config exits 1" 1
mc call no-such-server echo --args '{"text":"hi"}' --json
expect "call on a server name not in the config exits 1" 1
mc tools dead --json
expect "tools on an unreachable server exits 2" 2

echo "$passed passed, $failed failed"
if ((failed > 0)); then
    exit 1
fi
exit 0
