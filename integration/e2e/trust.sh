#!/usr/bin/env bash
# Issue 12, as a user meets it in tmux: a login left unfinished in the browser while the
# connection keeps refreshing, then cancelled; rows drawn at every size after resizes; a
# needsLogin reason read in full at 80x24 in the describe view; a config entry with an unset
# variable shown as a row; `q` in the help closing only the help; a field edited in the middle
# with ←; an escape sequence ncurses does not know (Home as ESC [1~) not closing the tool pane.
#
#   MCPTOP=/path/to/mcptop integration/e2e/trust.sh     (mcptop-demo-server beside it)
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
here="$(cd "$(dirname "$0")" && pwd)"
demo_server="$(dirname "$MCPTOP")/mcptop-demo-server"
[ -x "$demo_server" ] || { echo "trust.sh: $demo_server is missing (swift build builds it)" >&2; exit 1; }
. "$here/tmux.sh" trust
work="$TMUX_TMPDIR"
pids=()
stop_servers() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
}
extra_cleanup=stop_servers

# rows_drawn DESC [NAMES]: these servers (default: all) have their rows in the table, none blank.
rows_drawn() {
    local desc="$1" names="${2:-down needs-login oauth open unset}" deadline=$((SECONDS + 5)) missing
    while ((SECONDS < deadline)); do
        missing=""
        for name in $names; do
            screen | grep -Eq "^$name " || missing="$missing $name"
        done
        [ -z "$missing" ] && { ok "$desc"; return 0; }
        sleep 0.2
    done
    not_ok "$desc (rows missing:$missing)"
}

# Three demo servers: OAuth with 6-second tokens (refreshed every ~5 s), OAuth never logged in,
# and one without auth.
# start_server NAME ARGS...: a demo server in the background (not in a subshell, so that
# cleanup can stop it); its URL lands in $work/NAME.url.
start_server() {
    local out="$work/$1.out"
    "$demo_server" "${@:2}" >"$out" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do
        grep -q listening "$out" 2>/dev/null && break
        sleep 0.1
    done
    sed -n 's/^listening //p' "$out" >"$work/$1.url"
}
start_server oauth --oauth --token-lifetime 6
start_server needs --oauth
start_server open
oauth_url="$(cat "$work/oauth.url")"
needs_url="$(cat "$work/needs.url")"
open_url="$(cat "$work/open.url")"
[ -n "$oauth_url" ] && [ -n "$needs_url" ] && [ -n "$open_url" ] || { echo "trust.sh: demo servers did not start" >&2; exit 1; }

cat >"$work/config.json" <<EOF
{"mcpServers": {
  "oauth": {"url": "$oauth_url"},
  "needs-login": {"url": "$needs_url"},
  "open": {"url": "$open_url"},
  "down": {"url": "http://127.0.0.1:9/mcp"},
  "unset": {"url": "http://127.0.0.1:9/\${MCPTOP_TRUST_UNSET_VARIABLE}"}
}}
EOF
export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
unset MCPTOP_TRUST_UNSET_VARIABLE
if BROWSER="$here/../interop/browser.sh" "$MCPTOP" auth oauth >"$work/auth.out" 2>&1; then
    ok "logged in to the OAuth server"
else
    not_ok "logged in to the OAuth server"
    sed 's/^/#   /' "$work/auth.out"
fi

# The dashboard; its browser never finishes a login (a user who walked away).
tm new-session -d -s "$session" -x 140 -y 40 "env -u NO_COLOR TERM=tmux-256color bash --norc --noprofile"
keys "PS1='prompt> '; clear" Enter
keys "BROWSER=true MCPTOP_CONFIG='$MCPTOP_CONFIG' MCPTOP_STATE_DIR='$MCPTOP_STATE_DIR' $MCPTOP; echo EXIT=\$?" Enter

