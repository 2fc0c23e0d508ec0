/// What the token endpoint answers to `refresh_token` grants while a fault is on
/// (``DemoOAuthOptions/refreshFault``): the ways real authorization servers refuse or fail.
public enum RefreshFault: String, Sendable, CaseIterable {
    /// 400 `invalid_grant`: the refresh token is refused (revoked, expired, reused).
    case invalidGrant = "invalid-grant"
    /// 401 `invalid_client`: the client itself is refused (RFC 6749 §5.2).
    case invalidClient = "invalid-client"
    /// 503 `temporarily_unavailable` (RFC 6749 §4.1.2.1), as JSON.
    case temporarilyUnavailable = "temporarily-unavailable"
    /// A plain 500 with an HTML body, as a crashing application server sends.
    case serverError = "server-error"
    /// A plain 502 with an HTML body, as a reverse proxy sends when the server behind it is down.
    case badGateway = "bad-gateway"
}

/// One fault the demo server can be told to inject: the names `mcptop-demo-server` takes on its
/// command line (`--fault NAME`) and its control FIFO (`--control PATH`), and what its signals
/// toggle. Switches stay on until switched off; events happen once.
public enum DemoFault: Sendable, Equatable {
    /// A switch: refreshes answer this failure.
    case refresh(RefreshFault)
    /// A switch: `tools/call` answers are cut: the SSE stream sends a progress notification
    /// and closes without the response (``DemoServerOptions/Misbehaviour/cutStream``).
    case cutStream
    /// An event: every access token issued so far is revoked (the resource server answers 401
    /// to them); refresh tokens stay valid.
    case revokeAccessTokens
    /// An event: every grant is revoked, refresh tokens included (a new login is needed).
    case revokeGrants
    /// An event: every stateful session is forgotten (the next request in one gets 404).
    case forgetSessions
    /// An event: the server stops listening (closing every connection and forgetting its
    /// sessions) and listens again on the same port after ``DemoFault/restartPause``. The
    /// authorization server's memory (clients, grants, tokens) is kept, as if it were another
    /// service.
    case restart

    /// How long a ``restart`` keeps the port closed.
    public static let restartPause: Duration = .milliseconds(500)

    /// Every fault, in the order `--help` lists them.
    public static let all: [DemoFault] =
        RefreshFault.allCases.map { .refresh($0) } + [
            .cutStream, .revokeAccessTokens, .revokeGrants, .forgetSessions, .restart,
        ]

    /// Its name on the command line and in control commands.
    public var name: String {
        switch self {
        case .refresh(let fault): return fault.rawValue
        case .cutStream: return "cut-stream"
        case .revokeAccessTokens: return "revoke-access"
        case .revokeGrants: return "revoke-all"
        case .forgetSessions: return "forget-sessions"
        case .restart: return "restart"
        }
    }

    public init?(name: String) {
        guard let fault = Self.all.first(where: { $0.name == name }) else { return nil }
        self = fault
    }

    /// A switch stays on until it is switched off; the others happen once.
    public var isSwitch: Bool {
        switch self {
        case .refresh, .cutStream: return true
        case .revokeAccessTokens, .revokeGrants, .forgetSessions, .restart: return false
        }
    }

    /// What it does, for `--help`.
    public var summary: String {
        switch self {
        case .refresh(.invalidGrant): return "refreshes answer 400 invalid_grant"
        case .refresh(.invalidClient): return "refreshes answer 401 invalid_client"
        case .refresh(.temporarilyUnavailable): return "refreshes answer 503 temporarily_unavailable"
        case .refresh(.serverError): return "refreshes answer a plain 500 (HTML)"
        case .refresh(.badGateway): return "refreshes answer a plain 502 (HTML)"
        case .cutStream: return "tool calls get a progress event, then the stream closes"
        case .revokeAccessTokens: return "once: the access tokens issued so far are revoked"
        case .revokeGrants: return "once: every grant is revoked (a new login is needed)"
        case .forgetSessions: return "once: every session is forgotten (404 next)"
        case .restart: return "once: stop listening, listen again on the same port 0.5 s later"
        }
    }
}

extension DemoServer {
    /// Switches a fault on or off (`on` is ignored by events, which happen at once). A refresh
    /// fault switched on replaces another one; switched off, it ends only if it is the one on.
    public func inject(_ fault: DemoFault, on: Bool = true) async {
        switch fault {
        case .refresh(let kind):
            setOptions { options in
                if on {
                    options.oauth?.refreshFault = kind
                    options.oauth?.refreshFaultsLeft = nil
                } else if options.oauth?.refreshFault == kind {
                    options.oauth?.refreshFault = nil
                }
            }
        case .cutStream:
            setOptions { options in
                if on {
                    options.misbehaviour = .cutStream
                } else if options.misbehaviour == .cutStream {
                    options.misbehaviour = .none
                }
            }
        case .revokeAccessTokens:
            let issuer = options.oauth.map(authority) ?? self
            issuer.state.withLock { $0.auth.accessTokens.removeAll() }
        case .revokeGrants:
            revokeAll()
        case .forgetSessions:
            forgetSessions()
        case .restart:
            let port = state.withLock { $0.port }
            await stop()
            try? await Task.sleep(for: DemoFault.restartPause)
            // The port was ours a moment ago; should another process take it, the server stays
            // down, which a fault test sees as the server gone.
            _ = try? await start(port: port)
        }
    }

    /// Whether a switch is on now.
    public func isOn(_ fault: DemoFault) -> Bool {
        let options = self.options
        switch fault {
        case .refresh(let kind): return options.oauth?.refreshFault == kind
        case .cutStream: return options.misbehaviour == .cutStream
        case .revokeAccessTokens, .revokeGrants, .forgetSessions, .restart: return false
        }
    }
}
