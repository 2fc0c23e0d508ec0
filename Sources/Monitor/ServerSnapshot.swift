import Foundation
import MCPClient
import OAuth

/// A browser login under way beside the connection.
public struct PendingLogin: Sendable, Equatable {
    /// The authorization URL, once it is known.
    public var url: String?
    /// The scopes asked for (empty: the server's defaults).
    public var scopes: [String]
    public var startedAt: Date
    /// For a device login, once the server has given the code.
    public var device: DeviceLoginPrompt? = nil
}

/// Everything known about a server at one moment, for screens and reports.
public struct ServerSnapshot: Sendable {
    public var name: String
    public var transport: String
    public var target: String
    public var state: ConnectionState
    public var history: [ConnectionState]
    public var serverInfo: ServerInfo?
    public var tools: [Tool]
    public var token: TokenSummary?
    public var calls: [CallRecord]
    public var authSteps: [AuthStep]
    public var callCount: Int
    public var errorCount: Int
    /// When the next refresh is scheduled, if the token's expiry is known.
    public var refreshDue: Date?
    /// A browser login under way, if any.
    public var pendingLogin: PendingLogin?
    /// The scopes the server asked for in its last `insufficient_scope` answer: the next login
    /// asks for them as well as those already granted (step-up).
    public var stepUpScopes: [String]?
    /// Why the config entry cannot be used, for servers in the `config` state.
    public var configProblem: String?
    /// OAuth applies (an HTTP server without its own `Authorization` header).
    public var usesOAuth = true
    /// Clients using this server through `mcptop proxy` or `serve` now: "claude-code via proxy".
    public var attachedClients: [String] = []
}
