import Config
import Foundation
import Support

/// The other clients' token board (`o`): one row per client and server with the access token's
/// countdown (the same cell and colours as mcptop's own servers), the refresh token's presence
/// and the last update; below, the selected row's file, what its client will do and the fix.
/// Stores that cannot be read are listed last, with the reason. No secret is ever in the state.
enum OtherTokensView {
    static func draw(_ screen: inout Screen, _ state: DashboardState, selected: Int) {
        let top = 1
        let bottom = screen.height - 3  // above the status line and the footer
        for row in top...bottom { screen.fill(row: row, from: 0, to: screen.width, role: .normal) }
        let board = state.otherClients.board
        screen.write(
            " Other clients' tokens — read-only: their files are read, never written", row: top, column: 0,
            role: .header, limit: screen.width)
        guard !board.isEmpty else {
            screen.write(
                "  No token store of Gemini CLI, Claude Code, mcp-remote or the MCP Inspector was found.", row: top + 2,
                column: 0, role: .dim, limit: screen.width)
            return
        }
        let widths = columnWidths(board, width: screen.width)
        var row = top + 1
        var x = 1
        for (title, width) in zip(["CLIENT", "SERVER", "TOKEN", "REFRESH", "UPDATED"], widths) {
            screen.write(title, row: row, column: x, role: .header, field: width)
            x += width + 1
        }
        // Rows for the table: at most half the room, so the advice below stays in view.
        let room = max(1, (bottom - row) / 2)
        let first = min(max(0, selected - room + 1), max(0, board.tokens.count - room))
        for (index, token) in board.tokens.enumerated().dropFirst(first).prefix(room) {
            row += 1
            drawRow(&screen, token, row: row, widths: widths, now: state.now)
            if index == selected {
                screen.write("›", row: row, column: 0, role: .selected)
            }
        }
        row += 1
        // Unreadable stores first: a line each, and they do not change with the selection.
        var lines: [(String, Role)] = board.unreadable.map {
            ("\($0.holder.displayName): not readable: \($0.file): \($0.reason)", .warn)
        }
        if board.tokens.indices.contains(selected) {
            lines += details(board.tokens[selected], now: state.now)
        }
        for (text, role) in lines {
            for piece in DisplayWidth.wrap(text, to: max(10, screen.width - 2)) {
                row += 1
                guard row <= bottom else { return }
                screen.write(piece, row: row, column: 1, role: role, limit: screen.width - 2)
            }
        }
    }

    private static func columnWidths(_ board: OtherTokenBoard, width: Int) -> [Int] {
        let client = 13
        let token = 16
        let refresh = 7
        let updated = 10
        let longest = board.tokens.map { DisplayWidth.of($0.server) }.max() ?? 6
        let server = max(6, min(longest, width - 2 - client - token - refresh - updated - 5))
        return [client, server, token, refresh, updated]
    }

    private static func drawRow(_ screen: inout Screen, _ token: OtherToken, row: Int, widths: [Int], now: Date) {
        var x = 1
        screen.write(token.holder.displayName, row: row, column: x, role: .normal, field: widths[0])
        x += widths[0] + 1
        screen.write(token.server, row: row, column: x, role: .normal, field: widths[1])
        x += widths[1] + 1
        if !token.hasAccessToken {
            screen.write("no token", row: row, column: x, role: .dim, field: widths[2])
        } else if let expiry = token.expiresAt {
            ServerTable.tokenGauge(
                &screen, expiresAt: expiry, obtainedAt: token.updatedAt, row: row, column: x, width: widths[2], now: now
            )
        } else {
            screen.write("no expiry", row: row, column: x, role: .dim, field: widths[2])
        }
        x += widths[2] + 1
        screen.write(
            token.hasRefreshToken ? "yes" : "none", row: row, column: x,
            role: token.hasRefreshToken ? .ok : (token.isDead(now: now) ? .error : .warn), field: widths[3])
        x += widths[3] + 1
        let updated = token.updatedAt.map { TimeText.duration(now.timeIntervalSince($0)) + " ago" } ?? "?"
        screen.write(updated, row: row, column: x, role: .dim, field: widths[4])
    }

    /// The selected row: its file, and when its token is dying, what the client will do and the fix.
    static func details(_ token: OtherToken, now: Date) -> [(String, Role)] {
        var lines: [(String, Role)] = [("\(token.holder.displayName) · \(token.server) · \(token.file)", .dim)]
        if token.expiryFromFileTime {
            lines.append(("expiry counted from the file's time (mcp-remote saves expires_in)", .dim))
        }
        guard let advice = token.advice(now: now) else {
            lines.append(("Nothing to do: the token is not near its end.", .ok))
            return lines
        }
        lines.append((advice.consequence + ".", token.isDead(now: now) ? .error : .warn))
        lines.append(
            (
                advice.importCommand.map { "Fix: i lets mcptop keep this login alive (\($0) imports them all)" }
                    ?? "Fix: i lets mcptop keep this login alive", .normal
            ))
        if let snippet = advice.snippet, let client = advice.snippetClient {
            lines.append(("or route the client through mcptop (mcptop serve --print-config \(client)):", .normal))
            lines += snippet.split(separator: "\n").map { ("  " + $0, .accent) }
        }
        return lines
    }
}
