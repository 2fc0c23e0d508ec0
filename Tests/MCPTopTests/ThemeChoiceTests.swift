import Dashboard
import Foundation
import Testing

@testable import mcptop

@Suite struct ThemeChoiceTests {
    let folder = NSTemporaryDirectory() + "theme-choice-\(UUID().uuidString)"

    func write(_ name: String, bytes: Int) throws -> ThemeSource {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = "\(folder)/\(name).theme"
        let line = "ok.fg = \"green\"\n"
        let text = String(repeating: line, count: max(1, bytes / line.utf8.count))
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return .file(path: path)
    }

    /// A huge theme that is not selected is never read at start-up (it would be refused); the
    /// selected one is parsed, and `T` reads the huge one only when it comes to it.
    @Test func onlyTheSelectedThemeIsReadAtStartUp() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let huge = try write("huge", bytes: ThemeLoader.maxFileBytes + 100)
        let mine = try write("mine", bytes: 1)
        let (choices, index, warnings) = try Themes.choices(
            available: ["huge": huge, "mine": mine], requested: "mine")
        #expect(choices.map(\.name) == ["huge", "mine"])
        #expect(index == 1)
        #expect(warnings.isEmpty)
        guard case .failure(let error) = choices[0].load() else {
            Issue.record("a theme over the cap loaded")
            return
        }
        #expect(
            error.description
                == "\(folder)/huge.theme: the theme file is larger than 256 KiB, the most a theme may hold")
    }

    @Test func aSelectedThemeOverTheCapIsAUsageErrorNamingTheFile() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let huge = try write("huge", bytes: ThemeLoader.maxFileBytes + 100)
        #expect {
            try Themes.choices(available: ["huge": huge], requested: "huge")
        } throws: { error in
            (error as? CommandFailure)?.message.contains("huge.theme: the theme file is larger than 256 KiB") == true
        }
    }
}
