import DemoServer
import Foundation
import Synchronization

// mcptop-demo-server: runs the loopback demo MCP server until SIGINT or SIGTERM; with
// --demo-fleet, the five servers of `mcptop demo` (which starts this executable as its child).

let usage = """
    usage: mcptop-demo-server [--port N] [--json] [--no-stateless] [--no-stateful] \
    [--bearer TOKEN] [--oauth [--token-lifetime S] [--no-rotate] [--refuse-refresh] \
    [--refresh-delay S]]
           mcptop-demo-server --demo-fleet
           mcptop-demo-server --provider PROFILE

      --demo-fleet    start the five servers of `mcptop demo` on free ports, each with its
                      story (sessions forgotten every 20 s, refreshes refused from 60 s until
                      the next login), print one JSON line per server ({"name", "url",
                      "transport", "oauth", "protocolVersion"}) and then "ready"; stop on
                      SIGINT, SIGTERM or when stdin closes (so it never outlives its parent)

      --provider PROFILE
                      an emulated identity provider (entra, okta, auth0, keycloak, github,
                      google, salesforce) on an origin of its own, and an MCP server it
                      protects; the client mcptop-test-client is registered, public
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

    With --oauth, signals switch faults on and off while it runs (fault tests, e.g.
    integration/fleet/fleet.sh):
      SIGUSR1         refreshes answer 400 invalid_grant / work again (toggles)
      SIGUSR2         refreshes answer 503 temporarily_unavailable / work again (toggles)

    """

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

func fail(_ message: String) -> Never {
    writeError("mcptop-demo-server: \(message)\n\n\(usage)")
    exit(2)
}

/// Parses argv by hand: `--name value` or `--name=value`.
func parseArguments(_ arguments: [String]) -> (
    options: DemoServerOptions, port: Int, fleet: Bool, provider: ProviderProfile?
) {
    var options = DemoServerOptions()
    var port = 0
    var fleet = false
    var provider: ProviderProfile?
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
        case "--demo-fleet":
            fleet = true
        case "--provider":
            let name = value()
            guard let profile = ProviderProfile(rawValue: name) else {
                fail(
                    "unknown provider '\(name)' (one of \(ProviderProfile.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            provider = profile
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
    if (fleet || provider != nil) && arguments.count > (fleet ? 1 : 2) {
        fail("\(fleet ? "--demo-fleet" : "--provider") takes no other option")
    }
    return (options, port, fleet, provider)
}

let (options, port, fleet, provider) = parseArguments(Array(CommandLine.arguments.dropFirst()))

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

// FileHandle writes are unbuffered, so each line is visible to a reading parent at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

if fleet {
    // The parent holds our stdin open; when it exits, however it exits, the pipe closes.
    let stdinClosed = Thread {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(0, &buffer, buffer.count) > 0 {}
        signalContinuation.yield(0)
    }
    stdinClosed.start()
    let demo: DemoFleet
    do {
        demo = try await DemoFleet.start()
    } catch {
        writeError("mcptop-demo-server: cannot start the demo servers on 127.0.0.1: \(error)\n")
        exit(1)
    }
    for member in demo.members { say(member.jsonLine) }
    say("ready")
    let scenarios = Task { await demo.runScenarios() }
    for await _ in signals {
        break
    }
    scenarios.cancel()
    await demo.stop()
    exit(0)
}

if let provider {
    let fixture = ProviderFixture(provider)
    do {
        try await fixture.start()
    } catch {
        writeError("mcptop-demo-server: cannot start the \(provider.rawValue) emulation on 127.0.0.1: \(error)\n")
        exit(1)
    }
    fixture.provider.registerClient(id: ProviderFixture.clientID, secret: nil)
    say("listening \(fixture.mcpURL)")
    say("provider \(fixture.providerOrigin) client \(ProviderFixture.clientID)")
    for await _ in signals {
        break
    }
    await fixture.stop()
    exit(0)
}

let server = DemoServer(options: options)
let boundPort: Int
do {
    boundPort = try await server.start(port: port)
} catch {
    writeError("mcptop-demo-server: cannot listen on 127.0.0.1:\(port): \(error)\n")
    exit(1)
}
say("listening http://127.0.0.1:\(boundPort)/mcp")

/// One fault, on or off.
final class FaultSwitch: Sendable {
    private let state: Mutex<Bool>

    init(on: Bool) {
        state = Mutex(on)
    }

    /// Flips it; returns whether it is on now.
    func toggle() -> Bool {
        state.withLock { on in
            on.toggle()
            return on
        }
    }
}

// Fault switches: each signal flips one way refreshes fail, and says which way it is now.
for (signalNumber, name) in [(SIGUSR1, "refuse-refresh"), (SIGUSR2, "fail-refresh")] where options.oauth != nil {
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    let switched = FaultSwitch(on: signalNumber == SIGUSR1 && options.oauth?.refuseRefresh == true)
    source.setEventHandler {
        let on = switched.toggle()
        server.setOptions { options in
            if signalNumber == SIGUSR1 {
                options.oauth?.refuseRefresh = on
            } else {
                options.oauth?.failRefreshes = on ? Int.max : 0
            }
        }
        say("\(name) \(on ? "on" : "off")")
    }
    source.resume()
    signalSources.append(source)
}

for await _ in signals {
    break
}
await server.stop()
exit(0)
