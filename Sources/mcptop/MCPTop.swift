import ArgumentParser
import HTTP
import MCPClient
import Support

struct MCPTop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcptop",
        abstract: "top for MCP servers: keeps OAuth-protected MCP connections alive and shows why one is not.",
        discussion: """
            Exit status: 0 ok, 1 usage or config error, 2 connection/protocol/auth error, 3 the tool reported an error.
            """,
        version: "mcptop \(MCPTopVersion.current) (libcurl \(HTTPClient.curlVersion))",
        subcommands: [
            ServersCommand.self, ToolsCommand.self, CallCommand.self, AuthCommand.self, LogoutCommand.self,
            StatusCommand.self, WatchCommand.self, ProxyCommand.self, ServeCommand.self, DashboardCommand.self,
            DemoCommand.self, ImportCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self)
}
