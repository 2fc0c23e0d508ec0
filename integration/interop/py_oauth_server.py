#!/usr/bin/env python3
"""Interop test peer: an OAuth-protected MCP server built with the official Python SDK (mcp 2.3.0).

The SDK's `mcp.server.auth` serves the authorization server and the resource server in one app;
this script supplies the in-memory provider (`InMemoryProvider`) the SDK asks for codes, tokens,
lifetimes and rotation.

Endpoints (issuer http://127.0.0.1:PORT, no trailing slash):
  POST /mcp, GET /mcp, DELETE /mcp      Streamable HTTP, bearer required. The SDK routes each POST
                                        by MCP-Protocol-Version: 2025-11-25 (or none) takes the
                                        stateful path (initialize + Mcp-Session-Id), 2026-07-28
                                        the stateless per-request path.
  GET /.well-known/oauth-protected-resource/mcp   RFC 9728 metadata (SDK route)
  GET /.well-known/oauth-protected-resource       the same document at the root (added here)
  GET /.well-known/oauth-authorization-server     RFC 8414 metadata (SDK's document; with --iss,
                                        the default, plus authorization_response_iss_parameter_supported)
  POST /register                        RFC 7591 dynamic client registration (SDK handler)
  GET|POST /authorize                   auto-approves: 302 straight back to the redirect_uri with
                                        code, state and (with --iss) iss
  POST /token                           authorization_code (PKCE S256, checked by the SDK) and
                                        refresh_token grants
  POST /revoke                          RFC 7009 (SDK handler; wants a client_secret form field,
                                        an empty one works for a public client)
  GET /_stats                           counters as JSON, no auth (see STATS below)

Tools: echo(text) -> text; whoami() -> client_id of the bearer token's client.

Tokens:
  * access tokens live --token-lifetime seconds (default 2, fractions allowed). The response's
    `expires_in` is that lifetime rounded DOWN to whole seconds (the field is an integer), so a
    client trusting `expires_in` never holds a token longer than it lives. Expiry is checked
    exactly (time.time() >= issued + lifetime) on every request; the SDK's own check compares
    whole seconds and would accept a token up to ~1 s late.
  * refresh tokens are issued to clients whose registered grant_types include refresh_token.
    They do not expire unless --refresh-token-lifetime is given (then each refresh token lives
    that long from its issue; the token response carries no field saying so: OAuthToken has
    none). With --rotate-refresh (default) every refresh returns a new refresh token and the
    presented one is dead at once (presenting it again -> invalid_grant). With
    --no-rotate-refresh the refresh response carries no refresh_token at all (RFC 6749 section 6:
    the client keeps using the one it has) and the refresh token stays valid.
  * a refresh does not revoke access tokens issued earlier; they run until they expire.
  * --refuse-refresh-after N: after N successful refreshes (counted over the whole server), every
    refresh answers invalid_grant.
  * /revoke of an access or refresh token revokes the whole grant (every access token and the live
    refresh token descended from the same authorization code).
  * authorization codes live 300 s and are single-use.
  * `resource` (RFC 8707): an /authorize request naming another resource than
    http://127.0.0.1:PORT/mcp is refused with invalid_target; one without `resource` is accepted
    and bound to that URL (counted as missing_resource). Tokens are always bound to it and the
    SDK checks that (validate_token_resource=True).
  * scopes: --scopes (default "mcp:tools") are the authorization server's scopes_supported and
    the default scopes of a client that registers without `scope`. The protected resource
    metadata's scopes_supported and the scopes every /mcp request needs are the same minus
    offline_access (the MCP spec says a resource should not list offline_access).

STATS (GET /_stats):
  tokens_issued        access tokens issued (code exchanges + refreshes)
  refresh_tokens_issued
  refreshes            successful refresh grants
  invalid_grant        /token answers with error invalid_grant (any cause)
  refresh_reuse        refresh requests presenting a refresh token already rotated out
  refresh_refused      refreshes refused by --refuse-refresh-after
  refresh_expired      refreshes presenting an expired refresh token
  code_exchanges       successful authorization_code grants
  authorizations       /authorize requests that issued a code
  missing_resource     /authorize requests without a resource parameter
  registrations        dynamic client registrations
  revocations          grants revoked through /revoke
  mcp_requests         HTTP requests to /mcp (any method)
  accepted             /mcp requests whose bearer token was live
  rejected_missing     /mcp requests with no bearer token
  rejected_expired     /mcp requests whose bearer token had expired (exact, sub-second)
  rejected_unknown     /mcp requests whose bearer token is not a live access token we issued
                       (never issued, or revoked; the revoked ones also count in rejected_revoked)
  rejected_revoked

CLI: --port N (0 = free port). Binds 127.0.0.1 and, once it accepts connections, prints exactly
one line to stdout: `listening http://127.0.0.1:PORT/mcp`. Logs go to stderr; no token, code,
verifier or secret is ever logged (uvicorn's access log is off).
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import math
import secrets
import socket
import sys
import time
from typing import Any
from urllib.parse import quote

from pydantic import AnyHttpUrl, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mcp.server.auth.handlers.metadata import MetadataHandler, ProtectedResourceMetadataHandler
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    RefreshToken,
    TokenError,
    construct_redirect_uri,
)
from mcp.server.auth.routes import build_metadata, cors_middleware
from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions, RevocationOptions
from mcp.server.mcpserver import MCPServer
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken, ProtectedResourceMetadata

MCP_PATH = "/mcp"
CODE_LIFETIME = 300.0
SUBJECT = "interop-user"  # one resource owner: sessions survive a refresh (same client, same subject)

STAT_KEYS = (
    "tokens_issued",
    "refresh_tokens_issued",
    "refreshes",
    "invalid_grant",
    "refresh_reuse",
    "refresh_refused",
    "refresh_expired",
    "code_exchanges",
    "authorizations",
    "missing_resource",
    "registrations",
    "revocations",
    "mcp_requests",
    "accepted",
    "rejected_missing",
    "rejected_expired",
    "rejected_unknown",
    "rejected_revoked",
)

# The path of the HTTP request being served, so the provider counts bearer checks of /mcp
# requests only (the SDK's /revoke handler also calls load_access_token).
_request_path: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_path", default=None)


class Code(AuthorizationCode):
    grant_id: str


class Refresh(RefreshToken):
    grant_id: str
    expires_at_exact: float | None = None


class Access(AccessToken):
    grant_id: str
    expires_at_exact: float


def _canonical(url: str) -> str | None:
    """Compare resources the way the SDK's bearer check does: as URLs, a trailing slash aside."""
    try:
        return str(AnyHttpUrl(url)).removesuffix("/")
    except ValidationError:
        return None


