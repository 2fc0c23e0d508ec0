import Foundation
import Hummingbird

/// RFC 8628 device authorization grant of an emulated provider: the client gets a device code
/// and a user code, the user "enters" the code at the verification URI (auto-approved, as the
/// authorization endpoint auto-approves), and the client polls the token endpoint meanwhile.
struct DeviceCode: Sendable {
    var issue: Issue
    var userCode: String
    var expiresAt: Date
    /// Polling earlier than this is `slow_down` (RFC 8628 §3.5).
    var nextPoll: Date
    var approved = false
}

extension DemoServer {
    static let deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"
    /// Seconds between polls the emulator asks for (real providers say 5; tests should not wait).
    static let devicePollInterval = 1

    /// POST to the device authorization endpoint (RFC 8628 §3.1, §3.2).
    func deviceAuthorization(_ request: Request) async -> Response {
        let (oauth, form, clientID): (DemoOAuthOptions, [String: String], String)
        switch await clientRequest(request) {
        case .failure(let error): return error.response
        case .success(let client): (oauth, form, clientID) = (client.oauth, client.form, client.clientID)
        }
        var scopes = (form["scope"] ?? "").split(separator: " ").map(String.init)
        if scopes.isEmpty { scopes = oauth.defaultScopes }
        if let refusal = Self.scopeRefusal(scopes, oauth: oauth) {
            return tokenResponse(.failure(.badRequest, error: "invalid_scope", description: refusal))
        }
        let deviceCode = Self.randomToken("device")
        let letters = Array("BCDFGHJKLMNPQRSTVWXZ")
        let userCode = String((0..<8).map { _ in letters.randomElement() ?? "B" }).enumerated()
            .map { $0.offset == 4 ? "-\($0.element)" : String($0.element) }.joined()
        let now = Date()
        let offline = oauth.provider?.issuesRefreshToken(scopes: scopes, accessType: "offline") ?? true
        let record = DeviceCode(
            issue: Issue(clientID: clientID, scopes: scopes, audience: protectedResource, offline: offline),
            userCode: userCode, expiresAt: now.addingTimeInterval(600), nextPoll: now)
        state.withLock { $0.auth.deviceCodes[deviceCode] = record }
        let verification = origin + "/device"
        return Reply.json(
            .ok,
            [
                "device_code": .string(deviceCode), "user_code": .string(userCode),
                "verification_uri": .string(verification),
                "verification_uri_complete": .string(FormData.url(verification, adding: [("user_code", userCode)])),
                "expires_in": 600, "interval": .int(Self.devicePollInterval),
            ], headers: Self.noStore)
    }

    /// The verification page: the user code in the query is approved at once.
    func approveDevice(_ request: Request) -> Response {
        let given = FormData.decode(request.uri.query ?? "").first { $0.0 == "user_code" }?.1 ?? ""
        let approved = state.withLock { state -> Bool in
            guard let (code, _) = state.auth.deviceCodes.first(where: { $0.value.userCode == given }) else {
                return false
            }
            state.auth.deviceCodes[code]?.approved = true
            return true
        }
        return Reply.text(approved ? .ok : .notFound, approved ? "Device approved" : "Unknown code")
    }

    /// The device code grant at the token endpoint (RFC 8628 §3.4, §3.5).
    func deviceGrant(_ form: [String: String], clientID: String, oauth: DemoOAuthOptions) -> TokenOutcome {
        guard let deviceCode = form["device_code"] else { return .invalidRequest("device_code is required") }
        let now = Date()
        let issuer = self.issuer
        let origin = self.origin
        return state.withLock { state -> TokenOutcome in
            guard var record = state.auth.deviceCodes[deviceCode], record.issue.clientID == clientID else {
                return .invalidGrant("unknown device_code")
            }
            guard now < record.expiresAt else {
                state.auth.deviceCodes[deviceCode] = nil
                return .failure(.badRequest, error: "expired_token", description: "the device code expired")
            }
            guard record.approved else {
                let tooSoon = now < record.nextPoll
                record.nextPoll = now.addingTimeInterval(Double(Self.devicePollInterval) - 0.1)
                state.auth.deviceCodes[deviceCode] = record
                return tooSoon
                    ? .failure(.badRequest, error: "slow_down", description: "poll less often")
                    : .failure(
                        .badRequest, error: "authorization_pending", description: "the user has not yet approved")
            }
            state.auth.deviceCodes[deviceCode] = nil
            return .tokens(state.issueTokens(record.issue, oauth: oauth, issuer: issuer, origin: origin, now: now).body)
        }
    }
}
