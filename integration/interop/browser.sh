#!/usr/bin/env bash
# Headless "browser" for OAuth login tests: mcptop runs `$BROWSER <authorize-url>`.
#
#   BROWSER=integration/interop/browser.sh mcptop login <server>
#
# Fetches the authorization URL with curl, following redirects. Against py_oauth_server.py the
# auto-approving /authorize answers 302 to the client's redirect_uri (mcptop's loopback receiver,
# http://127.0.0.1:PORT/callback?code=...&state=...&iss=...), so the fetch completes the login.
#
# Prints nothing on success (the URL holds state and, after the redirect, a code) and exits 0
# once the fetch is done. On failure: one short line on stderr, without the URL, and exit 1.
#
# Environment: BROWSER_TIMEOUT  seconds the whole fetch may take (default 30)
set -u

if [[ $# -lt 1 || -z "$1" ]]; then
    echo "browser.sh: usage: browser.sh <authorization-url>" >&2
    exit 2
fi

# -f: an HTTP error on any hop (e.g. /authorize refusing the request, or the receiver rejecting
# the callback) is a failure. --noproxy: everything here is loopback. -w prints the last status.
status="$(curl -fsS -L --max-redirs 10 --noproxy '*' --max-time "${BROWSER_TIMEOUT:-30}" \
    -o /dev/null -w '%{http_code} %{num_redirects}' "$1" </dev/null 2>/dev/null)"
rc=$?
if ((rc != 0)); then
    echo "browser.sh: fetching the authorization URL failed (curl exit $rc, last HTTP status ${status%% *}, redirects ${status##* })" >&2
    exit 1
fi
exit 0
