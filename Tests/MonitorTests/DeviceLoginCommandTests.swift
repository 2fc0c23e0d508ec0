import DemoServer
import Foundation
import HTTP
import MCPClient
import Monitor
import OAuth
import Testing

/// The dashboard's device login (RFC 8628) through the supervisor, against the Okta emulation
/// (device grant: https://developer.okta.com/docs/guides/device-authorization-grant/main/): the
/// code reaches the events and the snapshot, the user approves on "another device", and the
/// login is stored and connects; `oauth.deviceLogin` makes the ordinary login key do the same.
@Suite struct DeviceLoginCommandTests {
    @Test(arguments: [false, true])
    func aDeviceLoginShowsTheCodeAndConnectsOnceApproved(configAsks: Bool) async throws {
        let fixture = ProviderFixture(.okta)
        try await fixture.start()
        let secret = "test-secret-0123456789"
        fixture.provider.registerClient(id: ProviderFixture.clientID, secret: secret)
        var settings = OAuthSettings(clientID: ProviderFixture.clientID, clientSecret: secret)
        settings.deviceLogin = configAsks
        let spec = ServerSpec(
            endpoint: ServerEndpoint(
                name: "idp", transport: .streamableHTTP(url: fixture.mcpURL), connectTimeout: 2, requestTimeout: 5),
            oauth: settings, usesOAuth: true)
        let hub = EventHub()
        let events = hub.subscribe()
        let supervisor = Supervisor(spec: spec, store: temporaryStore(), hub: hub)
        let run = Task { await supervisor.run() }
        #expect(await eventually("needs a login") { await supervisor.currentState.phase == .needsLogin })
        await supervisor.send(configAsks ? .login(openBrowser: false, extraScopes: []) : .deviceLogin)
        #expect(await eventually("the code") { await supervisor.snapshot().pendingLogin?.device != nil })
        let prompt = try #require(await supervisor.snapshot().pendingLogin?.device)
        #expect(prompt.verificationURI == fixture.providerOrigin + "/device")
        // The user enters the code on another device.
        _ = try await HTTPClient.shared.send(HTTPRequest(url: prompt.verificationURIComplete ?? ""))
        #expect(
            await eventually("connected with the new login", timeout: .seconds(20)) {
                await supervisor.currentState.phase == .connected
            })
        run.cancel()
        await run.value
        hub.finish()
        var updates: [LoginUpdate] = []
        for await event in events { if case .login(let update) = event.kind { updates.append(update) } }
        #expect(updates.contains(.waitingForCode(prompt)))
        #expect(updates.contains { if case .succeeded = $0 { true } else { false } })
        #expect(!updates.contains { if case .waitingForBrowser = $0 { true } else { false } })
        await fixture.stop()
    }

    /// The browser login says whether the authorization server offers a device login, so the
    /// dashboard offers `v` only then; asked for anyway, the failure says "login failed" once
    /// (the dashboard and the log add it).
    @Test(arguments: [false, true])
    func theBrowserLoginSaysWhetherADeviceLoginIsOffered(offered: Bool) async throws {
        let fixture = ProviderFixture(.okta) { $0.deviceAuthorization = offered }
        try await fixture.start()
        fixture.provider.registerClient(id: ProviderFixture.clientID, secret: nil)
        let spec = ServerSpec(
            endpoint: ServerEndpoint(
                name: "idp", transport: .streamableHTTP(url: fixture.mcpURL), connectTimeout: 2, requestTimeout: 5),
            oauth: OAuthSettings(clientID: ProviderFixture.clientID), usesOAuth: true)
        let hub = EventHub()
        let events = hub.subscribe()
        let seen = LoginUpdates()
        let reader = Task {
            for await event in events { if case .login(let update) = event.kind { await seen.add(update) } }
        }
        let supervisor = Supervisor(spec: spec, store: temporaryStore(), hub: hub)
        let run = Task { await supervisor.run() }
        #expect(await eventually("needs a login") { await supervisor.currentState.phase == .needsLogin })
        await supervisor.send(.login(openBrowser: false, extraScopes: []))
        #expect(await eventually("the login URL") { await supervisor.snapshot().pendingLogin?.url != nil })
        if !offered {
            await supervisor.send(.deviceLogin)
            #expect(await eventually("the device login fails") { await seen.failure != nil })
        }
        run.cancel()
        await run.value
        hub.finish()
        await reader.value
        let updates = await seen.all
        #expect(updates.contains { if case .waitingForBrowser(_, _, offered) = $0 { true } else { false } })
        if !offered {
            let failure = await seen.failure
            #expect(failure?.contains("offers no device authorization") == true, "\(updates)")
            #expect(failure?.hasPrefix("login failed") == false, "\(failure ?? "")")
        }
        await fixture.stop()
    }
}

/// The login updates a test has seen so far.
private actor LoginUpdates {
    var all: [LoginUpdate] = []
    func add(_ update: LoginUpdate) { all.append(update) }
    var failure: String? { all.lazy.compactMap { if case .failed(let detail) = $0 { detail } else { nil } }.first }
}
