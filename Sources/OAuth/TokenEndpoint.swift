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

    static let basicMethod = "client_secret_basic"
    static let postMethod = "client_secret_post"

    func request(
        _ url: String, _ form: [(String, String)], clientSecret: String?, clientID: String, authMethod: String? = nil,
        what: String
    ) async throws(Failure) -> TokenResponse {
        var pairs = form
        var basic: String?
        if let clientSecret, authMethod == Self.postMethod {
            pairs.append(("client_id", clientID))
            pairs.append(("client_secret", clientSecret))
        } else if let clientSecret {
            // client_secret_basic (RFC 6749 §2.3.1), the method every server must support.
            let credentials = "\(FormEncoding.escape(clientID)):\(FormEncoding.escape(clientSecret))"
            basic = Data(credentials.utf8).base64EncodedString()
        } else {
            pairs.append(("client_id", clientID))
        }
        let reply: OAuthHTTP.Reply
        do {
            reply = try await http.postForm(url, pairs, what: what, basicAuth: basic)
        } catch {
            throw .transient(error.description)
        }
        if reply.status == 200, let json = reply.json, let tokens = TokenResponse(json: json) {
            return tokens
        }
        let code = reply.json?["error"]?.stringValue
        var detail = "\(displayURL(url)) answered \(reply.status)"
        if let code { detail += " \(ServerText.oneLine(code, limit: 60))" }
        if let text = reply.json?["error_description"]?.stringValue { detail += ": \(ServerText.oneLine(text))" }
        switch code {
        case "invalid_grant": throw .invalidGrant(detail)
        case "invalid_client", "unauthorized_client": throw .invalidClient(detail)
        case "temporarily_unavailable", "server_error", "slow_down": throw .transient(detail)
        default:
            if reply.status >= 500 || reply.status == 429 || reply.status == 408 { throw .transient(detail) }
            if reply.status == 200 {
                throw .refused("\(detail): the response has no access_token", error: code, description: nil)
            }
            throw .refused(detail, error: code, description: reply.json?["error_description"]?.stringValue)
        }
    }

    /// RFC 7009: asks the server to forget a token. Failure is reported, not thrown: the local
    /// copy is forgotten either way.
    func revoke(_ url: String, token: String, hint: String, clientID: String, clientSecret: String?) async -> String {
        var pairs = [("token", token), ("token_type_hint", hint), ("client_id", clientID)]
        // Some servers (the Python SDK) want the field even for public clients.
        pairs.append(("client_secret", clientSecret ?? ""))
        do {
            let reply = try await http.postForm(url, pairs, what: "revoke \(hint)")
            return reply.status == 200 ? "revoked" : "revocation answered \(reply.status)"
        } catch {
            return "revocation failed: \(error)"
        }
    }
}
