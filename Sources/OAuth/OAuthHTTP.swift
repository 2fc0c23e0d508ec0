import Foundation
import HTTP
import Support

/// The longest a command lets one OAuth request take, for the task and the tasks it starts:
/// `mcptop call --timeout 4` bounds a refresh by 4 s, not by the endpoints' own 10 s to
/// connect and 30 s to answer. Nil (watch, serve, the dashboard): those defaults.
public enum OAuthPatience {
    @TaskLocal public static var seconds: Double?

    /// Seconds to connect and to answer: the defaults, or the command's limit if smaller.
    static func limits(connect: Double = 10, answer: Double = 30) -> (connect: Double, answer: Double) {
        guard let seconds, seconds > 0 else { return (connect, answer) }
        return (min(connect, seconds), min(answer, seconds))
    }
}

/// JSON over HTTP for the OAuth endpoints, with failures sorted into transient (retry) and
/// definite ones, and every request reported as an `AuthStep` (URL without its query).
struct OAuthHTTP: Sendable {
    let server: String
    let http: HTTPClient
    let onStep: AuthStepHandler

    struct Reply: Sendable {
        var status: Int
        var json: JSONValue?
        var headers: HTTPHeaders

        /// For a 3xx: where it pointed, and that it was not followed (HTTPClient never follows
        /// one, so no code, verifier or secret goes to an address the metadata did not name).
        var redirect: String? {
            guard (300..<400).contains(status) else { return nil }
            let location = headers["Location"].map { "a redirect to \(displayURL($0))" } ?? "a redirect"
            return "HTTP \(status), \(location), not followed"
        }
    }

    func get(_ url: String, what: String) async throws(OAuthError) -> Reply {
        let limits = OAuthPatience.limits()
        var request = HTTPRequest(
            url: url, connectTimeout: limits.connect, timeout: limits.answer, maxBodyBytes: 1 << 20)
        request.headers.add("Accept", "application/json")
        request.headers.add("MCP-Protocol-Version", ProtocolVersion.latest)
        return try await send(request, what: what)
    }

    func postForm(_ url: String, _ pairs: [(String, String)], what: String, basicAuth: String? = nil)
        async throws(OAuthError) -> Reply
    {
        let limits = OAuthPatience.limits()
        var request = HTTPRequest(
            method: "POST", url: url, body: Array(FormEncoding.encode(pairs).utf8), connectTimeout: limits.connect,
            timeout: limits.answer, maxBodyBytes: 1 << 20)
        request.headers.add("Content-Type", "application/x-www-form-urlencoded")
        request.headers.add("Accept", "application/json")
        if let basicAuth { request.headers.add("Authorization", "Basic \(basicAuth)") }
        return try await send(request, what: what)
    }

    func postJSON(_ url: String, _ body: JSONValue, what: String) async throws(OAuthError) -> Reply {
        let limits = OAuthPatience.limits()
        var request = HTTPRequest(
            method: "POST", url: url, body: body.serializedBytes(), connectTimeout: limits.connect,
            timeout: limits.answer, maxBodyBytes: 1 << 20)
        request.headers.add("Content-Type", "application/json")
        request.headers.add("Accept", "application/json")
        return try await send(request, what: what)
    }

    private func send(_ request: HTTPRequest, what: String) async throws(OAuthError) -> Reply {
        let action = "\(request.method) \(displayURL(request.url)) (\(what))"
        let host = AuthStep.Exchange.host(of: request.url)
        let started = ContinuousClock.now
        func exchange(_ status: Int?, error: String? = nil, cancelled: Bool = false) -> AuthStep.Exchange {
            let elapsed = (ContinuousClock.now - started).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            return .init(
                purpose: what, status: status, error: error, cancelled: cancelled, host: host, seconds: seconds)
        }
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            onStep(AuthStep(action: action, outcome: "failed: \(error.kind)", exchange: exchange(nil)))
            throw OAuthError(server: server, .transient("\(what): \(error)"))
        } catch {
            onStep(AuthStep(action: action, outcome: "cancelled", exchange: exchange(nil, cancelled: true)))
            throw OAuthError(server: server, .transient("\(what): cancelled"))
        }
        let json = Self.decode(body: response.body, contentType: response.headers["Content-Type"])
        var outcome = "HTTP \(response.status)"
        let code = json?["error"]?.stringValue
        if let code { outcome += " \(ServerText.oneLine(code, limit: 60))" }
        onStep(
            AuthStep(
                action: action, outcome: outcome,
                exchange: exchange(response.status, error: code.map { ServerText.oneLine($0, limit: 64) })))
        return Reply(status: response.status, json: json, headers: response.headers)
    }

    /// An answer's body as JSON; a form-encoded one as a JSON object of strings: GitHub's token
    /// endpoint answers `application/x-www-form-urlencoded` unless the request accepts JSON,
    /// although RFC 6749 §5.1 says JSON.
    static func decode(body: [UInt8], contentType: String?) -> JSONValue? {
        if let json = try? JSONValue.parse(body) { return json }
        guard contentType?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        var object: JSONValue = [:]
        for (name, value) in FormEncoding.decode(String(decoding: body, as: UTF8.self))
        where object[name] == nil {
            object[name] = .string(value)
        }
        return object
    }
}
