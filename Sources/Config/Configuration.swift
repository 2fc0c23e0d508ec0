import Foundation
import MCPClient
import OAuth
import Support

/// One configured server: the endpoint to connect to, or the reason it cannot be used.
public struct ConfiguredServer: Sendable {
    public var name: String
    public var endpoint: ServerEndpoint
    /// The URL or command line as written in the file, before `${VAR}` expansion, so that a
    /// listing never shows a secret taken from the environment.
    public var displayTarget: String
    /// The `oauth` settings (defaults when the entry has none).
    public var oauth: OAuthSettings
    /// True when the config sets an `Authorization` header itself: then mcptop does no OAuth.
    public var hasStaticAuthorization: Bool {
        endpoint.headers.contains { $0.0.caseInsensitiveCompare("Authorization") == .orderedSame }
    }
    /// A problem limited to this server (an unset `${VAR}`); the others remain usable.
    public var problem: String?
}

/// The servers of one config file. Reads the `mcpServers` shape of Claude Desktop, Cursor and
/// Claude Code, Gemini CLI's variants (`httpUrl`, `url` meaning SSE, `headers`, `timeout` in
/// ms) and VS Code's (`servers` with `type`).
public struct Configuration: Sendable {
    public var file: String
    public var servers: [ConfiguredServer]
    /// `"mcptop": {"theme": "…"}`: the dashboard's theme.
    public var theme: String?
    /// `"mcptop": {"caFile": "…"}`: the CA bundle to verify servers with (a corporate CA).
    public var caFile: String?

    public init(file: String, servers: [ConfiguredServer], theme: String? = nil) {
        self.file = file
        self.servers = servers
        self.theme = theme
    }

    /// The most a config file may hold. Real ones are a few KiB; a file this big is the wrong
    /// file (or a hostile one), and is refused before it is read.
    public static let maxFileBytes = 4 << 20

    public func server(named name: String) -> ConfiguredServer? {
        servers.first { $0.name == name }
    }

    /// Loads the file at `locations`. A default location that does not exist is an empty
    /// configuration; a named one that does not exist is an error.
    public static func load(
        _ locations: ConfigLocations, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> Configuration {
        let path = locations.configFile
        guard FileManager.default.fileExists(atPath: path) else {
            if locations.configFileWasChosen {
                throw ConfigError(file: path, message: "no such file")
            }
            return Configuration(file: path, servers: [])
        }
        switch CappedFile.read(path, cap: maxFileBytes) {
        case .success(let bytes):
            return try parse(bytes, file: path, environment: environment)
        case .failure(.tooLarge):
            throw ConfigError(
                file: path,
                message: "is larger than \(CappedFile.describe(maxFileBytes)), the most a config file may hold")
        case .failure(.unreadable(let reason)):
            throw ConfigError(file: path, message: "cannot be read (\(reason)); check its permissions")
        }
    }

    public static func parse(_ bytes: [UInt8], file: String, environment: [String: String]) throws(ConfigError)
        -> Configuration
    {
        let document: JSONValue
        let positions: JSONPositions
        do {
            (document, positions) = try JSONValue.parseWithPositions(bytes)
        } catch {
            throw ConfigError(file: file, line: error.line, column: error.column, message: error.message)
        }
        var reader = ConfigReader(file: file, positions: positions, environment: environment)
        let servers = try reader.servers(in: document)
        var configuration = Configuration(file: file, servers: servers, theme: try reader.theme(in: document))
        configuration.caFile = try reader.caFile(in: document)
        return configuration
    }
}
