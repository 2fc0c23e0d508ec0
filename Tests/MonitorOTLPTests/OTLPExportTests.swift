import Testing

@testable import MonitorOTLP

@Suite struct OTLPExportTests {
    @Test func theEndpointVariablesChooseTheSignals() {
        let all = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        #expect(OTLPExport.wantsTraces(all) && OTLPExport.wantsMetrics(all))
        let traces = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"]
        #expect(OTLPExport.wantsTraces(traces) && !OTLPExport.wantsMetrics(traces))
        let metrics = ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://collector:4318/v1/metrics"]
        #expect(!OTLPExport.wantsTraces(metrics) && OTLPExport.wantsMetrics(metrics))
        #expect(OTLPExport.isRequested(metrics))
        #expect(!OTLPExport.isRequested(["OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_SERVICE_NAME": "x"]))
    }

    @Test func anExporterOtherThanOTLPIsDroppedWithAWarning() {
        let (kept, warnings) = OTLPExport.honoured([
            "OTEL_TRACES_EXPORTER": "console", "OTEL_METRICS_EXPORTER": "otlp", "OTEL_LOGS_EXPORTER": "None",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
        ])
        #expect(kept["OTEL_TRACES_EXPORTER"] == nil, "console would write spans to stdout")
        #expect(kept["OTEL_METRICS_EXPORTER"] == "otlp")
        #expect(kept["OTEL_LOGS_EXPORTER"] == "None")
        #expect(kept["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://collector:4318")
        #expect(warnings == ["OTEL_TRACES_EXPORTER=console ignored: mcptop exports over OTLP only (stdout is its own)"])
    }
}
