import Foundation
import Support
import Testing

/// The QR encoder against the reference encoder `qrcode` (PyPI; matrices written by
/// Fixtures/write-qr-references.py): for every input, correction level and mask, the same
/// version and the same modules, so any reader that reads the reference's codes reads ours.
@Suite struct QRCodeTests {
    /// Kept in step with INPUTS in write-qr-references.py.
    static let inputs: [String: String] = [
        "short": "https://microsoft.com/devicelogin",
        "complete": "https://login.example.com/activate?user_code=WDJB-MJHT",
        "v7": "https://idp.example.com/realms/corp/device?user_code=ABCD-EFGH&client_id="
            + String(repeating: "x", count: 70),
        "v10": "https://idp.example.com/device?code=" + String(repeating: "0123456789abcdef", count: 13),
        "utf8": "https://例え.jp/デバイス?código=ÆØÅ",
    ]
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/QRCode")

    @Test(arguments: inputs.keys.sorted())
    func everyMaskMatchesTheReferenceEncoder(name: String) throws {
        let text = try #require(Self.inputs[name])
        for (level, correction) in [("L", QRCode.Correction.low), ("M", .medium)] {
            for mask in 0...7 {
                let file = Self.folder.appendingPathComponent("\(name)-\(level)-\(mask).txt")
                let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
                let version = try #require(Int(lines[0].dropFirst("version ".count)))
                let code = QRCode(bytes: Array(text.utf8), correction: correction, mask: mask)
                guard version <= 10 else {
                    #expect(code == nil, "\(name) \(level): more than version 10 holds")
                    continue
                }
                let ours = try #require(code, "\(name) \(level) \(mask)")
                #expect(ours.version == version, "\(name) \(level) \(mask)")
                let rows = ours.modules.map { String($0.map { $0 ? "#" : "." }) }
                #expect(rows == Array(lines.dropFirst()), "\(name) \(level) mask \(mask)")
            }
        }
    }

    @Test func theChosenMaskIsOneOfTheEightAndTheSizeFollowsTheVersion() throws {
        let code = try #require(QRCode("https://microsoft.com/devicelogin", correction: .low))
        #expect((0...7).contains(code.mask))
        #expect(code.size == 4 * code.version + 17)
        #expect(QRCode(bytes: Array(repeating: 0x41, count: 272), correction: .low) == nil)
        #expect(QRCode(bytes: Array(repeating: 0x41, count: 271), correction: .low)?.version == 10)
        #expect(QRCode.capacity(version: 1, .low) == 17 && QRCode.capacity(version: 10, .medium) == 213)
    }

    /// Two module rows a line, the quiet zone around, and the ink on dark or light modules.
    @Test func halfBlocksDrawTwoRowsALine() throws {
        let code = try #require(QRCode("x", correction: .low))
        let lines = code.halfBlockLines(quietZone: 2, darkIsInk: true)
        #expect(lines.count == (21 + 4 + 1) / 2)
        #expect(lines.allSatisfy { $0.count == 25 })
        #expect(lines[0] == String(repeating: " ", count: 25))
        // Line 1 is the code's rows 0 and 1: the top-left finder's dark edge, then its ring.
        #expect(lines[1].dropFirst(2).prefix(8) == "█▀▀▀▀▀█ ")
        let inverted = code.halfBlockLines(quietZone: 2, darkIsInk: false)
        #expect(inverted[0] == String(repeating: "█", count: 25))
    }

    /// Read back from the half blocks, in both polarities, the lines are the code's modules.
    @Test func halfBlocksReadBackToTheModules() throws {
        let code = try #require(QRCode.address("https://microsoft.com/devicelogin"))
        for darkIsInk in [true, false] {
            let lines = code.halfBlockLines(quietZone: 2, darkIsInk: darkIsInk)
            var rows: [[Bool]] = []
            for line in lines {
                var top: [Bool] = []
                var bottom: [Bool] = []
                for glyph in line {
                    top.append((glyph == "█" || glyph == "▀") == darkIsInk)
                    bottom.append((glyph == "█" || glyph == "▄") == darkIsInk)
                }
                rows += [top, bottom]
            }
            let inner = rows[2..<(2 + code.size)].map { Array($0[2..<(2 + code.size)]) }
            #expect(inner == code.modules, "dark is ink: \(darkIsInk)")
            #expect(rows[0].allSatisfy { !$0 } && rows[1].allSatisfy { !$0 }, "a light quiet zone")
        }
    }
}
