extension StringProtocol {
    /// Without leading and trailing whitespace: spaces, tabs and other Unicode White_Space,
    /// and line breaks unless `newlines` is false. Uses the standard library's Unicode tables;
    /// Foundation's `CharacterSet` loads CoreFoundation's (most of a megabyte resident).
    public func trimmed(newlines: Bool = true) -> String {
        func isSpace(_ character: Character) -> Bool {
            character.isWhitespace && (newlines || !character.isNewline)
        }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) }) ?? first
        return String(self[first...last])
    }
}
