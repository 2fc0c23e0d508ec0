#!/usr/bin/env python3
"""TCP forwarder for the fleet test: makes one loopback issuer reachable from other network
namespaces under the same URL (OAuth over plain http is allowed on loopback only).

    forward.py LISTEN_HOST:PORT=TARGET_HOST:PORT ...

Prints "ready" once every listener is bound; runs until SIGTERM or SIGINT. Copies bytes both
ways and logs nothing (the bytes hold tokens)."""

import asyncio
import signal
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def handler(target_host: str, target_port: int):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(target_host, target_port), timeout=5)
        except (OSError, asyncio.TimeoutError):
            writer.close()
            return
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
    return handle


def split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        sys.exit(f"forward.py: expected HOST:PORT, got {address!r}")
    return host, int(port)


async def main(pairs: list[str]) -> None:
    if not pairs:
        sys.exit(__doc__)
    servers = []
    for pair in pairs:
        listen, _, target = pair.partition("=")
        listen_host, listen_port = split(listen)
        target_host, target_port = split(target)
        servers.append(await asyncio.start_server(
            handler(target_host, target_port), listen_host, listen_port, reuse_address=True))
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
