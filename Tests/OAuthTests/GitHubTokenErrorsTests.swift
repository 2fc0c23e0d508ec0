import Foundation
import Testing

@testable import OAuth

/// GitHub answers token errors with HTTP 200 and names of its own
/// (https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors,
/// https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens).
@Suite struct GitHubTokenErrorsTests {
    func failure(_ json: String) async throws -> TokenEndpoint.Failure? {
        try await withStub { stub -> TokenEndpoint.Failure? in
            stub.on("/login/oauth/access_token", json: json)
            do {
                _ = try await TokenEndpoint(
                    server: "gh", http: OAuthHTTP(server: "gh", http: .shared, onStep: { _ in })
                )
                .request(
                    stub.base + "/login/oauth/access_token", [("grant_type", "refresh_token")], clientSecret: "s",
                    clientID: "c", authMethod: "client_secret_post", what: "refresh")
                return nil
            } catch let failure as TokenEndpoint.Failure {
                return failure
            } catch {
                return nil
            }
        }
    }

    @Test func aDeadRefreshTokenOrCodeAnsweredWith200NeedsALogin() async throws {
        guard
            case .invalidGrant(let detail)? = try await failure(
                #"{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired."}"#
            )
        else {
            Issue.record("expected invalid_grant")
            return
        }
        #expect(detail.contains("answered 200 bad_refresh_token: The refresh token passed is incorrect or expired."))
        guard case .invalidGrant? = try await failure(#"{"error":"bad_verification_code"}"#) else {
            Issue.record("expected invalid_grant")
            return
        }
        guard case .invalidClient? = try await failure(#"{"error":"incorrect_client_credentials"}"#) else {
            Issue.record("expected invalid_client")
            return
        }
    }
}
