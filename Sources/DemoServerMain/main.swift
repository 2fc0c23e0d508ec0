import DemoServer
import Foundation

// mcptop-demo-server: runs the loopback demo MCP server until SIGINT or SIGTERM.

let usage = """
    usage: mcptop-demo-server [--port N] [--json] [--no-stateless] [--no-stateful] \
    [--bearer TOKEN] [--oauth [--token-lifetime S] [--no-rotate] [--refuse-refresh] \
    [--refresh-delay S]]

      --port N        port to listen on, on 127.0.0.1 (default 0: any free port)
      --json          answer requests with application/json (default: text/event-stream)
      --no-stateless  do not serve 2026-07-28 stateless requests
      --no-stateful   do not serve initialize + Mcp-Session-Id sessions
      --bearer TOKEN  require "Authorization: Bearer TOKEN"
      --oauth         protect /mcp, /sse and /messages with an embedded OAuth 2.1
                      authorization server (issuer http://127.0.0.1:PORT, auto-approving);
                      the options below imply --oauth
      --token-lifetime S
                      access token lifetime in seconds, fractions allowed (default 30)
      --no-rotate     do not rotate refresh tokens
      --refuse-refresh
                      answer every refresh with invalid_grant
      --refresh-delay S
                      wait S seconds before answering a refresh

    """

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

func fail(_ message: String) -> Never {
    writeError("mcptop-demo-server: \(message)\n\n\(usage)")
    exit(2)
}

/// Parses argv by hand: `--name value` or `--name=value`.
func parseArguments(_ arguments: [String]) -> (options: DemoServerOptions, port: Int) {
    var options = DemoServerOptions()
    var port = 0
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        let name = parts.first ?? argument
        var inline = parts.count == 2 ? parts[1] : nil
        func value() -> String {
            if let given = inline {
                inline = nil
                return given
            }
            guard let next = remaining.popFirst() else { fail("\(name) needs a value") }
            return next
        }
        func seconds() -> Double {
            let text = value()
            guard let number = Double(text), number.isFinite, number >= 0 else {
                fail("invalid number of seconds '\(text)'")
            }
            return number
        }
        switch name {
        case "--port":
            let text = value()
            guard let number = Int(text), (0...65535).contains(number) else {
                fail("invalid port '\(text)'")
            }
            port = number
        case "--json":
            options.responseMode = .json
        case "--no-stateless":
            options.stateless = false
        case "--no-stateful":
            options.stateful = false
        case "--bearer":
            options.bearerToken = value()
        case "--oauth":
            options.oauth = options.oauth ?? DemoOAuthOptions()
        case "--token-lifetime":
            let seconds = seconds()
            options.oauth = options.oauth ?? DemoOAuthOptions()
            options.oauth?.accessTokenLifetime = seconds
        case "--no-rotate":
            options.oauth = options.oauth ?? DemoOAuthOptions()
            options.oauth?.rotateRefreshTokens = false
        case "--refuse-refresh":
            options.oauth = options.oauth ?? DemoOAuthOptions()
            options.oauth?.refuseRefresh = true
        case "--refresh-delay":
            let seconds = seconds()
            options.oauth = options.oauth ?? DemoOAuthOptions()
            options.oauth?.refreshDelay = seconds
        case "-h", "--help":
            print(usage, terminator: "")
            exit(0)
        default:
            fail("unknown argument '\(argument)'")
        }
        if inline != nil {
            fail("\(name) takes no value")
        }
    }
    return (options, port)
}

let (options, port) = parseArguments(Array(CommandLine.arguments.dropFirst()))

// Route SIGINT and SIGTERM to an async stream instead of letting them kill the process.
let (signals, signalContinuation) = AsyncStream<Int32>.makeStream()
var signalSources: [any DispatchSourceSignal] = []
for signalNumber in [SIGINT, SIGTERM] {
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    source.setEventHandler { signalContinuation.yield(signalNumber) }
    source.resume()
    signalSources.append(source)
}

let server = DemoServer(options: options)
let boundPort: Int
do {
    boundPort = try await server.start(port: port)
} catch {
    writeError("mcptop-demo-server: cannot listen on 127.0.0.1:\(port): \(error)\n")
    exit(1)
}
// FileHandle writes are unbuffered, so the line is visible to a reading parent at once.
FileHandle.standardOutput.write(Data("listening http://127.0.0.1:\(boundPort)/mcp\n".utf8))

for await _ in signals {
    break
}
await server.stop()
exit(0)
