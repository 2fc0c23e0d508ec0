#!/usr/bin/env bash
# A fault matrix (issue 17), bounded in time: each fault gets the expected exit status and
# message, no hang, and the stored login intact wherever the server did not revoke it.
#
#   MCPTOP=/path/to/mcptop integration/e2e/faults.sh
#
# Needs mcptop-demo-server beside $MCPTOP (or MCPTOP_DEMO_SERVER), python3 and tmux (the
# dashboards; skipped without it). Faults, injected with the demo server's `--control` FIFO:
# a store file corrupted by hand; refreshes answered invalid_grant, never answered, answered
# 500, 502, 503 temporarily_unavailable or 401 invalid_client; access tokens revoked, then the
# whole grant; sessions forgotten (404); the server restarted on its port between calls and in
# the middle of one, and killed in the middle of one; an SSE answer cut short; the disk full
# while a refresh writes the store (a tmpfs when `mount` is permitted, else a read-only folder
# when not root, else skipped); two `watch`, then two dashboards, a `watch` and two `proxy`
# processes on one store while 2-second tokens rotate. Prints `ok - …` / `not ok - …`, then
# `N passed, M failed`.
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
demo="${MCPTOP_DEMO_SERVER:-$(dirname "$MCPTOP")/mcptop-demo-server}"
[[ -x "$demo" ]] || { echo "faults.sh: $demo is not built" >&2; exit 1; }

. "$here/lib.sh"
M="$MCPTOP"

# A demo server told what to do through a FIFO (`--control`), and a command sent to it: waits
# (5 s at most) for its answer line, which it prints.
controlled() {
    local name="$1"
    shift
    mkfifo "$work/$name.ctl"
    start_server "$name" "$demo" --control "$work/$name.ctl" "$@"
}
ctl() {
    local lines i
    lines="$(wc -l <"$work/$1.stdout")"
    timeout 5 bash -c 'echo "$1" >"$2"' _ "$2" "$work/$1.ctl" || { echo "ctl $1 $2: no reader" >&2; return 1; }
    for ((i = 0; i < 50; i++)); do
        if (($(wc -l <"$work/$1.stdout") > lines)); then tail -n 1 "$work/$1.stdout"; return 0; fi
        sleep 0.1
    done
    echo "ctl $1 $2: no answer" >&2
    return 1
}
# One counter of a controlled server's `stats` line.
stat_of() { ctl "$1" stats | python3 -c 'import json, sys; print(json.loads(sys.stdin.read()[6:])[sys.argv[1]])' "$2"; }

controlled rotating --oauth --token-lifetime 2
start_server refusing "$demo" --oauth --token-lifetime 1 --refuse-refresh
start_server hanging "$demo" --oauth --token-lifetime 1 --refresh-delay 3600
controlled faulty --oauth --token-lifetime 1
controlled revoking --oauth --token-lifetime 60
controlled sessions
url() { awk '/^listening/ { print $2 }' "$work/$1.stdout" | tail -n 1; }
export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
cat >"$MCPTOP_CONFIG" <<JSON
{"mcpServers": {
  "rotating": {"url": "$(url rotating)"}, "refusing": {"url": "$(url refusing)"},
  "hanging": {"url": "$(url hanging)"}, "faulty": {"url": "$(url faulty)"},
  "revoking": {"url": "$(url revoking)"},
  "sessions": {"url": "$(url sessions)", "protocolVersion": "2025-11-25"}
}}
JSON
for server in rotating refusing hanging faulty revoking; do
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

# kept SERVER BEFORE: the stored refresh token's fingerprint is still BEFORE.
kept() {
    local after
    after="$(refresh_fingerprint "$1")"
    if [[ -n "$2" && "$after" == "$2" ]]; then
        pass "$1: the stored login is kept (refresh token $2)"
    else
        fail "$1: the stored login changed or went away ($2 → $after)"
    fi
}

echo "# the token endpoint failing (500, 502, 503 temporarily_unavailable): retried later, nothing deleted"
for fault in server-error bad-gateway temporarily-unavailable; do
    case "$fault" in
        server-error) expected="faulty: .*answered 500.*nothing was deleted; try again" ;;
        bad-gateway) expected="faulty: .*answered 502.*nothing was deleted; try again" ;;
        temporarily-unavailable) expected="faulty: .*temporarily_unavailable.*nothing was deleted; try again" ;;
    esac
    ctl faulty "$fault on" >/dev/null
    sleep 1.2
    before="$(refresh_fingerprint faulty)"
    bounded "$fault: call fails at once with the reason" 15 2 "$expected" -- "$M" call faulty echo --args '{"text": "hi"}'
    if grep -Eq "<html|<h1|\\x1b" "$work/out" "$work/err"; then fail "$fault: the error page reached the terminal"; fi
    kept faulty "$before"
    ctl faulty "$fault off" >/dev/null
    bounded "$fault: switched off, the next call refreshes and works" 15 0 "^hi$" -- "$M" call faulty echo --args '{"text": "hi"}'
done

