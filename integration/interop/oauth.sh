#!/usr/bin/env bash
# OAuth interop: mcptop against the official Python SDK's OAuth server (py_oauth_server.py,
# 2-second tokens, rotating refresh tokens), logging in headlessly through $BROWSER scripts.
#
#   MCPTOP=/path/to/mcptop integration/interop/oauth.sh
#
# Prints `ok - …` / `not ok - …` per check and `N passed, M failed`; exits 1 if any failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
"$here/setup_venv.sh" >/dev/null || { echo "oauth.sh: setup_venv.sh failed" >&2; exit 1; }
PY="${INTEROP_VENV:-$repo/.venv-interop}/bin/python"

work="$(mktemp -d "${TMPDIR:-/tmp}/mcptop-oauth.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    [[ "${INTEROP_KEEP:-0}" == 1 ]] && echo "oauth.sh: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start LABEL ARGS...: a py_oauth_server.py; sets URL_<LABEL> and BASE_<LABEL>.
start() {
    local label="$1"
    shift
    "$PY" -u "$here/py_oauth_server.py" --port 0 "$@" >"$work/$label.out" 2>"$work/$label.err" </dev/null &
    pids+=("$!")
    for _ in $(seq 1 400); do
        if grep -q '^listening ' "$work/$label.out" 2>/dev/null; then
            local url
            url="$(sed -n 's/^listening //p' "$work/$label.out" | head -1)"
            printf -v "URL_$label" '%s' "$url"
            printf -v "BASE_$label" '%s' "${url%/mcp}"
            return
        fi
        sleep 0.05
    done
    echo "oauth.sh: py_oauth_server.py ($label) did not start:" >&2
    cat "$work/$label.err" >&2
    exit 1
}

start main --token-lifetime 2
start refusing --token-lifetime 2 --refuse-refresh-after 0

export MCPTOP_STATE_DIR="$work/state"
config="$work/config.json"
cat >"$config" <<EOF
{"mcpServers": {
  "py": {"url": "$URL_main"},
  "py26": {"url": "$URL_main", "protocolVersion": "2026-07-28"},
  "refusing": {"url": "$URL_refusing"}
}}
EOF

passed=0
failed=0
log="$work/all-output.log"   # every byte mcptop printed, scanned for secrets at the end

# mc ARGS...: runs mcptop; sets rc; output in $work/stdout and $work/stderr.
mc() {
    timeout -k 5 60 "$MCPTOP" --config "$config" "$@" >"$work/stdout" 2>"$work/stderr" </dev/null
    rc=$?
    cat "$work/stdout" "$work/stderr" >>"$log"
}

check() {
    local desc="$1"
    shift
    if "$@"; then
        echo "ok - $desc"
        passed=$((passed + 1))
    else
        echo "not ok - $desc"
        echo "#   exit $rc; stdout:"
        sed 's/^/#     /' "$work/stdout"
        echo "#   stderr:"
        sed 's/^/#     /' "$work/stderr"
        failed=$((failed + 1))
    fi
}

is() { [[ "$1" == "$2" ]]; }
contains() { grep -q -- "$2" "$1"; }
stat_of() { curl -s "$1/_stats" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }

# Every token that reached the store, for the secret scan.
tokens_seen="$work/tokens"
collect_tokens() {
    "$PY" - "$MCPTOP_STATE_DIR" >>"$tokens_seen" <<'PY'
import json, pathlib, sys
for path in pathlib.Path(sys.argv[1]).glob("credentials/*.json"):
    record = json.loads(path.read_text())
    for key in ("accessToken", "refreshToken"):
        if record.get(key):
            print(record[key])
PY
}

# 1. Before login: a clear message and exit 2.
mc tools py
check "before login, tools exits 2 and names 'mcptop auth py'" \
    bash -c "[[ $rc == 2 ]] && grep -q \"mcptop auth py\" '$work/stderr'"

