#!/usr/bin/env bash
# A fault matrix (issue 17), bounded in time: each fault gets the expected exit status and
# message, no hang, and the stored login intact wherever the server did not revoke it.
#
#   MCPTOP=/path/to/mcptop integration/e2e/faults.sh
#
# Needs mcptop-demo-server beside $MCPTOP (or MCPTOP_DEMO_SERVER) and python3. Faults: a
# store file corrupted by hand; a refresh answered invalid_grant; a token endpoint that never
# answers; the server killed in the middle of a call; two `watch` and a repeated `call` on one
# store while 2-second tokens rotate. Prints `ok - …` / `not ok - …`, then `N passed, M failed`.
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
demo="${MCPTOP_DEMO_SERVER:-$(dirname "$MCPTOP")/mcptop-demo-server}"
[[ -x "$demo" ]] || { echo "faults.sh: $demo is not built" >&2; exit 1; }

. "$here/lib.sh"
M="$MCPTOP"

start_server rotating "$demo" --oauth --token-lifetime 2
start_server refusing "$demo" --oauth --token-lifetime 1 --refuse-refresh
start_server hanging "$demo" --oauth --token-lifetime 1 --refresh-delay 3600
url() { awk '/^listening/ { print $2 }' "$work/$1.stdout"; }
export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
cat >"$MCPTOP_CONFIG" <<JSON
{"mcpServers": {
  "rotating": {"url": "$(url rotating)"}, "refusing": {"url": "$(url refusing)"},
  "hanging": {"url": "$(url hanging)"}
}}
JSON
for server in rotating refusing hanging; do
    bounded "auth $server" 20 0 "Logged in to $server" -- \
        env BROWSER="$here/../interop/browser.sh" "$M" auth "$server"
done
# The stored file of a server, and its refresh token's fingerprint as `status` shows it.
# (`status --json` names it: the key of a login is mcptop's to compute, TokenStore.credentialKey.)
stored() {
    "$M" status --json | python3 -c 'import json, sys; print(next(s["file"] for s in json.load(sys.stdin)["servers"] if s["name"] == sys.argv[1]))' "$1"
}
refresh_fingerprint() {
    "$M" status | awk -v s="$1" '$1 == s { on = 1; next } /^[^ ]/ { on = 0 } on && /^ +refresh token …/ { sub(",", "", $3); print $3 }'
}

echo "# a store file corrupted by hand: named, left as it is, and the other logins still work"
file="$(stored rotating)"
cp "$file" "$work/good.json"
printf '{"garbage' >"$file"
cp "$file" "$work/bad.json"
bounded "status names the damaged file" 5 0 "is damaged \\(not valid JSON\\); it was left as it is" -- "$M" status
bounded "call says the login is damaged and how to fix it" 10 2 "is damaged .* run 'mcptop auth rotating'" -- \
    "$M" call rotating echo --args '{"text": "hi"}'
if cmp -s "$file" "$work/bad.json"; then pass "the damaged file is left as it was"; else fail "the damaged file was changed"; fi
cp "$work/good.json" "$file"
sleep 2.5
bounded "put back, the login works again (after a refresh)" 10 0 "^hi$" -- "$M" call rotating echo --args '{"text": "hi"}'

echo "# a refresh answered invalid_grant: needs a new login, nothing deleted"
sleep 1.5
before="$(refresh_fingerprint refusing)"
bounded "call says the refresh was refused and to log in again" 10 2 \
    "refusing: the server refused the refresh token .*invalid_grant.* run 'mcptop auth refusing'" -- \
    "$M" call refusing echo --args '{"text": "hi"}'
bounded "status shows it needs a login" 5 0 "needs login: the server refused the refresh token" -- "$M" status
if [[ -n "$before" && "$(refresh_fingerprint refusing)" == "$before" ]]; then
    pass "the stored login is kept (refresh token $before)"
else
    fail "the stored login changed or went away ($before → $(refresh_fingerprint refusing))"
fi

echo "# a token endpoint that never answers: bounded, retried later, nothing deleted"
sleep 1.5
before="$(refresh_fingerprint hanging)"
bounded "call fails within the token endpoint's deadline" 45 2 "hanging: .*timed out talking to .*/token.*nothing was deleted" -- \
    "$M" call hanging echo --args '{"text": "hi"}'
if [[ -n "$before" && "$(refresh_fingerprint hanging)" == "$before" ]]; then
    pass "the stored login is kept (refresh token $before)"
else
    fail "the stored login changed or went away"
fi

echo "# several processes on one store while 2-second tokens rotate"
"$M" watch --duration 8 --server rotating >"$work/watch1" 2>&1 &
watch1=$!
"$M" watch --duration 8 --server rotating >"$work/watch2" 2>&1 &
watch2=$!
bounded "call --repeat 6 --interval 1 refreshes as it goes" 20 0 "" -- \
    "$M" call rotating echo --args '{"text": "hi"}' --repeat 6 --interval 1
for pid in "$watch1" "$watch2"; do
    if wait "$pid"; then pass "watch (pid $pid) ends healthy"; else fail "watch (pid $pid) exit $?: $(tail -3 "$work/watch1" "$work/watch2")"; fi
done
if grep -qh "invalid_grant" "$work/watch1" "$work/watch2" "$work/out" "$work/err"; then
    fail "a rotated refresh token was presented again (invalid_grant)"
else
    pass "no refresh token was presented twice"
fi
bounded "the login still works after them" 10 0 "^hi$" -- "$M" call rotating echo --args '{"text": "hi"}'

echo "# the server killed in the middle of a call"
"$M" call rotating slow --args '{"steps": 50, "delayMs": 200}' >"$work/out" 2>"$work/err" &
call=$!
sleep 1.5
kill -KILL "${pids[0]}"
wait "${pids[0]}" 2>/dev/null
start="$(now)"
if ! ends_within "$call" "$start" 15; then
    fail "call still running 15 s after the server died"
else
    wait "$call"
    rc=$?
    if ((rc == 2)) && grep -q "rotating" "$work/err"; then
        pass "call ends with exit 2 and a message naming the server ($(elapsed_since "$start")s)"
    else
        fail "call after the server died: exit $rc"
    fi
fi

echo "$passed passed, $failed failed"
((failed == 0))
