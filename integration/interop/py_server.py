#!/usr/bin/env python3
"""Interop test peer: an MCP server built with the official Python SDK (mcp 2.3.0).

Tools:
  echo(text)                  -> the text
  add(a, b)                   -> a + b (a float: the text content reads "5.0")
  slow(steps=3, delayMs=50)   -> "done after N steps", reporting progress after each step
  fail()                      -> a tool error (CallToolResult.isError = true)
  touch()                     -> announces that the tool list changed: on 2026-07-28 to every
                                 `subscriptions/listen` stream that follows it, on 2025-11-25 to
                                 the calling session (outside the call: its GET stream)
  greet()                     -> asks the client's user for a name (elicitation) and greets it:
                                 a server-to-client request mid-call on 2025-11-25 and older, an
                                 `input_required` result answered by a retry on 2026-07-28 (the
                                 SDK's `Resolve(Elicit)` picks the form by the negotiated revision)

Transports (--transport):
  streamable  Streamable HTTP at http://127.0.0.1:PORT/mcp. One endpoint serves both
              eras: the SDK routes each POST by its MCP-Protocol-Version header. A
              handshake-era version (2024-11-05 .. 2025-11-25) or no header goes to the
              legacy path (initialize + Mcp-Session-Id); any other value (2026-07-28)
              goes to the stateless per-request path, which never issues a session.
  sse         the old HTTP+SSE transport (2024-11-05): GET /sse, POST /messages/?session_id=..
  stdio       newline-delimited JSON-RPC on stdin/stdout

Options for streamable:
  --json-response  answer requests with application/json instead of an SSE stream (then no
                   progress notification can reach the client: the SDK drops them).
                   Without it, the legacy path always answers with SSE; the 2026-07-28 path
                   answers with plain JSON unless the handler emits a notification (e.g.
                   progress) before it finishes, and only then commits to text/event-stream.
  --stateless      the SDK's `stateless_http` switch. It only affects handshake-era requests
                   (no session is created, every POST is served by a fresh transport); the
                   2026-07-28 path is stateless regardless.

--nagle (HTTP transports): accepted connections keep Nagle's algorithm on (no TCP_NODELAY),
as a server whose listening socket lacks proto=IPPROTO_TCP ends up under asyncio. A client that
reuses a keep-alive connection then waits ~40 ms (delayed ACK) for most responses. Default off:
the server behaves like the SDK's own `run()` (uvicorn binds, asyncio sets TCP_NODELAY).

For HTTP transports the server binds 127.0.0.1 (port 0 = a free port) and, once it accepts
connections, prints exactly one line to stdout: `listening <URL>` (the MCP endpoint for
streamable, the /sse endpoint for sse). Logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys

from typing import Annotated

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel


class Name(BaseModel):
    name: str


def ask_name() -> Elicit[Name]:
    return Elicit("Who is there?", Name)


def build_server(log_level: str) -> MCPServer:
    server = MCPServer(
        "mcptop-interop-py",
        version="1.0.0",
        instructions="Interop test peer for mcptop (official Python SDK).",
        log_level=log_level,
    )

    @server.tool(description="Return the given text unchanged.")
    def echo(text: str) -> str:
        return text

    @server.tool(description="Return the sum of a and b.")
    def add(a: float, b: float) -> float:
        return a + b

    @server.tool(description="Sleep delayMs milliseconds per step, reporting progress after each of the steps.")
    async def slow(ctx: Context, steps: int = 3, delayMs: int = 50) -> str:
        done = 0
        try:
            for i in range(1, steps + 1):
                await anyio.sleep(max(delayMs, 0) / 1000.0)
                await ctx.report_progress(i, steps, f"step {i}/{steps}")
                done = i
        except anyio.get_cancelled_exc_class():
            # The line a test looks for: the client's cancellation reached this server.
            print(f"slow cancelled after {done} of {steps} steps", file=sys.stderr, flush=True)
            raise
        return f"done after {steps} steps"

    @server.tool(description="Always fails with a tool error (isError: true).")
    def fail() -> str:
        raise ToolError("this tool always fails")

    @server.tool(description="Announce that the tool list changed.")
    async def touch(ctx: Context) -> str:
        if ctx.protocol_version == "2026-07-28":
            await ctx.notify_tools_changed()
        else:
            await ctx.session.send_tool_list_changed()
        return "touched"

    @server.tool(description="Ask the user for a name (elicitation), then greet them.")
    def greet(name: Annotated[Name, Resolve(ask_name)]) -> str:
        return f"hello {name.name}"

    return server


async def serve_http(app, port: int, path: str, log_level: str, nagle: bool = False) -> None:
    import uvicorn

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level=log_level.lower(),
        access_log=False,
        lifespan="on",
        # An open SSE stream would otherwise hold a SIGTERM shutdown forever.
        timeout_graceful_shutdown=1,
    )
    # Bind here rather than in uvicorn, to report a busy port in one line.
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only
    # when the socket's proto is IPPROTO_TCP (as it is when uvicorn binds host/port
    # itself, the SDK's normal `run()` path). With proto 0 Nagle stays on and every
    # JSON response on a reused keep-alive connection stalls ~40 ms (delayed ACK);
    # --nagle reproduces that on purpose.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0 if nagle else socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        print(f"py_server.py: cannot bind 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
        sys.exit(1)
    sock.listen(128)
    sock.setblocking(False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # `started` is set after the lifespan (the SDK's session manager) is up and the
    # listening socket exists, so the printed URL is ready to take requests.
    while not server.started:
        if task.done():
            await task  # re-raise the startup failure (uvicorn exits non-zero)
            sys.exit(1)
        await asyncio.sleep(0.01)
    bound_port = sock.getsockname()[1]
    sys.stdout.write(f"listening http://127.0.0.1:{bound_port}{path}\n")
    sys.stdout.flush()
    await task


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1; 0 picks a free one (default)")
    ap.add_argument("--transport", choices=["streamable", "sse", "stdio"], default="streamable")
    ap.add_argument("--json-response", action="store_true", help="streamable: JSON responses instead of SSE")
    ap.add_argument("--stateless", action="store_true", help="streamable: SDK stateless_http switch (legacy era)")
    ap.add_argument(
        "--nagle",
        action="store_true",
        help="HTTP: leave Nagle's algorithm on for accepted connections (no TCP_NODELAY); "
        "reproduces the ~40 ms delayed-ACK stall per response on reused connections",
    )
    ap.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    args = ap.parse_args()

    server = build_server(args.log_level)

    if args.transport == "stdio":
        if args.json_response or args.stateless:
            ap.error("--json-response/--stateless apply to --transport streamable only")
        server.run("stdio")
        return

    if args.transport == "sse":
        if args.json_response or args.stateless:
            ap.error("--json-response/--stateless apply to --transport streamable only")
        app = server.sse_app(sse_path="/sse", message_path="/messages/", host="127.0.0.1")
        path = "/sse"
    else:
        app = server.streamable_http_app(
            streamable_http_path="/mcp",
            json_response=args.json_response,
            stateless_http=args.stateless,
            host="127.0.0.1",
        )
        path = "/mcp"

    try:
        asyncio.run(serve_http(app, args.port, path, args.log_level, args.nagle))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
