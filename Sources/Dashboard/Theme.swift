import Foundation
import MCPClient
import Support

/// A terminal colour as a theme names it.
public enum Color: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case `default`
    /// One of the 16 ANSI colours: 0–7 normal (black red green yellow blue magenta cyan white),
    /// 8–15 their bright variants.
    case ansi(UInt8)
    /// An xterm-256 palette index.
    case index(UInt8)
    /// True colour, mapped down to what the terminal can show (`downsampled(to:)`).
    case rgb(UInt8, UInt8, UInt8)

    /// The eight ANSI colour names, in palette order.
    public static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `#RRGGBB`, `0`–`255`, `red`, `bright-red` or `default` (case-insensitive).
    public init?(_ text: String) {
        let value = text.trimmed(newlines: false).lowercased()
        if value == "default" {
            self = .default
        } else if value.hasPrefix("#") {
            let hex = value.dropFirst()
            guard hex.count == 6, hex.allSatisfy(\.isHexDigit), let number = UInt32(hex, radix: 16) else {
                return nil
            }
            self = .rgb(UInt8(number >> 16 & 0xFF), UInt8(number >> 8 & 0xFF), UInt8(number & 0xFF))
        } else if !value.isEmpty, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) {
            guard let number = UInt8(value) else { return nil }
            self = .index(number)
        } else if let index = Self.names.firstIndex(of: value) {
            self = .ansi(UInt8(index))
        } else if value.hasPrefix("bright-"), let index = Self.names.firstIndex(of: String(value.dropFirst(7))) {
            self = .ansi(UInt8(index + 8))
        } else {
            return nil
        }
    }

    /// The colour as a theme file writes it (`#1e90ff`, `117`, `bright-red`, `default`).
    public var themeText: String {
        switch self {
        case .default: return "default"
        case .ansi(let number):
            let name = Self.names[Int(number % 8)]
            return number >= 8 ? "bright-" + name : name
        case .index(let number): return String(number)
        case .rgb(let r, let g, let b):
            return "#" + NumberText.hex([r, g, b])
        }
    }

    /// The colour number for curses (`init_pair`), nil for the terminal's default. RGB colours
    /// give their nearest xterm-256 index; resolve a theme for the terminal's depth first.
    public var terminalIndex: Int? {
        switch self {
        case .default: return nil
        case .ansi(let number), .index(let number): return Int(number)
        case .rgb(let r, let g, let b): return Int(Self.nearest256(r, g, b))
        }
    }

    /// The red, green and blue a terminal with xterm's default palette shows; nil for `default`.
    public var rgbComponents: (red: UInt8, green: UInt8, blue: UInt8)? {
        switch self {
        case .default: return nil
        case .ansi(let number), .index(let number): return Self.rgb(ofIndex: number)
        case .rgb(let r, let g, let b): return (r, g, b)
        }
    }

    /// The nearest colour a terminal of this depth can show: true colour is kept, RGB goes to
    /// the nearest xterm-256 entry (cube or grey ramp) or the nearest of the 8 ANSI colours, and
    /// `none` leaves only the terminal's default.
    public func downsampled(to depth: ColorDepth) -> Color {
        switch (self, depth) {
        case (.default, _), (_, .trueColor): return self
        case (_, .none): return .default
        case (.ansi, .colors256), (.index, .colors256): return self
        case (.rgb(let r, let g, let b), .colors256): return .index(Self.nearest256(r, g, b))
        case (.ansi(let number), .colors8): return .ansi(number % 8)
        case (.index(let number), .colors8):
            if number < 16 { return .ansi(number % 8) }
            let (r, g, b) = Self.rgb(ofIndex: number)
            return .ansi(Self.nearestANSI(r, g, b))
        case (.rgb(let r, let g, let b), .colors8): return .ansi(Self.nearestANSI(r, g, b))
        }
    }

    /// True for ANSI 8–15 (and xterm indices 8–15), which an 8-colour terminal shows as the
    /// normal colour in bold.
    var isBright: Bool {
        switch self {
        case .ansi(let number), .index(let number): return (8..<16).contains(number)
        default: return false
        }
    }

    // MARK: The xterm palette

    /// The six levels of each channel in the 6×6×6 cube (indices 16–231).
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]
    /// xterm's default values for the 16 ANSI colours.
    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255),
        (0, 255, 255), (255, 255, 255),
    ]

    static func rgb(ofIndex index: UInt8) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let i = Int(index)
        if i < 16 {
            let (r, g, b) = ansiRGB[i]
            return (UInt8(r), UInt8(g), UInt8(b))
        }
        if i >= 232 {
            let level = UInt8(8 + (i - 232) * 10)
            return (level, level, level)
        }
        let cube = i - 16
        let r = UInt8(cubeLevels[cube / 36])
        let g = UInt8(cubeLevels[cube / 6 % 6])
        let b = UInt8(cubeLevels[cube % 6])
        return (r, g, b)
    }

    /// Squared distance weighted roughly by how sensitive the eye is to each channel.
    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0
        let dg = a.1 - b.1
        let db = a.2 - b.2
        let red = dr * dr * 2
        let green = dg * dg * 4
        let blue = db * db * 3
        return red + green + blue
    }

    /// The nearest entry of the 6×6×6 cube or the grey ramp (indices 16–255). The first 16 are
    /// left out: terminals redefine them freely.
    public static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let target = (Int(r), Int(g), Int(b))
        var best = 16
        var bestDistance = Int.max
        for index in 16...255 {
            let candidate = rgb(ofIndex: UInt8(index))
            let d = distance(target, (Int(candidate.red), Int(candidate.green), Int(candidate.blue)))
            if d < bestDistance {
                bestDistance = d
                best = index
            }
        }
        return UInt8(best)
    }

    /// The nearest of the 8 normal ANSI colours (0–7).
    public static func nearestANSI(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let target = (Int(r), Int(g), Int(b))
        let index = (0..<8).min { distance(target, ansiRGB[$0]) < distance(target, ansiRGB[$1]) } ?? 7
        return UInt8(index)
    }
}

