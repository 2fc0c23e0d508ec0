#!/usr/bin/env python3
"""A Streamable HTTP client of `mcptop serve` for otlp.sh: 2026-07-28 (stateless), as client
"otlp-serve", calls the tool `echo` twice, GAP seconds apart, so that a token shorter than the
gap is refreshed inside the second call.

    serve_calls.py GAP URL TOKEN      (URL: http://127.0.0.1:PORT/demo/mcp; TOKEN: serve's own)

Exits 0 when both answers came without an error. Bounded: 15 s a request."""

import json
import sys
import time
import urllib.request


def main() -> int:
    gap, url, token = float(sys.argv[1]), sys.argv[2], sys.argv[3]
    answers = []
    for request_id in (1, 2):
        if request_id == 2:
            time.sleep(gap)
        message = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {
            "name": "echo", "arguments": {"text": f"hello {request_id}"},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "otlp-serve", "version": "1.0"},
            }}}
        request = urllib.request.Request(url, data=json.dumps(message).encode(), method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json",
            "Authorization": f"Bearer {token}", "MCP-Protocol-Version": "2026-07-28"})
        with urllib.request.urlopen(request, timeout=15) as response:
            answers.append(json.loads(response.read()))
    failed = [a for a in answers if "result" not in a or a["result"].get("isError")]
    # Only whether they failed: the answers are echoes, the token is not printed.
    print("calls ok" if not failed else f"{len(failed)} calls failed: {[a.get('error') for a in failed]}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
