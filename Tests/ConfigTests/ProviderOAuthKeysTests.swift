import Config
import Foundation
import OAuth
import Testing

/// The `oauth` keys for what an identity provider does not let mcptop discover.
@Suite struct ProviderOAuthKeysTests {
    func oauth(_ json: String, environment: [String: String] = [:]) throws(ConfigError) -> OAuthSettings {
        let text = #"{"mcpServers": {"s": {"url": "https://mcp.example.com/mcp", "oauth": "# + json + "}}}"
        let configuration = try Configuration.parse(Array(text.utf8), file: "config.json", environment: environment)
        return configuration.servers[0].oauth
    }

    @Test func readsAuthorizationAndTokenParametersResourceAndAssumedPKCE() throws {
        let settings = try oauth(
            #"{"clientId": "abc", "clientSecret": "${SECRET}", "authorizationParams": {"audience": "https://api.example.com", "prompt": "consent"}, "tokenParams": {"audience": "${AUD}"}, "resource": false, "assumePkceS256": true, "deviceLogin": true}"#,
            environment: ["SECRET": "s3cret", "AUD": "https://api.example.com"])
        #expect(settings.authorizationParams == ["audience": "https://api.example.com", "prompt": "consent"])
        #expect(settings.tokenParams == ["audience": "https://api.example.com"])
        #expect(settings.resource == .omitted)
        #expect(settings.resourceParameter(discovered: "https://mcp.example.com/mcp") == nil)
        #expect(settings.assumePkceS256 && settings.deviceLogin)
        #expect(settings.clientSecret == "s3cret")
    }

    @Test func defaultsSendTheDiscoveredResourceAndAssumeNothing() throws {
        let settings = try oauth("{}")
        #expect(settings.resource == .discovered)
        #expect(settings.resourceParameter(discovered: "https://mcp.example.com/mcp") == "https://mcp.example.com/mcp")
        #expect(!settings.assumePkceS256 && !settings.deviceLogin)
        #expect(settings.authorizationParams.isEmpty)
        let fixed = try oauth(#"{"resource": "https://api.example.com/"}"#)
        #expect(fixed.resourceParameter(discovered: "https://mcp.example.com/mcp") == "https://api.example.com/")
    }

    @Test func refusesParametersMcptopSetsAndValuesOfTheWrongType() {
        let cases = [
            (#"{"authorizationParams": {"state": "x"}}"#, "mcpServers.s.oauth.authorizationParams.state"),
            (#"{"tokenParams": {"code_verifier": "x"}}"#, "mcpServers.s.oauth.tokenParams.code_verifier"),
            (#"{"authorizationParams": {"prompt": 1}}"#, "mcpServers.s.oauth.authorizationParams.prompt"),
            (#"{"authorizationParams": ["audience"]}"#, "mcpServers.s.oauth.authorizationParams"),
            (#"{"resource": 5}"#, "mcpServers.s.oauth.resource"),
            (#"{"resource": "not a url"}"#, "mcpServers.s.oauth.resource"),
            (#"{"assumePkceS256": "yes"}"#, "mcpServers.s.oauth.assumePkceS256"),
        ]
        for (json, field) in cases {
            #expect(throws: ConfigError.self, "\(json)") { try oauth(json) }
            do {
                _ = try oauth(json)
            } catch {
                #expect(error.field == field, "\(error)")
            }
        }
    }

    /// The issue: "the secret only from the environment". A literal secret, or one with a
    /// `:-` default, would sit in a file that is copied, shared and backed up.
    @Test func aClientSecretWrittenInTheFileIsRefusedNamingTheKeyAndTheVariableForm() {
        for json in [#"{"clientSecret": "literal-value"}"#, #"{"clientSecret": "${SECRET:-literal-value}"}"#] {
            do {
                _ = try oauth(json, environment: ["SECRET": "s3cret"])
                Issue.record("expected an error for \(json)")
            } catch {
                #expect(error.field == "mcpServers.s.oauth.clientSecret")
                #expect(error.description.contains("config.json"))
                #expect(error.description.contains(#""clientSecret": "${VAR}""#))
                #expect(!error.description.contains("literal-value"))
            }
        }
    }

    @Test func caFileMustBeAReadableFile() throws {
        let missing = #"{"mcptop": {"caFile": "/nonexistent/ca.pem"}, "mcpServers": {}}"#
        do {
            _ = try Configuration.parse(Array(missing.utf8), file: "config.json", environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "mcptop.caFile")
            #expect(error.description.contains("/nonexistent/ca.pem is not a readable file"))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-ca-\(UUID()).pem").path
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let present = #"{"mcptop": {"caFile": "\#(file)"}, "mcpServers": {}}"#
        #expect(try Configuration.parse(Array(present.utf8), file: "config.json", environment: [:]).caFile == file)
    }
}
