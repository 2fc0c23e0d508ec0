import Bridge
import Config
import Foundation
import MCPClient
import Monitor
import MonitorOTLP
import OAuth

/// OTLP export for `watch`, `proxy` and `serve`, when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the
/// traces or metrics endpoint) is set. A build without the `OTLP` trait, or a bad setting, is a
/// warning on stderr: the variable may be meant for other programs.
enum Telemetry {
    /// `monitor`'s events as spans and metrics (`watch`), or nil for a bridge's own.
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

    /// The connection to a bridge's server. When exporting, its OAuth requests become spans
    /// (children of the client request that needed them), and its requests, login changes,
    /// rejected tokens and renewed sessions are counted as `watch` counts them, from its stored
    /// login as it is now.
    static func connection(_ telemetry: OTLPExport?, server: ConfiguredServer, store: TokenStore) async
        -> MCPConnection
    {
        let spec = server.spec
        guard let telemetry else {
            return MCPConnection(endpoint: server.endpoint, authorizer: spec.authorizer(store: store))
        }
        let (manager, authorizer) = spec.bridgeAuthorization(
            store: store, onStep: telemetry.oauthSteps(server: spec.name), publish: { telemetry.record($0) })
        let stored = try? await manager?.current()
        telemetry.track(server: spec.name, token: stored.flatMap { $0 }.map(TokenSummary.init))
        let connection = MCPConnection(endpoint: server.endpoint, authorizer: authorizer)
        await connection.observeSessionRenewals {
            telemetry.record(
                MonitorEvent(server: spec.name, time: Date(), kind: .sessionRenewed(MonitorEvent.sessionRenewedText)))
        }
        return connection
    }

    /// What a bridge tells dashboards and `watch` (its file), and, when exporting metrics, the
    /// calls its clients made, counted.
    static func activity(_ telemetry: OTLPExport?, folder: String, via: String) -> BridgeActivity.Log {
        guard let telemetry else { return BridgeActivity.Log(folder: folder, via: via) }
        return BridgeActivity.Log(folder: folder, via: via) { telemetry.record(bridged: $0) }
    }
}