# 2. Headless login through a \$BROWSER script that follows the redirects.
BROWSER="$here/browser.sh" mc auth py
check "auth logs in through \$BROWSER (browser.sh)" is "$rc" 0
collect_tokens
check "the token file is 0600 and its folder 0700" bash -c \
    "[[ \$(stat -c %a '$MCPTOP_STATE_DIR'/credentials/*.json) == 600 && \$(stat -c %a '$MCPTOP_STATE_DIR'/credentials) == 700 && \$(stat -c %a '$MCPTOP_STATE_DIR') == 700 ]]"
mc status --json
check "status shows the login without secrets" bash -c \
    "[[ $rc == 0 ]] && grep -q '\"auth\": \"loggedIn\"' '$work/stdout' && grep -q 'accessTokenFingerprint' '$work/stdout'"

# 3. One process, calls across at least five expiries of a 2-second token: zero failures and
#    zero requests carrying an expired token.
expired_before="$(stat_of "$BASE_main" rejected_expired)"
refreshes_before="$(stat_of "$BASE_main" refreshes)"
mc call py echo --args '{"text":"steady"}' --repeat 26 --interval 0.5
check "26 calls over 13 s (6+ token lifetimes) in one process all succeed" \
    bash -c "[[ $rc == 0 && \$(grep -c '^steady$' '$work/stdout') == 26 ]]"
collect_tokens
check "no request carried an expired token" is "$(stat_of "$BASE_main" rejected_expired)" "$expired_before"
check "the token was refreshed at least 5 times" \
    test "$(($(stat_of "$BASE_main" refreshes) - refreshes_before))" -ge 5
mc call py26 echo --args '{"text":"modern"}' --repeat 6 --interval 0.5
check "the same login serves the stateless 2026-07-28 path across expiries" \
    bash -c "[[ $rc == 0 && \$(grep -c '^modern$' '$work/stdout') == 6 ]]"

# 4. Two processes at once against rotating refresh tokens: no invalid_grant.
grants_before="$(stat_of "$BASE_main" invalid_grant)"
for who in a b; do
    timeout 60 "$MCPTOP" --config "$config" call py echo --args "{\"text\":\"$who\"}" --repeat 20 --interval 0.4 \
        >"$work/$who.out" 2>"$work/$who.err" &
    eval "pid_$who=$!"
done
wait "$pid_a"; rc_a=$?
wait "$pid_b"; rc_b=$?
cat "$work/a.out" "$work/a.err" "$work/b.out" "$work/b.err" >>"$log"
rc="$rc_a/$rc_b"
check "two processes sharing the store both succeed" \
    bash -c "[[ $rc_a == 0 && $rc_b == 0 && \$(grep -c '^a$' '$work/a.out') == 20 && \$(grep -c '^b$' '$work/b.out') == 20 ]]"
check "and the server saw no invalid_grant" is "$(stat_of "$BASE_main" invalid_grant)" "$grants_before"
collect_tokens

# 5. Refusals and forgeries.
BROWSER="$here/browser_deny.sh" mc auth refusing
check "a denied login exits 2 and says access_denied" \
    bash -c "[[ $rc == 2 ]] && grep -q access_denied '$work/stderr'"
cat >"$work/tamper.sh" <<'SH'
#!/usr/bin/env bash
# Follows /authorize by hand and forges one query parameter of the redirect: TAMPER=state|iss.
# For state, the forged request comes first (its HTTP status goes to $TAMPER_OUT), then the
# real one, as when another page races the browser to the loopback listener.
location="$(curl -s -o /dev/null -w '%{redirect_url}' "$1")"
case "$TAMPER" in
    state)
        forged="$(sed -E 's/([?&])state=[^&]*/\1state=forged/' <<<"$location")"
        curl -s -o /dev/null -w '%{http_code}' "$forged" >"$TAMPER_OUT"
        ;;
    iss) location="$(sed -E 's/([?&])iss=[^&]*/\1iss=https%3A%2F%2Fevil.example/' <<<"$location")" ;;
esac
curl -s -o /dev/null "$location"
SH
chmod +x "$work/tamper.sh"
exchanges_before="$(stat_of "$BASE_refusing" code_exchanges)"
BROWSER="$work/tamper.sh" TAMPER=state TAMPER_OUT="$work/forged.status" mc auth refusing
check "a redirect with a forged state is refused (400) and the login goes on to the real one" \
    bash -c "[[ $rc == 0 && \$(cat '$work/forged.status') == 400 ]]"
