import Config
import Foundation
import Testing

@testable import mcptop

/// `mcptop status --others`, on the fixtures' token stores (which hold recognisable fake secrets).
@Suite struct OtherTokensStatusTests {
    /// 2027-01-15T08:00:00Z: Gemini CLI's stripe token ends in 10 minutes, its weather token
    /// ended 1000 s ago with no refresh token.
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let home = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ConfigTests/Fixtures/home").standardized.path

    var board: OtherTokenBoard { OtherTokenReader.read(environment: ["HOME": home]) }

    @Test func textSaysWhatEachClientWillDoAndTheFix() {
        let text = OtherTokensStatus.lines(board, now: now).joined(separator: "\n")
        #expect(text.contains("Gemini CLI: stripe\n  access token expires in 10m00s"))
        #expect(
            text.contains(
                "! Gemini CLI's chat keeps the old header: its calls fail until restart once the token expires."))
        #expect(text.contains("mcptop serve --print-config gemini"))
        #expect(text.contains("Or let mcptop keep this login alive: mcptop import --from gemini"))
        #expect(text.contains("Gemini CLI: not readable: \(home)/.gemini/mcp-oauth-tokens-v2.json: encrypted"))
        #expect(!text.contains("FAKE-SECRET"))
    }

    @Test func jsonMarksTheDeadTokenAndHoldsNoSecret() {
        let document = OtherTokensStatus.document(board, now: now)
        let weather = document["tokens"]?.arrayValue?.first { $0["server"] == "weather" }
        #expect(weather?["state"] == "expiredNoRefresh")
        #expect(weather?["refreshToken"] == false)
        #expect(!document.serialized().contains("FAKE-SECRET"))
    }

    @Test func exitsTwoOnlyWhenATokenIsDeadWithoutARefreshToken() throws {
        #expect(throws: CommandFailure.self) { try OtherTokensStatus.run(board: board, json: true, now: now) }
        let alive = OtherTokenBoard(tokens: board.tokens.filter { !$0.isDead(now: now) })
        try OtherTokensStatus.run(board: alive, json: true, now: now)
    }
}
