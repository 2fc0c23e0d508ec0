import ArgumentParser
import Config
import Foundation
import MCPClient
import OAuth
import Support

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each server's login: state, token expiry, refresh token, last refresh, scopes.",
        discussion: """
            Reads the stored logins only; it contacts no server and never shows a secret. --others lists \
            the tokens other MCP clients hold (Gemini CLI, Claude Code, mcp-remote, MCP Inspector) and \
            exits 2 when one has expired with no refresh token.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Show the tokens other MCP clients hold instead (read-only).")
    var others = false

    func run() async throws {
        if others {
            let loader = OtherClientsLoader(
                locations: global.locations, environment: ProcessInfo.processInfo.environment,
                projectDirectory: FileManager.default.currentDirectoryPath)
            return try OtherTokensStatus.run(board: loader.board(reads: loader.reads()), json: json, now: Date())
        }
        let configuration = try global.loadConfiguration()
        let store = try global.store()
        let now = Date()
        var entries: [JSONValue] = []
        for server in configuration.servers {
            let (entry, lines) = Self.report(server, store: store, now: now)
            entries.append(entry)
            if !json {
                Console.line(server.name)
                for line in lines { Console.line("  " + line) }
            }
        }
        if json {
            Console.out(JSONValue.object(["servers": .array(entries)]).prettyPrinted())
        } else if configuration.servers.isEmpty {
            Console.out("No servers configured in \(configuration.file).")
        }
    }

    /// One server's JSON entry and lines: its config problem first (an unset `${VAR}`, which
    /// keeps it from connecting), then its login.
    static func report(_ server: ConfiguredServer, store: TokenStore, now: Date) -> (JSONValue, [String]) {
        var entry: JSONValue = ["name": .string(server.name), "transport": .string(server.endpoint.transportName)]
        var lines: [String] = []
        if let problem = server.problem {
            entry["problem"] = .string(problem)
            lines.append("! \(problem)")
        }
        if server.httpURL == nil {
            entry["auth"] = "none"
            lines.append("stdio, no login")
        } else if server.hasStaticAuthorization {
            entry["auth"] = "static"
            lines.append("Authorization header from the config")
        } else if let url = server.httpURL {
            do {
                if let credential = try store.loadCredential(serverURL: url) {
                    entry = entry.merging(Self.json(credential, now: now))
                    entry["file"] = .string(store.credentialPath(serverURL: url, issuer: credential.issuer))
                    lines += Self.describe(credential, now: now)
                } else {
                    entry["auth"] = "none"
                    lines.append("no login stored (if the server needs one: mcptop auth \(server.name))")
                }
            } catch {
                entry["auth"] = "error"
                entry["error"] = .string("\(error)")
                lines.append("cannot read the stored login: \(error)")
            }
        }
        return (entry, lines)
    }

    /// Lines about a login, without a secret: fingerprints are the last 4 characters.
    static func describe(_ credential: Credential, now: Date) -> [String] {
        var lines: [String] = []
        if let reason = credential.unusableReason {
            lines.append("needs login: \(reason)")
        } else {
            lines.append("logged in")
        }
        lines.append("login: \(credential.verdict)")
        if let account = credential.account { lines.append("account: \(account)") }
        if let token = credential.accessToken {
            var line = "access token …\(fingerprint(token)), "
            if let expiry = credential.expiresAt {
                line +=
                    expiry > now
                    ? "expires in \(TimeText.duration(expiry.timeIntervalSince(now)))"
                    : "expired \(TimeText.duration(now.timeIntervalSince(expiry))) ago"
            } else {
                line += "expiry unknown (the server sent no expires_in)"
            }
            lines.append(line)
        }
        if let refresh = credential.refreshToken {
            var line = "refresh token …\(fingerprint(refresh))"
            if let obtained = credential.refreshTokenObtainedAt {
                line += ", \(TimeText.duration(now.timeIntervalSince(obtained))) old"
            }
            if let end = credential.refreshTokenExpiresAt {
                line += end > now ? ", valid for \(TimeText.duration(end.timeIntervalSince(now)))" : ", expired"
            }
            lines.append(line)
        } else {
            lines.append("no refresh token: a login is needed when the access token expires")
        }
        if let last = credential.lastRefreshAt {
            lines.append(
                "last refresh \(TimeText.duration(now.timeIntervalSince(last))) ago: \(credential.lastRefreshResult ?? "?") "
                    + "(\(credential.refreshCount) so far)")
        }
        if !credential.scopes.isEmpty { lines.append("scopes: \(credential.scopes.joined(separator: " "))") }
        lines.append("issuer \(credential.issuer), client id \(credential.clientID)")
        return lines
    }

    static func json(_ credential: Credential, now: Date) -> JSONValue {
        var entry: JSONValue = [
            "auth": credential.unusableReason == nil ? "loggedIn" : "needsLogin",
            "issuer": .string(credential.issuer),
            "clientId": .string(credential.clientID),
            "scopes": .array(credential.scopes.map { .string($0) }),
            "refreshToken": .bool(credential.refreshToken != nil),
            "verdict": .string(credential.verdict),
            "account": credential.account.map { .string($0) } ?? .null,
            "refreshCount": .int(Int64(credential.refreshCount)),
        ]
        if let reason = credential.unusableReason { entry["reason"] = .string(reason) }
        if let token = credential.accessToken { entry["accessTokenFingerprint"] = .string(fingerprint(token)) }
        if let expiry = credential.expiresAt {
            entry["expiresAt"] = .string(TimeText.iso8601(expiry))
            entry["expiresInSeconds"] = .double((expiry.timeIntervalSince(now) * 10).rounded() / 10)
        }
        if let obtained = credential.refreshTokenObtainedAt {
            entry["refreshTokenAgeSeconds"] = .double(now.timeIntervalSince(obtained).rounded())
        }
        if let last = credential.lastRefreshAt {
            entry["lastRefreshAt"] = .string(TimeText.iso8601(last))
            entry["lastRefreshResult"] = .string(credential.lastRefreshResult ?? "")
        }
        return entry
    }

    static func fingerprint(_ secret: String) -> String { String(secret.suffix(4)) }
}

extension JSONValue {
    /// The keys of `other` added to (or replacing those of) this object.
    func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(var mine) = self, case .object(let theirs) = other else { return self }
        for (key, value) in theirs { mine[key] = value }
        return .object(mine)
    }
}
