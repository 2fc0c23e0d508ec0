#!/usr/bin/env python3
"""What a bridge adds to each call, measured in pairs (bench/bridge_latency.sh).

One process of the official Python SDK client holds two sessions at once: one straight to the
server, one through `mcptop serve` (--bridge-url, --token) or `mcptop proxy`
(--bridge-command). It alternates `echo` calls between them, the direct one first in every
other pair, so both calls of a pair meet the same machine load and the same client state
(runs of separate processes differ by half a millisecond before any bridge is involved).

    paired_latency.py --direct URL [--direct-token TOKEN]
                      (--bridge-url URL --token TOKEN | --bridge-command CMD)
                      [--mode legacy|auto] [--calls N] [--warmup N]

--direct-token makes the "direct" side a serve as well (bench/serve_ab.sh: one binary's serve
against another's).

Prints one JSON line: the median ms per call of each session and the median of the pairs'
differences (bridged − direct), with its interquartile range.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import statistics
import sys
import time

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


def http_target(url: str, token: str = ""):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers, timeout=30))


async def timed(client: Client, text: str) -> float:
    started = time.perf_counter()
    result = await client.call_tool("echo", {"text": text})
    elapsed = time.perf_counter() - started
    got = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    if result.is_error or got != [text]:
        raise RuntimeError(f"unexpected answer to echo {text!r}")
    return elapsed * 1000


async def run(args: argparse.Namespace) -> dict:
    if args.bridge_command:
        command = shlex.split(args.bridge_command)
        bridge = StdioServerParameters(command=command[0], args=command[1:])
    else:
        bridge = http_target(args.bridge_url, args.token)
    async with Client(http_target(args.direct, args.direct_token), mode=args.mode) as direct, Client(bridge, mode=args.mode) as bridged:
        for index in range(args.warmup):
            await timed(direct, f"warm-up {index}")
            await timed(bridged, f"warm-up {index}")
        pairs: list[tuple[float, float]] = []
        for index in range(args.calls):
            text = f"call {index}"
            if index % 2 == 0:
                first = await timed(direct, text)
                pairs.append((first, await timed(bridged, text)))
            else:
                second = await timed(bridged, text)
                pairs.append((await timed(direct, text), second))
    differences = sorted(b - d for d, b in pairs)
    quartiles = statistics.quantiles(differences, n=4)
    return {
        "mode": args.mode,
        "calls": args.calls,
        "direct_ms": round(statistics.median(d for d, _ in pairs), 4),
        "bridged_ms": round(statistics.median(b for _, b in pairs), 4),
        "added_ms": round(statistics.median(differences), 4),
        "added_iqr_ms": [round(quartiles[0], 4), round(quartiles[2], 4)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--direct", required=True, help="the server's own URL")
    parser.add_argument("--direct-token", default="", help="a bearer token for --direct (another serve)")
    parser.add_argument("--bridge-url", default="", help="the server through `mcptop serve`")
    parser.add_argument("--token", default="", help="serve's local bearer token")
    parser.add_argument("--bridge-command", default="", help="the server through a stdio command (`mcptop proxy`)")
    parser.add_argument("--mode", choices=["legacy", "auto"], default="auto")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if bool(args.bridge_url) == bool(args.bridge_command):
        parser.error("give one of --bridge-url and --bridge-command")
    try:
        out = asyncio.run(asyncio.wait_for(run(args), timeout=300))
    except Exception as exc:  # noqa: BLE001 - said on one line, exit 1
        print(json.dumps({"mode": args.mode, "error": f"{type(exc).__name__}: {exc}"[:500]}))
        return 1
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
