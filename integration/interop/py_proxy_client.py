#!/usr/bin/env python3
"""The official Python MCP SDK client (mcp 2.3.0) talking to `mcptop proxy NAME` over stdio,
or, with --url and --token, to `mcptop serve` over Streamable HTTP.

Makes N `tools/call echo` calls, one every --interval seconds, and prints one JSON line:

  {"mode": "legacy", "protocolVersion": "2025-11-25", "calls": 150, "failed": 0, "errors": []}

--mode legacy: initialize handshake (2025-11-25); --mode auto: the SDK default (server/discover,
stateless 2026-07-28). --elicit: call the Python peer's `greet` tool, which asks the client's user
for a name (elicitation), answer "Ada", and expect "hello Ada". --list-changed: follow the tool
list (auto: `subscriptions/listen`; legacy: the notifications outside requests), call the peer's
`touch` tool, and expect to hear that the tool list changed within 5 s. --await-change SECONDS:
follow the tool list and wait that long to hear it changed, calling nothing (a bridge whose
stream to the server broke says so). Prints "following" on stderr once it follows. --cancel: call
the peer's `slow` tool (50 steps of 100 ms), give up after 0.7 s, then call `echo` to show the
session still serves; the peer says on its stderr whether the cancellation reached it. --expect-error TEXT: the first call must fail with a message containing
TEXT (a login that is missing); then exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

import anyio
import httpx2
import mcp_types as types
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


def target(args: argparse.Namespace):
    if args.url:
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
        http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120))
        return streamable_http_client(args.url, http_client=http)
    return StdioServerParameters(
        command=args.mcptop,
        args=["--config", args.config, "--state-dir", args.state_dir, "proxy", args.server],
    )


async def progress_check(client: Client) -> dict:
    """Calls the demo server's `slow` tool (3 steps) and counts the progress that reaches us."""
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    result = await client.call_tool("slow", {"steps": 3, "delayMs": 50}, progress_callback=on_progress)
    return {"isError": bool(result.is_error), "progress": len(seen)}


async def answer_elicitation(context, params) -> types.ElicitResult:
    """The user's side of an elicitation: names themselves, once per question asked."""
    asked.append(params.message)
    return types.ElicitResult(action="accept", content={"name": "Ada"})


asked: list[str] = []


async def elicit_check(client: Client) -> dict:
    result = await client.call_tool("greet", {})
    got = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    ok = not result.is_error and got == ["hello Ada"] and asked == ["Who is there?"]
    return {"greeting": got, "asked": asked, "failed": 0 if ok else 1}


heard: list[str] = []
changed = asyncio.Event()


async def on_message(message) -> None:
    """Notifications outside requests (a legacy client's only way to hear of list changes)."""
    method = getattr(getattr(message, "root", message), "method", None)
    if isinstance(method, str):
        heard.append(method)
        if method == "notifications/tools/list_changed":
            changed.set()


async def list_changed_check(client: Client, mode: str, touch: bool = True, wait: float = 5) -> dict:
    if mode == "auto":
        async with client.listen(tools_list_changed=True) as subscription:
            print("following", file=sys.stderr, flush=True)
            if touch:
                await client.call_tool("touch", {})
            event = await asyncio.wait_for(subscription.__anext__(), timeout=wait)
            return {"event": type(event).__name__, "failed": 0 if type(event).__name__ == "ToolsListChanged" else 1}
    print("following", file=sys.stderr, flush=True)
    if touch:
        await client.call_tool("touch", {})
    try:
        await asyncio.wait_for(changed.wait(), timeout=wait)
    except TimeoutError:
        return {"heard": heard, "failed": 1}
    return {"heard": heard, "failed": 0}


