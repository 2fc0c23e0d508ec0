#!/usr/bin/env bash
# mcptop against servers that hang or lie (issue 12): every command ends within a bound, stops
# on SIGINT/SIGTERM within about a second, `watch` fails a run with unhealthy servers, and
# absurd numbers (a token lifetime of 1e300, `--timeout inf`) never crash anything.
#
#   MCPTOP=/path/to/mcptop integration/e2e/hangs.sh
#
# Starts integration/e2e/hostile_server.py (python3) on a free 127.0.0.1 port: /mcp answers
# initialize and never the notifications/initialized POST, /sse never sends its endpoint
# event, /ok is healthy. When mcptop-demo-server sits next to $MCPTOP (or is named by
# MCPTOP_DEMO_SERVER), an OAuth login with 1e300-second tokens is checked too.
# Prints `ok - …` / `not ok - …` per check, then `N passed, M failed`; exit 1 if any failed.
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command -v python3 >/dev/null || { echo "hangs.sh: python3 is not installed" >&2; exit 1; }

. "$here/lib.sh"

start_server hostile python3 "$here/hostile_server.py" "$work/requests.log"
port="$(awk '/^listening/ { print $2 }' "$work/hostile.stdout")"
base="http://127.0.0.1:$port"

export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
unset MCPTOP_E2E_NEVER_SET
cat >"$MCPTOP_CONFIG" <<EOF
{
  "mcpServers": {
    "hung": { "url": "$base/mcp", "timeout": 2000 },
    "hung-sse": { "url": "$base/sse", "type": "sse", "timeout": 2000 },
    "hung-slow": { "url": "$base/mcp" },
    "ok": { "url": "$base/ok", "timeout": 2000 },
    "escapes": { "url": "$base/escapes", "timeout": 2000 },
    "escapes-500": { "url": "$base/escapes-500", "timeout": 2000 },
    "down": { "url": "http://127.0.0.1:1/mcp", "timeout": 2000 },
    "secret-down": { "url": "http://bob:PASSWORD777@127.0.0.1:1/mcp", "timeout": 2000 },
    "unset": { "url": "http://127.0.0.1:\${MCPTOP_E2E_NEVER_SET}/mcp" }
  }
}
EOF

# interrupted DESC SIGNAL RC FILE MARKER -- COMMAND…: once FILE (the server's request log, or
# the command's stderr) holds MARKER, SIGNAL ends the command within 2 s with exit status RC.
interrupted() {
    local desc="$1" signal="$2" want="$3" file="$4" marker="$5" pid start rc i
    shift 6
    : >"$work/requests.log"
    "$@" >"$work/out" 2>"$work/err" &
    pid=$!
    for ((i = 0; i < 100; i++)); do
        grep -q -- "$marker" "$file" 2>/dev/null && break
        sleep 0.1
    done
    if ! grep -q -- "$marker" "$file" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        fail "$desc (the server never saw \"$marker\")"
        return
    fi
    start="$(now)"
    kill -"$signal" "$pid"
    if ! ends_within "$pid" "$start" 2; then
        fail "$desc (still running 2 s after SIG$signal)"
        return
    fi
    wait "$pid"
    rc=$?
    if ((rc != want)); then
        fail "$desc (exit $rc, expected $want)"
    else
        pass "$desc ($(elapsed_since "$start")s)"
    fi
}

M="$MCPTOP"
log="$work/requests.log"

echo "# connects that never finish end with an error naming the step"
bounded "tools: a server that never answers notifications/initialized fails after its 2 s timeout" 6 2 \
    "hung: timed out talking to .*: no answer to notifications/initialized within 2 s" -- "$M" tools hung
bounded "call --timeout 3 bounds the connect too" 7 2 "notifications/initialized within 3 s" -- \
    "$M" call hung-slow echo --timeout 3
bounded "call: a legacy SSE stream without an endpoint event fails within the connect timeout" 6 2 \
    "hung-sse: timed out talking to .*/sse: it sent no endpoint event within 2 s" -- \
    "$M" call hung-sse echo --timeout 2

echo "# signals end a command within a second, also while it connects"
interrupted "tools: SIGTERM while connecting exits 143" TERM 143 "$log" "notifications/initialized" -- "$M" tools hung-slow
interrupted "tools: SIGINT while connecting exits 130" INT 130 "$log" "notifications/initialized" -- "$M" tools hung-slow
interrupted "call: SIGINT while connecting exits 130" INT 130 "$log" "notifications/initialized" -- \
    "$M" call hung-slow echo
