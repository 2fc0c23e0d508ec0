import Foundation
import Testing

@testable import mcptop

@Suite struct DemoFleetProcessTests {
    @Test func looksBesideTheResolvedExecutableThenBesideTheSymlinkItWasStartedBy() {
        let paths = DemoFleetProcess.candidates(
            selfPath: "/opt/mcptop/bin/mcptop", argv0: "/home/me/bin/mcptop", environment: [:])
        #expect(paths == ["/opt/mcptop/bin/mcptop-demo-server", "/home/me/bin/mcptop-demo-server"])
    }

    @Test func looksOnceWhenBothPathsAreTheSameFolder() {
        let paths = DemoFleetProcess.candidates(
            selfPath: "/usr/local/bin/mcptop", argv0: "/usr/local/bin/../bin/mcptop", environment: [:])
        #expect(paths == ["/usr/local/bin/mcptop-demo-server"])
    }

    @Test func anExplicitServerPathIsTheOnlyCandidate() {
        let paths = DemoFleetProcess.candidates(
            selfPath: "/usr/local/bin/mcptop", argv0: "mcptop", environment: ["MCPTOP_DEMO_SERVER": "/tmp/x/server"])
        #expect(paths == ["/tmp/x/server"])
    }

    @Test func aMissingServerFailsNamingWhereItLookedAndHowToGetIt() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-server-\(getpid())").path
        do {
            _ = try DemoFleetProcess.locate(selfPath: folder + "/mcptop", argv0: "mcptop", environment: [:])
            Issue.record("found a server that is not there")
        } catch {
            #expect(error.message.contains(folder + "/mcptop-demo-server"))
            #expect(error.message.contains("make build"))
            #expect(error.message.contains("make install"))
            #expect(error.status == 1)
        }
    }

    @Test func readsTheServersLines() {
        let oauth = DemoFleetProcess.Member.parse(
            #"{"name":"rotating","oauth":true,"transport":"streamable-http","url":"http://127.0.0.1:1/mcp"}"#)
        #expect(
            oauth
                == DemoFleetProcess.Member(
                    name: "rotating", url: "http://127.0.0.1:1/mcp", legacySSE: false, oauth: true, protocolVersion: nil
                ))
        let legacy = DemoFleetProcess.Member.parse(
            #"{"name":"l","oauth":false,"protocolVersion":"2024-11-05","transport":"legacy-sse","url":"u"}"#)
        #expect(legacy?.legacySSE == true)
        #expect(legacy?.protocolVersion == "2024-11-05")
        #expect(
            DemoFleetProcess.Member.parse(#"{"name":"x","oauth":true,"transport":"carrier-pigeon","url":"u"}"#) == nil)
        #expect(DemoFleetProcess.Member.parse(#"{"name":"x","transport":"legacy-sse","url":"u"}"#) == nil)
        #expect(DemoFleetProcess.Member.parse("listening http://127.0.0.1:1/mcp") == nil)
    }
}
