#!/usr/bin/env bash
# The dashboard's device login (RFC 8628), as a user meets it in tmux at 80x24, against the
# Okta emulation (`mcptop-demo-server --provider okta`): with `"oauth": {"deviceLogin": true}`
# the login key shows the code, the address and a QR code; the code approved on "another
# device" (an HTTP GET of the provider's page), the popup closes and the row connects. The
# device popup's footer does not offer `v` (a device login) again.
#
#   MCPTOP=/path/to/mcptop integration/e2e/device_dashboard.sh     (mcptop-demo-server beside it)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/tmux.sh" device
find_demo_server
work="$TMUX_TMPDIR"
server_pid=""
stop_server() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; }
extra_cleanup=stop_server

"$demo_server" --provider okta >"$work/okta.out" 2>"$work/okta.err" &
server_pid=$!
for ((i = 0; i < 100; i++)); do grep -q '^provider' "$work/okta.out" && break; sleep 0.1; done
mcp_url="$(awk '/^listening/ { print $2 }' "$work/okta.out")"
provider="$(awk '/^provider/ { print $2 }' "$work/okta.out")"
cat >"$work/config.json" <<EOF2
{"mcpServers": {"okta": {"url": "$mcp_url", "oauth": {"clientId": "mcptop-test-client", "deviceLogin": true}}}}
EOF2

tm new-session -d -s "$session" -x 80 -y 24 "env -u NO_COLOR TERM=tmux-256color bash --norc --noprofile"
keys "PS1='prompt> '; clear" Enter
keys "MCPTOP_CONFIG='$work/config.json' MCPTOP_STATE_DIR='$work/state' $MCPTOP; echo EXIT=\$?" Enter
wait_for "the server needs a login" "^okta +.*needsLogin" 20
keys a
wait_for "a shows the device login's code and address" "Log in to okta on any device: open" 15
wait_for "and a QR code beside them" "▀" 5
if screen | grep -q "Device code"; then not_ok "the device popup's footer offers v (Device code)"; else
    ok "the device popup's footer does not offer v again"; fi
code="$(screen | grep -Eo '^  [A-Z]{4}-[A-Z]{4}' | head -1 | tr -d ' ')"
if [[ -n "$code" ]]; then ok "the code $code is on the screen"; else not_ok "no code on the screen"; fi
curl -s -o /dev/null --max-time 10 "$provider/device?user_code=$code"  # approved on another device
wait_for "approved elsewhere, the popup closes and the login is stored" "okta: logged in" 20
wait_for "the row connects" "^okta +● connected" 20
keys q
wait_for "q quits with exit status 0" "EXIT=0" 15
finish
