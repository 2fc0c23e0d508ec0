import HTTP
import Support

/// Sends HTTP requests for one server with the authorizer's headers, fetched at send time,
/// and the one-retry rule for 401/403 (DESIGN.md: refresh once, retry once).
struct AuthorizedHTTP: Sendable {
    let serverName: String
    let http: HTTPClient
    let authorizer: any Authorizer
    let maxBodyBytes: Int

    /// `longLived` streams (the legacy SSE GET) carry many messages, so the size cap applies to
    /// each message by the caller instead of to the whole body.
    func stream(longLived: Bool = false, _ build: () -> HTTPRequest) async throws(MCPError)
        -> HTTPStreamingResponse
    {
        var retried = false
        while true {
            var request = build()
            request.label = serverName
            request.maxBodyBytes = longLived ? Int.max : maxBodyBytes
            let context = AuthorizationRequest(serverName: serverName, url: request.url)
            do {
                for (name, value) in try await authorizer.headers(for: context) {
                    request.headers.set(name, value)
                }
            } catch let error as MCPError {
                throw error
            } catch is CancellationError {
                throw MCPError(server: serverName, .cancelled)
            } catch {
                throw MCPError(server: serverName, .authorization(error))
            }
            let response: HTTPStreamingResponse
            do {
                response = try await http.stream(request)
            } catch let error as HTTPError {
                throw MCPError(server: serverName, error.kind == .cancelled ? .cancelled : .connection(error))
            } catch {
                throw MCPError(server: serverName, .cancelled)
            }
            guard response.status == 401 || response.status == 403 else { return response }
            var failure = AuthorizationFailure(
                status: response.status, url: request.url,
                challenges: AuthChallenge.parse(response.headers.values("WWW-Authenticate")))
            failure.rejectedAuthorization = request.headers["Authorization"]
            let retry: Bool
            do {
                retry = retried ? false : try await authorizer.handle(failure, for: context)
            } catch let error as MCPError {
                throw error
            } catch {
                throw MCPError(server: serverName, .authorization(error))
            }
            guard retry else { throw MCPError(server: serverName, .unauthorized(failure)) }
            retried = true
        }
    }

    /// Reads a whole body, mapping transfer failures to MCPError.
    func collect(_ response: HTTPStreamingResponse) async throws(MCPError) -> [UInt8] {
        do {
            return try await response.collect()
        } catch let error as HTTPError {
            throw MCPError(server: serverName, error.kind == .cancelled ? .cancelled : .connection(error))
        } catch {
            throw MCPError(server: serverName, .cancelled)
        }
    }

    /// The error for an unexpected status, with the JSON-RPC error from the body if any.
    func statusError(_ response: HTTPStreamingResponse, url: String) async -> MCPError {
        let body = (try? await collect(response)) ?? []
        var rpcError: JSONRPCError?
        if let message = try? JSONRPCMessage(bytes: body), case .error(_, let error) = message {
            rpcError = error
        }
        var text = String(decoding: body.prefix(300), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        // Redirects are never followed (HTTPClient): say where it pointed, so that a moved
        // server is recognised as one, without going there.
        if (300..<400).contains(response.status), let location = response.head.headers["Location"] {
            text = "a redirect to \(displayURL(location)), not followed"
        }
        return MCPError(
            server: serverName,
            .httpStatus(status: response.status, url: url, rpcError: rpcError, bodySnippet: text))
    }
}