wait_for "the dashboard shows the servers" "^oauth +.*● connected" 30
wait_for "a config entry with an unset variable is a row with its reason" "^unset .*config mcpServers.unset.url uses" 5
wait_for "the server that needs a login says so" "^needs-login .*needsLogin" 15
rows_drawn "every row drawn at 140x40"
tm resize-window -t "$session" -x 60 -y 15
# 60x15 has room for four rows; the fifth is a scroll away.
rows_drawn "every row that fits drawn at 60x15" "down needs-login oauth open"
tm resize-window -t "$session" -x 80 -y 24
rows_drawn "every row drawn at 80x24 after 60x15"

# A pending login beside the connection: the row stays connected and keeps refreshing.
keys "/" "oauth" Enter
keys a
wait_for "the login popup shows the URL" "Log in to oauth in your browser" 15
# The demo's authorization server has no device_authorization_endpoint: v is not offered, and
# pressed anyway it says why and the browser login goes on.
if screen | grep -q "Device code"; then not_ok "v (Device code) is offered without a device endpoint"; else
    ok "v is not offered without a device endpoint"; fi
keys v
wait_for "v says the server offers no device login" "offers no device login" 5
wait_for "and the browser login's popup stays" "Log in to oauth in your browser" 5
keys Enter
wait_for "the row says a login is pending, still connected" "^oauth +● connected · login pending" 5
refreshes() { screen | sed -n 's/.*refreshes: \([0-9]*\).*/\1/p' | head -1; }
first="$(refreshes)"
sleep 7
second="$(refreshes)"
if [ -n "$first" ] && [ -n "$second" ] && ((second > first)); then
    ok "tokens keep refreshing while the login is pending ($first -> $second)"
else
    not_ok "tokens keep refreshing while the login is pending ($first -> $second)"
fi
keys a
wait_for "a again cancels the login" "login cancelled" 10
wait_for "the connection is unaffected" "^oauth +● connected +protocol" 5
keys Escape

# The describe view: a needsLogin reason in full at 80x24.
keys "/" "needs" Enter
keys d
wait_for "the describe view opens" "needs-login — describe" 5
wait_for "the needsLogin reason is there in full" "run 'mcptop auth needs-login'" 5
keys Escape
keys Escape

# q in the help closes only the help.
keys "?"
wait_for "the help opens" "mcptop keys" 5
# PgDn, space and G scroll the help; other keys leave it open.
keys NPage
wait_for "PgDn scrolls the help" "│ PgUp +a page up" 5
keys x G
wait_for "G shows its end" "│ result " 5
keys q
wait_for "q closes the help" "Describe" 5
if screen | grep -q "EXIT="; then not_ok "q in the help did not quit"; else ok "q in the help did not quit"; fi

# The tool pane: edit the middle of a field with ←, and an unknown-to-ncurses Home (ESC [1~).
keys "/" "open" Enter
keys t
wait_for "the tool pane opens" "echo" 10
keys Tab Enter
keys "helo"
keys Left
keys "l"
keys -l $'\e[1~'
keys ">"
keys Enter
if screen | grep -q "— tools"; then ok "an ESC [1~ Home did not close the tool pane"; else not_ok "an ESC [1~ Home did not close the tool pane"; fi
keys F5
wait_for "the field edited in the middle was sent whole" "^ .*>hello *$" 15
keys Escape Escape Escape

# A call another client makes through `mcptop proxy` shows on the dashboard with its name.
keys "/" "open" Enter
{
    printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e-client","version":"1"}}}'
    printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"via the proxy"}}}'
    sleep 3
} | timeout 20 "$MCPTOP" proxy open >"$work/proxy.out" 2>"$work/proxy.err" &
proxy_pid=$!
wait_for "a call through the proxy shows with the client's name" "echo .*ok \(e2e-client via proxy" 5
wait "$proxy_pid"
grep -q '"id":2,"result"' "$work/proxy.out" && ok "the proxy answered the client's call" || not_ok "the proxy answered the client's call"
keys Escape

keys q
wait_for "q quits with exit status 0" "EXIT=0" 15

finish
