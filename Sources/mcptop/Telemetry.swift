import Foundation
import Monitor
import MonitorOTLP
import OAuth

/// OTLP export for `watch`, `proxy` and `serve`, when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the
/// traces endpoint) is set. A build without the `OTLP` trait, or a bad setting, is a warning on
/// stderr: the variable may be meant for other programs.
enum Telemetry {
    /// `monitor`'s events as spans (`watch`), or nil for a bridge's own spans.
    static func start(monitor: Monitor? = nil) -> OTLPExport? {
        let environment = ProcessInfo.processInfo.environment
        let warn: (String) -> Void = { Console.warn($0) }
        do {
            if let monitor { return try OTLPExport.start(monitor: monitor, environment: environment, warn: warn) }
            return try OTLPExport.start(environment: environment, warn: warn)
        } catch {
            Console.warn("\(error)")
            return nil
        }
    }

    /// What hears `server`'s OAuth requests: spans when exporting, nothing otherwise.
    static func oauthSteps(_ telemetry: OTLPExport?, server: String) -> AuthStepHandler {
        guard let telemetry else { return { _ in } }
        return telemetry.oauthSteps(server: server)
    }
}
