#!/usr/bin/env python3
"""A minimal MCP client over stdio (newline-delimited JSON-RPC, 2025-06-18) for the fault tests:
starts COMMAND (e.g. `mcptop proxy NAME`), initializes, then calls a tool every INTERVAL seconds
for SECONDS, each answer awaited at most 20 s. Prints one line `calls N failed M` and the first
failures (error messages only: nothing the server sent is secret, and no token passes here).

    stdio_client.py --seconds 10 --interval 0.5 -- mcptop proxy rotating
"""
import argparse
import json
import selectors
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--tool", default="echo")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    child = subprocess.Popen(args.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    next_id = 0

    def request(method, params, deadline=20.0):
        nonlocal next_id
        next_id += 1
        child.stdin.write(json.dumps({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params}) + "\n")
        child.stdin.flush()
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if not selector.select(timeout=end - time.monotonic()):
                break
            line = child.stdout.readline()
            if not line:
                return {"error": {"message": "the proxy closed its output"}}
            message = json.loads(line)
            if message.get("id") == next_id and "method" not in message:
                return message
        return {"error": {"message": f"no answer to {method} within {deadline:.0f} s"}}

    failures = []
    answer = request("initialize", {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "faults-stdio-client", "version": "1"},
    })
    calls = 0
    if "error" in answer:
        failures.append("initialize: " + answer["error"].get("message", "?"))
    else:
        child.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
        child.stdin.flush()
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            calls += 1
            answer = request("tools/call", {"name": args.tool, "arguments": {"text": f"call {calls}"}})
            result = answer.get("result")
            if "error" in answer or result is None or result.get("isError"):
                failures.append(json.dumps(answer.get("error") or result)[:300])
            time.sleep(args.interval)
    child.stdin.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        failures.append("the proxy did not end within 10 s of its input closing")
    print(f"calls {calls} failed {len(failures)}")
    for failure in failures[:5]:
        print("  " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
