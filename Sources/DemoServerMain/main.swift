import DemoServer
import Foundation
import Synchronization

// mcptop-demo-server: runs the loopback demo MCP server until SIGINT or SIGTERM; with
// --demo-fleet, the five servers of `mcptop demo` (which starts this executable as its child).

let faultList = DemoFault.all.map { fault in
    let name = fault.name.padding(toLength: 24, withPad: " ", startingAt: 0)
    return "  \(name)\(fault.isSwitch ? "switch" : "event ") \(fault.summary)"
}.joined(separator: "\n")

let usage = """
    usage: mcptop-demo-server [--port N] [--json] [--no-stateless] [--no-stateful] \
    [--bearer TOKEN] [--oauth [--token-lifetime S] [--no-rotate] [--refuse-refresh] \
    [--refresh-delay S]] [--fault NAME]... [--control FIFO]
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
                      answer every refresh with invalid_grant (--fault invalid-grant)
      --refresh-delay S
                      wait S seconds before answering a refresh
      --fault NAME    start with this fault switched on (a switch below; repeatable)
      --control FIFO  read commands from FIFO (made with mkfifo), one a line, reopened
                      after each writer closes it: "NAME on", "NAME off" for a switch,
                      "NAME" for an event, "stats" to print one line "stats {JSON}" of the
                      counters (refreshes, expiredTokenRequests, invalidGrants, …). Each
                      command is answered on stdout ("NAME on", "NAME done", "error: …")

    Faults (the refresh faults need --oauth; a refresh fault switched on replaces another):
    \(faultList)

    With --oauth, signals toggle two switches while it runs (e.g. integration/fleet/fleet.sh):
      SIGUSR1         invalid-grant
      SIGUSR2         temporarily-unavailable

    """

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

func fail(_ message: String) -> Never {
    writeError("mcptop-demo-server: \(message)\n\n\(usage)")
    exit(2)
}

/// Parses argv by hand: `--name value` or `--name=value`.
/// What the command line asks for.
struct Arguments {
    var options = DemoServerOptions()
    var port = 0
    var fleet = false
    /// An emulated identity provider and the MCP server it protects (`--provider`).
    var provider: ProviderProfile?
    /// Switches on from the start (`--fault`).
    var faults: [DemoFault] = []
    var control: String?
}

func parseArguments(_ arguments: [String]) -> Arguments {
    var parsed = Arguments()
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
            parsed.port = number
        case "--demo-fleet":
            parsed.fleet = true
        case "--provider":
            let name = value()
            guard let profile = ProviderProfile(rawValue: name) else {
                fail(
                    "unknown provider '\(name)' (one of \(ProviderProfile.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            parsed.provider = profile
        case "--json":
            parsed.options.responseMode = .json
        case "--no-stateless":
            parsed.options.stateless = false
        case "--no-stateful":
            parsed.options.stateful = false
        case "--bearer":
            parsed.options.bearerToken = value()
        case "--oauth":
            parsed.options.oauth = parsed.options.oauth ?? DemoOAuthOptions()
        case "--token-lifetime":
            let seconds = seconds()
            parsed.options.oauth = parsed.options.oauth ?? DemoOAuthOptions()
            parsed.options.oauth?.accessTokenLifetime = seconds
        case "--no-rotate":
            parsed.options.oauth = parsed.options.oauth ?? DemoOAuthOptions()
            parsed.options.oauth?.rotateRefreshTokens = false
        case "--refuse-refresh":
            parsed.options.oauth = parsed.options.oauth ?? DemoOAuthOptions()
            parsed.faults.append(.refresh(.invalidGrant))
        case "--fault":
            let name = value()
            guard let fault = DemoFault(name: name) else { fail("unknown fault '\(name)'") }
            guard fault.isSwitch else { fail("\(name) is an event: send it through --control") }
            if case .refresh = fault { parsed.options.oauth = parsed.options.oauth ?? DemoOAuthOptions() }
            parsed.faults.append(fault)
        case "--control":
            let path = value()
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else {
                fail("--control \(path) is not a FIFO (make one with mkfifo)")
            }
            parsed.control = path
        case "--refresh-delay":
            let seconds = seconds()
            parsed.options.oauth = parsed.options.oauth ?? DemoOAuthOptions()
            parsed.options.oauth?.refreshDelay = seconds
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
    if (parsed.fleet || parsed.provider != nil) && arguments.count > (parsed.fleet ? 1 : 2) {
        fail("\(parsed.fleet ? "--demo-fleet" : "--provider") takes no other option")
    }
    return parsed
}

let arguments = parseArguments(Array(CommandLine.arguments.dropFirst()))
let (options, port, fleet, provider) = (arguments.options, arguments.port, arguments.fleet, arguments.provider)

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

for fault in arguments.faults {
    await server.inject(fault)
}

/// Applies one control command and says what it did.
func control(_ line: String) async -> String {
    let words = line.split(separator: " ").map(String.init)
    guard let first = words.first else { return "error: empty command" }
    if first == "stats", words.count == 1 { return "stats " + server.stats().controlLine }
    guard let fault = DemoFault(name: first) else { return "error: unknown fault '\(first)'" }
    if fault.isSwitch {
        guard words.count == 2, let on = ["on": true, "off": false][words[1]] else {
            return "error: say '\(first) on' or '\(first) off'"
        }
        await server.inject(fault, on: on)
        return "\(first) \(words[1])"
    }
    guard words.count == 1 else { return "error: \(first) is an event: it takes no argument" }
    await server.inject(fault)
    return "\(first) done"
}

if let path = arguments.control {
    // Commands run one at a time, in order, on a task of their own.
    let (commands, commandContinuation) = AsyncStream<String>.makeStream()
    let reader = Thread {
        while let file = fopen(path, "r") {
            var line: UnsafeMutablePointer<CChar>?
            var capacity = 0
            while getline(&line, &capacity, file) > 0, let text = line {
                let command = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
                if !command.isEmpty { commandContinuation.yield(command) }
            }
            free(line)
            fclose(file)
        }
        writeError("mcptop-demo-server: cannot open --control \(path)\n")
    }
    reader.start()
    Task {
        for await command in commands {
            say(await control(command))
        }
    }
}

// Each signal toggles one switch and says which way it is now.
for (signalNumber, fault) in [
    (SIGUSR1, DemoFault.refresh(.invalidGrant)), (SIGUSR2, .refresh(.temporarilyUnavailable)),
]
where options.oauth != nil {
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    source.setEventHandler {
        Task {
            let on = !server.isOn(fault)
            await server.inject(fault, on: on)
            say("\(fault.name) \(on ? "on" : "off")")
        }
    }
    source.resume()
    signalSources.append(source)
}

for await _ in signals {
    break
}
await server.stop()
exit(0)
