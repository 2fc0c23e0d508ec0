#!/usr/bin/env python3
"""OTLP/HTTP test receiver for integration/otlp/otlp.sh, built on OpenTelemetry's official
protobuf definitions (PyPI opentelemetry-proto).

    receiver.py OUT_DIR

Listens on 127.0.0.1 (a free port, printed as "listening http://127.0.0.1:PORT"), decodes each
POST /v1/traces as an ExportTraceServiceRequest and appends one JSON line per span to
OUT_DIR/spans.jsonl (name, kind, attributes, start and end in ns, status code); the raw bodies
go to OUT_DIR/bodies.bin, for the secret check. Answers with an ExportTraceServiceResponse.
Runs until SIGTERM."""

import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2

OUT = Path(sys.argv[1])


def value(any_value: common_pb2.AnyValue):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
            self.send_error(404 if self.path != "/v1/traces" else 415)
            return
        request = trace_service_pb2.ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except Exception as error:  # a body that is no ExportTraceServiceRequest
            self.send_error(400, str(error))
            return
        with open(OUT / "bodies.bin", "ab") as raw, open(OUT / "spans.jsonl", "a") as lines:
            raw.write(body)
            for resource_spans in request.resource_spans:
                resource = {a.key: value(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        lines.write(json.dumps({
                            "name": span.name, "kind": span.kind,
                            "attributes": {a.key: value(a.value) for a in span.attributes},
                            "start": span.start_time_unix_nano, "end": span.end_time_unix_nano,
                            "status": span.status.code, "parent": span.parent_span_id.hex(),
                            "service": resource.get("service.name"),
                        }) + "\n")
        answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:  # quiet: bodies hold nothing to log
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
