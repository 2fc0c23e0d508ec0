// libFuzzer target `token-response`: a token endpoint's answer (RFC 6749 §5), JSON or
// form-encoded (GitHub), as mcptop reads it, through to the stored login and its refresh.
// The first byte chooses the HTTP status and the Content-Type; the rest is the body.
// No crash; an expiry is never further than ten years; what an error says holds no control
// character; a login round-trips through the store's encoding.
import Foundation
import Support

@testable import OAuth

let statuses = [200, 400, 401, 429, 500, 503, 200, 302]
let now = Date(timeIntervalSince1970: 1_800_000_000)
let latest = now.addingTimeInterval(BoundedSeconds.longestLifetime)

func hasControl(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0.properties.generalCategory == .control }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let contentType = selector & 1 == 0 ? "application/json" : "application/x-www-form-urlencoded; charset=utf-8"
    let status = statuses[Int(selector >> 1) % statuses.count]
    let json = OAuthHTTP.decode(body: body, contentType: contentType)
    let tokens: TokenResponse
    do {
        tokens = try TokenEndpoint.interpret(status: status, json: json, url: "https://login.example.com/oauth2/token")
    } catch {
        let detail: String
        switch error {
        case .invalidGrant(let text), .invalidClient(let text), .transient(let text), .refused(let text, _, _):
            detail = text
        }
        if hasControl(detail) { fatalError("a control character in a token endpoint error") }
        return 0
    }
    if tokens.accessToken.isEmpty { fatalError("tokens without an access token") }
    for lifetime in [tokens.expiresIn, tokens.refreshTokenExpiresIn] {
        if let lifetime, !(0...BoundedSeconds.longestLifetime).contains(lifetime) {
            fatalError("a lifetime outside ten years: \(lifetime)")
        }
    }
    for date in [tokens.expiresAt(now: now), tokens.refreshTokenExpiresAt(now: now)] {
        if let date, date > latest { fatalError("an expiry further than ten years") }
    }
    if let account = tokens.account, hasControl(account) { fatalError("a control character in the account") }
    var credential = Credential(
        serverURL: "https://mcp.example.com/mcp", resource: "https://mcp.example.com/mcp",
        issuer: "https://login.example.com", clientID: "client",
        tokenEndpoint: "https://login.example.com/oauth2/token",
        revocationEndpoint: nil, tokens: tokens, now: now)
    _ = credential.apply(refresh: tokens, now: now.addingTimeInterval(60))
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .secondsSince1970
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .secondsSince1970
    guard let stored = try? encoder.encode(credential), let read = try? decoder.decode(Credential.self, from: stored)
    else { fatalError("a login that cannot be stored and read back") }
    if read.accessToken != credential.accessToken || read.refreshToken != credential.refreshToken
        || read.scopes != credential.scopes
    {
        fatalError("a login read back differs")
    }
    return 0
}
