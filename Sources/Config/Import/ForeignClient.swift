/// Another MCP client whose configuration `mcptop import` reads. `id` is what `--from` takes.
public enum ForeignClient: String, CaseIterable, Sendable, Codable {
    case claudeDesktop = "claude-desktop"
    case claudeCode = "claude-code"
    case cursor
    case gemini
    case vscode
    case windsurf
    case codex
    case zed
    case opencode
    case cline
    case roo

    public var id: String { rawValue }

    /// The client's name as its users know it.
    public var displayName: String {
        switch self {
        case .claudeDesktop: "Claude Desktop"
        case .claudeCode: "Claude Code"
        case .cursor: "Cursor"
        case .gemini: "Gemini CLI"
        case .vscode: "VS Code"
        case .windsurf: "Windsurf"
        case .codex: "Codex"
        case .zed: "Zed"
        case .opencode: "opencode"
        case .cline: "Cline"
        case .roo: "Roo Code"
        }
    }

    /// The client whose `mcptop serve --print-config` snippet routes this one through mcptop,
    /// when `ClientSnippet` has one.
    public var snippetClient: String? {
        ClientSnippet.clients.contains(rawValue) ? rawValue : nil
    }
}
