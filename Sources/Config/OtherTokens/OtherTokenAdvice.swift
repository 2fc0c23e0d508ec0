import Foundation

/// What another client will do with a token that has expired or is about to, and how to stop
/// it mattering: route that client through mcptop (the `serve --print-config` snippet) or
/// import the server into mcptop.
public struct OtherTokenAdvice: Sendable, Equatable {
    /// What the client will do, in a sentence.
    public var consequence: String
    /// `mcptop import …` for the server, when mcptop knows the client's config.
    public var importCommand: String?
    /// The `mcptop serve --print-config` client whose snippet routes this client through mcptop.
    public var snippetClient: String?
    /// The snippet for this server, ready to paste, with the local token left as a placeholder
    /// (`mcptop serve --print-token` prints it): the board shows no secret, mcptop's neither.
    public var snippet: String?

    /// Where the snippet's placeholder tells the user to look.
    public static let tokenPlaceholder = "<mcptop serve --print-token>"
}

extension OtherToken {
    /// Advice when the token has expired or is in the last fifth of its life; nil otherwise.
    public func advice(now: Date) -> OtherTokenAdvice? {
        guard let phase = phase(now: now), phase != .valid else { return nil }
        let expired = phase == .expired
        let consequence: String
        switch holder {
        case .geminiCLI:
            consequence =
                hasRefreshToken
                ? "Gemini CLI's chat keeps the old header: its calls fail until restart"
                    + (expired ? "" : " once the token expires")
                : "Gemini CLI has no refresh token for \(server): its calls fail until you log in again (/mcp auth \(server))"
        case .claudeCode:
            consequence =
                hasRefreshToken
                ? "Claude Code renews the token when it reconnects: until then calls in a running session can fail (reconnect with /mcp)"
                : "Claude Code has no refresh token for \(server): it needs a new login (/mcp)"
        case .mcpRemote:
            consequence =
                hasRefreshToken
                ? "mcp-remote renews the token after a 401; if the refresh token was used by another process, it opens a browser for a new login"
                : "mcp-remote has no refresh token: it opens a browser for a new login the next time it starts, and the client behind it gets errors until then"
        case .inspector:
            consequence = "the Inspector asks for a new login in the browser when the server refuses the token"
        }
        let client = holder.configClient
        var advice = OtherTokenAdvice(
            consequence: consequence, importCommand: client.map { "mcptop import --from \($0.id)" },
            snippetClient: client?.snippetClient)
        if let snippetClient = advice.snippetClient, !server.contains(where: { $0.isWhitespace || $0 == "/" }) {
            advice.snippet = ClientSnippet.text(
                for: snippetClient, servers: [server], base: "http://\(ClientSnippet.defaultListen)",
                token: OtherTokenAdvice.tokenPlaceholder)
        }
        return advice
    }
}
