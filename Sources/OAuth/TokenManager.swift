import Foundation
import HTTP
import Support

/// Keeps one server's login usable: hands out the access token at the moment a request is
/// sent, refreshes it before it expires, and makes sure only one refresh runs at a time —
/// across tasks (one shared refresh) and across processes (a file lock, then a re-read of the
/// store, so a refresh token another process rotated is used rather than presented again).
public actor TokenManager {
    public nonisolated let serverName: String
    public nonisolated let serverURL: String
    public nonisolated let settings: OAuthSettings
    private let store: TokenStore
    private let endpoint: TokenEndpoint
    private let http: HTTPClient
    private let now: @Sendable () -> Date
    private let onChange: @Sendable (Credential?) -> Void
    private let onStep: AuthStepHandler

    private var credential: Credential? {
        didSet { unchangedSince = nil }
    }
    private var loaded = false
    /// The credentials folder when the store was last read, if that read is still what the
    /// store holds; set only by `reload`, so a credential changed here is read again.
    private var unchangedSince: TokenStore.FolderStamp?
    private var refreshing: Task<RefreshReport, Error>?

    public init(
        serverName: String, serverURL: String, store: TokenStore, settings: OAuthSettings = OAuthSettings(),
        http: HTTPClient = .shared, now: @escaping @Sendable () -> Date = { Date() },
        onStep: @escaping AuthStepHandler = { _ in }, onChange: @escaping @Sendable (Credential?) -> Void = { _ in }
    ) {
        self.serverName = serverName
        self.serverURL = serverURL
        self.store = store
        self.settings = settings
        self.now = now
        self.http = http
        self.onChange = onChange
        endpoint = TokenEndpoint(server: serverName, http: OAuthHTTP(server: serverName, http: http, onStep: onStep))
        self.onStep = onStep
    }

    // MARK: Reading

    /// The stored login, read from disk the first time.
    /// Without one, or with one the server refused, the store is read again whenever its
    /// credentials folder changed since the last read: a login made by another process (the
    /// dashboard, `mcptop auth`) is picked up without a restart, and a server that needs no
    /// login does not list the folder at every request.
    public func current() throws(OAuthError) -> Credential? {
        if !loaded || credential == nil || credential?.unusableReason != nil {
            if let unchangedSince, store.credentialsStamp() == unchangedSince { return credential }
            try reload()
        }
        return credential
    }

    private func reload() throws(OAuthError) {
        // Before reading: a login saved while the store is read changes the folder after this.
        let stamp = store.credentialsStamp()
        do {
            credential = try store.loadCredential(serverURL: serverURL)
            loaded = true
            unchangedSince = stamp
        } catch {
            throw OAuthError(server: serverName, .needsLogin(reason: "the stored login \(error)"))
        }
    }

    /// When the next proactive refresh is due, if the expiry is known.
    public func refreshDue() throws(OAuthError) -> Date? {
        guard let credential = try current() else { return nil }
        return settings.refreshTime(obtainedAt: credential.obtainedAt, expiresAt: credential.expiresAt)
    }

    /// The access token to send now, refreshed first when it is due; nil when there is no login
    /// (the server may not need one). A transient refresh failure still returns a token that
    /// has not expired.
    public func accessToken() async throws(OAuthError) -> String? {
        guard var record = try current() else { return nil }
        if record.unusableReason != nil {
            try reload()  // another process may have logged in since
            guard let fresh = credential else { return nil }
            record = fresh
            if let reason = record.unusableReason { throw OAuthError(server: serverName, .needsLogin(reason: reason)) }
        }
        let due = settings.refreshTime(obtainedAt: record.obtainedAt, expiresAt: record.expiresAt)
        guard record.accessToken == nil || due.map({ now() >= $0 }) == true else { return record.accessToken }
        do {
            _ = try await refresh(rejected: nil)
        } catch {
            let expired = record.expiresAt.map { now() >= $0 } ?? false
            if error.isTransient, !expired, let token = record.accessToken { return token }
            throw error
        }
        return credential?.accessToken
    }

    /// The server refused `token` (401). Refreshes unless that token is already replaced;
    /// returns whether a different token is now available to retry with.
    /// `challenge` is the 401's Bearer challenge: its `resource_metadata` tells which
    /// authorization server the server trusts now.
    public func rejected(token: String?, challenge: AuthChallenge? = nil) async throws(OAuthError) -> Bool {
        guard try current() != nil else { return false }
        if let current = credential?.accessToken, current != token, credential?.unusableReason == nil {
            return true  // a refresh since that request already replaced it
        }
        try await checkAuthorizationServer(challenge: challenge)
        _ = try await refresh(rejected: token)
        return credential?.accessToken != nil && credential?.accessToken != token
    }

    /// Before a refused token is refreshed: when the server's protected resource metadata no
    /// longer names the issuer of the stored login, its refresh token and client are not
    /// presented anywhere; the login is marked unusable with the change in words, and a new
    /// login (a new registration at the new issuer) is needed. When the metadata cannot be read
    /// or names no server, the refresh goes ahead as before.
    private func checkAuthorizationServer(challenge: AuthChallenge?) async throws(OAuthError) {
        guard var record = credential, record.unusableReason == nil else { return }
        let named: [String]
        do {
            named =
                try await Discovery(server: serverName, http: http)
                .authorizationServers(mcpURL: serverURL, challenge: challenge) ?? []
        } catch {
            return
        }
        guard let now = named.first, !named.contains(where: { Discovery.sameIssuer($0, record.issuer) }) else { return }
        let reason = "the authorization server of \(serverName) changed from \(record.issuer) to \(now)"
        onStep(AuthStep(action: "authorization server", outcome: "changed from \(record.issuer) to \(now)"))
        record.unusableReason = reason
        record.lastRefreshResult = "not tried: the authorization server changed"
        // Under the lock, over the generation it was read as: a login stored meanwhile (at
        // the new authorization server) is kept, and used.
        let (marked, generation) = (record, record.generation)
        let newer = try? await store.withLock(serverURL: serverURL) { lock in
            await self.persistQuietly(marked, lock, over: generation) != nil
        }
        if newer == true { return }
        throw OAuthError(server: serverName, .needsLogin(reason: reason))
    }

    /// Refreshes now, whatever the expiry, and says what the server did.
    public func refreshNow() async throws(OAuthError) -> RefreshReport {
        guard try current() != nil else {
            throw OAuthError(server: serverName, .needsLogin(reason: "there is no stored login"))
        }
        return try await refresh(rejected: credential?.accessToken, force: true)
    }

    /// A new login replaces whatever was stored (under the store's lock, as the next generation).
    public func replace(with newCredential: Credential) async throws(OAuthError) {
        let stored: Credential
        do {
            stored = try await store.saveLogin(newCredential)
        } catch {
            throw OAuthError(server: serverName, .protocolError("cannot store the login: \(error)"))
        }
        credential = stored
        loaded = true
        onChange(stored)
    }

    /// A login flow (``LoginFlow``, ``DeviceLogin``) stored a new login: the stored record is
    /// read back rather than written again, since a refresh in another process may already
    /// have moved it on.
    public func loginStored() throws(OAuthError) {
        try reload()
        onChange(credential)
    }

    /// Forgets the login (after revocation, by `logout`).
    public func forget() throws(OAuthError) {
        do {
            try store.deleteCredential(serverURL: serverURL)
        } catch {
            throw OAuthError(server: serverName, .protocolError("cannot delete the login: \(error)"))
        }
        credential = nil
        loaded = true
        onChange(nil)
    }

    /// Waits for a refresh in progress to finish (and be stored), e.g. before the process exits.
    public func settle() async {
        _ = try? await refreshing?.value
    }

    // MARK: Refreshing

    /// One refresh at a time: callers arriving while one runs share its outcome.
    private func refresh(rejected: String?, force: Bool = false) async throws(OAuthError) -> RefreshReport {
        if let refreshing {
            return try await Self.outcome(of: refreshing, server: serverName)
        }
        let known = credential?.accessToken
        let task = Task { () async throws -> RefreshReport in
            try await self.refreshUnderLock(known: known, rejected: rejected, force: force)
        }
        refreshing = task
        defer { refreshing = nil }
        return try await Self.outcome(of: task, server: serverName)
    }

    private static func outcome(of task: Task<RefreshReport, Error>, server: String) async throws(OAuthError)
        -> RefreshReport
    {
        do {
            return try await task.value
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(server: server, .transient("\(error)"))
        }
    }

    private func refreshUnderLock(known: String?, rejected: String?, force: Bool) async throws -> RefreshReport {
        try await store.withLock(serverURL: serverURL) { lock in
            try await self.refreshLocked(lock, known: known, rejected: rejected, force: force)
        }
    }

    private func refreshLocked(_ lock: CredentialLock, known: String?, rejected: String?, force: Bool)
        async throws(OAuthError) -> RefreshReport
    {
        try reload()
        guard var record = credential else {
            throw OAuthError(server: serverName, .needsLogin(reason: "there is no stored login"))
        }
        // What this refresh started from: its result is written only over this generation.
        let generation = record.generation
        if let reason = record.unusableReason { throw OAuthError(server: serverName, .needsLogin(reason: reason)) }
        // Another process refreshed while we waited for the lock: use its token.
        if !force, let token = record.accessToken, token != known, token != rejected {
            let due = settings.refreshTime(obtainedAt: record.obtainedAt, expiresAt: record.expiresAt)
            if due.map({ now() < $0 }) ?? true {
                onChange(record)
                var report = RefreshReport(
                    rotated: false, expiresInPresent: record.expiresAt != nil, scopesChanged: false,
                    expiresAt: record.expiresAt)
                report.adopted = true
                return report
            }
        }
        guard let refreshToken = record.refreshToken else {
            let reason = "the access token expired and the server issued no refresh token"
            record.unusableReason = reason
            if let newer = persistQuietly(record, lock, over: generation) { return newer }
            throw OAuthError(server: serverName, .needsLogin(reason: reason))
        }
        var adaptations = store.loadAdaptations(issuer: record.issuer)
        let secret = settings.clientSecret ?? (try? store.loadRegistration(issuer: record.issuer))??.clientSecret
        let started = now()
        do {
            var tokens: TokenResponse
            do {
                tokens = try await refreshRequest(record, refreshToken: refreshToken, secret: secret, adaptations)
            } catch {
                // A known refusal (Entra's `resource` with `scope`): adapt once, remember it.
                let sentResource =
                    !adaptations.has(.omitResource) && settings.resourceParameter(discovered: record.resource) != nil
                guard case .refused(_, let code?, let description) = error,
                    let change = adaptations.change(
                        forError: code, description: description, sentResource: sentResource, scopes: record.scopes),
                    change == .omitResource
                else { throw error }
                let reason = change.reason(
                    refusal: IssuerAdaptations.refusalName(error: code, description: description))
                adaptations.changes[change] = reason
                try? store.save(adaptations)
                onStep(AuthStep(action: "adapted", outcome: reason))
                tokens = try await refreshRequest(record, refreshToken: refreshToken, secret: secret, adaptations)
            }
            var report = record.apply(refresh: tokens, now: started)
            if record.expiresAt == nil {
                await endpoint.learnExpiry(of: &record, clientSecret: secret)
                report.expiresAt = record.expiresAt
            }
            // The rotated refresh token is on disk before the new access token is used.
            let outcome: TokenStore.SaveOutcome
            do {
                outcome = try store.save(record, under: lock, replacing: generation)
            } catch {
                throw OAuthError(server: serverName, .protocolError("cannot store the refreshed login: \(error)"))
            }
            switch outcome {
            case .saved(let stored):
                credential = stored
                onChange(stored)
                return report
            case .superseded(let newer):
                return try superseded(by: newer)
            }
        } catch let failure as TokenEndpoint.Failure {
            record.lastRefreshAt = started
            switch failure {
            case .transient(let detail):
                // Nothing is deleted or marked; the caller backs off and tries again. Watchers
                // learn of it even when the current token still serves and nothing is thrown.
                record.lastRefreshResult = "failed, will retry: \(detail)"
                credential = record
                onChange(record)
                throw OAuthError(server: serverName, .transient(detail))  // "refresh: …"
            case .invalidGrant(let detail):
                let reason = "the server refused the refresh token (\(detail))"
                record.lastRefreshResult = "invalid_grant"
                record.unusableReason = reason
                if let newer = persistQuietly(record, lock, over: generation) { return newer }
                throw OAuthError(server: serverName, .needsLogin(reason: reason))
            case .invalidClient(let detail):
                try? store.deleteRegistration(issuer: record.issuer)
                let reason =
                    "the authorization server no longer knows this client (\(detail)); it will be registered again"
                record.lastRefreshResult = "invalid_client"
                record.unusableReason = reason
                if let newer = persistQuietly(record, lock, over: generation) { return newer }
                throw OAuthError(server: serverName, .needsLogin(reason: reason))
            case .refused(let detail, _, _):
                let reason = "the refresh was refused (\(detail))"
                record.lastRefreshResult = "refused"
                record.unusableReason = reason
                if let newer = persistQuietly(record, lock, over: generation) { return newer }
                throw OAuthError(server: serverName, .needsLogin(reason: reason))
            }
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError(server: serverName, .transient("\(error)"))
        }
    }

    /// One `refresh_token` grant, without what the issuer is known to refuse.
    private func refreshRequest(
        _ record: Credential, refreshToken: String, secret: String?, _ adaptations: IssuerAdaptations
    ) async throws(TokenEndpoint.Failure) -> TokenResponse {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if !adaptations.has(.omitResource), let resource = settings.resourceParameter(discovered: record.resource) {
            form.append(("resource", resource))
        }
        if !record.scopes.isEmpty { form.append(("scope", record.scopes.joined(separator: " "))) }
        form += settings.tokenParams.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return try await endpoint.request(
            record.tokenEndpoint, form, clientSecret: secret, clientID: record.clientID,
            authMethod: record.tokenEndpointAuthMethod, what: "refresh")
    }

    /// Records why the login is unusable; the tokens stay as they were. Returns the report of
    /// taking over a login stored since the refresh started, which is kept as it is.
    private func persistQuietly(_ record: Credential, _ lock: CredentialLock, over generation: Int)
        -> RefreshReport?
    {
        switch try? store.save(record, under: lock, replacing: generation) {
        case .superseded(let newer?):
            return try? superseded(by: newer)
        case .saved(let stored):
            credential = stored
        case .superseded(nil):
            credential = nil  // logged out meanwhile
        case nil:
            credential = record  // not written (a full disk): known here at least
        }
        onChange(credential)
        return nil
    }

    /// The refresh's result is discarded: another process stored a new login (or deleted the
    /// login) since the refresh started, and that wins.
    private func superseded(by newer: Credential?) throws(OAuthError) -> RefreshReport {
        credential = newer
        onChange(newer)
        onStep(AuthStep(action: "refresh", outcome: "result discarded: a newer login was stored meanwhile"))
        guard let newer else { throw OAuthError(server: serverName, .needsLogin(reason: "the login was removed")) }
        var report = RefreshReport(
            rotated: false, expiresInPresent: newer.expiresAt != nil, scopesChanged: false, expiresAt: newer.expiresAt)
        report.adopted = true
        return report
    }
}
