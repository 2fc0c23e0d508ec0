import Foundation
import Support
import Synchronization
import Testing

@testable import MCPClient

/// The seam every wire sits behind: what each transport does with a message and its options.
@Suite struct MessageTransportTests {
    static let region: ParameterHeaders? = {
        let schema: JSONValue = [
            "type": "object", "properties": ["region": ["type": "string", "x-mcp-header": "Region"]],
        ]
        return try? ParameterHeaders.parse(inputSchema: schema).get()
    }()

    static func call(_ tool: String, region: String) -> JSONRPCMessage {
        .request(
            id: .number(7), method: "tools/call",
            params: ["name": .string(tool), "arguments": ["region": .string(region)]])
    }

    static func names(_ headers: [(String, String)]) -> [String] { headers.map { "\($0.0): \($0.1)" } }

    @Test func aModernRequestIsMirroredInHeadersOverStreamableHTTP() {
        let options = SendOptions(protocolVersion: "2026-07-28", toolHeaders: Self.region)
        let headers = StreamableHTTPTransport.mirroredHeaders(for: Self.call("weather", region: "eu"), options: options)
        #expect(
            Self.names(headers) == [
                "MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: weather",
                "Mcp-Param-Region: eu",
            ])
    }

    @Test func aStatefulRequestCarriesOnlyItsRevisionAndOnlyFrom2025_06_18On() {
        let message = Self.call("weather", region: "eu")
        let current = SendOptions(protocolVersion: "2025-11-25", toolHeaders: Self.region)
        #expect(
            Self.names(StreamableHTTPTransport.mirroredHeaders(for: message, options: current)) == [
                "MCP-Protocol-Version: 2025-11-25"
            ])
        let older = SendOptions(protocolVersion: "2025-03-26")
        #expect(StreamableHTTPTransport.mirroredHeaders(for: message, options: older).isEmpty)
        #expect(StreamableHTTPTransport.mirroredHeaders(for: message, options: SendOptions()).isEmpty)
    }

    @Test func notificationsAndResponsesCarryOnlyTheRevision() {
        let notification = JSONRPCMessage.notification(method: "notifications/cancelled", params: ["requestId": 3])
        let response = JSONRPCMessage.response(id: .string("ping-1"), result: [:])
        for message in [notification, response] {
            #expect(
                Self.names(
                    StreamableHTTPTransport.mirroredHeaders(
                        for: message, options: SendOptions(protocolVersion: "2026-07-28"))
                ) == ["MCP-Protocol-Version: 2026-07-28"])
            #expect(
                StreamableHTTPTransport.mirroredHeaders(
                    for: message, options: SendOptions(protocolVersion: "2025-03-26")
                )
                .isEmpty)
        }
    }

    @Test func theProgressTokenIsReadFromTheRequestMeta() {
        let request = JSONRPCMessage.request(
            id: .number(1), method: "tools/call", params: ["name": "echo", "_meta": ["progressToken": "p-1"]])
        #expect(request.progressToken == "p-1")
        #expect(JSONRPCMessage.request(id: .number(2), method: "ping", params: nil).progressToken == nil)
        #expect(
            JSONRPCMessage.notification(method: "x", params: ["_meta": ["progressToken": "p"]]).progressToken == nil)
    }

    @Test func stdioCarriesRequestsNotificationsAndProgressBehindTheProtocol() async throws {
        let transport: any MessageTransport = try StdioTransport(
            serverName: "local", command: "python3", arguments: [StdioTests.script], environment: ["MODE": "noisy"],
            workingDirectory: nil, maxLineBytes: 1 << 20, onServerMessage: { _ in })
        #expect(transport.kind == .stdio)
        #expect(transport.sessionID == nil)
        let options = SendOptions(protocolVersion: "2025-11-25")
        let initialize = JSONRPCMessage.request(
            id: .number(1), method: "initialize",
            params: ["protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ClientInfo().json])
        let answer = try await transport.request(initialize, options: options, timeout: 10) { _ in }
        guard case .response(.number(1), let result) = answer else {
            Issue.record("expected the response to request 1, got \(answer)")
            return
        }
        #expect(result["serverInfo"]?["name"] == "stdio-fixture")
        try await transport.send(
            .notification(method: "notifications/initialized", params: nil), options: options, timeout: 10)

        let progress = Mutex<[JSONRPCMessage]>([])
        let call = JSONRPCMessage.request(
            id: .number(2), method: "tools/call",
            params: ["name": "echo", "arguments": ["text": "behind the seam"], "_meta": ["progressToken": "p-2"]])
        let reply = try await transport.request(call, options: options, timeout: 10) { message in
            progress.withLock { $0.append(message) }
        }
        guard case .response(.number(2), let called) = reply else {
            Issue.record("expected the response to request 2, got \(reply)")
            return
        }
        #expect(called["content"]?[0]?["text"] == "behind the seam")
        #expect(progress.withLock { $0.map(\.method) } == ["notifications/progress"])

        await transport.close()
        do {
            _ = try await transport.request(
                .request(id: .number(3), method: "tools/list", params: nil), options: options, timeout: 10
            ) { _ in }
            Issue.record("a closed transport answered")
        } catch {
            guard case .process = error.kind else {
                Issue.record("expected a process error, got \(error)")
                return
            }
        }
    }
}
