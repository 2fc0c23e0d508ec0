import Foundation
import Support

/// A client whose OAuth token store the board reads (never writes).
public enum TokenHolder: String, CaseIterable, Sendable {
    case geminiCLI = "gemini"
    case mcpRemote = "mcp-remote"
    case inspector = "inspector"
    case claudeCode = "claude-code"

    public var displayName: String {
        switch self {
        case .geminiCLI: "Gemini CLI"
        case .mcpRemote: "mcp-remote"
        case .inspector: "MCP Inspector"
        case .claudeCode: "Claude Code"
        }
    }

    /// The client whose configuration names these servers, for `mcptop import --from`.
    public var configClient: ForeignClient? {
        switch self {
        case .geminiCLI: .gemini
        case .claudeCode: .claudeCode
        // mcp-remote runs inside another client's config (Claude Desktop's, mostly).
        case .mcpRemote: .claudeDesktop
        case .inspector: nil
        }
    }
}

/// One token another client holds for a server: when it expires and whether it can be
/// renewed. No secret is kept: only whether each token is present.
public struct OtherToken: Sendable, Equatable {
    public var holder: TokenHolder
    /// The server as the client names it (its config name, else its URL, else a file's hash).
    public var server: String
    public var serverURL: String?
    /// The file it was read from.
    public var file: String
    public var hasAccessToken: Bool
    public var hasRefreshToken: Bool
    public var expiresAt: Date?
    /// When the token was obtained or last written (the lifetime's start, for the gauge).
    public var updatedAt: Date?
    /// mcp-remote stores `expires_in` only: the expiry is counted from the file's time.
    public var expiryFromFileTime: Bool
    public var scopes: [String]

    public init(
        holder: TokenHolder, server: String, serverURL: String? = nil, file: String, hasAccessToken: Bool = true,
        hasRefreshToken: Bool, expiresAt: Date?, updatedAt: Date? = nil, expiryFromFileTime: Bool = false,
        scopes: [String] = []
    ) {
        self.holder = holder
        self.server = server
        self.serverURL = serverURL
        self.file = file
        self.hasAccessToken = hasAccessToken
        self.hasRefreshToken = hasRefreshToken
        self.expiresAt = expiresAt
        self.updatedAt = updatedAt
        self.expiryFromFileTime = expiryFromFileTime
        self.scopes = scopes
    }

    /// Nil when the expiry is unknown, or when there is no access token at all (Claude Code
    /// leaves such entries behind for servers that need no OAuth: nothing has expired).
    public func phase(now: Date) -> TokenLifetime.Phase? {
        guard hasAccessToken else { return nil }
        return expiresAt.map { TokenLifetime.phase(expiresAt: $0, obtainedAt: updatedAt, now: now) }
    }

    /// Expired with nothing to renew it: the client needs a new login (`status --others` exits 2).
    public func isDead(now: Date) -> Bool {
        phase(now: now) == .expired && !hasRefreshToken
    }
}

/// A token store that exists but cannot be read, and why (encrypted, not JSON, no permission).
public struct UnreadableTokenStore: Sendable, Equatable {
    public var holder: TokenHolder
    public var file: String
    public var reason: String

    public init(holder: TokenHolder, file: String, reason: String) {
        self.holder = holder
        self.file = file
        self.reason = reason
    }
}

/// Everything the board shows: the tokens read and the stores that could not be.
public struct OtherTokenBoard: Sendable, Equatable {
    public var tokens: [OtherToken]
    public var unreadable: [UnreadableTokenStore]

    public init(tokens: [OtherToken] = [], unreadable: [UnreadableTokenStore] = []) {
        self.tokens = tokens
        self.unreadable = unreadable
    }

    public var isEmpty: Bool { tokens.isEmpty && unreadable.isEmpty }
}
