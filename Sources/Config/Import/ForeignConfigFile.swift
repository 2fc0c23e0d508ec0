import Foundation

/// One configuration file of another MCP client, where it is on Linux and how its servers are
/// written. `mcptop import` only ever reads these files.
public struct ForeignConfigFile: Sendable, Equatable {
    /// The shape of the server list inside the file.
    public enum Dialect: Sendable, Equatable {
        /// `{"mcpServers": {NAME: {...}}}`: Claude Desktop, Cursor, Gemini CLI, Windsurf, Cline, Roo.
        case mcpServers
        /// `~/.claude.json`: `mcpServers` (user scope) and `projects[DIR].mcpServers` (local scope).
        case claudeCodeState(project: String)
        /// VS Code's `mcp.json`: `{"servers": {...}}`.
        case vscodeMCP
        /// VS Code's `settings.json`: `{"mcp": {"servers": {...}}}`.
        case vscodeSettings
        /// Zed's `settings.json`: `{"context_servers": {...}}`.
        case zed
        /// opencode's `opencode.json`: `{"mcp": {NAME: {"type": "local"|"remote", ...}}}`.
        case opencode
        /// Codex's `config.toml`: `[mcp_servers.NAME]` tables.
        case codexTOML
    }

    public enum Scope: String, Sendable, Equatable {
        case user, project
    }

    public var client: ForeignClient
    public var path: String
    public var scope: Scope
    public var dialect: Dialect

    public init(client: ForeignClient, path: String, scope: Scope, dialect: Dialect) {
        self.client = client
        self.path = path
        self.scope = scope
        self.dialect = dialect
    }

    /// Every file the known clients may keep their servers in, user-level first, then those of
    /// `projectDirectory`. `$HOME`, `$XDG_CONFIG_HOME` and Codex's `$CODEX_HOME` are honoured.
    public static func candidates(environment: [String: String], projectDirectory: String) -> [ForeignConfigFile] {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let codexHome = environment["CODEX_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.codex"
        let project = projectDirectory.hasSuffix("/") ? String(projectDirectory.dropLast()) : projectDirectory
        let vscodeStorage = config + "/Code/User/globalStorage"
        func user(_ client: ForeignClient, _ path: String, _ dialect: Dialect = .mcpServers) -> ForeignConfigFile {
            ForeignConfigFile(client: client, path: path, scope: .user, dialect: dialect)
        }
        func local(_ client: ForeignClient, _ path: String, _ dialect: Dialect = .mcpServers) -> ForeignConfigFile {
            ForeignConfigFile(client: client, path: project + "/" + path, scope: .project, dialect: dialect)
        }
        return [
            user(.claudeDesktop, config + "/Claude/claude_desktop_config.json"),
            user(.claudeCode, home + "/.claude.json", .claudeCodeState(project: project)),
            user(.cursor, home + "/.cursor/mcp.json"),
            user(.gemini, home + "/.gemini/settings.json"),
            user(.vscode, config + "/Code/User/mcp.json", .vscodeMCP),
            user(.vscode, config + "/Code/User/settings.json", .vscodeSettings),
            user(.windsurf, home + "/.codeium/windsurf/mcp_config.json"),
            user(.codex, codexHome + "/config.toml", .codexTOML),
            user(.zed, config + "/zed/settings.json", .zed),
            user(.opencode, config + "/opencode/opencode.json", .opencode),
            user(.opencode, config + "/opencode/opencode.jsonc", .opencode),
            user(.cline, vscodeStorage + "/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"),
            user(.cline, home + "/.cline/data/settings/cline_mcp_settings.json"),
            user(.roo, vscodeStorage + "/rooveterinaryinc.roo-cline/settings/mcp_settings.json"),
            user(.roo, vscodeStorage + "/rooveterinaryinc.roo-cline/settings/cline_mcp_settings.json"),
            local(.claudeCode, ".mcp.json"),
            local(.cursor, ".cursor/mcp.json"),
            local(.gemini, ".gemini/settings.json"),
            local(.vscode, ".vscode/mcp.json", .vscodeMCP),
            local(.codex, ".codex/config.toml", .codexTOML),
            local(.zed, ".zed/settings.json", .zed),
            local(.opencode, "opencode.json", .opencode),
            local(.opencode, "opencode.jsonc", .opencode),
            local(.roo, ".roo/mcp.json"),
        ]
    }

    /// The candidates that exist (as regular files), for the clients asked for (all when empty).
    public static func existing(
        environment: [String: String], projectDirectory: String, clients: [ForeignClient] = []
    ) -> [ForeignConfigFile] {
        var seen = Set<String>()
        return candidates(environment: environment, projectDirectory: projectDirectory).filter { file in
            guard clients.isEmpty || clients.contains(file.client) else { return false }
            // A project in the home folder: `~/.gemini/settings.json` is both; read it once.
            guard seen.insert(file.path).inserted else { return false }
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
    }
}
