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

    /// The ACCOUNT column: at 80×24 it takes the room the essential columns leave, cut with
    /// "…"; a server without a known account shows "-"; without any account the column takes
    /// no room at all.
    @Test func theAccountColumnFitsEightyColumnsAndNeverShowsTheToken() {
        var state = RenderTests.state(width: 80, height: 24)
        #expect(!Renderer.render(state).text.contains("ACCOUNT"), "no account known: no column")
        state.servers[0].token?.account = "alice.longname@contoso.onmicrosoft.com (tenant 72f988bf-86f1-41af)"
        let lines = Renderer.render(state).text.components(separatedBy: "\n")
        #expect(lines[1].contains("ACCOUNT"), "\(lines[1])")
        #expect(lines[2].contains("alice.longname@"), "\(lines[2])")
        #expect(lines[2].contains("…"), "cut, not wrapped: \(lines[2])")
        #expect(lines[4].contains(" - "), "\(lines[4])")
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(!lines.joined().contains("secret-access") && !lines.joined().contains("secret-refresh"))
        let layout = Column.layout(width: 80, servers: state.servers)
        #expect(layout.map(\.width).reduce(0, +) + layout.count - 1 <= 80)
        #expect(layout.first { $0.column.id == .account }.map(\.width) ?? 0 >= 10)
        // With room, the whole account.
        state.width = 160
        #expect(
            Renderer.render(state).text.contains("alice.longname@contoso.onmicrosoft.com (tenant 72f988bf-86f1-41af)")
                == false,
            "longer than the column's 32 cells: cut")
        state.servers[0].token?.account = "bob@example.com"
        #expect(Renderer.render(state).text.components(separatedBy: "\n")[2].contains("bob@example.com "))
    }
}
