import Foundation
import Testing

@testable import Dashboard
@testable import Monitor

/// The account logged in is shown in the detail pane under the row (and the describe view,
/// which shares these facts); the token never is.
@Suite struct AccountFactTests {
    @Test func theAccountIsShownBesideTheIssuerAndTheTokenIsNot() {
        var server = RenderTests.servers[0]
        server.token?.account = "user@example.com (tenant t-1)"
        let facts = DetailPane.tokenFacts(server, now: RenderTests.now, offset: 0).map(\.0)
        #expect(facts.contains("account: user@example.com (tenant t-1)"))
        #expect(!facts.joined().contains("secret-access"))
        server.token?.account = nil
        #expect(
            !DetailPane.tokenFacts(server, now: RenderTests.now, offset: 0).map(\.0).contains {
                $0.hasPrefix("account")
            })
    }
}
