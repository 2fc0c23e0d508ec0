import Foundation
import Support
import Testing

@testable import OAuth

/// The advice after a transient failure fits who reads it: only what keeps working retries.
@Suite struct OAuthErrorAdviceTests {
    let error = OAuthError(server: "okta", .transient("refresh: could not connect to https://idp.example/token"))

    @Test func somethingThatKeepsWorkingSaysItWillRetry() {
        #expect(
            error.description
                == "okta: refresh: could not connect to https://idp.example/token (will retry; nothing was deleted)")
        #expect(error.description(for: .retrying) == error.description)
    }

    @Test func aOneShotCommandDoesNotPromiseARetry() {
        let text = error.description(for: .oneShot)
        #expect(
            text == "okta: refresh: could not connect to https://idp.example/token (nothing was deleted; try again)")
        #expect(!text.contains("will retry"))
    }

    @Test func aCallerThatSaysWhatFollowsGetsTheFailureAlone() {
        #expect(error.description(for: .bare) == "okta: refresh: could not connect to https://idp.example/token")
    }

    @Test func adviceThatNeedsTheUserIsTheSameForEveryReader() {
        let login = OAuthError(server: "okta", .needsLogin(reason: "no stored login"))
        #expect(login.description(for: .oneShot) == login.description(for: .retrying))
        #expect(login.description(for: .bare).contains("mcptop auth okta"))
    }

    /// `mcptop auth` against a server that is down said "down: down: could not connect": the
    /// probe's network error named the server, and the OAuthError named it again.
    @Test func aLoginToAServerThatIsDownNamesItOnce() async {
        let store = TokenStore(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-\(UUID())").path)
        var options = LoginFlow.Options()
        options.openBrowser = false
        options.timeout = .seconds(5)
        await #expect {
            try await LoginFlow(
                serverName: "down", serverURL: "http://127.0.0.1:9/mcp", settings: OAuthSettings(), store: store
            )
            .run(options: options)
        } throws: { error in
            let text = (error as? OAuthError)?.description(for: .oneShot) ?? ""
            return text.hasPrefix("down: could not connect to http://127.0.0.1:9/mcp") && !text.contains("down: down")
        }
    }
}
