/// What the TOML parser inside TOMLKit (toml++ 3) must not be given, found by the `config` fuzz
/// target: a table header whose name begins with anything but a bare-key character or a quote
/// (`[é]`, `[=]`, `[!x]`), and a `}` where an array's value belongs (`["-y", }`). toml++ only
/// asserts that these do not happen (an abort in a debug build, undefined behaviour in a
/// release one) instead of reporting an error. They are found here first and reported like a
/// parse error.
enum TOMLPrecheck {
    /// Where the first such header is, or nil. Knows TOML's strings, comments and the
    /// brackets of values, so that only a `[` that opens a line at the top level counts.
    static func problem(in text: String) -> (line: Int, column: Int, message: String)? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var lineStart = 0
        var open: [Unicode.Scalar] = []  // the `[` and `{` of values not closed yet
        var atLineStart = true  // nothing but blanks before, on this line
        var arrayValueDue = false  // after an array's `[` or `,`
        func at(_ offset: Int) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }
        /// Moves past a string opened by `quote` at `index` (one or three of them).
        func skipString(_ quote: Unicode.Scalar) {
            let multiLine = at(1) == quote && at(2) == quote
            index += multiLine ? 3 : 1
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "\\" && quote == "\"" {
                    index += 2
                    continue
                }
                if scalar == "\n" {
                    guard multiLine else { return }  // an unterminated string: the parser says so
                    line += 1
                    lineStart = index + 1
                }
                if scalar == quote {
                    if !multiLine {
                        index += 1
                        return
                    }
                    if at(1) == quote && at(2) == quote {
                        // Up to two more quotes may belong to the string.
                        index += 3
                        while at(0) == quote { index += 1 }
                        return
                    }
                }
                index += 1
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\n":
                line += 1
                lineStart = index + 1
                atLineStart = true
                index += 1
                continue
            case " ", "\t", "\r":
                index += 1
                continue
            case "#":
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
                continue
            case "\"", "'":
                skipString(scalar)
                atLineStart = false
                arrayValueDue = false
                continue
            case "[" where atLineStart && open.isEmpty:
                index += at(1) == "[" ? 2 : 1
                while at(0) == " " || at(0) == "\t" { index += 1 }
                if let first = at(0), !isBareKeyCharacter(first), first != "\"", first != "'", first != "]" {
                    return (
                        line, index - lineStart + 1,
                        "a table name must begin with a letter, a digit, '_', '-' or a quote, not \(first.escaped(asASCII: true))"
                    )
                }
                // The rest of the header is checked by the parser; it ends the line.
                while index < scalars.count && scalars[index] != "\n" && scalars[index] != "#" { index += 1 }
                atLineStart = false
                continue
            case "}" where arrayValueDue:
                return (line, index - lineStart + 1, "a '}' where a value of the array belongs")
            case "[", "{":
                open.append(scalar)
                atLineStart = false
                arrayValueDue = scalar == "["
                index += 1
                continue
            case "]", "}":
                _ = open.popLast()
            case ",":
                atLineStart = false
                arrayValueDue = open.last == "["
                index += 1
                continue
            default:
                break
            }
            atLineStart = false
            arrayValueDue = false
            index += 1
        }
        return nil
    }

    /// TOML 1.0: `A-Za-z0-9_-`.
    static func isBareKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
        default: return false
        }
    }
}
