import Bridge
import Foundation
import HTTP
import MCPClient
import OAuth

/// What a bridge (`proxy`, `serve`) sees of a server, told as the monitor's events tell it, so
/// a ``MonitorEvent`` consumer (the metrics) makes the same series of a bridge as of `watch`:
/// the calls its clients made, its token manager's OAuth requests and login changes, and the
/// 401s its stored tokens got.
extension CallRecord {
    /// The record of a call a bridge reported (nil for a client attaching or leaving). `id`
    /// numbers it in a call log.
    public init?(bridged event: BridgeActivity.Event, id: Int) {
        guard event.kind == .call else { return nil }
        let outcome: Outcome
        switch event.outcome {
        case "ok": outcome = .ok
        case "isError": outcome = .isError
        case "cancelled": outcome = .cancelled
        default: outcome = .protocolError
        }
        self.init(
            id: id, tool: event.tool ?? "?", argumentsDigest: "", startedAt: event.time, duration: event.seconds,
            outcome: outcome, lastProgress: nil, detail: event.detail, result: nil,
            bridge: Bridge(client: event.client, via: event.via))
    }
}

extension MonitorEvent {
    /// The event the monitor publishes for what a bridge reported: a finished call (nil for a
    /// client attaching or leaving).
    public init?(bridged event: BridgeActivity.Event, id: Int = 0) {
        guard let record = CallRecord(bridged: event, id: id) else { return nil }
        self.init(server: event.server, time: event.time, kind: .callFinished(record))
    }
}

extension ServerSpec {
    /// The token manager (nil without OAuth) and authorizer of a bridge's server. `onStep`
    /// hears of each OAuth request in the task that made it (spans); `publish` gets, as the
    /// supervisor publishes them, each OAuth request, each change of the stored login and each
    /// 401 to a stored token (with its expiry when that had passed).
    public func bridgeAuthorization(
        store: TokenStore, http: HTTPClient = .shared, now: @escaping @Sendable () -> Date = { Date() },
        onStep: @escaping AuthStepHandler, publish: @escaping @Sendable (MonitorEvent) -> Void
    ) -> (manager: TokenManager?, authorizer: any Authorizer) {
        let server = name
        @Sendable func tell(_ kind: MonitorEvent.Kind) {
            publish(MonitorEvent(server: server, time: now(), kind: kind))
        }
        let manager = tokenManager(
            store: store, http: http, now: now,
            onStep: { step in
                onStep(step)
                tell(.authStep(step))
            },
            onChange: { credential in tell(.tokenChanged(credential.map(TokenSummary.init))) })
        let authorizer = authorizer(
            using: manager,
            onRejected: { expiresAt in
                let now = now()
                tell(.tokenRejected(expiredAt: expiresAt.flatMap { $0 <= now ? $0 : nil }))
            })
        return (manager, authorizer)
    }
}