async def cancel_check(client: Client) -> dict:
    with anyio.move_on_after(0.7) as scope:
        await client.call_tool("slow", {"steps": 50, "delayMs": 100})
    await asyncio.sleep(1)
    after = await client.call_tool("echo", {"text": "still here"})
    got = [c.text for c in after.content if getattr(c, "type", None) == "text"]
    ok = scope.cancelled_caught and got == ["still here"]
    return {"gaveUp": scope.cancelled_caught, "after": got, "failed": 0 if ok else 1}


async def run(args: argparse.Namespace) -> dict:
    failed = 0
    errors: list[str] = []
    timings: list[float] = []
    async with Client(target(args), mode=args.mode, elicitation_callback=answer_elicitation, message_handler=on_message) as client:
        version = client.protocol_version
        if args.cancel:
            return {"mode": args.mode, "protocolVersion": version, **(await cancel_check(client))}
        if args.await_change:
            checked = await list_changed_check(client, args.mode, touch=False, wait=args.await_change)
            return {"mode": args.mode, "protocolVersion": version, **checked}
        if args.list_changed:
            return {"mode": args.mode, "protocolVersion": version, **(await list_changed_check(client, args.mode))}
        if args.elicit:
            return {"mode": args.mode, "protocolVersion": version, **(await elicit_check(client))}
        if args.progress:
            checked = await progress_check(client)
            return {"mode": args.mode, "protocolVersion": version, **checked, "failed": 0 if checked["progress"] >= 1 and not checked["isError"] else 1}
        for _ in range(args.warmup):
            await client.call_tool("echo", {"text": "warm-up"})
        for index in range(args.calls):
            text = f"call {index}"
            try:
                started = time.perf_counter()
                result = await client.call_tool("echo", {"text": text})
                timings.append(time.perf_counter() - started)
                got = [c.text for c in result.content if getattr(c, "type", None) == "text"]
                if result.is_error or got != [text]:
                    failed += 1
                    errors.append(f"call {index}: unexpected result {result!r}"[:300])
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                if args.expect_error and args.expect_error in str(exc):
                    return {"mode": args.mode, "protocolVersion": version, "expectedError": str(exc)[:300]}
                failed += 1
                errors.append(f"call {index}: {type(exc).__name__}: {exc}"[:300])
            if args.interval:
                await asyncio.sleep(args.interval)
    if args.expect_error:
        errors.append(f"no call failed with {args.expect_error!r}")
        failed += 1
    out = {"mode": args.mode, "protocolVersion": version, "calls": args.calls, "failed": failed, "errors": errors[:5]}
    if timings:
        out["median_ms"] = round(statistics.median(timings) * 1000, 4)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mcptop", default="")
    ap.add_argument("--config", default="")
    ap.add_argument("--state-dir", default="")
    ap.add_argument("--server", default="")
    ap.add_argument("--url", default="", help="a `mcptop serve` endpoint instead of a stdio proxy")
    ap.add_argument("--token", default="", help="the local bearer token of `mcptop serve`")
    ap.add_argument("--mode", choices=["legacy", "auto"], default="auto")
    ap.add_argument("-n", "--calls", type=int, default=100)
    ap.add_argument("--interval", type=float, default=0.0)
    ap.add_argument("--expect-error", default="")
    ap.add_argument("--warmup", type=int, default=0, help="untimed calls first")
    ap.add_argument("--progress", action="store_true", help="call the demo server's slow tool and count progress")
    ap.add_argument("--elicit", action="store_true", help="call the Python peer's greet tool and answer its question")
    ap.add_argument("--list-changed", action="store_true", help="follow the tool list and call the peer's touch tool")
    ap.add_argument("--await-change", type=float, default=0, help="follow the tool list and wait this long")
    ap.add_argument("--cancel", action="store_true", help="give up a slow call; the peer logs the cancellation")
    args = ap.parse_args()
    try:
        out = asyncio.run(asyncio.wait_for(run(args), timeout=120))
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"mode": args.mode, "failed": -1, "errors": [f"{type(exc).__name__}: {exc}"[:500]]}))
        return 1
    print(json.dumps(out), flush=True)
    return 0 if out.get("failed", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