class InMemoryProvider:
    """An `OAuthAuthorizationServerProvider[Code, Refresh, Access]` that auto-approves."""

    def __init__(
        self,
        *,
        resource: str,
        token_lifetime: float,
        refresh_lifetime: float | None,
        rotate_refresh: bool,
        refuse_refresh_after: int | None,
        stats: dict[str, int],
    ) -> None:
        self.resource = resource
        self.token_lifetime = token_lifetime
        self.refresh_lifetime = refresh_lifetime
        self.rotate_refresh = rotate_refresh
        self.refuse_refresh_after = refuse_refresh_after
        self.stats = stats
        self.clients: dict[str, OAuthClientInformationFull] = {}
        self.codes: dict[str, Code] = {}
        self.access: dict[str, Access] = {}  # live and expired; revoked ones are removed
        self.refresh: dict[str, Refresh] = {}  # live (possibly expired) refresh tokens
        self.rotated: set[str] = set()  # refresh tokens rotated out
        self.revoked_access: set[str] = set()
        self.successful_refreshes = 0

    # --- clients -------------------------------------------------------------------------

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        self.clients[client_info.client_id] = client_info
        self.stats["registrations"] += 1

    # --- authorization code --------------------------------------------------------------

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        resource = params.resource
        if resource is None:
            self.stats["missing_resource"] += 1
            resource = self.resource
        elif _canonical(resource) != _canonical(self.resource):
            raise AuthorizeError("invalid_target", f"unknown resource; this server is {self.resource}")
        if params.scopes is not None:
            scopes = params.scopes
        else:
            scopes = client.scope.split() if client.scope else []
        code = secrets.token_urlsafe(32)
        self.codes[code] = Code(
            code=code,
            scopes=scopes,
            expires_at=time.time() + CODE_LIFETIME,
            client_id=client.client_id,
            code_challenge=params.code_challenge,
            redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            resource=resource,
            subject=SUBJECT,
            grant_id=secrets.token_hex(8),
        )
        self.stats["authorizations"] += 1
        # Auto-approve. `iss` (RFC 9207) is added by OAuthInstrumentation to every redirect
        # /authorize sends, error redirects made by the SDK included.
        return construct_redirect_uri(str(params.redirect_uri), code=code, state=params.state)

    async def load_authorization_code(self, client: OAuthClientInformationFull, authorization_code: str) -> Code | None:
        return self.codes.get(authorization_code)

    async def exchange_authorization_code(self, client: OAuthClientInformationFull, authorization_code: Code) -> OAuthToken:
        if self.codes.pop(authorization_code.code, None) is None:
            raise TokenError("invalid_grant", "authorization code already used")
        self.stats["code_exchanges"] += 1
        return self._issue(
            client,
            authorization_code.scopes,
            authorization_code.resource,
            authorization_code.grant_id,
            with_refresh=True,
        )

    # --- refresh -------------------------------------------------------------------------

    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> Refresh | None:
        on_token_endpoint = _request_path.get() == "/token"
        rt = self.refresh.get(refresh_token)
        if rt is None:
            if on_token_endpoint and refresh_token in self.rotated:
                self.stats["refresh_reuse"] += 1
            return None
        if rt.expires_at_exact is not None and time.time() >= rt.expires_at_exact:
            if on_token_endpoint:
                self.stats["refresh_expired"] += 1
            # An expires_at in the past makes the SDK answer "refresh token has expired".
            return rt.model_copy(update={"expires_at": 1})
        return rt

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: Refresh, scopes: list[str]
    ) -> OAuthToken:
        # Re-check under the event loop: two concurrent refreshes with one token may both have
        # passed load_refresh_token; only the first may win.
        if refresh_token.token not in self.refresh:
            self.stats["refresh_reuse"] += 1
            raise TokenError("invalid_grant", "refresh token already used")
        if self.refuse_refresh_after is not None and self.successful_refreshes >= self.refuse_refresh_after:
            self.stats["refresh_refused"] += 1
            raise TokenError("invalid_grant", "refresh refused (--refuse-refresh-after)")
        if self.rotate_refresh:
            del self.refresh[refresh_token.token]
            self.rotated.add(refresh_token.token)
        self.successful_refreshes += 1
        self.stats["refreshes"] += 1
        return self._issue(
            client,
            scopes,
            refresh_token.resource,
            refresh_token.grant_id,
            with_refresh=self.rotate_refresh,
        )

    # --- access tokens -------------------------------------------------------------------

    async def load_access_token(self, token: str) -> Access | None:
        counting = _request_path.get() == MCP_PATH
        at = self.access.get(token)
        if at is None:
            if counting:
                self.stats["rejected_unknown"] += 1
                if token in self.revoked_access:
                    self.stats["rejected_revoked"] += 1
            return None
        if time.time() >= at.expires_at_exact:
            if counting:
                self.stats["rejected_expired"] += 1
            return None
        if counting:
            self.stats["accepted"] += 1
        return at

    async def revoke_token(self, token: Access | Refresh) -> None:
        grant = token.grant_id
        for value in [t for t, a in self.access.items() if a.grant_id == grant]:
            del self.access[value]
            self.revoked_access.add(value)
        for value in [t for t, r in self.refresh.items() if r.grant_id == grant]:
            del self.refresh[value]
        self.stats["revocations"] += 1

    # --- helpers -------------------------------------------------------------------------

    def _issue(
        self,
        client: OAuthClientInformationFull,
        scopes: list[str],
        resource: str | None,
        grant_id: str,
        *,
        with_refresh: bool,
    ) -> OAuthToken:
        now = time.time()
        access_value = secrets.token_urlsafe(32)
        expires_exact = now + self.token_lifetime
        self.access[access_value] = Access(
            token=access_value,
            client_id=client.client_id,
            scopes=scopes,
            expires_at=math.ceil(expires_exact),  # the SDK's field is whole seconds; ours decides
            expires_at_exact=expires_exact,
            resource=resource,
            subject=SUBJECT,
            grant_id=grant_id,
        )
        self.stats["tokens_issued"] += 1
        refresh_value = None
        if with_refresh and "refresh_token" in client.grant_types:
            refresh_value = secrets.token_urlsafe(32)
            rt_expires = None if self.refresh_lifetime is None else now + self.refresh_lifetime
            self.refresh[refresh_value] = Refresh(
                token=refresh_value,
                client_id=client.client_id,
                scopes=scopes,
                expires_at=None if rt_expires is None else math.ceil(rt_expires),
                expires_at_exact=rt_expires,
                resource=resource,
                subject=SUBJECT,
                grant_id=grant_id,
            )
            self.stats["refresh_tokens_issued"] += 1
        return OAuthToken(
            access_token=access_value,
            token_type="Bearer",
            expires_in=int(math.floor(self.token_lifetime)),
            scope=" ".join(scopes) if scopes else None,
            refresh_token=refresh_value,
        )


