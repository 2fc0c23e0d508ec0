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
}
