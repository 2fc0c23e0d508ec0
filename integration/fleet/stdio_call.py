#!/usr/bin/env python3
"""A minimal MCP client over stdio for fleet.sh and otlp.sh:

    stdio_call.py [--client NAME] [--again SECONDS] [--between SHELL] COMMAND...
                                                      (COMMAND e.g. `mcptop proxy demo`)

runs COMMAND, initializes (2025-11-25) as client NAME (default "otlp-check"), calls the tool
`echo` once (with --again, a second time SECONDS later: a token shorter than that is refreshed
inside the second call; with --between, the shell command SHELL runs before the second call,
e.g. to make the server forget its sessions), stays connected 2 s more (as a client does; a bridge's activity file
goes with its process, and a watch reads them every half second), and exits 0 when every answer
came without an error. Bounded: 30 s."""

import json
import subprocess
import sys
import threading
import time


def main() -> int:
    arguments = sys.argv[1:]
    client, again, between = "otlp-check", None, None
    while arguments[:1] in (["--client"], ["--again"], ["--between"]):
        if arguments[0] == "--client":
            client = arguments[1]
        elif arguments[0] == "--again":
            again = float(arguments[1])
        else:
            between = arguments[1]
            again = again or 0.0
        arguments = arguments[2:]
    process = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    timer = threading.Timer(30, process.kill)
    timer.start()

    def send(message: dict) -> None:
        process.stdin.write(json.dumps(message) + "\n")
        process.stdin.flush()

    def answer(wanted: int) -> dict:
        for line in process.stdout:
            message = json.loads(line)
            if message.get("id") == wanted:
                return message
        raise SystemExit(f"stdio_call.py: no answer to request {wanted}")

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": client, "version": "1.0"}}})
    answer(1)
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    results = []
    for request_id in (2, 3) if again is not None else (2,):
        if request_id == 3:
            if between:
                subprocess.run(between, shell=True, check=True, timeout=10)
            time.sleep(again)
        send({"jsonrpc": "2.0", "id": request_id, "method": "tools/call",
              "params": {"name": "echo", "arguments": {"text": "hello"}}})
        results.append(answer(request_id))
    time.sleep(2)
    process.stdin.close()
    process.wait(timeout=10)
    timer.cancel()
    ok = all("result" in result and not result["result"].get("isError") for result in results)
    print("calls ok" if ok else f"a call failed: {results}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
