import Config
import Foundation
import Support

/// `mcptop status --others`: the tokens other clients hold, read-only, with what each client
/// will do about an expiring one and the fix. Exits 2 when a listed token has expired with no
/// refresh token, for shell prompts and cron jobs.
enum OtherTokensStatus {
    static func run(board: OtherTokenBoard, json: Bool, now: Date) throws {
        if json {
            Console.out(document(board, now: now).prettyPrinted())
        } else {
            for line in lines(board, now: now) { Console.line(line) }
        }
        if board.tokens.contains(where: { $0.isDead(now: now) }) {
            throw CommandFailure(
                message: "a token listed above has expired and has no refresh token: that client needs a new login",
                status: ExitStatus.connection)
        }
    }

    static func lines(_ board: OtherTokenBoard, now: Date) -> [String] {
        guard !board.isEmpty else { return ["No other client's MCP tokens found."] }
        var lines: [String] = []
        for token in board.tokens {
            lines.append("\(token.holder.displayName): \(token.server)")
            lines.append("  " + expiryText(token, now: now))
            lines.append("  refresh token: \(token.hasRefreshToken ? "present" : "none")")
            if let updated = token.updatedAt {
                lines.append("  last updated \(TimeText.duration(now.timeIntervalSince(updated))) ago")
            }
            lines.append("  file: \(token.file)")
            if let advice = token.advice(now: now) {
                lines.append("  ! \(advice.consequence).")
                if let snippet = advice.snippet, let client = advice.snippetClient {
                    lines.append(
                        "  Fix: route it through mcptop (mcptop serve --print-config \(client) prints this for all servers):"
                    )
                    lines += snippet.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
                }
                if let command = advice.importCommand {
                    lines.append("  Or let mcptop keep this login alive: \(command)")
                }
            }
        }
        for store in board.unreadable {
            lines.append("\(store.holder.displayName): not readable: \(store.file): \(store.reason)")
        }
        return lines
    }

    static func expiryText(_ token: OtherToken, now: Date) -> String {
        guard token.hasAccessToken else { return "no access token" }
        guard let expiry = token.expiresAt else { return "access token: expiry unknown" }
        let estimate = token.expiryFromFileTime ? " (counted from the file's time)" : ""
        return expiry > now
            ? "access token expires in \(TimeText.duration(expiry.timeIntervalSince(now)))\(estimate)"
            : "access token expired \(TimeText.duration(now.timeIntervalSince(expiry))) ago\(estimate)"
    }

    static func document(_ board: OtherTokenBoard, now: Date) -> JSONValue {
        var tokens: [JSONValue] = []
        for token in board.tokens {
            var entry: JSONValue = [
                "client": .string(token.holder.rawValue), "server": .string(token.server), "file": .string(token.file),
                "accessToken": .bool(token.hasAccessToken), "refreshToken": .bool(token.hasRefreshToken),
                "state": .string(stateName(token, now: now)), "expiryFromFileTime": .bool(token.expiryFromFileTime),
            ]
            if let url = token.serverURL { entry["serverUrl"] = .string(displayURL(url)) }
            if let expiry = token.expiresAt {
                entry["expiresAt"] = .string(TimeText.iso8601(expiry))
                entry["expiresInSeconds"] = .double(expiry.timeIntervalSince(now).rounded())
            }
            if let updated = token.updatedAt { entry["updatedAt"] = .string(TimeText.iso8601(updated)) }
            if let advice = token.advice(now: now) {
                var fix: JSONValue = ["consequence": .string(advice.consequence)]
                if let command = advice.importCommand { fix["import"] = .string(command) }
                if let client = advice.snippetClient {
                    fix["printConfig"] = .string("mcptop serve --print-config \(client)")
                }
                if let snippet = advice.snippet { fix["snippet"] = .string(snippet) }
                entry["advice"] = fix
            }
            tokens.append(entry)
        }
        let unreadable: [JSONValue] = board.unreadable.map {
            ["client": .string($0.holder.rawValue), "file": .string($0.file), "reason": .string($0.reason)]
        }
        return ["tokens": .array(tokens), "notReadable": .array(unreadable)]
    }

    static func stateName(_ token: OtherToken, now: Date) -> String {
        guard token.hasAccessToken else { return "noAccessToken" }
        return switch token.phase(now: now) {
        case .valid?: "valid"
        case .endingSoon?: "endingSoon"
        case .expired?: token.hasRefreshToken ? "expired" : "expiredNoRefresh"
        case nil: "unknown"
        }
    }
}
