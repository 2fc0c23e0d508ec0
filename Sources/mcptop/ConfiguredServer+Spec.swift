import Config
import Monitor

extension ConfiguredServer {
    /// The server as the monitor and the one-shot commands use it; whether OAuth applies is
    /// decided by `ServerSpec.oauthApplies(to:)`, and how requests are authorized by
    /// `ServerSpec.authorizer`.
    var spec: ServerSpec {
        ServerSpec(
            endpoint: endpoint, oauth: oauth, usesOAuth: ServerSpec.oauthApplies(to: endpoint), problem: problem,
            displayTarget: displayTarget)
    }

    /// The URL that OAuth protects: the MCP endpoint (or the SSE URL of the legacy transport).
    var httpURL: String? { endpoint.httpURL }
}