/// How many colours the terminal can show.
public enum ColorDepth: Sendable, Equatable, CaseIterable {
    /// 24-bit colour (COLORTERM=truecolor); RGB is used as is.
    case trueColor
    /// xterm-256.
    case colors256
    /// The 8 ANSI colours (TERM=screen, the Linux console).
    case colors8
    /// No colour at all (NO_COLOR, a terminal without colours): attributes only.
    case none
}

/// How one role looks.
public struct RoleStyle: Sendable, Hashable {
    public var fg: Color
    public var bg: Color
    public var attributes: Attributes

    public init(fg: Color = .default, bg: Color = .default, attributes: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }
}

/// A problem in a theme file, with where it is: `themes/x.theme:12: unknown key "sucess.fg" (ignored)`.
public struct ThemeWarning: Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int
    /// The key the line set, when the line got that far.
    public var key: String?
    public var message: String

    public init(source: String, line: Int, key: String? = nil, message: String) {
        self.source = source
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String { "\(source):\(line): \(message)" }

    /// One status line for a theme's warnings: how many, the first in full, the file to fix.
    public static func summary(_ warnings: [ThemeWarning], theme: String) -> String? {
        guard let first = warnings.first else { return nil }
        let count = warnings.count == 1 ? "a problem" : "\(warnings.count) problems"
        return "theme \(theme) has \(count), shown with built-in styles: \(first)"
            + (warnings.count > 1 ? " (and \(warnings.count - 1) more; mcptop prints them all on exit)" : "")
    }
}

/// Colours and attributes for every role.
public struct Theme: Sendable, Equatable {
    public var name: String
    /// Every role has a style: those not given come from the built-in theme.
    public private(set) var styles: [Role: RoleStyle]

    public init(name: String, styles: [Role: RoleStyle] = [:]) {
        self.name = name
        self.styles = Self.darkStyles.merging(styles) { _, given in given }
    }

    public func style(_ role: Role) -> RoleStyle {
        styles[role] ?? Self.darkStyles[role] ?? RoleStyle()
    }

    /// Whether popups have a light background (the terminal's own is taken to be dark).
    public var popupIsLight: Bool { Self.isLight(style(.popup).bg) ?? false }

