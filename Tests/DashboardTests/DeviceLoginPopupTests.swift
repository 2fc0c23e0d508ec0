import Foundation
import OAuth
import Support
import Testing

@testable import Dashboard
@testable import Monitor

/// The device login in the dashboard (RFC 8628): `v` in the browser login's popup asks for a
/// code instead; the code, the address and a QR code of it are shown, at 80×24 too, and the
/// QR code drawn is the one of the address (read back from the screen).
@Suite struct DeviceLoginPopupTests {
    let trust = TrustTests()
    let prompt = DeviceLoginPrompt(
        userCode: "WDJB-MJHT", verificationURI: "https://microsoft.com/devicelogin",
        verificationURIComplete: nil, expiresIn: 900)

    @Test func vInTheLoginPopupAsksForADeviceCodeInstead() {
        var state = RenderTests.state()
        let url = "https://auth.example.com/authorize?client_id=x"
        _ = Reducer.reduce(
            &state, trust.event("acme", .login(.waitingForBrowser(url: url, scopes: [], offersDeviceLogin: true))))
        #expect(Renderer.render(state).text.contains("vDevice code"))
        #expect(trust.press([.character("v")], &state) == [.command(server: "acme", .deviceLogin)])
        #expect(state.overlay == nil)
        #expect(state.status?.awaiting == .login(server: "acme"))
    }

    /// An authorization server without a `device_authorization_endpoint`: `v` is not offered,
    /// and pressed anyway it keeps the browser login and says why.
    @Test func vIsNeitherOfferedNorTakenWithoutADeviceAuthorizationEndpoint() {
        var state = RenderTests.state(width: 80, height: 24)
        let url = "https://auth.example.com/authorize?client_id=x"
        _ = Reducer.reduce(&state, trust.event("acme", .login(.waitingForBrowser(url: url, scopes: []))))
        let text = Renderer.render(state).text
        #expect(!text.contains("Device code") && !text.contains("v uses a code"), "\(text)")
        #expect(trust.press([.character("v")], &state).isEmpty, "the browser login is not cancelled")
        #expect(state.overlay == .loginURL(server: "acme", url: url))
        #expect(state.status?.text.contains("offers no device login") == true)
        #expect(state.status?.role == .warn)
    }

    @Test func theDevicePopupsFooterOffersNoDeviceCode() {
        var state = RenderTests.state(width: 80, height: 24)
        _ = Reducer.reduce(&state, trust.event("acme", .login(.waitingForCode(prompt))))
        let footer = Renderer.render(state).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(!footer.contains("Device code") && footer.contains("Hide"), "\(footer)")
        #expect(trust.press([.character("v")], &state).isEmpty)
    }

    /// The failure a device login ends in is logged with one "login failed:", not two.
    @Test func aFailedLoginSaysLoginFailedOnce() {
        var state = RenderTests.state()
        let detail = "https://auth.example.com offers no device authorization (RFC 8628)"
        _ = Reducer.reduce(&state, trust.event("acme", .login(.failed(detail))))
        #expect(state.log.all.last?.contains("login failed: \(detail)") == true)
        #expect(state.log.all.last?.contains("login failed: login failed") == false)
    }

    @Test func theCodeTheAddressAndAQRCodeAreShownAtEightyByTwentyFour() throws {
        var state = RenderTests.state(width: 80, height: 24)
        _ = Reducer.reduce(&state, trust.event("acme", .login(.waitingForCode(prompt))))
        #expect(
            state.overlay
                == .deviceCode(
                    server: "acme", userCode: "WDJB-MJHT", verificationURI: "https://microsoft.com/devicelogin",
                    complete: nil))
        #expect(state.status?.text.contains("WDJB-MJHT") == true)
        for popupIsLight in [false, true] {
            state.popupIsLight = popupIsLight
            let rows = trust.rows(Renderer.render(state))
            #expect(rows.contains { $0.hasPrefix("  WDJB-MJHT") })
            #expect(rows.contains { $0.hasPrefix("https://microsoft.com/devicelogin") })
            // The QR code of the address, as the encoder draws it, at the right of the popup.
            let candidates = [QRCode.Correction.medium, .low].compactMap {
                QRCode("https://microsoft.com/devicelogin", correction: $0)
            }.flatMap { code in [2, 1].map { code.halfBlockLines(quietZone: $0, darkIsInk: popupIsLight) } }
            let shown = candidates.contains { lines in
                rows.indices.contains { start in
                    start + lines.count <= rows.count
                        && lines.indices.allSatisfy {
                            Self.trimmed(rows[start + $0]).hasSuffix(Self.trimmed(lines[$0]))
                        }
                }
            }
            #expect(shown, "popup light: \(popupIsLight)\n\(rows.joined(separator: "\n"))")
        }
        #expect(trust.press([.character("y")], &state) == [.copy("https://microsoft.com/devicelogin")])
        _ = Reducer.reduce(&state, trust.event("acme", .login(.succeeded("logged in"))))
        #expect(state.overlay == nil)
    }

    @Test func withoutRoomTheQRCodeGivesWayNotTheCode() {
        var state = RenderTests.state(width: 60, height: 14)
        _ = Reducer.reduce(&state, trust.event("acme", .login(.waitingForCode(prompt))))
        let text = Renderer.render(state).text
        #expect(text.contains("WDJB-MJHT") && text.contains("https://microsoft.com/devicelogin"))
        #expect(!text.contains("▀"))
    }

    /// Hidden, the popup's facts stay in the detail pane and the describe view, and `y` there
    /// copies the address.
    @Test func aHiddenDeviceLoginIsInTheDetailPaneAndTheDescribeView() {
        var state = RenderTests.state()
        state.servers[0].pendingLogin = PendingLogin(
            url: nil, scopes: [], startedAt: RenderTests.now, device: prompt)
        let facts = DetailPane.tokenFacts(state.servers[0], now: RenderTests.now, offset: 0).map(\.0)
        #expect(facts.contains("enter the code WDJB-MJHT at https://microsoft.com/devicelogin"))
        _ = trust.press([.character("d")], &state)
        #expect(Renderer.render(state).text.contains("enter the code WDJB-MJHT"))
        #expect(trust.press([.character("y")], &state) == [.copy("https://microsoft.com/devicelogin")])
    }

    /// Screen text has no trailing spaces (a light quiet zone drawn on a light popup is spaces).
    static func trimmed(_ line: String) -> Substring {
        line[..<(line.lastIndex { $0 != " " }.map { line.index(after: $0) } ?? line.startIndex)]
    }
}
