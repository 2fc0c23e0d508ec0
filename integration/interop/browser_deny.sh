#!/usr/bin/env bash
# Headless "browser" that simulates a user who denies consent: mcptop runs
# `$BROWSER <authorize-url>`; this script contacts nothing but the client's own redirect_uri.
#
#   BROWSER=integration/interop/browser_deny.sh mcptop login <server>
#
# Reads redirect_uri and state from the authorization URL's query and requests
#   <redirect_uri>?error=access_denied&error_description=User+denied&state=<state>&iss=<issuer>
# as an authorization server would after a refusal (RFC 6749 section 4.1.2.1).
#
# iss (RFC 9207): py_oauth_server.py advertises authorization_response_iss_parameter_supported,
# and a client must then reject an authorization response WITHOUT iss (error responses
# included) before looking at `error`. So by default the script adds iss = the authorization
# URL's origin (scheme://host:port), which is py_oauth_server.py's issuer. BROWSER_DENY_ISS
# overrides it; set it to the empty string to send no iss (to test that rejection).
#
# Prints nothing on success and exits 0 once the receiver answered (whatever its HTTP status: the
# denial was delivered). On failure: one short line on stderr, without the URL, and exit 1.
#
# Environment: BROWSER_TIMEOUT (default 30), BROWSER_DENY_ISS (see above)
set -u
export LC_ALL=C

if [[ $# -lt 1 || -z "$1" ]]; then
    echo "browser_deny.sh: usage: browser_deny.sh <authorization-url>" >&2
    exit 2
fi
url="$1"

urldecode() {
    local s="${1//+/ }"
    printf '%b' "${s//%/\\x}"
}

urlencode() {
    local s="$1" out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c="${s:i:1}"
        case "$c" in
            [A-Za-z0-9.~_-]) out+="$c" ;;
            *) out+="$(printf '%%%02X' "'$c")" ;;
        esac
    done
    printf '%s' "$out"
}

query="${url#*\?}"
[[ "$query" == "$url" ]] && query=""
query="${query%%#*}"
redirect_uri="" state="" have_state=0
IFS='&' read -r -a pairs <<<"$query"
for pair in "${pairs[@]}"; do
    key="$(urldecode "${pair%%=*}")"
    value=""
    [[ "$pair" == *=* ]] && value="$(urldecode "${pair#*=}")"
    case "$key" in
        redirect_uri) redirect_uri="$value" ;;
        state) state="$value"; have_state=1 ;;
    esac
done

if [[ -z "$redirect_uri" ]]; then
    echo "browser_deny.sh: the authorization URL has no redirect_uri parameter" >&2
    exit 1
fi

if [[ -v BROWSER_DENY_ISS ]]; then
    iss="$BROWSER_DENY_ISS"
else
    # scheme://authority of the authorization URL
    rest="${url#*://}"
    iss="${url%%://*}://${rest%%[/?#]*}"
fi

params="error=access_denied&error_description=User+denied"
((have_state)) && params+="&state=$(urlencode "$state")"
[[ -n "$iss" ]] && params+="&iss=$(urlencode "$iss")"
base="${redirect_uri%%#*}"
if [[ "$base" == *\?* ]]; then
    target="$base&$params"
else
    target="$base?$params"
fi

# No -f: any HTTP answer means the denial reached the receiver.
curl -sS --noproxy '*' --max-time "${BROWSER_TIMEOUT:-30}" -o /dev/null "$target" </dev/null 2>/dev/null
rc=$?
if ((rc != 0)); then
    echo "browser_deny.sh: delivering the denial to the redirect_uri failed (curl exit $rc)" >&2
    exit 1
fi
exit 0