    /// Whether a colour is light (by its luminance); nil for the terminal's own.
    static func isLight(_ color: Color) -> Bool? {
        guard let (r, g, b) = color.rgbComponents else { return nil }
        return 299 * Int(r) + 587 * Int(g) + 114 * Int(b) > 128_000
    }

    /// The dark default, compiled in so mcptop works without theme files (themes/dark.theme
    /// holds the same values).
    public static let builtIn = Theme(name: "dark")

    private static let darkStyles: [Role: RoleStyle] = [
        .normal: RoleStyle(),
        .dim: RoleStyle(fg: .index(245)),
        .title: RoleStyle(fg: .index(231), bg: .index(24), attributes: .bold),
        .border: RoleStyle(fg: .index(240)),
        .header: RoleStyle(fg: .index(117), attributes: .bold),
        .selected: RoleStyle(fg: .index(231), bg: .index(25), attributes: .bold),
        .ok: RoleStyle(fg: .index(114)),
        .warn: RoleStyle(fg: .index(221)),
        .error: RoleStyle(fg: .index(203), attributes: .bold),
        .accent: RoleStyle(fg: .index(81)),
        .hint: RoleStyle(fg: .index(252), bg: .index(236)),
        .hintKey: RoleStyle(fg: .index(16), bg: .index(117), attributes: .bold),
        .gaugeFull: RoleStyle(fg: .index(114)),
        .gaugeEmpty: RoleStyle(fg: .index(238)),
        .popup: RoleStyle(fg: .index(252), bg: .index(235)),
        .input: RoleStyle(fg: .index(231), bg: .index(238)),
        .inputFocused: RoleStyle(fg: .index(16), bg: .index(153)),
    ]

    /// Every key a theme file may set, in the order the shipped files use.
    public static let keys: [String] =
        ["name"] + Role.allCases.flatMap { role in ["fg", "bg", "attrs"].map { role.rawValue + "." + $0 } }

    /// Roles that get reverse video without colours, so the selection, the focused input and
    /// the bars stay visible.
    static let reversedWithoutColor: Set<Role> = [.selected, .title, .hintKey, .inputFocused]

    /// The theme as a terminal of `depth` can show it. Bright ANSI colours on an 8-colour
    /// terminal become the normal colour in bold; a foreground that lands on its background
    /// is replaced by black or white; without colours only attributes remain and the
    /// selection turns to reverse video.
    public func resolved(for depth: ColorDepth) -> Theme {
        var copy = self
        for role in Role.allCases {
            let original = style(role)
            var style = original
            style.fg = original.fg.downsampled(to: depth)
            style.bg = original.bg.downsampled(to: depth)
            if depth == .colors8, original.fg.isBright { style.attributes.insert(.bold) }
            if style.fg == style.bg, style.fg != .default, original.fg != original.bg {
                style.fg = Self.contrasting(style.bg, depth: depth)
            }
            if depth == .none, Self.reversedWithoutColor.contains(role) { style.attributes.insert(.reverse) }
            copy.styles[role] = style
        }
        return copy
    }

    /// Black or white, whichever reads better on `background`.
    static func contrasting(_ background: Color, depth: ColorDepth) -> Color {
        guard let light = isLight(background) else { return .default }
        switch depth {
        case .colors8: return .ansi(light ? 0 : 7)
        case .colors256: return .index(light ? 16 : 231)
        case .trueColor: return light ? .rgb(0, 0, 0) : .rgb(255, 255, 255)
        case .none: return .default
        }
    }

    // MARK: Theme files

