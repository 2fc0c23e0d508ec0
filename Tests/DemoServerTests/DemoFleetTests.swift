import Foundation
import Testing

@testable import DemoServer

@Suite struct DemoFleetTests {
    @Test func startsFiveLoopbackServersDescribedInOneJSONLineEach() async throws {
        let fleet = try await DemoFleet.start()
        defer { Task { await fleet.stop() } }
        let members = fleet.members
        #expect(
            members.map(\.name) == ["rotating", "flaky-sessions", "open", "expiring-login", "legacy-sse"])
        #expect(members.filter(\.oauth).map(\.name) == ["rotating", "expiring-login"])
        #expect(members.last?.transport == .legacySSE)
        #expect(members.last?.url.hasSuffix("/sse") == true)
        for member in members {
            #expect(member.url.hasPrefix("http://127.0.0.1:"))
            let line = member.jsonLine
            #expect(!line.contains("\n"))
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["name"] as? String == member.name)
            #expect(object["url"] as? String == member.url)
            #expect(object["transport"] as? String == member.transport.rawValue)
            #expect(object["oauth"] as? Bool == member.oauth)
            #expect(object["protocolVersion"] as? String == member.protocolVersion)
        }
        #expect(members.first { $0.name == "flaky-sessions" }?.protocolVersion == "2025-11-25")
    }

    @Test func refusesTheExpiringServersRefreshesAfterSixtyTicksUntilTheNextLogin() async throws {
        let fleet = try await DemoFleet.start()
        defer { Task { await fleet.stop() } }
        let expiring = try #require(fleet.server(named: "expiring-login"))
        let flaky = try #require(fleet.server(named: "flaky-sessions"))
        flaky.state.withLock { $0.sessions["old"] = "2025-11-25" }
        let story = Task { await fleet.runScenarios(tick: .milliseconds(2)) }
        defer { story.cancel() }

        func waitUntil(_ condition: () -> Bool) async -> Bool {
            for _ in 0..<2000 {
                if condition() { return true }
                try? await Task.sleep(for: .milliseconds(2))
            }
            return condition()
        }
        #expect(await waitUntil { flaky.state.withLock { $0.sessions.isEmpty } })
        #expect(await waitUntil { expiring.isOn(.refresh(.invalidGrant)) })
        // A login exchanges a code: refreshes work again.
        expiring.state.withLock { $0.stats.codeExchanges += 1 }
        #expect(await waitUntil { !expiring.isOn(.refresh(.invalidGrant)) })
    }
}
