import Foundation

/// The five servers `mcptop demo` shows, and the events it stages on them.
///
/// `mcptop-demo-server --demo-fleet` runs a fleet and describes each server in one JSON line
/// (`Member.jsonLine`), so the product binary starts them without linking this library.
public final class DemoFleet: Sendable {
    /// One server of the fleet as the client sees it.
    public struct Member: Sendable, Equatable {
        public enum Transport: String, Sendable {
            /// Streamable HTTP at `/mcp`.
            case streamableHTTP = "streamable-http"
            /// The 2024-11-05 HTTP+SSE transport at `/sse`.
            case legacySSE = "legacy-sse"
        }

        public var name: String
        public var url: String
        public var transport: Transport
        public var oauth: Bool
        /// A revision the client pins, when the server's story needs one (sessions exist only
        /// up to 2025-11-25).
        public var protocolVersion: String?

        /// `{"name":…,"oauth":…,"protocolVersion":…,"transport":…,"url":…}` on one line, keys sorted;
        /// `protocolVersion` only when pinned.
        public var jsonLine: String {
            var object: [String: Any] = ["name": name, "url": url, "transport": transport.rawValue, "oauth": oauth]
            if let protocolVersion { object["protocolVersion"] = protocolVersion }
            // Strings and a Bool: serializing them cannot fail.
            let data =
                (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    struct Entry: Sendable {
        var member: Member
        var server: DemoServer
    }

    let entries: [Entry]

    /// The servers, in the order the demo lists them.
    public var members: [Member] { entries.map(\.member) }

    private init(entries: [Entry]) {
        self.entries = entries
    }

    /// Starts the five servers on free loopback ports.
    public static func start() async throws -> DemoFleet {
        func make(_ name: String, _ configure: (inout DemoServerOptions) -> Void) -> DemoServer {
            var options = DemoServerOptions()
            options.name = name
            configure(&options)
            return DemoServer(options: options)
        }
        let rotating = make("rotating") { options in
            var oauth = DemoOAuthOptions()
            oauth.accessTokenLifetime = 30
            options.oauth = oauth
        }
        let flaky = make("flaky") { $0.stateless = false }
        let open = make("open") { _ in }
        let expiring = make("expiring-login") { options in
            var oauth = DemoOAuthOptions()
            oauth.accessTokenLifetime = 20
            options.oauth = oauth
        }
        let legacy = make("legacy") { _ in }
        let servers = [rotating, flaky, open, expiring, legacy]
        do {
            for server in servers { _ = try await server.start() }
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
        return DemoFleet(entries: [
            Entry(
                member: Member(name: "rotating", url: rotating.url, transport: .streamableHTTP, oauth: true),
                server: rotating),
            Entry(
                member: Member(
                    name: "flaky-sessions", url: flaky.url, transport: .streamableHTTP, oauth: false,
                    protocolVersion: "2025-11-25"),
                server: flaky),
            Entry(member: Member(name: "open", url: open.url, transport: .streamableHTTP, oauth: false), server: open),
            Entry(
                member: Member(name: "expiring-login", url: expiring.url, transport: .streamableHTTP, oauth: true),
                server: expiring),
            Entry(
                member: Member(name: "legacy-sse", url: legacy.legacySSEURL, transport: .legacySSE, oauth: false),
                server: legacy),
        ])
    }

    public func stop() async {
        for entry in entries { await entry.server.stop() }
    }

    /// The demo's story, told until the task is cancelled: sessions forgotten every 20 s; the
    /// expiring server's refreshes refused from 60 s on, until someone logs in again.
    /// `tick` is one second; tests pass a shorter one.
    public func runScenarios(tick: Duration = .seconds(1)) async {
        guard let flaky = server(named: "flaky-sessions"), let expiring = server(named: "expiring-login") else {
            return
        }
        var elapsed = 0
        var exchanges = expiring.stats().codeExchanges
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            elapsed += 1
            if elapsed % 20 == 0 { flaky.forgetSessions() }
            if elapsed == 60 { await expiring.inject(.refresh(.invalidGrant)) }
            let now = expiring.stats().codeExchanges
            if now > exchanges {
                exchanges = now
                await expiring.inject(.refresh(.invalidGrant), on: false)
            }
        }
    }

    func server(named name: String) -> DemoServer? {
        entries.first { $0.member.name == name }?.server
    }
}