    /// Reads a `.theme` file: `key = "value"` lines, `#` comments, blank lines. Keys are
    /// `<role>.fg`, `<role>.bg`, `<role>.attrs` and `name`. Unknown keys and bad lines or values
    /// are reported (`source:line: …`) and skipped; what is missing comes from the built-in theme.
    /// Without a `name` key the theme is named after the file.
    public static func parse(_ text: String, source: String) -> (Theme, [ThemeWarning]) {
        var theme = Theme(name: fileStem(source))
        var warnings: [ThemeWarning] = []
        var seen: [String: Int] = [:]
        // Bytes, not Characters: the same lines, keys and values (every separator below is
        // ASCII or a whole scalar), at a fraction of the cost of grapheme breaking.
        let bytes = Array(text.utf8)
        let bodyStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for (offset, rawLine) in ThemeText.lines(bytes, from: bodyStart).enumerated() {
            let number = offset + 1
            let line = ThemeText.trimmed(bytes, rawLine)
            if line.isEmpty || bytes[line.lowerBound] == UInt8(ascii: "#") { continue }
            switch Self.splitLine(bytes, line) {
            case .failure(let problem):
                warnings.append(ThemeWarning(source: source, line: number, message: problem.message))
            case .success(let (key, value)):
                func warn(_ message: String) {
                    warnings.append(ThemeWarning(source: source, line: number, key: key, message: message))
                }
                if let earlier = seen[key] {
                    warn("\"\(key)\" was already set on line \(earlier) (this later value wins)")
                }
                seen[key] = number
                if let message = apply(key: key, value: value, to: &theme) { warn(message) }
            }
        }
        return (theme, warnings)
    }

    /// The file's name without its folder and extension: `themes/nord.theme` → `nord`.
    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// Role names match in any case. A table, not a search lowercasing every role name for
    /// every line: that was 40% of the time parsing the shipped themes at start-up took.
    private static let rolesByLowercasedName = Dictionary(
        uniqueKeysWithValues: Role.allCases.map { ($0.rawValue.lowercased(), $0) })

    private struct LineProblem: Error {
        var message: String
    }

    /// `key = "value"` with an optional trailing `# comment`; `line` is trimmed and not empty.
    private static func splitLine(_ bytes: [UInt8], _ line: Range<Int>) -> Result<(String, String), LineProblem> {
        let expected = "expected key = \"value\""
        guard let equals = bytes[line].firstIndex(of: UInt8(ascii: "=")) else {
            return .failure(LineProblem(message: expected))
        }
        let keyBytes = ThemeText.trimmed(bytes, line.lowerBound..<equals)
        guard !keyBytes.isEmpty, !ThemeText.containsSpace(bytes, keyBytes) else {
            return .failure(LineProblem(message: expected))
        }
        let key = String(decoding: bytes[keyBytes], as: UTF8.self)
        let rest = ThemeText.trimmed(bytes, equals + 1..<line.upperBound)
        guard !rest.isEmpty, bytes[rest.lowerBound] == UInt8(ascii: "\"") else {
            return .failure(LineProblem(message: "\(expected): the value of \(key) must be in double quotes"))
        }
        let afterQuote = rest.lowerBound + 1
        guard let closing = bytes[afterQuote..<rest.upperBound].firstIndex(of: UInt8(ascii: "\"")) else {
            return .failure(LineProblem(message: "\(expected): the value of \(key) has no closing quote"))
        }
        let trailing = ThemeText.trimmed(bytes, closing + 1..<rest.upperBound)
        guard trailing.isEmpty || bytes[trailing.lowerBound] == UInt8(ascii: "#") else {
            return .failure(LineProblem(message: "\(expected): unexpected text after the value of \(key)"))
        }
        return .success((key, String(decoding: bytes[afterQuote..<closing], as: UTF8.self)))
    }

    /// Sets one key; returns a warning when the key or the value is not understood.
    private static func apply(key: String, value: String, to theme: inout Theme) -> String? {
        if key == "name" {
            let name = value.trimmed(newlines: false)
            guard !name.isEmpty else { return "name must not be empty" }
            theme.name = name
            return nil
        }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let role = rolesByLowercasedName[parts[0].lowercased()]
        else { return "unknown key \"\(key)\" (ignored)" }
        var style = theme.style(role)
        switch parts[1].lowercased() {
        case "fg", "bg":
            guard let color = Color(value) else {
                return "\(key): \"\(value)\" is not a colour (expected #RRGGBB, 0-255, a colour name such as red "
                    + "or bright-red, or default)"
            }
            if parts[1].lowercased() == "fg" { style.fg = color } else { style.bg = color }
        case "attrs":
            var attributes: Attributes = []
            for word in value.split(separator: ",").map({ $0.trimmed(newlines: false).lowercased() }) {
                switch word {
                case "bold": attributes.insert(.bold)
                case "underline": attributes.insert(.underline)
                case "reverse": attributes.insert(.reverse)
                case "dim": attributes.insert(.dim)
                case "none", "": break
                default:
                    return "\(key): unknown attribute \"\(word)\" (expected bold, underline, reverse, dim or none)"
                }
            }
            style.attributes = attributes
        default:
            return "unknown key \"\(key)\" (ignored)"
        }
        theme.styles[role] = style
        return nil
    }
}

