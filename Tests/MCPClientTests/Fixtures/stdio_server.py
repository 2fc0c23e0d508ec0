"""A minimal stdio MCP server for tests (no dependencies): newline-delimited JSON-RPC.

Speaks 2025-11-25 (initialize) only, so mcptop's server/discover probe must fall back.
MODE=noisy prints a log line on stdout first; MODE=crash exits during tools/call,
writing to stderr first; MODE=exit-after-list exits on its own (status 4) right after
answering tools/list, with nothing asked of it.
"""
import json
import os
import sys

mode = os.environ.get("MODE", "")
if mode == "noisy":
    print("starting up (a log line on stdout, which breaks the protocol)", flush=True)


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    message = json.loads(line)
    method = message.get("method")
    ident = message.get("id")
    if ident is None:
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": ident, "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "stdio-fixture", "version": "1"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": ident, "result": {"tools": [
            {"name": "echo", "description": "Echoes", "inputSchema": {"type": "object"}}]}})
        if mode == "exit-after-list":
            sys.stderr.write("out of memory\n")
            sys.stderr.flush()
            sys.exit(4)
    elif method == "tools/call":
        if mode == "crash":
            sys.stderr.write("fatal: database unreachable\n")
            sys.stderr.flush()
            sys.exit(3)
        token = message["params"].get("_meta", {}).get("progressToken")
        if token is not None:
            send({"jsonrpc": "2.0", "method": "notifications/progress",
                  "params": {"progressToken": token, "progress": 1, "total": 1}})
        text = message["params"]["arguments"]["text"]
        send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": text}]}})
    else:
        send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": "Method not found"}})
