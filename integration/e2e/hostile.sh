#!/usr/bin/env bash
# mcptop against a server written to attack it (issue 17), one mode per attack: every command
# ends within its deadline with a documented exit status (never a signal), says what went wrong
# and where, and sends no secret to another host.
#
#   MCPTOP=/path/to/mcptop integration/e2e/hostile.sh
#
# Starts integration/e2e/hostile_server.py (python3) with its "other host" listener; the modes
# are listed in hostile_modes.py. Hangs, huge and endless bodies, slow-loris streams, deep
# nesting, absurd numbers and 100k tools against `tools` and `call`; then OAuth logins (`auth`
# with integration/interop/browser.sh as the browser) that hang or are redirected at each step,
# metadata naming other origins, a mismatched resource or issuer, a mix-up `iss`, absurd token
# lifetimes. At the end the other host must have received no request from a redirect and no
# secret at all, and no secret may appear in anything mcptop printed.
# Prints `ok - …` / `not ok - …` per check, then `N passed, M failed`; exit 1 if any failed.
set -uo pipefail
: "${MCPTOP:?usage: MCPTOP=/path/to/mcptop $0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v python3 >/dev/null || { echo "hostile.sh: python3 is not installed" >&2; exit 1; }

. "$here/lib.sh"

start_server hostile python3 "$here/hostile_server.py" "$work/requests.log" "$work/elsewhere.log" "$work/secrets"
read -r _ port other_port <"$work/hostile.stdout"
base="http://127.0.0.1:$port"
other="http://127.0.0.1:$other_port"
touch "$work/elsewhere.log" "$work/secrets"

export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
# Every mode of hostile_modes.py as a server of that name, with a 2 s request timeout.
python3 - "$here" "$base" >"$MCPTOP_CONFIG" <<'EOF'
import json, sys
sys.path.insert(0, sys.argv[1])
import hostile_modes
modes = sorted(hostile_modes.MCP_MODES | hostile_modes.OAUTH)
print(json.dumps({"mcpServers": {m: {"url": f"{sys.argv[2]}/{m}/mcp", "timeout": 2000} for m in modes}}))
EOF
M="$MCPTOP"
browser="$here/../interop/browser.sh"
outputs=()  # every file mcptop printed to, for the secret check at the end
keep() { cp "$work/out" "$work/kept.$1.out"; cp "$work/err" "$work/kept.$1.err"; outputs+=("$work/kept.$1.out" "$work/kept.$1.err"); }

# peak_rss FILE COMMAND…: runs COMMAND; writes its peak resident set size (KiB) to FILE and
# exits with its status (128+N for signal N).
peak_rss() {
    python3 -c '
import resource, subprocess, sys
status = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(status if status >= 0 else 128 - status)' "$@"
}

echo "# a connection that never answers, at each step of the protocol (side by side)"
bounded_async discover "tools: server/discover never answered" 16 2 \
    "hang-discover: timed out talking to .*hang-discover/mcp: no answer to server/discover within" -- "$M" tools hang-discover
bounded_async initialize "call: initialize never answered" 8 2 \
    "hang-initialize: timed out talking to .*: no answer to initialize within 3 s" -- \
    "$M" call hang-initialize echo --timeout 3
bounded_async list "tools: tools/list never answered" 8 2 \
    "hang-tools-list: timed out talking to .*: no answer to tools/list within 2 s" -- "$M" tools hang-tools-list
bounded_async call "call: tools/call never answered" 8 2 \
    "hang-tools-call: timed out talking to .*: no answer to tools/call within 3 s" -- \
    "$M" call hang-tools-call echo --timeout 3

echo "# huge, endless and slow answers end at the body cap or the deadline"
bounded_async huge "tools: a 65 MiB answer stops at the 64 MiB cap" 10 2 "huge-body: .*64 MiB" -- "$M" tools huge-body
bounded_async endless "tools: an answer that never ends stops at the cap" 10 2 "endless-body: .*64 MiB" -- "$M" tools endless-body
bounded_async endless-sse "tools: an event stream of notifications that never ends stops at the 2 s deadline" 8 2 \
    "endless-sse: timed out talking to .*: no answer to tools/list within 2 s" -- "$M" tools endless-sse
bounded_async endless-event "tools: an SSE line that never ends stops at the cap or the deadline" 10 2 \
    "endless-event: (.*64 MiB|timed out talking to .*: no answer to tools/list within 2 s)" -- "$M" tools endless-event
bounded_async slow-sse "call: one byte a second (slow loris) does not hold off the 3 s deadline" 8 2 \
    "slow-sse: timed out talking to .*: no answer to tools/call within 3 s" -- "$M" call slow-sse echo --timeout 3
bounded_async slow-headers "tools: a status line sent a byte a second ends at the deadline" 8 2 "slow-headers: timed out" -- \
    "$M" tools slow-headers
settle