/// Lines and blanks in a theme file's UTF-8, as `Character` sees them (`isNewline`,
/// `isWhitespace`: the Unicode White_Space scalars), found byte by byte. Ranges always fall on
/// scalar boundaries, so any range they bound decodes back to the same text.
enum ThemeText {
    /// The ranges between line breaks: LF, VT, FF, CR, CR LF, NEL, U+2028 and U+2029. A text
    /// ending in a break has an empty last line, as `split(omittingEmptySubsequences: false)`.
    static func lines(_ bytes: [UInt8], from start: Int) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var lineStart = start
        var index = start
        while index < bytes.count {
            let length = newlineLength(bytes, at: index)
            if length == 0 {
                index += 1
                continue
            }
            lines.append(lineStart..<index)
            index += length
            lineStart = index
        }
        lines.append(lineStart..<bytes.count)
        return lines
    }

    /// `range` without the white space at either end.
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper {
            let length = spaceLength(bytes, at: lower, end: upper)
            if length == 0 { break }
            lower += length
        }
        while upper > lower {
            let length = spaceLength(bytes, endingAt: upper, start: lower)
            if length == 0 { break }
            upper -= length
        }
        return lower..<upper
    }

    static func containsSpace(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        // A scalar's first byte is never a continuation byte, so testing every offset finds
        // only whole scalars.
        range.contains { spaceLength(bytes, at: $0, end: range.upperBound) > 0 }
    }

    private static func newlineLength(_ bytes: [UInt8], at index: Int) -> Int {
        switch bytes[index] {
        case 0x0A, 0x0B, 0x0C: return 1
        case 0x0D: return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
        case 0xC2: return index + 1 < bytes.count && bytes[index + 1] == 0x85 ? 2 : 0
        case 0xE2:
            return index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] & 0xFE) == 0xA8 ? 3 : 0
        default: return 0
        }
    }

    /// The length in bytes of the White_Space scalar starting at `index`, or 0.
    private static func spaceLength(_ bytes: [UInt8], at index: Int, end: Int) -> Int {
        let first = bytes[index]
        if first < 0x80 { return (0x09...0x0D).contains(first) || first == 0x20 ? 1 : 0 }
        if index + 2 <= end, isSpace(bytes, index, length: 2) { return 2 }
        if index + 3 <= end, isSpace(bytes, index, length: 3) { return 3 }
        return 0
    }

    /// The length in bytes of the White_Space scalar ending just before `end`, or 0.
    private static func spaceLength(_ bytes: [UInt8], endingAt end: Int, start: Int) -> Int {
        let last = bytes[end - 1]
        if last < 0x80 { return (0x09...0x0D).contains(last) || last == 0x20 ? 1 : 0 }
        if end - 2 >= start, isSpace(bytes, end - 2, length: 2) { return 2 }
        if end - 3 >= start, isSpace(bytes, end - 3, length: 3) { return 3 }
        return 0
    }

    /// Whether the `length` (2 or 3) bytes at `index` encode a White_Space scalar above ASCII:
    /// U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    private static func isSpace(_ bytes: [UInt8], _ index: Int, length: Int) -> Bool {
        let first = bytes[index]
        let second = bytes[index + 1]
        if length == 2 { return first == 0xC2 && (second == 0x85 || second == 0xA0) }
        let third = bytes[index + 2]
        switch first {
        case 0xE1: return second == 0x9A && third == 0x80
        case 0xE2:
            return (second == 0x80 && (third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF))
                || (second == 0x81 && third == 0x9F)
        case 0xE3: return second == 0x80 && third == 0x80
        default: return false
        }
    }
}