echo "# the client refused (401 invalid_client): a new login (and registration) is needed, the login kept"
ctl faulty "invalid-client on" >/dev/null
sleep 1.2
before="$(refresh_fingerprint faulty)"
bounded "call says the server no longer knows the client, and to log in" 15 2 \
    "faulty: the authorization server no longer knows this client .*invalid_client.* run 'mcptop auth faulty'" -- \
    "$M" call faulty echo --args '{"text": "hi"}'
kept faulty "$before"
ctl faulty "invalid-client off" >/dev/null
bounded "auth registers again" 20 0 "Logged in to faulty" -- env BROWSER="$here/../interop/browser.sh" "$M" auth faulty
bounded "and calls work again" 10 0 "^hi$" -- "$M" call faulty echo --args '{"text": "hi"}'

echo "# a stream cut in the middle of an SSE answer"
ctl faulty "cut-stream on" >/dev/null
before="$(refresh_fingerprint faulty)"
bounded "the call ends with exit 2 and says the answer was cut short" 15 2 \
    "faulty: the connection to .* closed before the answer was complete" -- \
    "$M" call faulty echo --args '{"text": "hi"}'
ctl faulty "cut-stream off" >/dev/null
kept faulty "$before"
bounded "the next call works" 15 0 "^hi$" -- "$M" call faulty echo --args '{"text": "hi"}'

echo "# access tokens revoked by the server: one refresh and the call goes on"
bounded "a first call with the 60-second token" 10 0 "^hi$" -- "$M" call revoking echo --args '{"text": "hi"}'
refreshes="$(stat_of revoking refreshes)"
ctl revoking revoke-access >/dev/null
bounded "the call after the revocation works (401, one refresh, retried)" 15 0 "^hi$" -- \
    "$M" call revoking echo --args '{"text": "hi"}'
if (($(stat_of revoking refreshes) == refreshes + 1)); then pass "exactly one refresh was made"; else fail "refreshes: $refreshes → $(stat_of revoking refreshes)"; fi
echo "# the whole grant revoked: needs a login, and the login stays on disk"
before="$(refresh_fingerprint revoking)"
ctl revoking revoke-all >/dev/null
bounded "call says to log in again" 15 2 "revoking: .*run 'mcptop auth revoking'" -- "$M" call revoking echo --args '{"text": "hi"}'
kept revoking "$before"
bounded "status shows it needs a login" 5 0 "needs login" -- "$M" status
bounded "auth again" 20 0 "Logged in to revoking" -- env BROWSER="$here/../interop/browser.sh" "$M" auth revoking
bounded "and calls work again" 10 0 "^hi$" -- "$M" call revoking echo --args '{"text": "hi"}'

echo "# sessions forgotten by the server (404): the connection opens a new one"
(sleep 1.5; ctl sessions forget-sessions >/dev/null) &
forgetter=$!
bounded "call --repeat 3 --interval 1 goes on through the 404" 20 0 "" -- \
    "$M" call sessions echo --args '{"text": "hi"}' --repeat 3 --interval 1
wait "$forgetter"
if (($(grep -c "^hi$" "$work/out") == 3)); then pass "three answers"; else fail "$(grep -c "^hi$" "$work/out") answers of 3"; fi
if (($(stat_of sessions sessionsCreated) >= 2)); then pass "a second session was made"; else fail "one session only"; fi

echo "# the server restarted between calls on one connection (killed, started again on its port)"
port="$(url sessions | sed -E 's|.*:([0-9]+)/mcp|\1|')"
disown "${pids[5]}" # killed from the subshell below: no "Killed" notice from this shell
(
    sleep 1
    kill -KILL "${pids[5]}"
    start_server sessions "$demo" --port "$port"
    echo "${pids[-1]}" >"$work/sessions.restarted"
) &
restarter=$!
bounded "call --repeat 3 --interval 2 reconnects and re-initializes" 25 0 "" -- \
    "$M" call sessions echo --args '{"text": "hi"}' --repeat 3 --interval 2
wait "$restarter"
pids+=("$(cat "$work/sessions.restarted")")
if (($(grep -c "^hi$" "$work/out") == 3)); then pass "three answers"; else fail "$(grep -c "^hi$" "$work/out") answers of 3"; fi
echo "# the OAuth server restarted (the authorization server keeps its memory) between calls"
(sleep 1; ctl rotating restart >/dev/null) &
restarter=$!
bounded "call --repeat 3 --interval 2 goes on with the login" 25 0 "" -- \
    "$M" call rotating echo --args '{"text": "hi"}' --repeat 3 --interval 2
wait "$restarter"
echo "# the server restarted in the middle of a call: that call fails, the next one works"
(sleep 1; ctl rotating restart >/dev/null) &
restarter=$!
bounded "the call in flight ends with exit 2, naming the server" 20 2 "rotating: " -- \
    "$M" call rotating slow --args '{"steps": 30, "delayMs": 100}'
wait "$restarter"
bounded "the next call works" 10 0 "^hi$" -- "$M" call rotating echo --args '{"text": "hi"}'

