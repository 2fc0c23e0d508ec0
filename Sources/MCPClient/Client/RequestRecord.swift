import Foundation

/// One request a connection sent and how it ended: what a monitor's traces are made of
/// (``MCPConnection/observeRequests(_:)``). Names the method and the revision, never the
/// parameters or the answer.
public struct RequestRecord: Sendable, Equatable {
    /// `initialize`, `server/discover`, `tools/list`, `ping`, `tools/call`, …
    public var method: String
    /// The revision the request was sent under.
    public var protocolVersion: String
    public var startedAt: Date
    public var seconds: Double
    /// Why it failed (``MCPError/errorType``), nil when it was answered.
    public var errorType: String?

    public init(method: String, protocolVersion: String, startedAt: Date, seconds: Double, errorType: String?) {
        self.method = method
        self.protocolVersion = protocolVersion
        self.startedAt = startedAt
        self.seconds = seconds
        self.errorType = errorType
    }
}
