import Crypto
import Foundation
import Support

/// Reads, never writes, the token stores other MCP clients keep as plain JSON on Linux:
/// Gemini CLI (`~/.gemini/mcp-oauth-tokens.json`), mcp-remote (`~/.mcp-auth/…_tokens.json`),
/// MCP Inspector (`~/.mcp-inspector/…/oauth.json`) and Claude Code (`~/.claude/.credentials.json`,
/// `mcpOAuth`). Only the facts are kept (expiry, presence of each token, scopes), never a token.
public enum OtherTokenReader {
    /// `knownURLs`: server URLs from the configs (mcptop's and the other clients'), to name
    /// mcp-remote's files, which carry only a hash of the URL.
    public static func read(environment: [String: String], knownURLs: [String] = []) -> OtherTokenBoard {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        var board = OtherTokenBoard()
        gemini(home: home, into: &board)
        let claudeFolder = environment["CLAUDE_CONFIG_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.claude"
        claudeCode(path: claudeFolder + "/.credentials.json", into: &board)
        let mcpAuth = environment["MCP_REMOTE_CONFIG_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.mcp-auth"
        mcpRemote(folder: mcpAuth, knownURLs: knownURLs, into: &board)
        inspector(folder: home + "/.mcp-inspector", into: &board)
        return board
    }

    // MARK: Gemini CLI

    /// `[{"serverName", "token": {"accessToken", "refreshToken", "expiresAt" (ms), "scope"},
    /// "mcpServerUrl", "updatedAt" (ms)}]`. Newer versions keep the tokens in the keychain or in
    /// `mcp-oauth-tokens-v2.json`, encrypted.
    static func gemini(home: String, into board: inout OtherTokenBoard) {
        let encrypted = home + "/.gemini/mcp-oauth-tokens-v2.json"
        if FileManager.default.fileExists(atPath: encrypted) {
            board.unreadable.append(
                UnreadableTokenStore(
                    holder: .geminiCLI, file: encrypted,
                    reason:
                        "encrypted by Gemini CLI (its key is not in the file); mcptop does not decrypt other clients' stores"
                ))
        }
        let path = home + "/.gemini/mcp-oauth-tokens.json"
        guard let document = json(at: path, holder: .geminiCLI, into: &board) else { return }
        let entries = document.arrayValue ?? document.objectValue.map { Array($0.values) } ?? []
        if entries.isEmpty, document.arrayValue == nil, document.objectValue == nil {
            board.unreadable.append(shape(path, .geminiCLI, "a list of credentials", document))
        }
        for entry in entries {
            guard let token = entry["token"] else { continue }
            let name = entry["serverName"]?.stringValue ?? entry["mcpServerUrl"]?.stringValue ?? "?"
            board.tokens.append(
                OtherToken(
                    holder: .geminiCLI, server: name, serverURL: entry["mcpServerUrl"]?.stringValue, file: path,
                    hasAccessToken: present(token["accessToken"]), hasRefreshToken: present(token["refreshToken"]),
                    expiresAt: date(token["expiresAt"]), updatedAt: date(entry["updatedAt"]),
                    scopes: scopes(token["scope"])))
        }
    }

    // MARK: Claude Code

    /// `{"mcpOAuth": {"NAME|HASH": {"serverName", "serverUrl", "accessToken", "refreshToken",
    /// "expiresAt" (ms), "scope"}}}`; on Linux a plain file beside Claude's own login.
    static func claudeCode(path: String, into board: inout OtherTokenBoard) {
        guard let document = json(at: path, holder: .claudeCode, into: &board) else { return }
        guard let entries = document["mcpOAuth"]?.objectValue else { return }
        for (key, entry) in entries {
            let name = entry["serverName"]?.stringValue ?? String(key.split(separator: "|").first ?? Substring(key))
            board.tokens.append(
                OtherToken(
                    holder: .claudeCode, server: name, serverURL: entry["serverUrl"]?.stringValue, file: path,
                    hasAccessToken: present(entry["accessToken"]), hasRefreshToken: present(entry["refreshToken"]),
                    expiresAt: date(entry["expiresAt"]), scopes: scopes(entry["scope"])))
        }
    }

    // MARK: mcp-remote

    /// `~/.mcp-auth/mcp-remote-VERSION/HASH_tokens.json`: the token endpoint's answer as the
    /// TypeScript SDK saves it (`access_token`, `expires_in`, `refresh_token`, `scope`), so the
    /// expiry is counted from the file's time. HASH is the MD5 of the server URL.
    static func mcpRemote(folder: String, knownURLs: [String], into board: inout OtherTokenBoard) {
        var byHash: [String: String] = [:]
        for url in knownURLs {
            let digest = Insecure.MD5.hash(data: Data(url.utf8))
            byHash[digest.map { String(format: "%02x", $0) }.joined()] = url
        }
        for path in files(under: folder, depth: 2, where: { $0.hasSuffix("_tokens.json") }) {
            guard let document = json(at: path, holder: .mcpRemote, into: &board) else { continue }
            let hash = String((path as NSString).lastPathComponent.dropLast("_tokens.json".count))
            let url = byHash[hash]
            if document["access_token"] == nil {
                board.unreadable.append(shape(path, .mcpRemote, "an OAuth token response", document))
                continue
            }
            board.tokens.append(
                token(
                    fromResponse: document, holder: .mcpRemote, server: url ?? "URL hash \(hash)", url: url, file: path)
            )
        }
    }

    // MARK: MCP Inspector

    /// Files named `oauth.json` (or any JSON file in an `oauth` folder) under `~/.mcp-inspector`.
    /// They hold the OAuth token responses by server (`access_token`, `refresh_token`,
    /// `expires_in` or `expires_at`) keyed by, or beside, the server's URL (`serverUrl`).
    static func inspector(folder: String, into board: inout OtherTokenBoard) {
        let paths = files(under: folder, depth: 4) { path in
            path.hasSuffix("/oauth.json") || (path.contains("/oauth/") && path.hasSuffix(".json"))
        }
        for path in paths {
            guard let document = json(at: path, holder: .inspector, into: &board) else { continue }
            var found: [OtherToken] = []
            collectResponses(document, server: nil, depth: 0) { response, server in
                found.append(
                    token(fromResponse: response, holder: .inspector, server: server ?? "?", url: server, file: path))
            }
            board.tokens += found
        }
    }

    /// Every object holding an `access_token` (or `accessToken`), with the nearest server URL:
    /// a `serverUrl` beside it or above it, or the key it is stored under.
    private static func collectResponses(
        _ value: JSONValue, server: String?, depth: Int, _ found: (JSONValue, String?) -> Void
    ) {
        guard depth < 8, let object = value.objectValue else { return }
        let here = (value["serverUrl"] ?? value["server_url"] ?? value["serverURL"])?.stringValue ?? server
        if value["access_token"] != nil || value["accessToken"] != nil {
            found(value, here)
            return
        }
        for (key, child) in object {
            let lower = key.lowercased()
            collectResponses(
                child, server: lower.hasPrefix("http://") || lower.hasPrefix("https://") ? key : here, depth: depth + 1,
                found)
        }
    }

    /// An OAuth token response (RFC 6749 §5.1, either spelling) as saved: `expires_at` when
    /// stored, else `expires_in` counted from the file's time.
    private static func token(
        fromResponse response: JSONValue, holder: TokenHolder, server: String, url: String?, file: String
    )
        -> OtherToken
    {
        let written = modificationDate(file)
        var expiresAt = date(response["expires_at"] ?? response["expiresAt"])
        var fromFileTime = false
        if expiresAt == nil, let written,
            let seconds = BoundedSeconds.lifetime(json: response["expires_in"] ?? response["expiresIn"])
        {
            expiresAt = written.addingTimeInterval(seconds)
            fromFileTime = true
        }
        return OtherToken(
            holder: holder, server: server, serverURL: url, file: file,
            hasAccessToken: present(response["access_token"] ?? response["accessToken"]),
            hasRefreshToken: present(response["refresh_token"] ?? response["refreshToken"]), expiresAt: expiresAt,
            updatedAt: written, expiryFromFileTime: fromFileTime, scopes: scopes(response["scope"]))
    }

    // MARK: Files and values

    /// The file's JSON, nil when it does not exist; one that cannot be read or parsed is noted
    /// as unreadable, with the reason.
    private static func json(at path: String, holder: TokenHolder, into board: inout OtherTokenBoard) -> JSONValue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            board.unreadable.append(
                UnreadableTokenStore(
                    holder: holder, file: path, reason: "cannot be read (permissions: \(permissions(path)))"))
            return nil
        }
        do {
            return try JSONValue.parse(Array(data))
        } catch {
            // The parser's message may quote the file; only the position is shown.
            board.unreadable.append(
                UnreadableTokenStore(
                    holder: holder, file: path,
                    reason: "not JSON (line \(error.line), column \(error.column)): encrypted or damaged"))
            return nil
        }
    }

