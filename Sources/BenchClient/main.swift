import Foundation
import MCPClient
import Support

// mcptop's side of bench/call_latency.sh: N sequential `tools/call echo` on one connection,
// printed as one JSON line like integration/interop/py_client_bench.py prints for the Python SDK.
// Usage: mcptop-bench-client URL VERSION [COUNT]

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: mcptop-bench-client URL VERSION [COUNT]\n".utf8))
    exit(1)
}
let url = arguments[1]
let version = arguments[2]
let count = arguments.count > 3 ? Int(arguments[3]) ?? 500 : 500

let connection = MCPConnection(
    endpoint: ServerEndpoint(name: "bench", transport: .streamableHTTP(url: url), protocolVersion: version))
do {
    try await connection.connect()
    _ = try await connection.callTool("echo", arguments: ["text": "warm-up"])
    let clock = ContinuousClock()
    let started = clock.now
    for index in 0..<count {
        let result = try await connection.callTool("echo", arguments: ["text": .string("hi \(index)")])
        if result.isError { throw MCPError(server: "bench", .unsupported("echo failed")) }
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    await connection.close()
    let line: JSONValue = [
        "client": "mcptop", "mode": .string(version), "calls": .int(Int64(count)),
        "seconds": .double(seconds), "ms_per_call": .double(seconds * 1000 / Double(count)),
    ]
    print(line.serialized())
} catch {
    FileHandle.standardError.write(Data("mcptop-bench-client: \(error)\n".utf8))
    exit(2)
}
