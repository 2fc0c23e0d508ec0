import Foundation
import MCPClient
import OAuth
import Support
import Testing

@Suite struct DiscoveryTests {
    func asMetadata(_ issuer: String, extra: String = "") -> String {
        """
        {"issuer": "\(issuer)", "authorization_endpoint": "\(issuer)/authorize", "token_endpoint": "\(issuer)/token",
         "registration_endpoint": "\(issuer)/register", "code_challenge_methods_supported": ["S256"]\(extra)}
        """
    }

    @Test func followsTheHeaderThenPathAwareThenRoot() async throws {
        try await withStub { stub in
            let base = stub.base
            stub.on(
                "/.well-known/oauth-protected-resource",
                json: #"{"resource": "\#(base)/mcp", "authorization_servers": ["\#(base)/tenant"]}"#)
            stub.on("/.well-known/openid-configuration/tenant", json: asMetadata("\(base)/tenant"))
            let found = try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp")
            #expect(found.resource == "\(base)/mcp")
            #expect(found.authorizationServer.issuer == "\(base)/tenant")
            #expect(
                stub.paths == [
                    "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource",
                    "/.well-known/oauth-authorization-server/tenant", "/.well-known/openid-configuration/tenant",
                ])
        }
    }

    @Test func usesTheResourceMetadataURLFromTheChallenge() async throws {
        try await withStub { stub in
            let base = stub.base
            stub.on(
                "/custom/prm",
                json: #"{"resource": "\#(base)/mcp", "authorization_servers": ["\#(base)"], "scopes_supported": ["a"]}"#
            )
            stub.on("/.well-known/oauth-authorization-server", json: asMetadata(base))
            let challenge = AuthChallenge.parse(#"Bearer resource_metadata="\#(base)/custom/prm""#).first
            let found = try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp", challenge: challenge)
            #expect(found.resourceMetadata?.scopesSupported == ["a"])
            #expect(stub.paths == ["/custom/prm", "/.well-known/oauth-authorization-server"])
        }
    }

    @Test func triesOpenIDPathAppendingLast() async throws {
        try await withStub { stub in
            let base = stub.base
            stub.on(
                "/.well-known/oauth-protected-resource/mcp",
                json: #"{"resource": "\#(base)/mcp", "authorization_servers": ["\#(base)/t1"]}"#)
            stub.on("/t1/.well-known/openid-configuration", json: asMetadata("\(base)/t1"))
            let found = try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp")
            #expect(found.authorizationServer.tokenEndpoint == "\(base)/t1/token")
            #expect(stub.paths.last == "/t1/.well-known/openid-configuration")
        }
    }

    /// Metadata whose issuer differs from the resource's `authorization_servers` entry only by a
    /// trailing slash names the same server (Auth0's issuers end in "/"), both ways.
    @Test func anIssuerDifferingOnlyByATrailingSlashIsTheSameServer() async throws {
        for (named, published) in [("t", "t/"), ("t/", "t")] {
            try await withStub { stub in
                let base = stub.base
                stub.on(
                    "/.well-known/oauth-protected-resource/mcp",
                    json: #"{"resource": "\#(base)/mcp", "authorization_servers": ["\#(base)/\#(named)"]}"#)
                stub.on(
                    "/.well-known/oauth-authorization-server/t",
                    json:
                        #"{"issuer": "\#(base)/\#(published)", "authorization_endpoint": "\#(base)/t/authorize", "token_endpoint": "\#(base)/t/token", "code_challenge_methods_supported": ["S256"]}"#
                )
                let found = try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp")
                #expect(found.authorizationServer.issuer == "\(base)/\(published)")
                #expect(found.authorizationServer.tokenEndpoint == "\(base)/t/token")
            }
        }
    }

    @Test func refusesMetadataForAnotherIssuerOrResource() async throws {
        try await withStub { stub in
            let base = stub.base
            stub.on(
                "/.well-known/oauth-protected-resource/mcp",
                json: #"{"resource": "\#(base)/mcp", "authorization_servers": ["\#(base)"]}"#)
            stub.on("/.well-known/oauth-authorization-server", json: asMetadata("https://evil.example"))
            await #expect { try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp") } throws: { error in
                "\(error)".contains("names the issuer https://evil.example")
            }
            stub.on(
                "/.well-known/oauth-protected-resource/mcp",
                json: #"{"resource": "\#(base)/other", "authorization_servers": ["\#(base)"]}"#)
            await #expect { try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp") } throws: { error in
                "\(error)".contains("is for \(base)/other")
            }
        }
    }

    @Test func refusesPlainHTTPEndpointsOffLoopbackAndMissingPKCE() async throws {
        try await withStub { stub in
            let base = stub.base
            stub.on(
                "/.well-known/oauth-protected-resource/mcp",
                json: #"{"resource": "\#(base)/mcp", "authorization_servers": ["\#(base)"]}"#)
            stub.on(
                "/.well-known/oauth-authorization-server",
                json:
                    #"{"issuer": "\#(base)", "authorization_endpoint": "http://auth.example.com/authorize", "token_endpoint": "\#(base)/token", "code_challenge_methods_supported": ["S256"]}"#
            )
            await #expect { try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp") } throws: { error in
                "\(error)".contains("must use https")
            }
            stub.on(
                "/.well-known/oauth-authorization-server",
                json:
                    #"{"issuer": "\#(base)", "authorization_endpoint": "\#(base)/authorize", "token_endpoint": "\#(base)/token"}"#
            )
            await #expect { try await Discovery(server: "s").discover(mcpURL: "\(base)/mcp") } throws: { error in
                "\(error)".contains("does not offer PKCE")
            }
        }
        #expect(throws: OAuthError.self) {
            try EndpointPolicy.check("http://example.com/token", role: "token endpoint", server: "s")
        }
        try EndpointPolicy.check("http://127.0.0.1:8080/token", role: "token endpoint", server: "s")
        try EndpointPolicy.check("http://[::1]:8080/token", role: "token endpoint", server: "s")
        try EndpointPolicy.check("https://example.com/token", role: "token endpoint", server: "s")
        // A name that starts like a loopback address is a name: the code and the verifier would
        // go to whoever answers for it, over plain http (issue 17, finding 4).
        for url in [
            "http://127.0.0.1.evil.invalid/token", "http://127.evil.invalid/token", "http://localhost.evil.invalid/t",
        ] {
            #expect(throws: OAuthError.self, "\(url)") {
                try EndpointPolicy.check(url, role: "token endpoint", server: "s")
            }
        }
    }

    @Test func aStepUpHintQuotesTheServersScopesForTheShell() {
        let error = OAuthError(server: "acme", .insufficientScope(scopes: "read $(touch /tmp/pwned) `id` it's"))
        #expect(
            error.description.contains(
                #"mcptop auth acme --scope read --scope '$(touch' --scope '/tmp/pwned)' --scope '`id`' --scope 'it'\''s'"#
            ),
            "\(error)")
    }

    @Test func oldServersWithoutMetadataGetTheDefaultEndpoints() async throws {
        try await withStub { stub in
            let found = try await Discovery(server: "s").discover(mcpURL: "\(stub.base)/mcp")
            #expect(found.usesDefaultEndpoints)
            #expect(found.authorizationServer.tokenEndpoint == "\(stub.base)/token")
            #expect(found.resource == "\(stub.base)/mcp")
        }
    }

    @Test func aFailingServerIsTransient() async throws {
        try await withStub { stub in
            stub.on("/.well-known/oauth-protected-resource/mcp", status: 503, json: "{}")
            await #expect { try await Discovery(server: "s").discover(mcpURL: "\(stub.base)/mcp") } throws: { error in
                (error as? OAuthError)?.isTransient == true
            }
        }
    }
}