    private static func shape(_ path: String, _ holder: TokenHolder, _ expected: String, _ found: JSONValue)
        -> UnreadableTokenStore
    {
        UnreadableTokenStore(holder: holder, file: path, reason: "expected \(expected), found \(found.typeName)")
    }

    private static func files(under folder: String, depth: Int, where matches: (String) -> Bool) -> [String] {
        guard depth >= 0, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [String] = []
        for name in names.sorted() {
            let path = folder + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                found += files(under: path, depth: depth - 1, where: matches)
            } else if matches(path) {
                found.append(path)
            }
        }
        return found
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    private static func permissions(_ path: String) -> String {
        let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
        return mode.map { String($0, radix: 8) } ?? "unknown"
    }

    private static func present(_ value: JSONValue?) -> Bool {
        guard let text = value?.stringValue else { return false }
        return !text.isEmpty
    }

    /// Milliseconds since 1970 (as JavaScript clients write them), or seconds when small.
    private static func date(_ value: JSONValue?) -> Date? {
        guard let number = value?.doubleValue, number > 0 else { return nil }  // Claude Code's stale 0
        return BoundedSeconds.storedDate(Date(timeIntervalSince1970: number > 1e11 ? number / 1000 : number))
    }

    private static func scopes(_ value: JSONValue?) -> [String] {
        value?.stringValue?.split(separator: " ").map(String.init) ?? []
    }
}

extension OtherTokenReader {
    /// The server URLs in other clients' configs (mcp-remote's commands become their URL).
    public static func knownURLs(in reads: [ForeignConfigRead]) -> [String] {
        reads.flatMap(\.servers).compactMap { $0.entry?["url"]?.stringValue }
    }
}
