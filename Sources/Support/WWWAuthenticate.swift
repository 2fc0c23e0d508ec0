/// One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1), e.g.
/// `Bearer resource_metadata="https://…", scope="files:read", error="insufficient_scope"`.
public struct AuthChallenge: Sendable, Equatable {
    /// The scheme, lower-cased (`bearer`).
    public var scheme: String
    /// Parameters with lower-cased names and unquoted values.
    public var parameters: [String: String]
    public var token68: String?

    public init(scheme: String, parameters: [String: String] = [:], token68: String? = nil) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
        self.token68 = token68
    }

    public subscript(name: String) -> String? { parameters[name.lowercased()] }

    /// RFC 9728 §5.1: where the protected resource metadata lives.
    public var resourceMetadata: String? { self["resource_metadata"] }
    /// RFC 6750 §3: the scopes the request needs, space-separated.
    public var scope: String? { self["scope"] }
    public var error: String? { self["error"] }
    public var errorDescription: String? { self["error_description"] }

    /// Parses every challenge in one or more header values. Malformed parts are skipped rather
    /// than failing the whole header: a server's odd spacing must not hide its Bearer challenge.
    public static func parse(_ headerValues: [String]) -> [AuthChallenge] {
        headerValues.flatMap { parse($0) }
    }

    public static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = ChallengeScanner(Array(header.unicodeScalars))
        var challenges: [AuthChallenge] = []
        var current: AuthChallenge?
        while true {
            scanner.skip { $0 == " " || $0 == "\t" || $0 == "," }
            if scanner.atEnd { break }
            guard let name = scanner.token() else {
                scanner.skipUntilComma()
                continue
            }
            scanner.skip { $0 == " " || $0 == "\t" }
            if scanner.peek == "=", current != nil, !scanner.isToken68Padding() {
                // name = value: a parameter of the current challenge.
                scanner.advance()
                scanner.skip { $0 == " " || $0 == "\t" }
                let value = scanner.peek == "\"" ? scanner.quotedString() : scanner.token() ?? ""
                current?.parameters[name.lowercased()] = value
                continue
            }
            // Otherwise `name` starts a new challenge, maybe followed by a token68.
            if let finished = current { challenges.append(finished) }
            current = AuthChallenge(scheme: name)
            if let token68 = scanner.token68() { current?.token68 = token68 }
        }
        if let finished = current { challenges.append(finished) }
        return challenges
    }
}

private struct ChallengeScanner {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { index >= scalars.count }
    var peek: Unicode.Scalar? { atEnd ? nil : scalars[index] }
    mutating func advance() { index += 1 }

    mutating func skip(while predicate: (Unicode.Scalar) -> Bool) {
        while let c = peek, predicate(c) { index += 1 }
    }

    mutating func skipUntilComma() {
        while let c = peek, c != "," { index += 1 }
    }

    /// RFC 9110 §5.6.2 tchar: DIGIT, ALPHA and ``!#$%&'*+-.^_`|~``. A switch on the value: this
    /// runs once per character of every header.
    static func isTokenChar(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E...0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    mutating func token() -> String? {
        let start = index
        skip(while: ChallengeScanner.isTokenChar)
        guard index > start else { return nil }
        return String(String.UnicodeScalarView(scalars[start..<index]))
    }

    /// `=` after a name that is really the padding of a token68 (`Basic abc==`), i.e. only
    /// `=` signs up to a comma or the end.
    func isToken68Padding() -> Bool {
        var i = index
        while i < scalars.count, scalars[i] == "=" { i += 1 }
        while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
        return i >= scalars.count || scalars[i] == ","
    }

    /// A token68 right after a scheme: token68 characters, then `=` padding, then a comma or
    /// the end. Anything else (a parameter name) is left for the caller.
    mutating func token68() -> String? {
        let start = index
        skip { $0 == " " || $0 == "\t" }
        let valueStart = index
        skip { ChallengeScanner.isTokenChar($0) || $0 == "/" }
        var end = index
        if index == valueStart {
            index = start
            return nil
        }
        if peek == "=" {
            guard isToken68Padding() else {
                index = start
                return nil
            }
            skip { $0 == "=" }
            end = index
        }
        skip { $0 == " " || $0 == "\t" }
        guard atEnd || peek == "," else {
            index = start
            return nil
        }
        return String(String.UnicodeScalarView(scalars[valueStart..<end]))
    }

    mutating func quotedString() -> String {
        advance()  // opening quote
        var value = String.UnicodeScalarView()
        while let c = peek {
            advance()
            if c == "\"" { break }
            if c == "\\", let escaped = peek {
                advance()
                value.append(escaped)
            } else {
                value.append(c)
            }
        }
        return String(value)
    }
}
