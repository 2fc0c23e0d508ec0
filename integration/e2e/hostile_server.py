#!/usr/bin/env python3
"""A loopback MCP server that hangs on purpose, for integration/e2e/hangs.sh.

    hostile_server.py LOGFILE

Prints "listening PORT" once it accepts connections, and appends each request it sees to
LOGFILE ("POST /mcp initialize", "GET /sse"). Paths:

  /mcp   Streamable HTTP that refuses server/discover (400, so clients fall back to
         initialize), answers initialize, and never answers notifications/initialized:
         the connection is held open until the client gives up.
  /sse   Legacy HTTP+SSE whose stream never sends the endpoint event.
  /ok    A healthy stateful server with no tools (the control case).
"""
import json
import select
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path = sys.argv[1]
log_lock = threading.Lock()


def log(line):
    with log_lock, open(log_path, "a") as log_file:
        log_file.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def hold(self):
        """Answers nothing until the client closes the connection."""
        self.close_connection = True
        while True:
            readable, _, _ = select.select([self.connection], [], [], 0.5)
            if readable and not self.connection.recv(4096):
                return

    def reply(self, status, body=b"", content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        log(f"GET {self.path}")
        if self.path == "/sse":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(b": no endpoint event will follow\n\n")
            self.wfile.flush()
            self.hold()
        elif self.path in ("/mcp", "/ok"):
            self.reply(405, b"", "text/plain")
        else:
            self.reply(404, b"", "text/plain")

    def do_DELETE(self):
        log(f"DELETE {self.path}")
        self.reply(200, b"", "text/plain")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            message = json.loads(body)
        except ValueError:
            message = {}
        method = message.get("method", "?")
        log(f"POST {self.path} {method}")
        if self.path not in ("/mcp", "/ok"):
            self.reply(404, b"", "text/plain")
            return
        if method == "server/discover":
            self.reply(400, b"Bad Request", "text/plain")
            return
        if method == "initialize":
            result = {
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "hostile", "version": "1"},
            }
            answer = json.dumps({"jsonrpc": "2.0", "id": message.get("id"), "result": result}).encode()
            self.reply(200, answer, headers=[("Mcp-Session-Id", "hostile-session")])
            return
        if self.path == "/mcp":
            self.hold()
            return
        if "id" not in message:
            self.reply(202, b"", "text/plain")
            return
        result = {"tools": []} if method == "tools/list" else {}
        self.reply(200, json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode())


class Server(ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
