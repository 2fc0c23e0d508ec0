import Config
import Foundation
import OAuth
import Testing

@testable import mcptop

@Suite struct StatusReportTests {
    /// A header naming an unset variable keeps the server from connecting; `status` says so
    /// (`servers` did, `status` showed only "no login stored").
    @Test func anUnsetVariableIsReportedBeforeTheLogin() throws {
        let text = #"{"mcpServers": {"a": {"url": "https://a.example/mcp", "headers": {"X-Key": "${NOPE}"}}}}"#
        let configuration = try Configuration.parse(Array(text.utf8), file: "c.json", environment: [:])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (entry, lines) = StatusCommand.report(
            configuration.servers[0], store: TokenStore(directory: folder), now: Date())
        #expect(lines.first == "! mcpServers.a.headers.X-Key uses ${NOPE}, which is not set")
        #expect(lines.count == 2)
        #expect(entry["problem"] == .string("mcpServers.a.headers.X-Key uses ${NOPE}, which is not set"))
        #expect(entry["auth"] == "none")
    }
}
