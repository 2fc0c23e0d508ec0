/// What a cell means, not how it looks: a theme maps each role to colours and attributes.
public enum Role: String, Sendable, CaseIterable, Hashable {
    case normal, dim, title, border, header, selected, ok, warn, error, accent, hint, hintKey, gaugeFull, gaugeEmpty,
        popup, input, inputFocused
}

/// Text attributes a theme may add to a role.
public struct Attributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let underline = Attributes(rawValue: 2)
    public static let reverse = Attributes(rawValue: 4)
    public static let dim = Attributes(rawValue: 8)
}
