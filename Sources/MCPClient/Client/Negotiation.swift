import HTTP
import Support

/// Finding a protocol revision both sides speak, and opening a session in it: the modern
/// stateless revision first where the wire allows, then the stateful handshake, then (HTTP
/// only) the deprecated HTTP+SSE transport at the same URL. Each step is a request on the
/// connection's current transport.
extension MCPConnection {
    /// Streamable HTTP: try the modern revision first and read a 4xx body before falling back
    /// (2026-07-28 streamable-http.mdx, Backward Compatibility).
    func negotiateHTTP(url: String, pinned: String?) async throws(MCPError) -> ServerInfo {
        if let pinned {
            if ProtocolVersion.isModern(pinned) {
                return try await discover(version: pinned, transport: .streamableHTTP)
            }
            return try await initialize(version: pinned, transport: .streamableHTTP)
        }
        var version = ProtocolVersion.latest
        for _ in 0..<2 {
            do {
                return try await discover(version: version, transport: .streamableHTTP)
            } catch {
                switch modernErrorDecision(error, tried: version) {
                case .retryModern(let other): version = other
                case .useStateful(let stateful):
                    return try await initialize(version: stateful, transport: .streamableHTTP)
                case .legacy:
                    return try await initializeOrLegacySSE(url: url)
                case .fail: throw error
                }
            }
        }
        return try await initializeOrLegacySSE(url: url)
    }

    private enum EraDecision {
        case retryModern(String)
        case useStateful(String)
        case legacy
        case fail
    }

    /// What a failed `server/discover` says about the server's era.
    private func modernErrorDecision(_ error: MCPError, tried: String) -> EraDecision {
        let rpcError: JSONRPCError?
        switch error.kind {
        case .httpStatus(let status, _, let bodyError, _):
            guard [400, 404, 405, 406, 415, 422].contains(status) else { return .fail }
            rpcError = bodyError
        case .rpc(let bodyError):
            rpcError = bodyError
        case .protocolViolation:
            return .legacy  // answered, but not as a modern server would
        default:
            return .fail
        }
        guard let rpcError, rpcError.isModernProtocolError else { return .legacy }
        guard rpcError.code == JSONRPCError.unsupportedProtocolVersion else { return .fail }
        let offered = rpcError.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let modern = ProtocolVersion.modern.first(where: offered.contains), modern != tried {
            return .retryModern(modern)
        }
        if let stateful = ProtocolVersion.stateful.first(where: offered.contains) {
            return .useStateful(stateful)
        }
        return .fail
    }

    /// A server that refused both modern requests and `initialize` in a way that says "this
    /// is not a Streamable HTTP endpoint" may be an HTTP+SSE server at the same URL.
    private func initializeOrLegacySSE(url: String) async throws(MCPError) -> ServerInfo {
        do {
            return try await initialize(version: ProtocolVersion.latestStateful, transport: .streamableHTTP)
        } catch {
            guard case .httpStatus(let status, _, let rpcError, _) = error.kind,
                [400, 404, 405].contains(status), rpcError == nil
            else { throw error }
            do {
                return try await connectLegacySSE(url: url)
            } catch {
                throw error
            }
        }
    }

    /// stdio: probe with `server/discover`; anything but a modern answer or a modern error
    /// means a legacy server, and `initialize` follows (2026-07-28 stdio.mdx).
    func negotiateStdio(pinned: String?) async throws(MCPError) -> ServerInfo {
        if let pinned {
            if ProtocolVersion.isModern(pinned) { return try await discover(version: pinned, transport: .stdio) }
            return try await initialize(version: pinned, transport: .stdio)
        }
        do {
            return try await discover(version: ProtocolVersion.latest, transport: .stdio, timeout: 5)
        } catch {
            if case .process = error.kind { throw error }
            if case .rpc(let rpcError) = error.kind,
                rpcError.code == JSONRPCError.unsupportedProtocolVersion
            {
                let offered = rpcError.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if let stateful = ProtocolVersion.stateful.first(where: offered.contains) {
                    return try await initialize(version: stateful, transport: .stdio)
                }
                throw fail(.unsupportedVersion(offered: offered))
            }
            return try await initialize(version: ProtocolVersion.latestStateful, transport: .stdio)
        }
    }

    private func discover(version: String, transport: ServerInfo.TransportKind, timeout: Double? = nil)
        async throws(MCPError) -> ServerInfo
    {
        let result = try await send(
            "server/discover", params: nil, version: version, timeout: timeout ?? endpoint.connectTimeout)
        guard let supported = result["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) else {
            throw fail(.protocolViolation("server/discover result has no supportedVersions"))
        }
        if !supported.contains(version) {
            if let modern = ProtocolVersion.modern.first(where: supported.contains), modern != version {
                return try await discover(version: modern, transport: transport)
            }
            if endpoint.protocolVersion == nil, let stateful = ProtocolVersion.stateful.first(where: supported.contains)
            {
                return try await initialize(version: stateful, transport: transport)
            }
            throw fail(.unsupportedVersion(offered: supported))
        }
        let serverInfo = result["_meta"]?[MetaKey.serverInfo]
        return ServerInfo(
            protocolVersion: version, transport: transport, name: serverInfo?["name"]?.stringValue,
            version: serverInfo?["version"]?.stringValue, instructions: result["instructions"]?.stringValue,
            capabilities: result["capabilities"] ?? [:], sessionID: nil)
    }

    /// The stateful handshake: `initialize`, then `notifications/initialized`
    /// (2025-11-25 lifecycle.mdx).
    func initialize(version: String, transport: ServerInfo.TransportKind) async throws(MCPError)
        -> ServerInfo
    {
        let params: JSONValue = [
            "protocolVersion": .string(version),
            "capabilities": capabilities,
            "clientInfo": clientInfo.json,
        ]
        let result = try await send(
            "initialize", params: params, version: version, timeout: endpoint.requestTimeout, isInitialize: true)
        guard let agreed = result["protocolVersion"]?.stringValue else {
            // A number or an object where the revision's name belongs: say what came instead.
            let sent = result["protocolVersion"].map { " (it sent \(ServerText.oneLine($0.serialized(), limit: 60)))" }
            throw fail(.protocolViolation("initialize result has no protocolVersion string" + (sent ?? "")))
        }
        let acceptable =
            transport == .sse
            ? [ProtocolVersion.legacySSE] + ProtocolVersion.stateful
            : ProtocolVersion.stateful + [ProtocolVersion.legacySSE]
        guard acceptable.contains(agreed) else {
            throw fail(.unsupportedVersion(offered: [agreed]))
        }
        do {
            try await notify("notifications/initialized", version: agreed, timeout: endpoint.requestTimeout)
        } catch {
            // A server can answer `initialize` and then leave this POST hanging; say which step.
            guard case .timeout(let seconds) = error.kind else { throw error }
            throw noAnswer(to: "notifications/initialized", within: seconds)
        }
        return ServerInfo(
            protocolVersion: agreed, transport: transport, name: result["serverInfo"]?["name"]?.stringValue,
            version: result["serverInfo"]?["version"]?.stringValue,
            instructions: result["instructions"]?.stringValue, capabilities: result["capabilities"] ?? [:],
            sessionID: wire?.sessionID)
    }
}
