// libFuzzer target `www-authenticate`: the WWW-Authenticate parser (RFC 9110 §11.6.1). No
// crash on any header value; every challenge has a scheme.
import Support

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWWWAuthenticate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let values = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for challenge in AuthChallenge.parse(values) where challenge.scheme.isEmpty {
        fatalError("a challenge without a scheme")
    }
    _ = AuthChallenge.parse(text).map { ($0.resourceMetadata, $0.scope, $0.error, $0.errorDescription) }
    return 0
}