echo "# deep nesting, absurd numbers, a redirect"
bounded "tools: 100,000 nested arrays are refused with a message" 10 2 "deep-nesting: .*nest" -- "$M" tools deep-nesting
keep nesting
bounded "call: the same in a result" 10 2 "deep-nesting: .*nest" -- "$M" call deep-nesting echo
bounded "tools: absurd numbers in schemas and an SSE retry of 1e26 s" 10 0 "echo" -- "$M" tools absurd
bounded "call: progress of 1e300/-5, -5/\"3600\", \"x\"/1e400, 1e400, a stray id -5: the result prints" 10 0 "^hello$" -- \
    "$M" call absurd echo --args '{"text": "hello"}'
if grep -q "^progress 1e+300/-5 step$" "$work/err" && grep -q "^progress 2/1e+300 step$" "$work/err" &&
    ! grep -Eq "null|inf|nan" "$work/err"; then
    pass "call: finite progress prints as sent, the rest (\"x\", 1e400) is dropped"
else
    fail "call: progress lines"
fi
bounded "call: an error code of 1e300 is a clear failure" 10 2 "absurd: protocol error: error response without an integer code" -- \
    "$M" call absurd fail
bounded "call: a stray response with the id 1e300 is a clear failure" 10 2 "absurd-stray: protocol error: response without a valid id" -- \
    "$M" call absurd-stray echo
bounded "tools: protocolVersion 1e300 is refused with a message" 10 2 "absurd-version: protocol error: initialize result has no protocolVersion string \\(it sent 1e\\+300\\)" -- \
    "$M" tools absurd-version
bounded "tools: an answer with the id 1e300 is not taken for the request's" 10 2 "absurd-id: protocol error: .*id" -- \
    "$M" tools absurd-id
bounded "tools: a 307 to another host is not followed, and says where it points" 10 2 \
    "redirect: .*answered HTTP 307: a redirect to $other/mcp, not followed" -- "$M" tools redirect

echo "# 100,000 tools"
bounded "tools: 100,000 tools in one answer" 60 0 "tool-099999" -- peak_rss "$work/rss-100k" "$M" tools tools-100k
kib="$(cat "$work/rss-100k" 2>/dev/null || echo 0)"
if ((kib > 0 && kib < 1024 * 1024)); then pass "and memory stays below 1 GiB ($((kib / 1024)) MiB)"; else fail "peak memory ${kib} KiB"; fi
bounded "tools: 100,000 tools in 100 pages" 60 0 "tool-099999" -- peak_rss "$work/rss-paged" "$M" tools tools-paged
kib="$(cat "$work/rss-paged" 2>/dev/null || echo 0)"
if ((kib > 0 && kib < 1024 * 1024)); then pass "and memory stays below 1 GiB ($((kib / 1024)) MiB)"; else fail "peak memory ${kib} KiB"; fi
bounded "tools: pages that never end are given up with a message" 30 2 "tools-endless: .*pages" -- "$M" tools tools-endless

echo "# OAuth: a step that never answers, a redirect to another host at each step (side by side)"
login() {  # login ID MODE LIMIT RC PATTERN: `auth MODE` with the headless browser, in the background
    bounded_async "$1" "auth $2: ${6:-$5}" "$3" "$4" "$5" -- env BROWSER="$browser" "$M" auth "$2"
}
login prm hang-prm 40 2 "hang-prm: protected resource metadata: timed out talking to .*oauth-protected-resource/hang-prm/mcp" \
    "the protected resource metadata never answered"
login asm hang-asm 40 2 "hang-asm: authorization server metadata: timed out talking to .*oauth-authorization-server/hang-asm" \
    "the authorization server metadata never answered"
login reg hang-register 40 2 "hang-register: dynamic client registration: timed out talking to .*/register" "registration never answered"
login tok hang-token 40 2 "hang-token: code exchange: timed out talking to .*/token" "the code exchange never answered"
named="HTTP 307, a redirect to $other/[^ ]*, not followed"
login rprm redirect-prm 20 2 "redirect-prm: authorization discovery failed: .*/redirect-prm/mcp answered $named" \
    "protected resource metadata redirected"
login rasm redirect-asm 20 2 "redirect-asm: authorization discovery failed: .*redirect-asm answered $named" \
    "authorization server metadata redirected"
login rreg redirect-register 20 2 "redirect-register: dynamic client registration at .* answered $named" \
    "registration redirected"
login rtok redirect-token 20 2 "redirect-token: login failed: .*/token answered $named" "the code exchange redirected"
login hprm huge-prm 20 2 "huge-prm: protected resource metadata: response from .* is larger than the 1 MiB limit" \
    "2 MiB of protected resource metadata stops at the 1 MiB cap"
login etok endless-token 20 2 "endless-token: code exchange: response from .*/token is larger than the 1 MiB limit" \
    "a token answer that never ends stops at the cap"
login ok oauth-ok 20 0 "Logged in to oauth-ok" "the control case logs in"
login authed redirect-mcp-authed 20 0 "Logged in to redirect-mcp-authed" "a login for a server that redirects once it has a token"
login fres foreign-resource 20 2 "foreign-resource: .*resource metadata is for $other/mcp" "metadata for another host's resource is refused"
login fiss foreign-issuer 20 2 "foreign-issuer: .*names the issuer $other, expected $base/foreign-issuer" \
    "metadata naming another host as issuer is refused"
