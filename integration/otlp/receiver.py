#!/usr/bin/env python3
"""OTLP/HTTP test receiver for integration/otlp/otlp.sh, built on OpenTelemetry's official
protobuf definitions (PyPI opentelemetry-proto).

    receiver.py OUT_DIR

Listens on 127.0.0.1 (a free port, printed as "listening http://127.0.0.1:PORT"), decodes each
POST /v1/traces as an ExportTraceServiceRequest and appends one JSON line per span to
OUT_DIR/spans.jsonl (name, kind, attributes, start and end in ns, status code, ids), and each
POST /v1/metrics as an ExportMetricsServiceRequest, one JSON line per data point to
OUT_DIR/metrics.jsonl (name, description, unit, type, attributes, value or count); each line
has the resource's service.name and service.instance.id (which process sent it); the raw
bodies of both go to OUT_DIR/bodies.bin, for the secret check, and each request's path to
OUT_DIR/requests.log. Answers with the matching
Export*ServiceResponse. Runs until SIGTERM."""

import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2

OUT = Path(sys.argv[1])
WRITING = threading.Lock()  # one request's lines and body at a time


def value(any_value: common_pb2.AnyValue):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def attributes(pairs) -> dict:
    return {a.key: value(a.value) for a in pairs}


def span_lines(request: trace_service_pb2.ExportTraceServiceRequest):
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield {
                    "name": span.name, "kind": span.kind, "attributes": attributes(span.attributes),
                    "start": span.start_time_unix_nano, "end": span.end_time_unix_nano,
                    "status": span.status.code, "parent": span.parent_span_id.hex(),
                    "id": span.span_id.hex(), "trace": span.trace_id.hex(),
                    "service": resource.get("service.name"),
                    "instance": resource.get("service.instance.id"),
                }


def metric_lines(request: metrics_service_pb2.ExportMetricsServiceRequest):
    for resource_metrics in request.resource_metrics:
        resource = attributes(resource_metrics.resource.attributes)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                for point in getattr(metric, kind).data_points:
                    line = {"name": metric.name, "description": metric.description, "unit": metric.unit,
                            "type": kind, "attributes": attributes(point.attributes),
                            "service": resource.get("service.name"),
                            "instance": resource.get("service.instance.id")}
                    if kind in ("gauge", "sum"):
                        line["value"] = point.as_double if point.WhichOneof("value") == "as_double" else point.as_int
                        if kind == "sum":
                            line["monotonic"] = metric.sum.is_monotonic
                    else:
                        line["count"] = point.count
                    yield line


# path: (request type, response type, output file, lines)
SIGNALS = {
    "/v1/traces": (trace_service_pb2.ExportTraceServiceRequest, trace_service_pb2.ExportTraceServiceResponse,
                   "spans.jsonl", span_lines),
    "/v1/metrics": (metrics_service_pb2.ExportMetricsServiceRequest,
                    metrics_service_pb2.ExportMetricsServiceResponse, "metrics.jsonl", metric_lines),
}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path not in SIGNALS:
            self.send_error(404)
            return
        if self.headers.get("Content-Type") != "application/x-protobuf":
            self.send_error(415)
            return
        request_type, response_type, out, lines = SIGNALS[self.path]
        request = request_type()
        try:
            request.ParseFromString(body)
        except Exception as error:  # a body that is no Export*ServiceRequest
            self.send_error(400, str(error))
            return
        with WRITING, open(OUT / "bodies.bin", "ab") as raw, open(OUT / out, "a") as output:
            raw.write(body)
            with open(OUT / "requests.log", "a") as log:
                log.write(self.path + "\n")
            for line in lines(request):
                output.write(json.dumps(line) + "\n")
        answer = response_type().SerializeToString()
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
