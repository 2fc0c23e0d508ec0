import Foundation
import OAuth
import Support
import Testing

@testable import mcptop

/// `mcptop status` says how long the login lasts (``LoginVerdict``) and who logged in, in its
/// lines and its JSON, never a token.
@Suite struct StatusLoginTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A GitHub-App-like login: 8 h access token, a refresh token said to last 180 days.
    static var credential: Credential {
        let json: JSONValue = [
            "access_token": "secret-access-abcd", "token_type": "Bearer", "expires_in": 28800,
            "refresh_token": "secret-refresh-wxyz", "refresh_token_expires_in": 15_552_000,
        ]
        var credential = Credential(
            serverURL: "https://mcp.example.com/mcp", resource: "https://mcp.example.com/mcp",
            issuer: "https://auth.example.com", clientID: "client-123", tokenEndpoint: "https://auth.example.com/token",
            revocationEndpoint: nil, tokens: TokenResponse(json: json)!, now: now)
        credential.account = "user@example.com (tenant tenant-0000)"
        return credential
    }

    static let verdict =
        "refresh token issued (rotation known after the first refresh); access token lasts 8h00m; "
        + "this login lasts until about 2027-07-14"

    @Test func theLinesNameTheVerdictAndTheAccount() {
        let lines = StatusCommand.describe(Self.credential, now: Self.now)
        #expect(lines.contains("login: \(Self.verdict)"), "\(lines)")
        #expect(lines.contains("account: user@example.com (tenant tenant-0000)"))
        let text = lines.joined(separator: "\n")
        #expect(!text.contains("secret-access") && !text.contains("secret-refresh"))
    }

    @Test func theJSONNamesTheVerdictAndTheAccountOrNull() {
        let entry = StatusCommand.json(Self.credential, now: Self.now)
        #expect(entry["verdict"]?.stringValue == Self.verdict)
        #expect(entry["account"]?.stringValue == "user@example.com (tenant tenant-0000)")
        #expect(!entry.serialized().contains("secret-"))
        var anonymous = Self.credential
        anonymous.account = nil
        anonymous.refreshToken = nil
        let bare = StatusCommand.json(anonymous, now: Self.now)
        #expect(bare["account"] == .null)
        #expect(bare["verdict"]?.stringValue == "no refresh token: you will log in again every 8h00m")
    }
}
