import Testing

@testable import Support

@Suite struct WWWAuthenticateTests {
    @Test func parsesBearerWithQuotedParameters() throws {
        let challenges = AuthChallenge.parse(
            #"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", scope="files:read files:write", error="insufficient_scope""#
        )
        let bearer = try #require(challenges.first)
        #expect(bearer.scheme == "bearer")
        #expect(bearer.resourceMetadata == "https://mcp.example.com/.well-known/oauth-protected-resource")
        #expect(bearer.scope == "files:read files:write")
        #expect(bearer.error == "insufficient_scope")
    }

    @Test func parsesSeveralChallengesWithOddSpacing() {
        let challenges = AuthChallenge.parse(
            #"Basic realm="a, b",   Bearer  realm = "x\"y" ,error=invalid_token,  Newauth"#)
        #expect(challenges.map(\.scheme) == ["basic", "bearer", "newauth"])
        #expect(challenges[0]["realm"] == "a, b")
        #expect(challenges[1]["realm"] == "x\"y")
        #expect(challenges[1].error == "invalid_token")
    }

    @Test func parsesToken68AndSeparateHeaderValues() {
        let challenges = AuthChallenge.parse(["Negotiate abc123==", "Bearer"])
        #expect(challenges.count == 2)
        #expect(challenges[0].token68 == "abc123==")
        #expect(challenges[1].scheme == "bearer")
        #expect(challenges[1].parameters.isEmpty)
    }

    @Test func parameterNamesAreCaseInsensitive() {
        let challenges = AuthChallenge.parse(#"BEARER Resource_Metadata="https://a/b""#)
        #expect(challenges.first?.resourceMetadata == "https://a/b")
    }

    /// RFC 9110 §5.6.2: a token is every tchar and nothing else, whatever the scalar.
    @Test func anUnquotedValueIsExactlyTheTokenCharacters() {
        let tchars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        #expect(AuthChallenge.parse("Bearer error=\(tchars)").first?.error == tchars)
        for scalar in (0..<0x100).compactMap(Unicode.Scalar.init) + ["é", "ｅ", "\u{2028}"] {
            let value = AuthChallenge.parse("Bearer error=ab\(scalar)cd").first?.error
            #expect((value == "ab\(scalar)cd") == tchars.unicodeScalars.contains(scalar), "\(scalar.value)")
        }
    }
}
