/// Text a server sent (an `error_description`, an `errorSummary`), made safe to show on one
/// line of a terminal: line breaks become " / " (Entra separates its trace lines with CR LF),
/// other control characters (ESC, C1, tabs) become spaces, and the result is cut to `limit`
/// characters. A server cannot move the cursor, clear the screen or forge a line of output.
public enum ServerText {
    public static func oneLine(_ text: some StringProtocol, limit: Int = 200) -> String {
        var result = ""
        var pendingBreak = false
        for character in text.trimmed() {
            if character.isNewline {
                pendingBreak = true
                continue
            }
            if pendingBreak {
                result += " / "
                pendingBreak = false
            }
            let isControl = character.unicodeScalars.contains { $0.properties.generalCategory == .control }
            result.append(isControl ? " " : character)
            if result.count >= limit { return String(result.prefix(limit)) + "…" }
        }
        return result
    }
}