class OAuthInstrumentation:
    """Outermost ASGI wrapper: records the request path for the provider's counters, counts
    /mcp requests without a bearer, counts invalid_grant answers of /token, and (with add_iss)
    appends RFC 9207 `iss` to every redirect /authorize sends."""

    def __init__(self, app: ASGIApp, stats: dict[str, int], issuer: str, add_iss: bool) -> None:
        self.app = app
        self.stats = stats
        self.iss_param = "iss=" + quote(issuer, safe="")
        self.add_iss = add_iss

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        reset = _request_path.set(path)
        try:
            if path == MCP_PATH:
                self.stats["mcp_requests"] += 1
                auth = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
                if not auth.lower().startswith(b"bearer "):
                    self.stats["rejected_missing"] += 1
                await self.app(scope, receive, send)
            elif path == "/token":
                await self.app(scope, receive, self._token_send(send))
            elif path == "/authorize" and self.add_iss:
                await self.app(scope, receive, self._authorize_send(send))
            else:
                await self.app(scope, receive, send)
        finally:
            _request_path.reset(reset)

    def _token_send(self, send: Send) -> Send:
        status = 0
        body = bytearray()

        async def wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 400:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    try:
                        if json.loads(bytes(body)).get("error") == "invalid_grant":
                            self.stats["invalid_grant"] += 1
                    except (ValueError, AttributeError):
                        pass
            await send(message)

        return wrapped

    def _authorize_send(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (302, 303, 307):
                headers = []
                for key, value in message["headers"]:
                    if key.lower() == b"location":
                        location = value.decode("latin-1")
                        base, _, fragment = location.partition("#")
                        names = {p.split("=", 1)[0] for p in base.partition("?")[2].split("&")}
                        if "iss" not in names:
                            base += ("&" if "?" in base else "?") + self.iss_param
                        location = base + ("#" + fragment if fragment else "")
                        value = location.encode("latin-1")
                    headers.append((key, value))
                message = {**message, "headers": headers}
            await send(message)

        return wrapped


def build_app(args: argparse.Namespace, port: int) -> tuple[ASGIApp, dict[str, int]]:
    issuer = f"http://127.0.0.1:{port}"
    resource = f"{issuer}{MCP_PATH}"
    all_scopes = args.scopes.split()
    resource_scopes = [s for s in all_scopes if s != "offline_access"]

    stats = {key: 0 for key in STAT_KEYS}
    provider = InMemoryProvider(
        resource=resource,
        token_lifetime=args.token_lifetime,
        refresh_lifetime=args.refresh_token_lifetime,
        rotate_refresh=args.rotate_refresh,
        refuse_refresh_after=args.refuse_refresh_after,
        stats=stats,
    )
    auth = AuthSettings(
        issuer_url=issuer,  # a plain string: an AnyHttpUrl object would gain a trailing slash
        resource_server_url=resource,
        validate_token_resource=True,
        client_registration_options=ClientRegistrationOptions(
            enabled=True,
            valid_scopes=all_scopes or None,
            default_scopes=all_scopes or None,
        ),
        revocation_options=RevocationOptions(enabled=True),
        required_scopes=resource_scopes or None,
    )
    server = MCPServer(
        "mcptop-interop-py-oauth",
        version="1.0.0",
        instructions="OAuth interop test peer for mcptop (official Python SDK).",
        auth_server_provider=provider,
        auth=auth,
        log_level=args.log_level,
    )

    @server.tool(description="Return the given text unchanged.")
    def echo(text: str) -> str:
        return text

    @server.tool(description="Return the client_id of the access token's client.")
    def whoami() -> str:
        token = get_access_token()
        return token.client_id if token is not None else ""

    @server.custom_route("/_stats", methods=["GET"])
    async def stats_route(request: Request) -> Response:
        return JSONResponse(stats, headers={"Cache-Control": "no-store"})

    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        json_response=args.json_response,
        stateless_http=args.stateless,
        host="127.0.0.1",
    )

    # The SDK serves protected resource metadata only at the path-aware location; serve the same
    # document at the root too (MCP clients fall back to it).
    prm = ProtectedResourceMetadata(
        resource=auth.resource_server_url,
        authorization_servers=[auth.issuer_url],
        scopes_supported=auth.required_scopes,
    )
    app.router.routes.append(
        Route(
            "/.well-known/oauth-protected-resource",
            endpoint=cors_middleware(ProtectedResourceMetadataHandler(prm).handle, ["GET", "OPTIONS"]),
            methods=["GET", "OPTIONS"],
        )
    )

    if args.iss:
        # The SDK's metadata never sets authorization_response_iss_parameter_supported; RFC 9207
        # section 2.3 requires it of a server that sends `iss`. Same document, built by the same
        # SDK function, plus the flag; first in the route list so it shadows the SDK's route.
        metadata = build_metadata(
            auth.issuer_url,
            auth.service_documentation_url,
            auth.client_registration_options or ClientRegistrationOptions(),
            auth.revocation_options or RevocationOptions(),
            supports_identity_assertion=auth.identity_assertion_enabled,
        )
        metadata.authorization_response_iss_parameter_supported = True
        app.router.routes.insert(
            0,
            Route(
                "/.well-known/oauth-authorization-server",
                endpoint=cors_middleware(MetadataHandler(metadata).handle, ["GET", "OPTIONS"]),
                methods=["GET", "OPTIONS"],
            ),
        )

    return OAuthInstrumentation(app, stats, issuer, args.iss), stats


