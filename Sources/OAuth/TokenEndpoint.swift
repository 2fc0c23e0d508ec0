import Foundation
import HTTP
import Support

/// Requests to the token and revocation endpoints (RFC 6749 §4.1.3, §6; RFC 7009), with the
/// server's error sorted into what mcptop does next.
struct TokenEndpoint: Sendable {
    let server: String
    let http: OAuthHTTP

    enum Failure: Error, Sendable {
        /// `invalid_grant`: the code or refresh token is dead. Log in again.
        case invalidGrant(String)
        /// `invalid_client` / `unauthorized_client`: register again.
        case invalidClient(String)
        /// Network, 5xx, 429, `temporarily_unavailable`: try later.
        case transient(String)
        /// Any other refusal, with the server's `error` and `error_description` as sent (to
        /// recognize a known one; show `detail`).
        case refused(String, error: String?, description: String?)
    }

    /// RFC 8414 §2: without `token_endpoint_auth_methods_supported` the server takes
    /// `client_secret_basic`; `client_secret_post` when that is all it lists (GitHub).
    static func authMethod(supported: [String]) -> String {
        if supported.isEmpty || supported.contains(basicMethod) || !supported.contains(postMethod) {
            return basicMethod
        }
        return postMethod
    }

    /// RFC 6749 §2.3.1: a client with a secret authenticates with HTTP Basic (the form-encoded
    /// id and secret, joined by a colon, in Base64), or with both in the body where the server
    /// wants `client_secret_post`; a public client names itself in the body. Returns the form
    /// and the Basic credentials, if any.
    static func authenticate(
        _ form: [(String, String)], clientID: String, secret: String?, method: String?
    ) -> (form: [(String, String)], basic: String?) {
        guard let secret else { return (form + [("client_id", clientID)], nil) }
        if method == postMethod { return (form + [("client_id", clientID), ("client_secret", secret)], nil) }
        return (
            form, Data("\(FormEncoding.escape(clientID)):\(FormEncoding.escape(secret))".utf8).base64EncodedString()
        )
    }

    static let basicMethod = "client_secret_basic"
    static let postMethod = "client_secret_post"

    func request(
        _ url: String, _ form: [(String, String)], clientSecret: String?, clientID: String, authMethod: String? = nil,
        what: String
    ) async throws(Failure) -> TokenResponse {
        let (pairs, basic) = Self.authenticate(form, clientID: clientID, secret: clientSecret, method: authMethod)
        let reply: OAuthHTTP.Reply
        do {
            reply = try await http.postForm(url, pairs, what: what, basicAuth: basic)
        } catch {
            // The detail alone: whoever reports the failure names the server and adds what
            // happens next.
            guard case .transient(let detail) = error.kind else { throw .transient(error.description) }
            throw .transient(detail)
        }
        return try Self.interpret(
            status: reply.status, json: reply.json, url: url, redirect: reply.redirect, what: what)
    }

    /// What the token endpoint at `url` answered (`json`: its body as ``OAuthHTTP/decode(body:contentType:)``
    /// read it; `redirect`: where a 30x pointed, not followed) to a request for `what`: the
    /// tokens, or the failure sorted into what mcptop does next.
    static func interpret(
        status: Int, json: JSONValue?, url: String, redirect: String? = nil, what: String = "token"
    ) throws(Failure) -> TokenResponse {
        if status == 200, let json, let tokens = TokenResponse(json: json) {
            return tokens
        }
        let code = json?["error"]?.stringValue
        var detail = "\(displayURL(url)) answered \(redirect ?? "\(status)")"
        if let code { detail += " \(ServerText.oneLine(code, limit: 60))" }
        if let text = json?["error_description"]?.stringValue { detail += ": \(ServerText.oneLine(text))" }
        switch code {
        // GitHub names a dead code or refresh token its own way, and answers it with HTTP 200
        // (docs.github.com: troubleshooting OAuth app access token request errors;
        // refreshing user access tokens).
        case "invalid_grant", "bad_verification_code", "bad_refresh_token": throw .invalidGrant(detail)
        case "invalid_client", "unauthorized_client", "incorrect_client_credentials": throw .invalidClient(detail)
        case "temporarily_unavailable", "server_error", "slow_down": throw .transient("\(what): \(detail)")
        default:
            if status >= 500 || status == 429 || status == 408 { throw .transient("\(what): \(detail)") }
            if status == 200 {
                throw .refused("\(detail): the response has no access_token", error: code, description: nil)
            }
            throw .refused(detail, error: code, description: json?["error_description"]?.stringValue)
        }
    }

    /// RFC 7662: asks the server when an access token expires (`exp` of an active token), with
    /// the client authenticated as at the token endpoint. Nil when it does not say or fails:
    /// the expiry then stays unknown and the token is refreshed on a 401.
    func introspect(_ url: String, token: String, clientID: String, clientSecret: String?, authMethod: String?)
        async -> Date?
    {
        let (pairs, basic) = Self.authenticate(
            [("token", token), ("token_type_hint", "access_token")], clientID: clientID, secret: clientSecret,
            method: authMethod)
        guard let reply = try? await http.postForm(url, pairs, what: "introspection", basicAuth: basic),
            reply.status == 200, reply.json?["active"]?.boolValue == true,
            let exp = reply.json?["exp"]?.doubleValue
        else { return nil }
        return BoundedSeconds.instant(secondsSince1970: exp, now: Date())
    }

    /// Where the token response had no `expires_in` (Salesforce) and the access token is not a
    /// JWT with `exp`, asks the introspection endpoint the server offers, and says so.
    func learnExpiry(of credential: inout Credential, clientSecret: String?) async {
        guard credential.expiresAt == nil, let url = credential.introspectionEndpoint,
            let token = credential.accessToken
        else { return }
        let exp = await introspect(
            url, token: token, clientID: credential.clientID, clientSecret: clientSecret,
            authMethod: credential.tokenEndpointAuthMethod)
        credential.expiresAt = exp
        http.onStep(
            AuthStep(
                action: "expiry",
                outcome: exp.map { "learnt by introspection: \(TimeText.iso8601($0))" }
                    ?? "unknown: no expires_in and introspection did not say; refreshed on a 401"))
    }

    /// RFC 7009: asks the server to forget a token. Nil when it did; else why not, reported
    /// rather than thrown: the local copy is forgotten either way.
    func revoke(_ url: String, token: String, hint: String, clientID: String, clientSecret: String?) async -> String? {
        var pairs = [("token", token), ("token_type_hint", hint), ("client_id", clientID)]
        // Some servers (the Python SDK) want the field even for public clients.
        pairs.append(("client_secret", clientSecret ?? ""))
        do {
            let reply = try await http.postForm(url, pairs, what: "revoke \(hint)")
            return reply.status == 200 ? nil : "it answered HTTP \(reply.status)"
        } catch {
            return error.description(for: .bare)
        }
    }
}
