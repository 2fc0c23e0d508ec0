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
}
