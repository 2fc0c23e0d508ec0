import HTTP
import Support

/// Why a request to a server failed. The description starts with the server's name and says
/// what the user can do where there is something to do.
public struct MCPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// No HTTP response: could not connect, timeout, TLS, body too large.
        case connection(HTTPError)
        /// An HTTP status the protocol does not expect; `rpcError` when the body held one.
        case httpStatus(status: Int, url: String, rpcError: JSONRPCError?, bodySnippet: String)
        /// 401/403 the authorizer could not resolve.
        case unauthorized(AuthorizationFailure)
        /// The server sent something that is not valid MCP.
        case protocolViolation(String)
        /// The server answered the request with a JSON-RPC error.
        case rpc(JSONRPCError)
        /// The server forgot our session (HTTP 404 on a `Mcp-Session-Id`).
        case sessionExpired
        case timeout(seconds: Double)
        case cancelled
        /// A stdio server's process ended or could not start.
        case process(String)
        /// No protocol revision in common.
        case unsupportedVersion(offered: [String])
        /// The server needs something mcptop does not provide.
        case unsupported(String)
        /// The authorizer could not provide credentials (needs a login, refresh failing). Its
        /// error is kept so callers can tell "log in" from "try later"; its description
        /// already names the server.
        case authorization(any Error)
    }

    public var server: String
    public var kind: Kind

    public init(server: String, _ kind: Kind) {
        self.server = server
        self.kind = kind
    }

    /// The JSON-RPC error the server answered with, in a body of any status.
    public var rpcError: JSONRPCError? {
        switch kind {
        case .rpc(let error): return error
        case .httpStatus(_, _, let error?, _): return error
        default: return nil
        }
    }

    /// The failure's class as a trace's `error.type` names it (OpenTelemetry's MCP conventions:
    /// the JSON-RPC error code for an error answer, the HTTP status for an unexpected one).
    public var errorType: String {
        if let rpcError { return String(rpcError.code) }
        switch kind {
        case .connection(let error): return error.kind == .timeout ? "timeout" : "connection"
        case .httpStatus(let status, _, _, _): return String(status)
        case .unauthorized(let failure): return String(failure.status)
        case .protocolViolation: return "protocol_violation"
        case .rpc(let error): return String(error.code)
        case .sessionExpired: return "session_expired"
        case .timeout: return "timeout"
        case .cancelled: return "cancelled"
        case .process: return "process"
        case .unsupportedVersion: return "unsupported_version"
        case .unsupported: return "unsupported"
        case .authorization: return "authorization"
        }
    }

    public var isCancellation: Bool {
        if case .cancelled = kind { return true }
        if case .connection(let error) = kind, error.kind == .cancelled { return true }
        return false
    }

    /// The description for `reader`: an authorizer's failure words its advice for it.
    public func description(for reader: FailureReader) -> String {
        guard case .authorization(let inner as any AdvisedFailure) = kind else { return description }
        return inner.description(for: reader)
    }

    public var description: String {
        let what: String
        switch kind {
        case .connection(let error):
            // HTTPError already names the server when the request carried a label.
            var copy = error
            copy.label = nil
            what = copy.description
        case .httpStatus(let status, let url, let rpcError, let snippet):
            var text = "\(displayURL(url)) answered HTTP \(status)"
            if let rpcError {
                text += ": \(rpcError.message) (\(rpcError.code))"
            } else if !snippet.isEmpty {
                text += ": \(snippet)"
            }
            what = text
        case .unauthorized(let failure):
            var text = "\(displayURL(failure.url)) answered HTTP \(failure.status)"
            if let bearer = failure.bearer {
                if let error = bearer.error { text += " (\(error))" }
                if let detail = bearer.errorDescription { text += ": \(detail)" }
                text += " — the server wants an OAuth login; set an Authorization header in the config"
            } else {
                text += " — check the credentials in the config"
            }
            what = text
        case .protocolViolation(let detail): what = "protocol error: \(detail)"
        case .rpc(let error):
            var text = "server error \(error.code): \(error.message)"
            if let data = error.data, data != .null {
                let rendered = data.serialized()
                text += " \(rendered.count > 200 ? String(rendered.prefix(200)) + "…" : rendered)"
            }
            what = text
        case .sessionExpired: what = "the server no longer knows our session"
        case .timeout(let seconds): what = "no answer within \(JSONValue.format(seconds)) s"
        case .cancelled: what = "cancelled"
        case .process(let detail): what = detail
        case .unsupportedVersion(let offered):
            what =
                "no protocol revision in common: the server offers \(offered.joined(separator: ", ")); "
                + "mcptop speaks \(ProtocolVersion.all.joined(separator: ", "))"
        case .unsupported(let detail): what = detail
        case .authorization(let error): return "\(error)"
        }
        return "\(server): \(what)"
    }
}
