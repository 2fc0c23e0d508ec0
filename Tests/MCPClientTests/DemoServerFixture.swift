import DemoServer
import MCPClient

/// Starts a DemoServer on a free loopback port for the duration of `body`.
func withDemoServer<T>(
    _ options: DemoServerOptions = DemoServerOptions(),
    _ body: (DemoServer) async throws -> T
) async throws -> T {
    let server = DemoServer(options: options)
    _ = try await server.start()
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

func endpoint(_ server: DemoServer, version: String? = nil, name: String = "demo") -> ServerEndpoint {
    ServerEndpoint(
        name: name, transport: .streamableHTTP(url: server.url), protocolVersion: version, requestTimeout: 10)
}

/// Collects values from concurrent callbacks.
actor Collected<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(_ value: Value) { values.append(value) }
}

extension DemoServerOptions {
    /// Default options with some changed: `.with { $0.stateless = false }`.
    static func with(_ change: (inout DemoServerOptions) -> Void) -> DemoServerOptions {
        var options = DemoServerOptions()
        change(&options)
        return options
    }
}
