#!/usr/bin/env bash
# `mcptop auth NAME --device` (RFC 8628) with the real binary against the Okta emulation
# (`mcptop-demo-server --provider okta`; Okta's device grant:
# https://developer.okta.com/docs/guides/device-authorization-grant/main/):
#
#   MCPTOP=/path/to/mcptop integration/e2e/device.sh
#
# On a terminal (script(1) gives it one) the code, the address and a QR code are printed; the
# QR code, read off the terminal's text and drawn as an image, is read by ZBar (zbarimg) as
# the address with the code; the user approves on "another device" (an HTTP GET of that
# address) and the login is stored. Through a pipe no QR code is printed.
# Needs mcptop-demo-server beside $MCPTOP (or MCPTOP_DEMO_SERVER), python3, script and zbarimg.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"
find_binaries

start_server okta "$demo" --provider okta
export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
cat >"$MCPTOP_CONFIG" <<JSON
{"mcpServers": {"okta": {"url": "$(awk '/^listening/ { print $2 }' "$work/okta.stdout")",
                         "oauth": {"clientId": "mcptop-test-client"}}}}
JSON

echo "# on a terminal: the code, the address and a QR code of it"
script -qfec "$M auth okta --device" "$work/typescript" >/dev/null 2>&1 &
login=$!
pids+=("$login")
complete=""
for ((i = 0; i < 100; i++)); do
    complete="$(grep -ao '(or open [^)]*)' "$work/typescript" 2>/dev/null | head -1 | sed -E 's/^\(or open (.*)\)$/\1/')"
    [[ -n "$complete" ]] && break
    sleep 0.1
done
if [[ -n "$complete" ]]; then pass "the address with the code is printed"; else fail "no address was printed"; fi
sleep 0.5
# The QR code's lines (black on white, mcptop's own colours) back to modules, as an image.
python3 - "$work/typescript" "$work/qr.pbm" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
lines = re.findall("\x1b\\[30;47m([^\x1b]*)\x1b\\[0m", text)
rows = []
for line in lines:
    rows.append([c in "█▀" for c in line])
    rows.append([c in "█▄" for c in line])
scale, quiet = 4, 4
side = (len(rows[0]) + 2 * quiet) * scale if rows else 0
out = [f"P1\n{side} {len(rows) * scale + 2 * quiet * scale}"]
for y in range(len(rows) * scale + 2 * quiet * scale):
    r = y // scale - quiet
    out.append(" ".join("1" if 0 <= r < len(rows) and 0 <= x // scale - quiet < len(rows[r]) and rows[r][x // scale - quiet] else "0" for x in range(side)))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
read_back="$(zbarimg --raw -q -Sbinary "$work/qr.pbm" 2>/dev/null)"
if [[ -n "$complete" && "$read_back" == "$complete" ]]; then
    pass "ZBar reads the QR code as $complete"
else
    fail "ZBar read '$read_back' off the QR code, expected '$complete'"
fi
if [[ -n "$complete" ]]; then
    curl -s -o /dev/null --max-time 10 "$complete"  # the user approves on another device
fi
start="$(now)"
if ends_within "$login" "$start" 20 && wait "$login" && grep -aq "Logged in to okta" "$work/typescript"; then
    pass "approved elsewhere, the login is stored"
else
    fail "the device login did not end with 'Logged in to okta'"
fi
bounded "status shows the login" 5 0 "issuer http://127.0.0.1:[0-9]+/oauth2/aus-mcp" -- "$M" status

echo "# through a pipe: no QR code"
"$M" auth okta --device >"$work/piped.out" 2>"$work/piped.err" &
piped=$!
pids+=("$piped")
for ((i = 0; i < 100; i++)); do grep -q "(or open" "$work/piped.err" && break; sleep 0.1; done
if grep -q "(or open" "$work/piped.err" && ! grep -q "▀" "$work/piped.out" "$work/piped.err"; then
    pass "the code is printed, the QR code is not"
else
    fail "piped output: $(cat "$work/piped.out" "$work/piped.err" | head -5)"
fi
kill "$piped" 2>/dev/null

echo "$passed passed, $failed failed"
((failed == 0))
