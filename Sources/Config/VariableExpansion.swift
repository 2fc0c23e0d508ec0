/// `${VAR}` and `${VAR:-default}` in config values, as Claude Code and VS Code write them.
/// `$$` stands for a literal `$`.
public enum VariableExpansion {
    /// The expanded text and the names of variables that were not set (and had no default).
    public static func expand(_ text: String, environment: [String: String]) -> (String, [String]) {
        guard text.contains("$") else { return (text, []) }
        var output = ""
        var missing: [String] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest.index(after: dollar)
            if after < rest.endIndex, rest[after] == "$" {
                output += "$"
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard after < rest.endIndex, rest[after] == "{",
                let close = rest[after...].firstIndex(of: "}")
            else {
                output += "$"
                rest = rest[after...]
                continue
            }
            let body = rest[rest.index(after: after)..<close]
            let name: Substring
            var fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
            }
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                missing.append(String(name))
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return (output, missing)
    }
}
