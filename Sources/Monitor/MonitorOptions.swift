/// How the supervisors of one monitor behave: health checks, backoff, log sizes, logins.
public struct MonitorOptions: Sendable {
    /// Seconds between health checks of a connected server.
    public var healthInterval: Double = 30
    public var backoff = Backoff()
    public var callLogCapacity = 200
    public var historyCapacity = 50
    public var authStepCapacity = 100
    /// At most this many servers connect at once (the rest wait their turn).
    public var concurrentConnects = 32
    /// Where bridges (`proxy`, `serve`) write what their clients do; the monitor follows it and
    /// shows their calls with the server's own. Nil: not followed.
    public var bridgeFolder: String?
    /// Plays the browser for a login instead of `$BROWSER` (`mcptop demo` follows the demo
    /// server's auto-approving redirect in-process).
    public var browser: (@Sendable (String) -> Void)?
    /// Publishes each MCP request a connection sends (handshakes, listings, pings) as a
    /// ``MonitorEvent/Kind/request(_:)`` event, for traces (`watch` exporting over OTLP);
    /// tool calls have their own events either way.
    public var reportsRequests = false

    public init() {}
}
