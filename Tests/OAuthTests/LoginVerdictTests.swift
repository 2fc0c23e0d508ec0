import Foundation
import OAuth
import Testing

@Suite struct LoginVerdictTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func saysHowLongALoginLastsFromWhatTheServerSaid() {
        #expect(
            LoginVerdict.text(
                hasRefreshToken: false, rotates: nil, obtainedAt: start, expiresAt: start.addingTimeInterval(8 * 3600),
                refreshTokenExpiresAt: nil) == "no refresh token: you will log in again every 8h00m")
        #expect(
            LoginVerdict.text(
                hasRefreshToken: true, rotates: true, obtainedAt: start, expiresAt: start.addingTimeInterval(3600),
                refreshTokenExpiresAt: Date(timeIntervalSince1970: 1_803_772_800))
                == "refresh token issued, rotating; access token lasts 1h00m; this login lasts until about 2027-02-28")
        #expect(
            LoginVerdict.text(
                hasRefreshToken: true, rotates: false, obtainedAt: start, expiresAt: nil, refreshTokenExpiresAt: nil)
                == "refresh token issued, not rotating; access token expiry unknown (refreshed on a 401); "
                + "the refresh token's lifetime was not said")
    }
}