collect_tokens
check "only the real redirect's code was redeemed" \
    is "$(($(stat_of "$BASE_refusing" code_exchanges) - exchanges_before))" 1
exchanges_before="$(stat_of "$BASE_refusing" code_exchanges)"
BROWSER="$work/tamper.sh" TAMPER=iss mc auth refusing
check "a wrong iss is rejected" bash -c "[[ $rc == 2 ]] && grep -q 'issuer https://evil.example' '$work/stderr'"
check "no code was redeemed after the forged iss" is "$(stat_of "$BASE_refusing" code_exchanges)" "$exchanges_before"

# 6. The redirect receiver listens on 127.0.0.1 only.
timeout 20 "$MCPTOP" --config "$config" auth refusing --no-browser --timeout 10 >"$work/wait.out" 2>"$work/wait.err" &
waiter=$!
port=""
for _ in $(seq 1 100); do
    port="$(grep -o 'redirect_uri=http%3A%2F%2F127.0.0.1%3A[0-9]*' "$work/wait.err" 2>/dev/null | grep -o '[0-9]*$')"
    [[ -n "$port" ]] && break
    sleep 0.05
done
listeners="$(ss -Hltn "sport = :$port" 2>/dev/null | awk '{print $4}')"
rc="port $port: $listeners"
check "the redirect receiver listens on 127.0.0.1 only" \
    bash -c "[[ -n '$port' && '$listeners' == '127.0.0.1:$port' ]]"
kill "$waiter" 2>/dev/null
wait "$waiter" 2>/dev/null
cat "$work/wait.out" "$work/wait.err" >>"$log"

# 7. A refused refresh (invalid_grant) asks for a login and deletes nothing.
BROWSER="$here/browser.sh" mc auth refusing
check "login to the refusing server" is "$rc" 0
collect_tokens
sleep 2.1
mc call refusing echo --args '{"text":"x"}'
check "after invalid_grant the call exits 2 asking for 'mcptop auth refusing'" \
    bash -c "[[ $rc == 2 ]] && grep -q 'invalid_grant' '$work/stderr' && grep -q 'mcptop auth refusing' '$work/stderr'"
mc status --json
check "the login is kept and marked needsLogin with the reason" \
    bash -c "grep -q '\"auth\": \"needsLogin\"' '$work/stdout' && ls '$MCPTOP_STATE_DIR'/credentials/*.json >/dev/null"

# 8. Logout revokes and forgets.
revocations_before="$(stat_of "$BASE_main" revocations)"
mc logout py
check "logout revokes the tokens at the server" \
    bash -c "[[ $rc == 0 ]] && (( \$(curl -s '$BASE_main/_stats' | '$PY' -c 'import json,sys; print(json.load(sys.stdin)[\"revocations\"])') > $revocations_before ))"
mc call py echo --args '{"text":"x"}'
check "after logout a call asks for a login" bash -c "[[ $rc == 2 ]] && grep -q 'mcptop auth py' '$work/stderr'"

# 9. No token value ever appeared in mcptop's output.
leaks=0
while read -r token; do
    [[ -n "$token" ]] && grep -qF -- "$token" "$log" && leaks=$((leaks + 1))
done < <(sort -u "$tokens_seen")
rc="$(sort -u "$tokens_seen" | wc -l) tokens checked"
check "none of the $(sort -u "$tokens_seen" | wc -l) tokens issued appears in stdout or stderr" is "$leaks" 0
server_leaks=0
while read -r token; do
    # grep reads the files itself (a pipe from cat fails under pipefail when grep stops early).
    [[ -n "$token" ]] && grep -qF -- "$token" "$work"/*.err "$work"/*.out 2>/dev/null && server_leaks=$((server_leaks + 1))
done < <(sort -u "$tokens_seen")
check "nor in any log of this test" is "$server_leaks" 0

echo "$passed passed, $failed failed"
((failed == 0))
