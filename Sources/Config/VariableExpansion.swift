/// `${VAR}` and `${VAR:-default}` in config values, as Claude Code and VS Code write them.
/// `$$` stands for a literal `$`.
public enum VariableExpansion {
    /// The expanded text and the names of variables that were not set (and had no default).
    /// Works on Unicode scalars: as Characters, `}` followed by a combining mark, or `$`
    /// before one, would not be seen.
    public static func expand(_ text: String, environment: [String: String]) -> (String, [String]) {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return (text, []) }
        var output = String.UnicodeScalarView()
        var missing: [String] = []
        var rest = text.unicodeScalars[...]
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest.index(after: dollar)
            if after < rest.endIndex, rest[after] == "$" {
                output.append("$")
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard after < rest.endIndex, rest[after] == "{",
                let close = rest[after...].firstIndex(of: "}")
            else {
                output.append("$")
                rest = rest[after...]
                continue
            }
            let body = rest[rest.index(after: after)..<close]
            var name = body
            var fallback: Substring.UnicodeScalarView?
            if let colon = body.indices.first(where: {
                body[$0] == ":" && body.index(after: $0) < body.endIndex
                    && body[body.index(after: $0)] == "-"
            }) {
                name = body[..<colon]
                fallback = body[body.index(colon, offsetBy: 2)...]
            }
            if let value = environment[String(Substring(name))], !(value.isEmpty && fallback != nil) {
                output += value.unicodeScalars
            } else if let fallback {
                output += fallback
            } else {
                missing.append(String(Substring(name)))
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return (String(output), missing)
    }
}
