import MCPClient
import OAuth

/// What a failed connection calls for: the user (a login, a config fix) or another try after
/// a backoff. Errors the supervisor cannot tell apart retry: waiting costs less than a server
/// left disconnected for good.
extension Supervisor {
    enum Decision: Equatable {
        case needsLogin(String)
        case failed(String)
        case retry(String)
    }

    /// The decision, with the reason's leading "server: " dropped (screens show the name).
    static func classify(_ error: Error, server: String) -> Decision {
        let prefix = "\(server): "
        func trim(_ text: String) -> String { text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text }
        switch classify(error) {
        case .needsLogin(let reason): return .needsLogin(trim(reason))
        case .failed(let reason): return .failed(trim(reason))
        case .retry(let reason): return .retry(trim(reason))
        }
    }

    static func classify(_ error: Error) -> Decision {
        if let error = error as? OAuthError {
            switch error.kind {
            case .needsLogin: return .needsLogin(error.description)
            case .transient: return .retry(error.description)
            default: return .failed(error.description)
            }
        }
        guard let error = error as? MCPError else { return .retry("\(error)") }
        switch error.kind {
        case .authorization(let inner): return classify(inner)
        case .unauthorized: return .needsLogin(error.description)
        case .unsupportedVersion, .unsupported: return .failed(error.description)
        case .httpStatus(let status, _, _, _):
            if status >= 500 || status == 429 || status == 408 { return .retry(error.description) }
            return .failed(error.description)
        case .connection(let http):
            if http.kind == .invalidURL || http.kind == .tls { return .failed(error.description) }
            return .retry(error.description)
        case .rpc, .protocolViolation, .sessionExpired, .timeout, .cancelled, .process:
            return .retry(error.description)
        }
    }
}
