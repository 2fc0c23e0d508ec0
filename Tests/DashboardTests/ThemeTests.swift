import Dashboard
import Foundation
import Support
import Testing

@Suite struct ThemeTests {
    /// The repository's `themes/` folder, found from this file.
    static let themesFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes").path

    static func shippedThemes() throws -> [(name: String, text: String)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: themesFolder).filter { $0.hasSuffix(".theme") }
        return try files.sorted().map { file in
            (
                String(file.dropLast(".theme".count)),
                try String(contentsOfFile: themesFolder + "/" + file, encoding: .utf8)
            )
        }
    }

    // MARK: Shipped themes

    @Test func everyShippedThemeParsesWithoutWarningsAndSetsEveryKey() throws {
        let themes = try Self.shippedThemes()
        let names = Set(themes.map(\.name))
        for required in ["dark", "light", "high-contrast", "solarized-dark", "gruvbox-dark"] {
            #expect(names.contains(required), "themes/\(required).theme is missing")
        }
        for (name, text) in themes {
            let (theme, warnings) = Theme.parse(text, source: "themes/\(name).theme")
            #expect(warnings.isEmpty, "\(warnings.map(\.description))")
            #expect(theme.name == name)
            let keys = text.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { return nil }
                return trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            }
            #expect(Set(keys) == Set(Theme.keys), "\(name): missing \(Set(Theme.keys).subtracting(keys).sorted())")
            #expect(keys.count == Theme.keys.count, "\(name) sets a key twice")
            #expect(text.hasPrefix("# mcptop theme: \(name)"))
            #expect(text.contains("Format: one `key = \"value\"` per line"))
        }
    }

    @Test func darkThemeFileMatchesTheBuiltInTheme() throws {
        let text = try String(contentsOfFile: Self.themesFolder + "/dark.theme", encoding: .utf8)
        let (theme, warnings) = Theme.parse(text, source: "dark.theme")
        #expect(warnings.isEmpty)
        #expect(theme == Theme.builtIn)
        for role in Role.allCases { #expect(theme.style(role) == Theme.builtIn.style(role), "\(role)") }
    }

    /// ok is green-ish, warn yellow/orange, error red, and the selection stands out from both
    /// the screen and the popups it is drawn in.
    @Test func shippedThemesUseSensibleColoursForTheRoles() throws {
        for (name, text) in try Self.shippedThemes() {
            let theme = Theme.parse(text, source: name).0
            func rgb(_ role: Role) -> (r: Int, g: Int, b: Int)? {
                theme.style(role).fg.rgbComponents.map { (Int($0.red), Int($0.green), Int($0.blue)) }
            }
            let ok = try #require(rgb(.ok), "\(name): ok needs a colour")
            #expect(ok.g > ok.r && ok.g > ok.b, "\(name): ok is not green \(ok)")
            let warn = try #require(rgb(.warn), "\(name): warn needs a colour")
            #expect(
                warn.r > warn.b + 80 && warn.g > warn.b && warn.g * 3 > warn.r,
                "\(name): warn is not yellow/orange \(warn)")
            let error = try #require(rgb(.error), "\(name): error needs a colour")
            #expect(error.r > error.g + 80 && error.r > error.b + 60, "\(name): error is not red \(error)")
            let selected = theme.style(.selected)
            let stands =
                selected.attributes.contains(.reverse)
                || (selected.bg != theme.style(.normal).bg && selected.bg != theme.style(.popup).bg)
            #expect(stands, "\(name): the selection does not stand out")
            #expect(selected.fg != selected.bg)
        }
    }

    // MARK: Parsing

    @Test func unknownKeysAreReportedWithTheirLine() {
        let text = """
            # a comment

            name = "x"
            sucess.fg = "#00ff00"
            ok.colour = "red"
            ok.fg = "green"
            """
        let (theme, warnings) = Theme.parse(text, source: "themes/x.theme")
        #expect(
            warnings.map(\.description) == [
                "themes/x.theme:4: unknown key \"sucess.fg\" (ignored)",
                "themes/x.theme:5: unknown key \"ok.colour\" (ignored)",
            ])
        #expect(warnings.map(\.line) == [4, 5])
        #expect(warnings.map(\.key) == ["sucess.fg", "ok.colour"])
        #expect(theme.name == "x")
        #expect(theme.style(.ok).fg == .ansi(2))
    }

    @Test func malformedLinesAndValuesAreReportedAndSkipped() {
        let text = """
            ok.fg = "#12345"
            ok.bg = "256"
            ok.attrs = "bold, blink"
            warn.fg = #ff0000
            this line has no equals sign
            error.fg = "red
            error.bg = "blue" trailing
            title.fg = "purple"
            = "red"
            """
        let (theme, warnings) = Theme.parse(text, source: "t.theme")
        #expect(warnings.map(\.line) == Array(1...9))
        #expect(warnings[0].description.hasPrefix("t.theme:1: ok.fg: \"#12345\" is not a colour (expected #RRGGBB"))
        #expect(warnings[1].description.hasPrefix("t.theme:2: ok.bg: \"256\" is not a colour"))
        #expect(
            warnings[2].description
                == "t.theme:3: ok.attrs: unknown attribute \"blink\" (expected bold, underline, reverse, dim or none)")
        #expect(
            warnings[3].description
                == "t.theme:4: expected key = \"value\": the value of warn.fg must be in double quotes")
        #expect(warnings[4].description == "t.theme:5: expected key = \"value\"")
        #expect(warnings[5].message.contains("no closing quote"))
        #expect(warnings[6].message.contains("unexpected text after the value of error.bg"))
        #expect(warnings[7].message.contains("\"purple\" is not a colour"))
        // Nothing bad was applied.
        for role in Role.allCases { #expect(theme.style(role) == Theme.builtIn.style(role), "\(role)") }
        #expect(theme.name == "t")
    }

    @Test func missingKeysFallBackToTheBuiltInTheme() {
        let text = "ok.fg = \"#00ff00\"  # a trailing comment\r\nselected.attrs = \"reverse,underline\"\r\n"
        let (theme, warnings) = Theme.parse(text, source: "/home/me/.config/mcptop/themes/mine.theme")
        #expect(warnings.isEmpty)
        #expect(theme.name == "mine")
        #expect(theme.style(.ok) == RoleStyle(fg: .rgb(0, 255, 0)))
        #expect(theme.style(.selected).attributes == [.reverse, .underline])
        #expect(theme.style(.selected).fg == Theme.builtIn.style(.selected).fg)
        for role in Role.allCases where role != .ok && role != .selected {
            #expect(theme.style(role) == Theme.builtIn.style(role), "\(role)")
        }
        #expect(Theme.parse("", source: "empty.theme").0.styles == Theme.builtIn.styles)
    }

    @Test func keysNameRolesInAnyCase() {
        let (theme, warnings) = Theme.parse(
            "OK.FG = \"red\"\nhintkey.bg = \"blue\"\nInputFocused.Attrs = \"underline\"\n", source: "c.theme")
        #expect(warnings.isEmpty)
        #expect(theme.style(.ok).fg == .ansi(1))
        #expect(theme.style(.hintKey).bg == .ansi(4))
        #expect(theme.style(.inputFocused).attributes == [.underline])
    }

    @Test func aKeySetTwiceWarnsAndTheLaterValueWins() {
        let (theme, warnings) = Theme.parse("ok.fg = \"red\"\nok.fg = \"blue\"\n", source: "d.theme")
        #expect(
            warnings.map(\.description) == ["d.theme:2: \"ok.fg\" was already set on line 1 (this later value wins)"])
        #expect(theme.style(.ok).fg == .ansi(4))
    }

    /// The parser reads bytes; lines, blanks, keys and values are still what `Character`
    /// makes of them. Random files of keys, quotes, comments and every Unicode line break and
    /// space parse as the same file rewritten in canonical form by a `Character` reading.
    @Test func bytesSplitLinesAndTrimSpaceAsCharactersDo() {
        let pieces = [
            "ok.fg", "name", "warn.bg", "title.attrs", "=", "\"", "#", "red", "bold", "x", "é", "中", "👍", " ", "\t",
            "\u{A0}", "\u{1680}", "\u{2003}", "\u{200A}", "\u{200B}", "\u{202F}", "\u{205F}", "\u{3000}", "\n", "\r\n",
            "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<3000 {
            let text = (0..<next(40)).map { _ in pieces[next(pieces.count)] }.joined()
            let (theme, warnings) = Theme.parse(text, source: "r.theme")
            let (expectedTheme, expectedWarnings) = Theme.parse(Self.canonical(text), source: "r.theme")
            #expect(warnings == expectedWarnings, "\(Array(text.unicodeScalars))")
            #expect(theme == expectedTheme, "\(Array(text.unicodeScalars))")
        }
    }

    /// `text` line by line as a `Character` reading sees it, each line rewritten so that any
    /// parser gets it right: blank, `key = "value"`, or the shortest line with the same problem.
    /// It begins with a byte order mark, which the parser drops, so that a line beginning with
    /// one stays as it is.
    static func canonical(_ text: String) -> String {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { raw -> String in
            let line = raw.trimmed()
            if line.isEmpty || line.hasPrefix("#") { return "" }
            guard let equals = line.firstIndex(of: "=") else { return "x" }
            let key = line[..<equals].trimmed(newlines: false)
            guard !key.isEmpty, !key.contains(where: \.isWhitespace) else { return "x" }
            let rest = line[line.index(after: equals)...].trimmed(newlines: false)
            guard rest.hasPrefix("\"") else { return "\(key) = x" }
            let value = rest.dropFirst()
            guard let closing = value.firstIndex(of: "\"") else { return "\(key) = \"x" }
            let trailing = value[value.index(after: closing)...].trimmed(newlines: false)
            guard trailing.isEmpty || trailing.hasPrefix("#") else { return "\(key) = \"\" x" }
            return "\(key) = \"\(value[..<closing])\""
        }
        return "\u{FEFF}" + lines.joined(separator: "\n")
    }

    @Test func colourValues() {
        #expect(Color("#FF8000") == .rgb(255, 128, 0))
        #expect(Color("#0a0b0c") == .rgb(10, 11, 12))
        #expect(Color.rgb(10, 11, 255).themeText == "#0a0bff")
        #expect(Color("0") == .index(0))
        #expect(Color("255") == .index(255))
        #expect(Color("red") == .ansi(1))
        #expect(Color("bright-white") == .ansi(15))
        #expect(Color("Default") == .default)
        for bad in ["256", "-1", "+5", "#fff", "#gg0000", "#12345678", "purple", "bright-", "", "0x10"] {
            #expect(Color(bad) == nil, "\(bad)")
        }
        for color in [Color.rgb(1, 35, 255), .index(67), .ansi(9), .ansi(0), .default] {
            #expect(Color(color.themeText) == color)
        }
    }

    // MARK: Colour depth

    @Test func rgbMapsToTheNearestXterm256Colour() {
        #expect(Color.rgb(255, 0, 0).downsampled(to: .colors256) == .index(196))
        #expect(Color.rgb(0, 0, 0).downsampled(to: .colors256) == .index(16))
        #expect(Color.rgb(255, 255, 255).downsampled(to: .colors256) == .index(231))
        #expect(Color.rgb(0x5F, 0x87, 0xAF).downsampled(to: .colors256) == .index(67))
        // Greys land on the greyscale ramp (232–255), not the cube.
        #expect(Color.rgb(128, 128, 128).downsampled(to: .colors256) == .index(244))
        #expect(Color.rgb(0x28, 0x28, 0x28).downsampled(to: .colors256) == .index(235))
        #expect(Color.rgb(0x30, 0x30, 0x30).downsampled(to: .colors256) == .index(236))
        #expect(Color.rgb(250, 0, 5).downsampled(to: .colors256) == .index(196))
        #expect(Color.rgb(255, 0, 0).terminalIndex == 196)
        // Already fine at 256 colours.
        #expect(Color.index(117).downsampled(to: .colors256) == .index(117))
        #expect(Color.ansi(9).downsampled(to: .colors256) == .ansi(9))
        #expect(Color.rgb(1, 2, 3).downsampled(to: .trueColor) == .rgb(1, 2, 3))
    }

    @Test func coloursMapToTheNearestOfTheEightAnsiColours() {
        #expect(Color.rgb(255, 0, 0).downsampled(to: .colors8) == .ansi(1))
        #expect(Color.rgb(0, 200, 0).downsampled(to: .colors8) == .ansi(2))
        #expect(Color.rgb(0xFE, 0x80, 0x19).downsampled(to: .colors8) == .ansi(3))  // gruvbox orange → yellow
        #expect(Color.rgb(0x00, 0x2B, 0x36).downsampled(to: .colors8) == .ansi(0))  // solarized base03 → black
        #expect(Color.rgb(240, 240, 240).downsampled(to: .colors8) == .ansi(7))
        #expect(Color.index(196).downsampled(to: .colors8) == .ansi(1))
        #expect(Color.index(9).downsampled(to: .colors8) == .ansi(1))
        #expect(Color.ansi(12).downsampled(to: .colors8) == .ansi(4))
        #expect(Color.default.downsampled(to: .colors8) == .default)
        #expect(Color.rgb(1, 2, 3).downsampled(to: .none) == .default)
    }

    @Test func resolvedThemesOnlyUseWhatTheTerminalHas() throws {
        for (name, text) in try Self.shippedThemes() {
            let theme = Theme.parse(text, source: name).0
            for role in Role.allCases {
                let at256 = theme.resolved(for: .colors256).style(role)
                for color in [at256.fg, at256.bg] {
                    if case .rgb = color { Issue.record("\(name) \(role): RGB left at 256 colours") }
                }
                let at8 = theme.resolved(for: .colors8).style(role)
                for color in [at8.fg, at8.bg] {
                    switch color {
                    case .default: break
                    case .ansi(let number): #expect(number < 8, "\(name) \(role)")
                    default: Issue.record("\(name) \(role): \(color) at 8 colours")
                    }
                }
                if at8.fg != .default, theme.style(role).fg != theme.style(role).bg {
                    #expect(at8.fg != at8.bg, "\(name) \(role): invisible text at 8 colours")
                }
            }
            #expect(theme.resolved(for: .trueColor) == theme)
        }
        // A bright colour on an 8-colour terminal is the normal one in bold.
        let highContrast = try String(contentsOfFile: Self.themesFolder + "/high-contrast.theme", encoding: .utf8)
        let ok = Theme.parse(highContrast, source: "hc").0.resolved(for: .colors8).style(.ok)
        #expect(ok.fg == .ansi(2) && ok.attributes.contains(.bold))
    }

    @Test func withoutColoursOnlyAttributesRemainAndTheSelectionIsReversed() {
        let plain = Theme.builtIn.resolved(for: .none)
        for role in Role.allCases {
            let style = plain.style(role)
            #expect(style.fg == .default && style.bg == .default, "\(role)")
            #expect(style.attributes.isSuperset(of: Theme.builtIn.style(role).attributes), "\(role)")
        }
        #expect(plain.style(.selected).attributes.contains(.reverse))
        #expect(plain.style(.inputFocused).attributes.contains(.reverse))
        #expect(plain.style(.error).attributes == [.bold])
        #expect(plain.style(.ok).attributes.isEmpty)
    }

    @Test func noColorFollowsNoColorOrg() {
        #expect(!ThemeLoader.noColorRequested(environment: [:]))
        #expect(!ThemeLoader.noColorRequested(environment: ["NO_COLOR": ""]))
        #expect(ThemeLoader.noColorRequested(environment: ["NO_COLOR": "1"]))
        #expect(ThemeLoader.noColorRequested(environment: ["NO_COLOR": "0"]))
    }

    // MARK: Finding theme files

    /// A scratch folder, removed at the end of the test.
    static func scratch() throws -> URL {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath()
        let folder = base.appendingPathComponent("mcptop-theme-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func write(_ text: String, to path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: path, atomically: true, encoding: .utf8)
    }

    @Test func searchPathsGoFromTheUserToTheInstallationToTheRepository() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = root.appendingPathComponent("repo")
        try Self.write("ok.fg = \"green\"\n", to: repo.appendingPathComponent("themes/dark.theme"))
        let binary = repo.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug/mcptop")
        try Self.write("", to: binary)

        let paths = ThemeLoader.defaultSearchPaths(
            environment: ["XDG_CONFIG_HOME": "/xdg", "HOME": "/home/me"], executablePath: binary.path)
        #expect(
            paths == [
                "/xdg/mcptop/themes",
                repo.path + "/.build/x86_64-unknown-linux-gnu/share/mcptop/themes",
                repo.path + "/.build/x86_64-unknown-linux-gnu/debug/themes",
                repo.path + "/themes",
            ])

        // Without XDG_CONFIG_HOME (or with it empty), ~/.config; a symlink like .build/debug is followed.
        let link = repo.appendingPathComponent(".build/debug")
        try FileManager.default.createSymbolicLink(
            at: link, withDestinationURL: repo.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug"))
        let viaLink = ThemeLoader.defaultSearchPaths(
            environment: ["XDG_CONFIG_HOME": "", "HOME": "/home/me"], executablePath: link.path + "/mcptop")
        #expect(viaLink.first == "/home/me/.config/mcptop/themes")
        #expect(Array(viaLink.dropFirst()) == Array(paths.dropFirst()))

        // Installed: <prefix>/bin/mcptop finds <prefix>/share/mcptop/themes, and a bare name is found in PATH.
        let prefix = root.appendingPathComponent("usr")
        try Self.write("", to: prefix.appendingPathComponent("bin/mcptop"))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: prefix.appendingPathComponent("bin/mcptop").path)
        let installed = ThemeLoader.defaultSearchPaths(
            environment: ["HOME": "/home/me", "PATH": "/nonexistent:" + prefix.path + "/bin"], executablePath: "mcptop")
        #expect(
            installed == [
                "/home/me/.config/mcptop/themes", prefix.path + "/share/mcptop/themes", prefix.path + "/bin/themes",
            ])
    }

    @Test func theFirstSearchPathWithANameWinsAndUnknownNamesListTheAvailableOnes() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let user = root.appendingPathComponent("user")
        let shipped = root.appendingPathComponent("shipped")
        try Self.write("name = \"mine\"\nok.fg = \"blue\"\n", to: user.appendingPathComponent("dark.theme"))
        try Self.write("ok.fg = \"green\"\n", to: shipped.appendingPathComponent("dark.theme"))
        try Self.write("bogus.fg = \"green\"\n", to: shipped.appendingPathComponent("light.theme"))
        try Self.write("not a theme", to: shipped.appendingPathComponent("README.md"))
        let paths = [root.appendingPathComponent("missing").path, user.path, shipped.path]

        #expect(
            ThemeLoader.available(searchPaths: paths, bundled: [:]) == [
                "dark": .file(path: user.path + "/dark.theme"), "light": .file(path: shipped.path + "/light.theme"),
            ])
        let (dark, darkWarnings) = try ThemeLoader.load(named: "dark", searchPaths: paths).get()
        #expect(darkWarnings.isEmpty)
        #expect(dark.name == "mine")
        #expect(dark.style(.ok).fg == .ansi(4))

        let (_, lightWarnings) = try ThemeLoader.load(named: "light", searchPaths: paths).get()
        #expect(
            lightWarnings.map(\.description) == [shipped.path + "/light.theme:1: unknown key \"bogus.fg\" (ignored)"])

        let result = ThemeLoader.load(named: "solarised", searchPaths: paths, bundled: [:])
        #expect(throws: ThemeError.unknown(name: "solarised", available: ["dark", "light"])) { try result.get() }
        if case .failure(let error) = result {
            #expect(error.description == "no theme named \"solarised\" (available: dark, light)")
        }
        // With the shipped themes compiled in, the list has them too.
        let withBuiltIn = ThemeLoader.load(named: "solarised", searchPaths: paths)
        if case .failure(let error) = withBuiltIn {
            #expect(
                error.description
                    == "no theme named \"solarised\" (available: dark, gruvbox-dark, high-contrast, light, nord, "
                    + "solarized-dark)")
        } else {
            Issue.record("\"solarised\" was found")
        }
        // A path works too.
        let (byPath, _) = try ThemeLoader.load(named: shipped.path + "/dark.theme", searchPaths: []).get()
        #expect(byPath.style(.ok).fg == .ansi(2))
    }

    @Test func theRepositoryThemesAreAllLoadable() throws {
        let available = ThemeLoader.available(searchPaths: [Self.themesFolder], bundled: [:])
        #expect(available.count >= 6)
        for name in available.keys {
            let (theme, warnings) = try ThemeLoader.load(named: name, searchPaths: [Self.themesFolder]).get()
            #expect(warnings.isEmpty)
            #expect(theme.name == name)
        }
    }

    // MARK: Themes compiled into the binary

    @Test func theCompiledInThemesMatchTheThemesFolder() throws {
        let files = Dictionary(uniqueKeysWithValues: try Self.shippedThemes().map { ($0.name, $0.text) })
        #expect(
            BundledThemes.files.keys.sorted() == files.keys.sorted(),
            "Sources/Dashboard/BundledThemes.swift is out of date: run python3 scripts/embed-themes.py")
        for (name, text) in files {
            #expect(
                BundledThemes.files[name] == text,
                "\(name) differs from themes/\(name).theme: run python3 scripts/embed-themes.py")
        }
    }

    @Test func everyShippedThemeIsAvailableWithoutThemeFilesAndLoadsLikeItsFile() throws {
        let available = ThemeLoader.available(searchPaths: [])
        let shipped = try Self.shippedThemes()
        #expect(available.keys.sorted() == shipped.map(\.name))
        for required in ["dark", "light", "high-contrast", "solarized-dark", "gruvbox-dark", "nord"] {
            #expect(available[required] == .builtIn(name: required), "\(required)")
        }
        for (name, text) in shipped {
            let (theme, warnings) = try ThemeLoader.load(named: name, searchPaths: []).get()
            #expect(warnings.isEmpty, "\(name): \(warnings)")
            #expect(theme == Theme.parse(text, source: "themes/\(name).theme").0, "\(name)")
            #expect(theme.name == name)
        }
        // Folders without themes change nothing.
        let missing = ThemeLoader.available(searchPaths: ["/nonexistent/mcptop/themes"])
        #expect(missing == available)
        #expect(ThemeSource.builtIn(name: "nord").description == "built-in themes/nord.theme")
    }

    @Test func aThemeFileOverridesTheCompiledInThemeOfTheSameName() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let user = root.appendingPathComponent("user")
        let file = user.appendingPathComponent("nord.theme")
        try Self.write("ok.fg = \"blue\"\nsucess.fg = \"red\"\n", to: file)
        try Self.write("ok.fg = \"red\"\n", to: user.appendingPathComponent("mine.theme"))

        let available = ThemeLoader.available(searchPaths: [user.path])
        #expect(available["nord"] == .file(path: file.path))
        #expect(available["mine"] == .file(path: user.path + "/mine.theme"))
        #expect(available["dark"] == .builtIn(name: "dark"))
        #expect(available.count == BundledThemes.files.count + 1)

        let (nord, warnings) = try ThemeLoader.load(named: "nord", searchPaths: [user.path]).get()
        #expect(nord.style(.ok).fg == .ansi(4))
        // Keys the file leaves out come from the built-in dark theme, not the shipped nord.
        #expect(nord.style(.normal) == Theme.builtIn.style(.normal))
        #expect(warnings.map(\.description) == [file.path + ":2: unknown key \"sucess.fg\" (ignored)"])
        let (dark, _) = try ThemeLoader.load(named: "dark", searchPaths: [user.path]).get()
        #expect(dark == Theme.builtIn)
    }

    @Test func aThemePathThatDoesNotExistIsUnknownAndOneThatCannotBeReadIsUnreadable() throws {
        let result = ThemeLoader.load(named: "/nonexistent/x.theme", searchPaths: [], bundled: ["dark": ""])
        #expect(throws: ThemeError.unknown(name: "/nonexistent/x.theme", available: ["dark"])) { try result.get() }
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: ThemeError.unreadable(path: root.path)) {
            try ThemeLoader.load(.file(path: root.path)).get()
        }
    }
}

/// A theme's problems reach the screen, not only stderr behind it: one status line says how
/// many, the first in full, and that the rest are printed on exit.
@Suite struct ThemeWarningSummaryTests {
    @Test func oneLineNamesTheThemeTheCountAndTheFirstProblem() {
        let warnings = [
            ThemeWarning(source: "/t/bad.toml", line: 3, key: "normal.fg", message: "unknown colour \"purple\""),
            ThemeWarning(source: "/t/bad.toml", line: 4, message: "not key = value"),
        ]
        #expect(ThemeWarning.summary([], theme: "bad") == nil)
        let text = ThemeWarning.summary(warnings, theme: "bad") ?? ""
        #expect(text.hasPrefix("theme bad has 2 problems, shown with built-in styles: /t/bad.toml:3: unknown colour"))
        #expect(text.hasSuffix("(and 1 more; mcptop prints them all on exit)"))
    }
}
