#!/usr/bin/env bash
# HTTPS_PROXY and NO_PROXY are honoured, and an MCP server over TLS with a CA of one's own
# works (issue 15), with the real binary:
#
#   MCPTOP=/path/to/mcptop integration/e2e/proxy.sh
#
# A demo server (a bearer token from the config) behind a TLS front whose certificate, for the
# name mcp.test, is signed by a test CA (openssl); a CONNECT proxy (proxy_peers.py) that logs
# what it tunnels and takes every name for 127.0.0.1, so mcp.test is reached only through it.
# Needs mcptop-demo-server beside $MCPTOP (or MCPTOP_DEMO_SERVER), python3 and openssl.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"
find_binaries

# A peer of proxy_peers.py (in `pids`, so it is stopped on exit); `port NAME` is its port.
start_peer() {
    local name="$1" i
    shift
    python3 "$here/proxy_peers.py" "$@" >"$work/$name.port" 2>"$work/$name.stderr" &
    pids+=($!)
    for ((i = 0; i < 100; i++)); do
        [[ -s "$work/$name.port" ]] && return 0
        sleep 0.1
    done
    echo "proxy.sh: $name did not start:" >&2
    cat "$work/$name.stderr" >&2
    exit 1
}
port() { head -1 "$work/$1.port"; }

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=mcptop proxy test CA" \
    -keyout "$work/ca-key.pem" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=mcp.test" -keyout "$work/key.pem" -out "$work/leaf.csr" 2>/dev/null
echo "subjectAltName=DNS:mcp.test" >"$work/san.ext"
openssl x509 -req -in "$work/leaf.csr" -CA "$work/ca.pem" -CAkey "$work/ca-key.pem" -CAcreateserial -days 1 \
    -extfile "$work/san.ext" -out "$work/cert.pem" 2>/dev/null

start_server plain "$demo" --bearer test-bearer-token
plain_port="$(awk '/^listening/ { print $2 }' "$work/plain.stdout" | sed -E 's#^http://127\.0\.0\.1:([0-9]+)/.*#\1#')"
start_peer front tls-front "$work/cert.pem" "$work/key.pem" "$plain_port"
start_peer proxy connect-proxy "$work/proxy.log"
tls_port="$(port front)" proxy_port="$(port proxy)"
touch "$work/proxy.log"

export MCPTOP_CONFIG="$work/config.json" MCPTOP_STATE_DIR="$work/state"
cat >"$MCPTOP_CONFIG" <<JSON
{"mcpServers": {
  "tls": {"url": "https://mcp.test:$tls_port/mcp", "headers": {"Authorization": "Bearer test-bearer-token"}}
},
 "mcptop": {"caFile": "$work/ca.pem"}}
JSON
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy NO_PROXY no_proxy
tunnelled() { grep -c "^CONNECT mcp.test:$tls_port HTTP/1.1$" "$work/proxy.log"; }

echo "# without a proxy, mcp.test is not reached (it has no address)"
bounded "call fails naming the host" 15 2 "mcp\\.test" -- "$M" call tls echo --args '{"text": "hi"}'

echo "# HTTPS_PROXY: the call goes through the proxy, over TLS verified with the config's caFile"
bounded "call through the proxy" 15 0 "^hi$" -- \
    env HTTPS_PROXY="http://127.0.0.1:$proxy_port" "$M" call tls echo --args '{"text": "hi"}'
if (($(tunnelled) >= 1)); then pass "the proxy tunnelled CONNECT mcp.test:$tls_port"; else fail "the proxy saw no CONNECT"; fi
if grep -q "test-bearer-token" "$work/proxy.log"; then fail "the proxy saw the bearer token"; else pass "the proxy saw no token (TLS inside the tunnel)"; fi

echo "# NO_PROXY names the host: the proxy is not used"
before="$(tunnelled)"
bounded "call with NO_PROXY=mcp.test goes direct and fails" 15 2 "mcp\\.test" -- \
    env HTTPS_PROXY="http://127.0.0.1:$proxy_port" NO_PROXY="mcp.test" "$M" call tls echo --args '{"text": "hi"}'
if (($(tunnelled) == before)); then pass "the proxy saw nothing more"; else fail "the proxy was used despite NO_PROXY"; fi
bounded "NO_PROXY for another host leaves the proxy in use" 15 0 "^hi$" -- \
    env HTTPS_PROXY="http://127.0.0.1:$proxy_port" NO_PROXY="example.com,localhost" \
    "$M" call tls echo --args '{"text": "hi"}'

echo "# through the proxy, a certificate from an unknown authority is named, with exit 2"
sed -i 's#"caFile": "[^"]*"#"caFile": "/etc/ssl/certs/ca-certificates.crt"#' "$MCPTOP_CONFIG"
bounded "certificate error names the host and caFile" 15 2 "certificate for mcp\\.test is signed by an unknown authority" -- \
    env HTTPS_PROXY="http://127.0.0.1:$proxy_port" "$M" call tls echo --args '{"text": "hi"}'

echo "$passed passed, $failed failed"
((failed == 0))
