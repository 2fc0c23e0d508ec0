#!/usr/bin/env python3
"""Per-call latency of the official Python MCP SDK client (mcp 2.3.0).

Opens one `mcp.Client` on a Streamable HTTP URL and makes N sequential
`tools/call echo {"text": "hi"}` on it, then prints one JSON line:

  {"client": "python-sdk", "mode": "legacy", "calls": 500, "seconds": 1.9,
   "ms_per_call": 3.8, "protocolVersion": "2025-11-25"}

--mode legacy: initialize handshake, 2025-11-25, Mcp-Session-Id.
--mode auto:   the SDK default: probes server/discover and, if the server answers, speaks the
               stateless 2026-07-28 revision (else falls back to initialize).

The connection setup (handshake / discover) and --warmup calls are not timed.
Exit status: 0 on success, 1 if any call fails or returns something other than "hi".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from mcp import Client


async def run(url: str, mode: str, calls: int, warmup: int) -> dict:
    async with Client(url, mode=mode) as client:
        for _ in range(warmup):
            await _echo(client)
        start = time.perf_counter()
        for _ in range(calls):
            await _echo(client)
        seconds = time.perf_counter() - start
        version = client.protocol_version
    return {
        "client": "python-sdk",
        "mode": mode,
        "calls": calls,
        "seconds": round(seconds, 6),
        "ms_per_call": round(seconds * 1000.0 / calls, 4) if calls else 0.0,
        "protocolVersion": version,
    }


async def _echo(client: Client) -> None:
    result = await client.call_tool("echo", {"text": "hi"})
    text = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    if result.is_error or text != ["hi"]:
        raise RuntimeError(f"unexpected echo result: {result!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", help="MCP endpoint, e.g. http://127.0.0.1:8000/mcp")
    ap.add_argument("--mode", choices=["legacy", "auto"], default="auto")
    ap.add_argument("-n", "--calls", type=int, default=500, help="timed calls (default 500)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed calls before timing (default 5)")
    args = ap.parse_args()
    if args.calls < 0 or args.warmup < 0:
        ap.error("--calls and --warmup must be >= 0")
    try:
        out = asyncio.run(run(args.url, args.mode, args.calls, args.warmup))
    except Exception as exc:  # noqa: BLE001 - report any failure as one line and a non-zero exit
        print(f"py_client_bench: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