login fprm foreign-prm-url 20 2 "foreign-prm-url: .*resource metadata is for $other/mcp" "metadata on another host for its own resource is refused"
login fend foreign-endpoint 20 2 "foreign-endpoint: refusing the token endpoint http://127.0.0.1.evil.invalid:.*must use https" \
    "a plain-http token endpoint off loopback is refused"
login mixup mixup-iss 20 2 "mixup-iss: login failed: the response came from issuer $other, expected" \
    "an authorization response from another issuer is refused"
for mode in expires-huge expires-overflow expires-negative expires-string expires-junk; do
    login "$mode" "$mode" 20 0 "Logged in to $mode" "a token lifetime of $(python3 -c "import sys; sys.path.insert(0, '$here'); import hostile_modes; print(hostile_modes.EXPIRES['$mode'])")"
done
for id in "${started[@]}"; do outputs+=("$work/$id.out" "$work/$id.err"); done
settle

echo "# after the logins"
bounded "tools oauth-ok works with its login" 10 0 "echo" -- "$M" tools oauth-ok
keep tools-ok
bounded "tools: a server that redirects its token's requests fails, naming the redirect" 10 2 \
    "redirect-mcp-authed: .*307.*$other/mcp" -- "$M" tools redirect-mcp-authed
keep tools-authed
bounded "status: lifetimes of 1e300 s at most ten years, 1e400/-5/{} unknown, \"3600\" an hour" 10 0 -- "$M" status
keep status
python3 - "$work/out" <<'EOF' && pass "status: each login's expiry as bounded" || fail "status: expiries"
import re, sys
text = open(sys.argv[1]).read()
blocks = dict(re.findall(r"^(\S+)[^\n]*\n((?:[ \t][^\n]*\n)*)", text, re.M))
want = {"expires-huge": r"expires in 36[0-9][0-9]d.*\n.*valid for 36[0-9][0-9]d",
        "expires-overflow": r"expiry unknown", "expires-negative": r"expiry unknown",
        "expires-string": r"expires in (59m|1h).*\n.*valid for (59m|1h)", "expires-junk": r"expiry unknown"}
bad = [f"{mode}: {blocks.get(mode, '(missing)')!r}" for mode, pattern in want.items()
       if not re.search(pattern, blocks.get(mode, ""))]
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

echo "# watch: each hostile server's state and why"
bounded "watch --duration 5 ends on time and fails the run" 12 2 -- "$M" watch --duration 5 --server redirect \
    --server endless-sse --server deep-nesting --server huge-body --server hang-tools-list
python3 - "$work/out" <<'EOF' && pass "watch: each server's problem is named, and the summary says it never connected" || fail "watch: states and summary"
import re, sys
text = open(sys.argv[1]).read()
want = {"redirect": r"answered HTTP 307: a redirect to .*, not followed",
        "endless-sse": r"timed out talking to .*: no answer to tools/list within 2 s",
        "deep-nesting": r"protocol error: invalid JSON .*nesting deeper than",
        "huge-body": r"response from .* is larger than the 64 MiB limit",
        "hang-tools-list": r"timed out talking to .*: no answer to tools/list within 2 s"}
# Each server's problem in one of its lines (a state change or the summary: at the end of the
# run one may be connecting again after its backoff), and a summary line saying it never connected.
bad = [f"{server}: {pattern}" for server, pattern in want.items()
       if not re.search(rf"^\S+ +{server} +.*{pattern}", text, re.M)
       or not re.search(rf"^summary +{server} +\S+ +never connected", text, re.M)]
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

echo "# the other host"
# The one request the other host may see: the metadata foreign-prm-url's 401 points at.
unexpected="$(grep -E "^[A-Z]+ /" "$work/elsewhere.log" | grep -vx "GET /.well-known/oauth-protected-resource/mcp")"
if [[ -n "$unexpected" ]]; then
    fail "a redirect was followed to the other host: $(echo "$unexpected" | tr '\n' ' ')"
else
    pass "no redirect was followed: the other host saw only the metadata GET foreign-prm-url named ($(grep -cE "^[A-Z]+ /" "$work/elsewhere.log"))"
fi
if grep -qi "^authorization:" "$work/elsewhere.log"; then fail "an Authorization header reached the other host"; else pass "no Authorization header reached the other host"; fi
python3 - "$work/secrets" "$work/elsewhere.log" "${outputs[@]}" <<'EOF' && pass "no secret reached the other host or any output" || fail "a secret leaked"
import sys
secrets = {line.strip().encode() for line in open(sys.argv[1]) if line.strip()}
leaks = [f"{path}: a {secret.split(b'-')[0].decode()} secret" for path in sys.argv[2:]
         for secret in secrets if secret in open(path, "rb").read()]
print(f"{len(secrets)} secrets, {len(sys.argv) - 2} files, {len(leaks)} leaks", file=sys.stderr)
print("\n".join(leaks), file=sys.stderr)
sys.exit(1 if leaks or len(secrets) < 10 else 0)
EOF

echo "$passed passed, $failed failed"
((failed == 0))
