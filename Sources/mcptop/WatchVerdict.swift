import Monitor

/// How one server did over a `watch` run: what its summary line says and whether it makes
/// the run fail (exit 2). A health check passes only for servers that connected and were
/// still connected at the end.
enum WatchVerdict: Equatable {
    case healthy
    /// Never reached `connected` (unreachable, a login needed, a hung handshake…).
    case neverConnected
    /// Connected at some point, but not at the end (backoff, needsLogin, failed, connecting).
    case endedNotConnected
    /// Not watched: its config entry cannot be used (an unset `${VAR}`).
    case skipped(String)

    /// The verdict from what the run saw: whether the server was ever connected, and the last
    /// state it entered before the monitor stopped.
    init(everConnected: Bool, last: ConnectionState?) {
        if !everConnected {
            self = .neverConnected
        } else if let last, Self.connectedPhases.contains(last.phase) {
            self = .healthy
        } else {
            self = .endedNotConnected
        }
    }

    /// The phases in which a server counts as connected (a refresh keeps the connection).
    static let connectedPhases: Set<ConnectionState.Phase> = [.connected, .refreshing]

    var isHealthy: Bool { self == .healthy }

    /// What went wrong, for the summary: "never connected", "skipped", …; nil when healthy.
    var problem: String? {
        switch self {
        case .healthy: return nil
        case .neverConnected: return "never connected"
        case .endedNotConnected: return "not connected at the end"
        case .skipped: return "skipped"
        }
    }
}
