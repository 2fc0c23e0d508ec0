import Foundation

/// Which hosts are this machine's loopback: for the rules that allow plain http there (OAuth
/// endpoints), where a bridge listens, and which pages may call it.
public enum Loopback {
    /// `localhost`, `::1` (with or without brackets) and addresses in 127.0.0.0/8, parsed as
    /// addresses: `127.0.0.1.evil.example` is a name that resolves anywhere, not loopback.
    public static func isHost(_ host: String) -> Bool {
        var bare = host.lowercased()
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if bare == "localhost" || bare == "localhost." { return true }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            var loopback = in6addr_loopback
            return withUnsafeBytes(of: &v6) { mine in withUnsafeBytes(of: &loopback) { mine.elementsEqual($0) } }
        }
        // Four dotted decimal parts, each 0...255 (inet_pton's strict form), the first 127.
        var v4 = in_addr()
        guard inet_pton(AF_INET, bare, &v4) == 1 else { return false }
        return UInt32(bigEndian: v4.s_addr) >> 24 == 127
    }
}
