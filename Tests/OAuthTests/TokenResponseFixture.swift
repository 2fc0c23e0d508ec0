import MCPClient
import Support

@testable import OAuth

enum TokenResponseFixture {
    static func make(access: String, refresh: String?, expiresIn: Double?) -> TokenResponse? {
        var json: JSONValue = ["access_token": .string(access), "token_type": "Bearer"]
        if let refresh { json["refresh_token"] = .string(refresh) }
        if let expiresIn { json["expires_in"] = .double(expiresIn) }
        return TokenResponse(json: json)
    }
}
