import Config
import Foundation

/// What the dashboard knows of the other MCP clients on this machine: the tokens they hold
/// (the board, `o`) and how many of their servers `i` would import. The app reads the files;
/// the dashboard only shows them.
public struct OtherClients: Sendable, Equatable {
    public var board: OtherTokenBoard
    /// Servers in other clients' configs that are not in mcptop's yet.
    public var importable: [ForeignServer]

    public init(board: OtherTokenBoard = OtherTokenBoard(), importable: [ForeignServer] = []) {
        self.board = board
        self.importable = importable
    }

    /// The clients the importable servers come from, as their users name them.
    public var importableOrigins: [String] {
        var origins: [String] = []
        for server in importable where !origins.contains(server.origin) { origins.append(server.origin) }
        return origins
    }
}

/// What `i` asks the app to import.
public enum ImportRequest: Sendable, Equatable {
    /// Every server of every other client (`mcptop import`).
    case everything
    /// The server of one row of the token board.
    case server(OtherToken)
    /// Exactly these servers: the ones a confirmed preview listed, and nothing read since.
    case servers([ForeignServer])
}

/// What `i` would do, worked out before anything is written: the confirmation popup lists it
/// and `y` imports exactly `added`.
public struct ImportPreview: Sendable, Equatable {
    public var request: ImportRequest
    public var configFile: String
    public var added: [ForeignServer]
    /// Servers left out, each `name: reason` (already in mcptop's config, no entry to import, …).
    public var skipped: [String]
    /// Foreign files that could not be read (`path:line:column: message`).
    public var failures: [String]
    /// Why nothing can be worked out (mcptop's config is not valid JSON, the row names no
    /// server); the popup is not opened.
    public var problem: String?

    public init(
        request: ImportRequest, configFile: String, added: [ForeignServer] = [], skipped: [String] = [],
        failures: [String] = [], problem: String? = nil
    ) {
        self.request = request
        self.configFile = configFile
        self.added = added
        self.skipped = skipped
        self.failures = failures
        self.problem = problem
    }
}
