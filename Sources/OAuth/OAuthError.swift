import Support

/// Why an OAuth step failed. Descriptions name the server and what the user can do; they never
/// contain a token, code, verifier or client secret.
public struct OAuthError: AdvisedFailure, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No stored login, or the stored one cannot be refreshed: run `mcptop auth NAME`.
        case needsLogin(reason: String)
        /// A network error, timeout, 5xx or `temporarily_unavailable`: retry later, nothing lost.
        case transient(String)
        /// Discovery found no usable authorization server.
        case discovery(String)
        /// An endpoint that is not https (and not loopback).
        case insecureEndpoint(String)
        /// The authorization server refused the client (`invalid_client`).
        case invalidClient(String)
        /// The login in the browser failed or was refused (`access_denied`, wrong `state`, …).
        case login(String)
        /// The server wants scopes the token does not have (403 `insufficient_scope`).
        case insufficientScope(scopes: String)
        /// Anything else the server sent that makes no sense.
        case protocolError(String)
        /// The server answered without asking for a login and publishes no OAuth metadata.
        case notRequired(String)
    }

    public var server: String
    public var kind: Kind

    public init(server: String, _ kind: Kind) {
        self.server = server
        self.kind = kind
    }

    public var isTransient: Bool {
        if case .transient = kind { return true }
        return false
    }

    /// As something that keeps working reads it: a transient failure will be retried.
    public var description: String { description(for: .retrying) }

    /// The one place the advice is worded: a transient failure will be retried by what keeps
    /// working, may be tried again by the user of a one-shot command, and is shown alone to a
    /// caller that says itself what follows.
    public func description(for reader: FailureReader) -> String {
        let text: String
        switch kind {
        case .needsLogin(let reason): text = "\(reason) — run 'mcptop auth \(server)' to log in"
        case .transient(let detail):
            switch reader {
            case .retrying: text = "\(detail) (will retry; nothing was deleted)"
            case .oneShot: text = "\(detail) (nothing was deleted; try again)"
            case .bare: text = detail
            }
        case .discovery(let detail): text = "authorization discovery failed: \(detail)"
        case .insecureEndpoint(let detail): text = detail
        case .invalidClient(let detail): text = "the authorization server rejected the client: \(detail)"
        case .login(let detail): text = "login failed: \(detail)"
        case .insufficientScope(let scopes):
            // The scopes come from the server: quoted for the shell, so `$(…)` or a backtick
            // in one is text, not a command a user pastes into a terminal.
            let flags = scopes.split(separator: " ").map { "--scope \(Self.shellQuoted(String($0)))" }
                .joined(separator: " ")
            text = "the server needs the scopes \"\(scopes)\" — run 'mcptop auth \(server) \(flags)' to grant them"
        case .protocolError(let detail): text = detail
        case .notRequired(let detail): text = "\(detail): it needs no login"
        }
        return "\(server): \(text)"
    }
}

extension OAuthError {
    /// A word as POSIX shells read it: as is when it holds only characters no shell treats
    /// specially, else in single quotes (a quote inside written `'\''`).
    static func shellQuoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
                || "-_./:@%+=,".unicodeScalars.contains($0)
        }
        if plain, !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