echo "# disk full while a refresh writes the store: the old file survives, the message names it"
file="$(stored faulty)"
full=""
if mkdir -p "$work/full" && mount -t tmpfs -o size=1m,mode=0700 tmpfs "$work/full" 2>/dev/null; then
    full="$work/full"
    trap 'umount "$work/full" 2>/dev/null; cleanup' EXIT
    cp -a "$MCPTOP_STATE_DIR/." "$full/"
    dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null
    how="a full 1 MiB tmpfs"
elif ((EUID != 0)); then
    full="$work/readonly"
    cp -a "$MCPTOP_STATE_DIR" "$full"
    chmod 0500 "$full/credentials"
    how="a read-only credentials folder (mount not permitted)"
fi
if [[ -z "$full" ]]; then
    echo "ok - # SKIP disk full: neither a tmpfs nor a read-only folder can be made here"
else
    copy="$full/credentials/$(basename "$file")"
    cp "$copy" "$work/before-full.json"
    sleep 1.2
    bounded "call fails, naming the file ($how)" 15 2 "faulty: .*$(basename "$file")" -- \
        env MCPTOP_STATE_DIR="$full" "$M" call faulty echo --args '{"text": "hi"}'
    sed 's/^/#   /' "$work/err"
    if cmp -s "$copy" "$work/before-full.json"; then pass "the stored file is intact"; else fail "the stored file changed"; fi
    if ls "$full/credentials" | grep -vqx -e "$(basename "$file")" -e '[^.]*\.json' -e '.*\.lock'; then
        fail "temporary files were left: $(ls -a "$full/credentials")"
    else
        pass "no temporary file is left behind"
    fi
    rm -f "$full/filler"
    chmod 0700 "$full/credentials"
    bounded "with room again, the next call refreshes and works" 15 0 "^hi$" -- \
        env MCPTOP_STATE_DIR="$full" "$M" call faulty echo --args '{"text": "hi"}'
    [[ "$full" == "$work/full" ]] && umount "$work/full"
fi

echo "# two dashboards, a watch and two proxies on one store while 2-second tokens rotate"
if ! command -v tmux >/dev/null; then
    echo "ok - # SKIP the dashboards: tmux is not installed"
else
    export TMUX_TMPDIR="$work/tmux"
    mkdir -p "$TMUX_TMPDIR"
    tmx() { tmux -L mcptop-faults "$@"; }
    # Only the rotating server: the others are left broken by the faults above.
    printf '{"mcpServers": {"rotating": {"url": "%s"}}}\n' "$(url rotating)" >"$work/rotating.json"
    grants="$(stat_of rotating invalidGrants)"
    expired="$(stat_of rotating expiredTokenRequests)"
    refreshes="$(stat_of rotating refreshes)"
    for n in 1 2; do
        tmx new-session -d -s "dash$n" -x 120 -y 30 \
            "env MCPTOP_CONFIG=$work/rotating.json TERM=tmux-256color $M; echo EXIT=\$?; sleep 60"
    done
    env MCPTOP_CONFIG="$work/rotating.json" "$M" watch --duration 14 >"$work/watch3" 2>&1 &
    watch3=$!
    for n in 1 2; do
        python3 "$here/stdio_client.py" --seconds 12 --interval 0.5 -- \
            env MCPTOP_CONFIG="$work/rotating.json" "$M" proxy rotating >"$work/proxy$n" 2>"$work/proxy$n.err" &
        eval "proxy$n=\$!"
    done
    for n in 1 2; do
        if wait "$(eval echo "\$proxy$n")"; then
            pass "proxy $n: $(head -1 "$work/proxy$n"), through the rotations"
        else
            fail "proxy $n: $(cat "$work/proxy$n"; tail -n 3 "$work/proxy$n.err")"
        fi
    done
    if wait "$watch3"; then pass "the watch ends healthy"; else fail "the watch: $(tail -3 "$work/watch3")"; fi
    for n in 1 2; do
        screen="$(tmx capture-pane -p -t "dash$n")"
        if grep -q "● connected" <<<"$screen" && ! grep -Eq "needs login|invalid_grant" <<<"$screen"; then
            pass "dashboard $n shows the server connected"
        else
            fail "dashboard $n: $(sed 's/^/#   /' <<<"$screen")"
        fi
        tmx send-keys -t "dash$n" q
    done
    for n in 1 2; do
        for ((i = 0; i < 50; i++)); do tmx capture-pane -p -t "dash$n" | grep -q "EXIT=" && break; sleep 0.1; done
        if tmx capture-pane -p -t "dash$n" | grep -q "EXIT=0"; then pass "dashboard $n quits with 0"; else fail "dashboard $n did not quit cleanly"; fi
    done
    tmx kill-server 2>/dev/null
    made=$(($(stat_of rotating refreshes) - refreshes))
    if (($(stat_of rotating invalidGrants) == grants)); then
        pass "no refresh token was presented twice ($made refreshes, no invalid_grant)"
    else
        fail "invalid_grant answered $(($(stat_of rotating invalidGrants) - grants)) times"
    fi
    if (($(stat_of rotating expiredTokenRequests) == expired)); then
        pass "no expired access token was presented"
    else
        fail "expired access tokens presented: $(($(stat_of rotating expiredTokenRequests) - expired))"
    fi
fi

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
