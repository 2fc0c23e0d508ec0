#!/usr/bin/env python3
"""Self-check of py_oauth_server.py, browser.sh and browser_deny.sh, by hand-made HTTP requests.

    .venv-interop/bin/python integration/interop/oauth_selfcheck.py

Starts py_oauth_server.py (a few configurations) on free ports and walks the whole OAuth flow the
way a client does, so it also documents what the server does:

  metadata (RFC 8414 / RFC 9728 at both locations) -> 401 with WWW-Authenticate ->
  dynamic registration -> /authorize with PKCE S256 (302 carrying code, state, iss) ->
  code exchange (a wrong code_verifier first: invalid_grant) -> stateful 2025-11-25 session
  (initialize, tools/list, whoami) and stateless 2026-07-28 calls -> the token expires (401,
  counted as rejected_expired) -> refresh with rotation (the old refresh token: invalid_grant) ->
  the new token continues the same session -> revocation -> /_stats.
  Then --no-rotate-refresh / --refuse-refresh-after, --refresh-token-lifetime, --no-iss, the
  browser scripts against a throw-away loopback receiver, and a scan of the servers' output for
  any token, code, verifier or secret.

Prints `ok - ...` / `not ok - ...` per check and `N passed, M failed`; exit 1 if any failed.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import httpx2

HERE = Path(__file__).resolve().parent
SERVER = HERE / "py_oauth_server.py"
V25 = "2025-11-25"
V26 = "2026-07-28"

passed = 0
failed = 0
secrets_seen: list[str] = []  # every token/code/verifier/secret handed out, for the log scan


def check(desc: str, cond: bool, detail: object = "") -> bool:
    global passed, failed
    if cond:
        passed += 1
        print(f"ok - {desc}")
    else:
        failed += 1
        print(f"not ok - {desc}")
        if detail != "":
            print(f"#   {detail}")
    return cond


class Server:
    def __init__(self, *args: str) -> None:
        self.log = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(SERVER), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            self.log.seek(0)
            raise SystemExit(f"server did not start: {line!r} {self.log.read()}")
        self.first_line = line
        self.mcp = line.split()[1]
        self.base = self.mcp.removesuffix("/mcp")

    def stop(self) -> str:
        self.proc.terminate()
        rest, _ = self.proc.communicate(timeout=10)
        self.log.seek(0)
        return self.first_line + rest + self.log.read()

    def stats(self) -> dict:
        return httpx2.get(self.base + "/_stats").json()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    secrets_seen.append(verifier)
    return verifier, challenge


def register(c: httpx2.Client, base: str, redirect_uri: str, **extra) -> dict:
    body = {
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "client_name": "oauth-selfcheck",
        **extra,
    }
    r = c.post(base + "/register", json=body)
    r.raise_for_status()
    info = r.json()
    if info.get("client_secret"):
        secrets_seen.append(info["client_secret"])
    return info


def authorize_url(base: str, client_id: str, redirect_uri: str, challenge: str, state: str, **extra) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        "resource": base + "/mcp",
        **extra,
    }
    return base + "/authorize?" + urlencode(params)


def token(c: httpx2.Client, base: str, **form) -> httpx2.Response:
    r = c.post(base + "/token", data=form)
    if r.status_code == 200:
        body = r.json()
        secrets_seen.extend(v for k, v in body.items() if k in ("access_token", "refresh_token") and v)
    return r


def login(c: httpx2.Client, base: str, redirect_uri: str) -> tuple[dict, dict]:
    """Register + authorize + exchange; returns (client info, token response)."""
    info = register(c, base, redirect_uri)
    verifier, challenge = pkce()
    r = c.get(authorize_url(base, info["client_id"], redirect_uri, challenge, "s"))
    q = parse_qs(urlparse(r.headers["location"]).query)
    secrets_seen.append(q["code"][0])
    r = token(
        c,
        base,
        grant_type="authorization_code",
        code=q["code"][0],
        redirect_uri=redirect_uri,
        client_id=info["client_id"],
        code_verifier=verifier,
        resource=base + "/mcp",
    )
    r.raise_for_status()
    return info, r.json()


def sse_or_json(r: httpx2.Response) -> dict:
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        for line in r.text.splitlines():
            if line.startswith("data:"):
                return json.loads(line[5:])
        raise ValueError("no data line in SSE response")
    return r.json()


def mcp_post(c: httpx2.Client, url: str, bearer: str | None, body: dict, version: str, session: str | None = None):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    headers["MCP-Protocol-Version"] = version
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    if session:
        headers["Mcp-Session-Id"] = session
    if version == V26 and "method" in body:
        # The 2026-07-28 path wants the routing headers and the per-request _meta envelope.
        headers["Mcp-Method"] = body["method"]
        if "name" in body.get("params", {}):
            headers["Mcp-Name"] = body["params"]["name"]
        body = json.loads(json.dumps(body))
        body.setdefault("params", {})["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": V26,
            "io.modelcontextprotocol/clientCapabilities": {},
        }
    return c.post(url, json=body, headers=headers)


def tool_text(resp: dict) -> str | None:
    try:
        return "".join(x["text"] for x in resp["result"]["content"] if x["type"] == "text")
    except (KeyError, TypeError):
        return None


def main_flow(c: httpx2.Client) -> str:
    srv = Server("--scopes", "mcp:tools offline_access")
    base, mcp = srv.base, srv.mcp
    redirect_uri = "http://127.0.0.1:5999/callback"
    try:
        check("server prints one listening line", srv.first_line == f"listening {mcp}\n", srv.first_line)

        # --- discovery ---
        asm = c.get(base + "/.well-known/oauth-authorization-server").json()
        check("AS metadata issuer is the origin without a trailing slash", asm.get("issuer") == base, asm)
        check(
            "AS metadata: S256, scopes incl. offline_access, iss advertised",
            asm.get("code_challenge_methods_supported") == ["S256"]
            and asm.get("scopes_supported") == ["mcp:tools", "offline_access"]
            and asm.get("authorization_response_iss_parameter_supported") is True,
            asm,
        )
        prm_path = c.get(base + "/.well-known/oauth-protected-resource/mcp").json()
        prm_root = c.get(base + "/.well-known/oauth-protected-resource").json()
        check(
            "protected resource metadata at path-aware and root locations (no offline_access)",
            prm_path == prm_root
            and prm_path.get("resource") == mcp
            and prm_path.get("authorization_servers") == [base]
            and prm_path.get("scopes_supported") == ["mcp:tools"],
            (prm_path, prm_root),
        )
        init = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": V25, "capabilities": {}, "clientInfo": {"name": "selfcheck", "version": "1"}},
        }
        r = mcp_post(c, mcp, None, init, V25)
        www = r.headers.get("www-authenticate", "")
        check(
            "no token: 401 with WWW-Authenticate naming resource_metadata",
            r.status_code == 401
            and www.startswith("Bearer ")
            and f'resource_metadata="{base}/.well-known/oauth-protected-resource/mcp"' in www,
            (r.status_code, www),
        )

        # --- registration ---
        info = register(c, base, redirect_uri)
        cid = info["client_id"]
        check(
            "DCR: public client registered with the default scopes",
            info.get("token_endpoint_auth_method") == "none"
            and "client_secret" not in info
            and info.get("scope") == "mcp:tools offline_access",
            info,
        )

        # --- authorize ---
        verifier, challenge = pkce()
        r = c.get(authorize_url(base, cid, redirect_uri, challenge, "st-123"))
        loc = r.headers.get("location", "")
        q = parse_qs(urlparse(loc).query)
        code = q.get("code", [""])[0]
        secrets_seen.append(code)
        check(
            "/authorize auto-approves: 302 to redirect_uri with code, state and iss",
            r.status_code == 302
            and loc.startswith(redirect_uri + "?")
            and code
            and q.get("state") == ["st-123"]
            and q.get("iss") == [base],
            (r.status_code, "location without code:", loc.replace(code, "<code>") if code else loc),
        )
        r = c.get(authorize_url(base, cid, redirect_uri, challenge, "st-x", resource="http://127.0.0.1:1/other"))
        q2 = parse_qs(urlparse(r.headers.get("location", "")).query)
        check(
            "/authorize for another resource: redirect with invalid_target, state and iss",
            r.status_code == 302 and q2.get("error") == ["invalid_target"] and q2.get("state") == ["st-x"] and q2.get("iss") == [base],
            q2,
        )
        r = c.get(authorize_url(base, cid, "http://127.0.0.1:6000/callback", challenge, "st-y"))
        check("/authorize with an unregistered redirect_uri (other port): 400, no redirect", r.status_code == 400, r.status_code)

        # --- code exchange ---
        form = dict(grant_type="authorization_code", code=code, redirect_uri=redirect_uri, client_id=cid, resource=mcp)
        r = token(c, base, **form, code_verifier=secrets.token_urlsafe(48))
        check("wrong code_verifier: invalid_grant", r.status_code == 400 and r.json().get("error") == "invalid_grant", r.text)
        t0 = time.time()
        r = token(c, base, **form, code_verifier=verifier)
        tok = r.json()
        check(
            "code exchange: access + refresh token, expires_in 2, scope granted",
            r.status_code == 200
            and tok.get("token_type") == "Bearer"
            and tok.get("expires_in") == 2
            and tok.get("refresh_token")
            and tok.get("scope") == "mcp:tools offline_access",
            {k: v for k, v in tok.items() if k not in ("access_token", "refresh_token")},
        )
        r = token(c, base, **form, code_verifier=verifier)
        check("code reuse: invalid_grant", r.status_code == 400 and r.json().get("error") == "invalid_grant", r.text)
        at1, rt1 = tok["access_token"], tok["refresh_token"]

        # --- MCP, stateful path ---
        r = mcp_post(c, mcp, at1, init, V25)
        sid = r.headers.get("mcp-session-id")
        check("initialize (2025-11-25) with the bearer: 200 and a session", r.status_code == 200 and bool(sid), r.status_code)
        r = mcp_post(c, mcp, at1, {"jsonrpc": "2.0", "method": "notifications/initialized"}, V25, sid)
        check("notifications/initialized: 202", r.status_code == 202, r.status_code)
        r = mcp_post(c, mcp, at1, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, V25, sid)
        names = sorted(t["name"] for t in sse_or_json(r)["result"]["tools"]) if r.status_code == 200 else r.status_code
        check("tools/list (2025-11-25): echo, whoami", names == ["echo", "whoami"], names)
        call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "whoami", "arguments": {}}}
        r = mcp_post(c, mcp, at1, call, V25, sid)
        check("whoami (2025-11-25) returns the client_id", r.status_code == 200 and tool_text(sse_or_json(r)) == cid, r.text)

        # --- MCP, stateless path ---
        r = mcp_post(c, mcp, at1, {"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {}}, V26)
        names = sorted(t["name"] for t in sse_or_json(r)["result"]["tools"]) if r.status_code == 200 else r.text
        check("tools/list (2026-07-28, stateless) with the bearer", names == ["echo", "whoami"], names)
        echo = {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "hi there"}}}
        r = mcp_post(c, mcp, at1, echo, V26)
        check("echo (2026-07-28) returns the text", r.status_code == 200 and tool_text(sse_or_json(r)) == "hi there", r.text)

        before = srv.stats()
        check("no request so far carried an expired token", before["rejected_expired"] == 0, before)

        # --- expiry, exactly ---
        # Just past the exact expiry, but (unless the issue time had a fractional part near .9)
        # still inside the second the SDK's whole-second check would accept.
        time.sleep(max(0.0, t0 + 2.05 - time.time()))
        r = mcp_post(c, mcp, at1, {"jsonrpc": "2.0", "id": 6, "method": "tools/list"}, V25, sid)
        www = r.headers.get("www-authenticate", "")
        check(
            "2.05 s after issue the token is refused: 401 + WWW-Authenticate with resource_metadata",
            r.status_code == 401 and "resource_metadata=" in www and 'error="invalid_token"' in www,
            (r.status_code, www),
        )
        s = srv.stats()
        check("rejected_expired counted it", s["rejected_expired"] == 1 and s["rejected_unknown"] == 0, s)

        # --- refresh with rotation ---
        rform = dict(grant_type="refresh_token", client_id=cid)
        r = token(c, base, **rform, refresh_token=rt1)
        tok2 = r.json()
        check(
            "refresh: new access token and a new (rotated) refresh token",
            r.status_code == 200
            and tok2.get("access_token") not in (None, at1)
            and tok2.get("refresh_token") not in (None, rt1)
            and tok2.get("expires_in") == 2,
            r.status_code,
        )
        at2, rt2 = tok2.get("access_token"), tok2.get("refresh_token")
        r = token(c, base, **rform, refresh_token=rt1)
        check("old refresh token after rotation: invalid_grant", r.status_code == 400 and r.json().get("error") == "invalid_grant", r.text)
        r = mcp_post(c, mcp, at2, {"jsonrpc": "2.0", "id": 7, "method": "tools/list"}, V25, sid)
        check("refreshed token continues the same 2025-11-25 session", r.status_code == 200, (r.status_code, r.text))
        r = token(c, base, **rform, refresh_token=rt2, scope="mcp:tools")
        tok3 = r.json()
        check("refresh narrowing scope to mcp:tools", r.status_code == 200 and tok3.get("scope") == "mcp:tools", tok3.get("scope"))
        r = token(c, base, **rform, refresh_token=tok3.get("refresh_token", ""), scope="mcp:tools offline_access")
        check("refresh asking more scope than the refresh token has: invalid_scope", r.json().get("error") == "invalid_scope", r.text)
        at3, rt3 = tok3["access_token"], tok3["refresh_token"]

        # --- revocation ---
        r = c.post(base + "/revoke", data={"token": rt3, "token_type_hint": "refresh_token", "client_id": cid, "client_secret": ""})
        check("/revoke (public client, empty client_secret): 200", r.status_code == 200, (r.status_code, r.text))
        r = token(c, base, **rform, refresh_token=rt3)
        check("revoked refresh token: invalid_grant", r.json().get("error") == "invalid_grant", r.text)
        r = mcp_post(c, mcp, at3, {"jsonrpc": "2.0", "id": 8, "method": "tools/list"}, V25, sid)
        check("revoking the refresh token revoked the grant's access token too: 401", r.status_code == 401, r.status_code)

        s = srv.stats()
        want = {
            "tokens_issued": 3,
            "refresh_tokens_issued": 3,
            "refreshes": 2,
            "invalid_grant": 4,  # wrong verifier, code reuse, rotated refresh token, revoked refresh token
            "refresh_reuse": 1,
            "code_exchanges": 1,
            "authorizations": 1,
            "missing_resource": 0,
            "registrations": 1,
            "revocations": 1,
            "rejected_expired": 1,
            "rejected_unknown": 1,
            "rejected_revoked": 1,
            "rejected_missing": 1,
            "accepted": 7,  # 6 with the first token, 1 with the refreshed one
        }
        check("/_stats counters", all(s.get(k) == v for k, v in want.items()), {k: (s.get(k), v) for k, v in want.items() if s.get(k) != v})
    finally:
        log = srv.stop()
    return log


def refresh_policies(c: httpx2.Client) -> str:
    logs = ""
    redirect_uri = "http://127.0.0.1:5999/callback"

    srv = Server("--no-rotate-refresh", "--refuse-refresh-after", "1", "--token-lifetime", "1.5")
    try:
        info, tok = login(c, srv.base, redirect_uri)
        check("--token-lifetime 1.5: expires_in rounds down to 1", tok.get("expires_in") == 1, tok.get("expires_in"))
        form = dict(grant_type="refresh_token", client_id=info["client_id"], refresh_token=tok["refresh_token"])
        r = token(c, srv.base, **form)
        check(
            "--no-rotate-refresh: refresh answers without a refresh_token",
            r.status_code == 200 and "refresh_token" not in r.json(),
            r.json().keys() if r.status_code == 200 else r.text,
        )
        r = token(c, srv.base, **form)
        check("--refuse-refresh-after 1: the second refresh gets invalid_grant", r.json().get("error") == "invalid_grant", r.text)
        s = srv.stats()
        check("refresh_refused counted", s["refreshes"] == 1 and s["refresh_refused"] == 1 and s["invalid_grant"] == 1, s)
    finally:
        logs += srv.stop()

    srv = Server("--refresh-token-lifetime", "0.5", "--no-iss")
    try:
        asm = c.get(srv.base + "/.well-known/oauth-authorization-server").json()
        check("--no-iss: metadata does not advertise iss", "authorization_response_iss_parameter_supported" not in asm, asm)
        info = register(c, srv.base, redirect_uri)
        _, challenge = pkce()
        r = c.get(authorize_url(srv.base, info["client_id"], redirect_uri, challenge, "s"))
        q = parse_qs(urlparse(r.headers["location"]).query)
        secrets_seen.append(q["code"][0])
        check("--no-iss: the redirect has no iss", "iss" not in q and q.get("state") == ["s"], sorted(q))
        info, tok = login(c, srv.base, redirect_uri)
        time.sleep(0.6)
        r = token(c, srv.base, grant_type="refresh_token", client_id=info["client_id"], refresh_token=tok["refresh_token"])
        check(
            "--refresh-token-lifetime 0.5: refresh after 0.6 s gets invalid_grant (expired)",
            r.json().get("error") == "invalid_grant" and "expired" in r.json().get("error_description", ""),
            r.text,
        )
        check("refresh_expired counted", srv.stats()["refresh_expired"] == 1, srv.stats())
    finally:
        logs += srv.stop()
    return logs


class Receiver:
    """A throw-away loopback redirect receiver recording the callback's query."""

    def __init__(self) -> None:
        outer = self
        self.queries: list[dict] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.queries.append(parse_qs(urlparse(self.path).query))
                body = b"done"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def browsers(c: httpx2.Client) -> str:
    srv = Server()
    recv = Receiver()
    redirect_uri = f"http://127.0.0.1:{recv.port}/callback"
    env = {k: v for k, v in os.environ.items() if k != "BROWSER_DENY_ISS"}
    try:
        info = register(c, srv.base, redirect_uri)
        verifier, challenge = pkce()
        state = "st/+ =é"  # needs encoding both ways
        url = authorize_url(srv.base, info["client_id"], redirect_uri, challenge, state)
        p = subprocess.run([str(HERE / "browser.sh"), url], capture_output=True, text=True, env=env, timeout=60)
        q = recv.queries[-1] if recv.queries else {}
        code = q.get("code", [""])[0]
        secrets_seen.append(code)
        check(
            "browser.sh: silent, exit 0, receiver got code + state + iss",
            p.returncode == 0 and p.stdout == "" and p.stderr == "" and code and q.get("state") == [state] and q.get("iss") == [srv.base],
            (p.returncode, p.stdout, p.stderr, sorted(q)),
        )
        r = token(
            c,
            srv.base,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            client_id=info["client_id"],
            code_verifier=verifier,
        )
        check("the code browser.sh delivered exchanges for a token", r.status_code == 200, r.text)

        bad = authorize_url(srv.base, "no-such-client", redirect_uri, challenge, state)
        p = subprocess.run([str(HERE / "browser.sh"), bad], capture_output=True, text=True, env=env, timeout=60)
        check(
            "browser.sh on a refused request: exit 1, one short line without the URL",
            p.returncode == 1 and p.stdout == "" and p.stderr.count("\n") == 1 and "state" not in p.stderr and "127.0.0.1" not in p.stderr,
            (p.returncode, p.stderr),
        )

        n_auth = srv.stats()["authorizations"]
        url = authorize_url(srv.base, info["client_id"], redirect_uri + "?keep=1", challenge, state)
        p = subprocess.run([str(HERE / "browser_deny.sh"), url], capture_output=True, text=True, env=env, timeout=60)
        q = recv.queries[-1] if recv.queries else {}
        check(
            "browser_deny.sh: silent, exit 0, receiver got access_denied + state + iss, server untouched",
            p.returncode == 0
            and p.stdout == ""
            and p.stderr == ""
            and q.get("error") == ["access_denied"]
            and q.get("error_description") == ["User denied"]
            and q.get("state") == [state]
            and q.get("keep") == ["1"]
            and q.get("iss") == [srv.base]
            and srv.stats()["authorizations"] == n_auth,
            (p.returncode, p.stderr, q),
        )
        p = subprocess.run(
            [str(HERE / "browser_deny.sh"), url], capture_output=True, text=True, env={**env, "BROWSER_DENY_ISS": ""}, timeout=60
        )
        q = recv.queries[-1] if recv.queries else {}
        check("browser_deny.sh with BROWSER_DENY_ISS= sends no iss", p.returncode == 0 and "iss" not in q, q)
        dead = authorize_url(srv.base, info["client_id"], "http://127.0.0.1:1/callback", challenge, state)
        p = subprocess.run([str(HERE / "browser_deny.sh"), dead], capture_output=True, text=True, env=env, timeout=60)
        check("browser_deny.sh with no receiver listening: exit 1", p.returncode == 1 and p.stderr.count("\n") == 1, (p.returncode, p.stderr))
    finally:
        recv.close()
        log = srv.stop()
    return log


def main() -> int:
    with httpx2.Client(timeout=30) as c:
        logs = main_flow(c)
        logs += refresh_policies(c)
        logs += browsers(c)
    leaked = [s for s in secrets_seen if s and s in logs]
    check(f"server output holds none of the {len(secrets_seen)} tokens/codes/verifiers handed out", not leaked, f"{len(leaked)} found")
    check("server output is just the listening lines", all(l.startswith("listening ") for l in logs.splitlines()), logs[-2000:])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