interrupted "call: SIGTERM while waiting for the SSE endpoint exits 143" TERM 143 "$log" "GET /sse" -- \
    "$M" call hung-sse echo --timeout 60
interrupted "watch: SIGTERM stops it although a connect hangs" TERM 2 "$log" "notifications/initialized" -- \
    "$M" watch --server hung-slow

echo "# watch as a health check"
bounded "watch --duration 3 ends on time although a connect hangs, and fails it" 7 2 \
    "summary +hung-slow +connecting +never connected" -- "$M" watch --duration 3 --server hung-slow
bounded "watch: a server down the whole run means exit 2, and the summary names it" 7 2 \
    '"server":"down".*"problem":"never connected"' -- "$M" watch --duration 3 --json --server ok --server down
bounded "watch: a server skipped for an unset variable means exit 2" 7 2 \
    "summary +unset +skipped +skipped: .*MCPTOP_E2E_NEVER_SET" -- "$M" watch --duration 2 --server ok --server unset
bounded "watch: healthy servers only means exit 0" 6 0 '"server":"ok".*"healthy":true' -- \
    "$M" watch --duration 2 --json --server ok

echo "# server text reaches the terminal as visible escapes, never as control sequences"
# no_controls DESC: neither stdout nor stderr of the last command holds a C0 control other than
# newline and tab, DEL, a C1 control or a bidi/format character, and every line of stdout
# starts as one of mcptop's own (LINE_PATTERN, when set).
no_controls() {
    if python3 - "$work/out" "$work/err" "${LINE_PATTERN:-}" <<'EOF'; then pass "$1"; else fail "$1"; fi
import re, sys, unicodedata
bad = []
for path in sys.argv[1:3]:
    text = open(path, encoding="utf-8", errors="strict").read()
    for ch in text:
        if (ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0 or (
                unicodedata.category(ch) == "Cf" and ch not in "\u200c\u200d"):
            bad.append(f"{path}: U+{ord(ch):04X}")
if sys.argv[3]:
    bad += [f"forged line: {line!r}" for line in open(sys.argv[1]).read().splitlines()
            if not re.match(sys.argv[3], line)]
if bad:
    print("\n".join(bad[:5]), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}
bounded "tools: a hostile server's names and descriptions print" 8 0 '\\x1b\]0;pwned' -- "$M" tools escapes
LINE_PATTERN='^(escapes: |[0-9]+ tools|  (evil|fail))' no_controls "tools: no control sequence reaches the terminal, no line forged"
bounded "tools --json: C1 and bidi are escaped as well" 8 0 '\\u202eevil' -- "$M" tools escapes --json
no_controls "tools --json: no control sequence"
bounded "call: a result and its progress messages print" 8 0 'progress 1/2 .*pwned' -- "$M" call escapes 'evil\x1b[2J'
no_controls "call: no control sequence"
bounded "call: a JSON-RPC error message prints" 8 2 'pwned' -- "$M" call escapes fail
no_controls "call: an error message carries no control sequence"
bounded "tools: an HTTP error body prints" 8 2 'pwned' -- "$M" tools escapes-500
no_controls "tools: an HTTP error body carries no control sequence"
echo "# a password in a server's URL is masked wherever the URL is shown"
# unmasked DESC RC -- COMMAND…: the command exits RC showing bob:***@ and never the password.
unmasked() {
    local desc="$1" want="$2"
    shift 3
    bounded "$desc" 10 "$want" 'bob:\*\*\*@127\.0\.0\.1:1' -- "$@"
    if grep -q PASSWORD777 "$work/out" "$work/err"; then fail "$desc: the password was shown"; fi
}
unmasked "servers masks the password" 0 -- "$M" servers
unmasked "servers --json masks the password" 0 -- "$M" servers --json
unmasked "tools: could not connect names the URL without its password" 2 -- "$M" tools secret-down
unmasked "watch masks the password" 2 -- "$M" watch --duration 2 --server secret-down

bounded "watch: a failing hostile server" 8 2 'pwned' -- "$M" watch --duration 2 --server escapes-500
LINE_PATTERN='^([0-9:]+  escapes-500  |summary )' no_controls "watch: no control sequence, no line forged"

echo "# absurd numbers are refused or bounded, never a crash"
for option in "call ok echo --timeout inf" "call ok echo --interval 1e300" "watch --duration nan" \
    "watch --duration 1e300" "watch --health-interval inf" "auth ok --timeout 1e300"; do
    # shellcheck disable=SC2086 # the words of $option are the arguments
    bounded "mcptop $option is a usage error" 5 1 "must be a number of seconds" -- "$M" $option
done

# A stored login with absurd numbers (written by an older mcptop from a 1e300 expires_in).
credentials="$MCPTOP_STATE_DIR/credentials"
mkdir -p "$credentials"
chmod 700 "$MCPTOP_STATE_DIR" "$credentials"
digest="$(python3 -c 'import hashlib, sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:24])' "$base/ok")"
cat >"$credentials/$digest.json" <<EOF
{"serverURL": "$base/ok", "resource": "$base/ok", "issuer": "$base", "clientID": "c",
 "tokenEndpoint": "$base/token", "accessToken": "access-token-0000", "tokenType": "Bearer",
 "obtainedAt": 1800000000, "expiresAt": 1e300, "refreshToken": "refresh-token-1111",
 "refreshTokenObtainedAt": 1e300, "refreshTokenExpiresAt": 1e300, "scopes": [],
 "lastRefreshAt": 1e300, "refreshCount": 1e300}
EOF
chmod 600 "$credentials/$digest.json"
bounded "status reads a stored login with a 1e300 expiry" 5 0 "access token …0000, expiry unknown" -- "$M" status
bounded "status --json reads it too" 5 0 '"refreshCount" *: *2147483647' -- "$M" status --json
rm -f "$credentials/$digest"*.json  # moved to its (server, issuer) key when read

echo "# a state folder that is a symbolic link is refused, its target left alone"
mkdir -p "$work/elsewhere"
chmod 755 "$work/elsewhere"
ln -s "$work/elsewhere" "$work/state-link"
bounded "status refuses a state folder given as a symbolic link" 5 1 "state folder: .*state-link is a symbolic link" -- \
    env MCPTOP_STATE_DIR="$work/state-link" "$M" status
if [[ "$(stat -c %a "$work/elsewhere")" == 755 ]]; then pass "the link's target keeps its mode"; else fail "the link's target was chmod'ed"; fi

demo="${MCPTOP_DEMO_SERVER:-$(dirname "$M")/mcptop-demo-server}"
if [[ -x "$demo" ]]; then
    echo "# an OAuth server whose tokens last 1e300 seconds"
    start_server demo "$demo" --oauth --token-lifetime 1e300
    demo_url="$(awk '/^listening/ { print $2 }' "$work/demo.stdout")"
    python3 - "$MCPTOP_CONFIG" "$demo_url" <<'EOF'
import json, sys
path, url = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["mcpServers"]["forever"] = {"url": url}
json.dump(config, open(path, "w"))
EOF
    interrupted "auth: SIGINT while waiting for the browser exits 130" INT 130 "$work/err" "Open this URL" -- \
        "$M" auth forever --no-browser
    bounded "auth stores a login whose token lasts 1e300 s" 20 0 "Logged in to forever" -- \
        env BROWSER="$repo/integration/interop/browser.sh" "$M" auth forever
    bounded "status shows its expiry, bounded to ten years" 5 0 "access token …[^,]+, expires in 365[0-9]d" -- \
        "$M" status
    bounded "and the server is usable with it" 10 0 "forever: .*protocol" -- "$M" tools forever
    echo "# logout while the authorization server is down: said plainly, the login removed"
    kill "${pids[-1]}" 2>/dev/null
    wait "${pids[-1]}" 2>/dev/null
    bounded "logout says revoking at the server failed and the login was removed here" 20 0 \
        "forever: revoking the tokens at the server failed \(.*could not connect.*\), so the server may accept them until they expire; the login was removed from this machine. Logged out." -- \
        "$M" logout forever
    if grep -q "will retry" "$work/out" "$work/err"; then fail "logout promised a retry"; fi
    bounded "the login is gone" 5 0 "forever: no login stored" -- "$M" logout forever
else
    echo "# skipped: OAuth with 1e300-second tokens ($demo is not built)"
fi

echo "# a reader that goes away (| head -1): mcptop ends quietly by SIGPIPE, as cat does"
python3 -c 'import json; print(json.dumps({"mcpServers": {f"s-{i:05d}": {"url": f"http://127.0.0.1:9/{i}"} for i in range(3000)}}))' \
    >"$work/many.json"
"$M" --config "$work/many.json" servers 2>"$work/pipe.err" | head -1 >/dev/null
status="${PIPESTATUS[0]}"
if ((status == 141)) && [[ ! -s "$work/pipe.err" ]]; then
    pass "servers | head -1 ends by SIGPIPE (exit 141), nothing on stderr"
else
    fail "servers | head -1: exit $status, stderr: $(head -c 300 "$work/pipe.err")"
fi

echo "$passed passed, $failed failed"
((failed == 0))