async def serve(args: argparse.Namespace) -> None:
    import uvicorn

    # Bind first (the issuer names the port). proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY
    # on accepted connections only when the listening socket's proto is IPPROTO_TCP; with proto 0
    # Nagle stays on and responses on reused keep-alive connections stall ~40 ms (delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", args.port))
    except OSError as exc:
        print(f"py_oauth_server.py: cannot bind 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        sys.exit(1)
    sock.listen(128)
    sock.setblocking(False)
    port = sock.getsockname()[1]

    app, _ = build_app(args, port)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level=args.log_level.lower(),
        access_log=False,  # the access log would print request lines: /authorize?...&state=...
        lifespan="on",
        timeout_graceful_shutdown=1,  # an open SSE stream would otherwise hold SIGTERM forever
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            sys.exit(1)
        await asyncio.sleep(0.01)
    sys.stdout.write(f"listening http://127.0.0.1:{port}{MCP_PATH}\n")
    sys.stdout.flush()
    await task


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one (default)")
    ap.add_argument("--token-lifetime", type=float, default=2.0, metavar="SECONDS", help="access token lifetime (default 2)")
    ap.add_argument(
        "--rotate-refresh",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="every refresh returns a new refresh token and kills the old one (default on)",
    )
    ap.add_argument(
        "--refuse-refresh-after",
        type=int,
        default=None,
        metavar="N",
        help="after N successful refreshes, answer every refresh with invalid_grant (default: never)",
    )
    ap.add_argument(
        "--refresh-token-lifetime",
        type=float,
        default=None,
        metavar="SECONDS",
        help="refresh token lifetime (default: no expiry)",
    )
    ap.add_argument("--scopes", default="mcp:tools", help='space-separated scopes (default "mcp:tools")')
    ap.add_argument(
        "--iss",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="RFC 9207: add iss to /authorize redirects and advertise it in metadata (default on)",
    )
    ap.add_argument("--json-response", action="store_true", help="JSON responses instead of SSE")
    ap.add_argument("--stateless", action="store_true", help="the SDK's stateless_http switch (2025-11-25 path)")
    ap.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    args = ap.parse_args()
    if args.token_lifetime <= 0:
        ap.error("--token-lifetime must be positive")
    if args.refresh_token_lifetime is not None and args.refresh_token_lifetime <= 0:
        ap.error("--refresh-token-lifetime must be positive")
    if args.refuse_refresh_after is not None and args.refuse_refresh_after < 0:
        ap.error("--refuse-refresh-after must be >= 0")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
