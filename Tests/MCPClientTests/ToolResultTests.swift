import Testing

@testable import MCPClient

@Suite struct ToolResultTests {
    @Test func byteSizes() {
        #expect(ToolResult.formatBytes(512) == "512 B")
        #expect(ToolResult.formatBytes(1536) == "1.5 KiB")
        #expect(ToolResult.formatBytes(3 << 20) == "3.0 MiB")
    }
}
