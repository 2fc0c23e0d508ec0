import Foundation
import Support
import Testing

/// Codes a real reader reads: each is drawn as an image (PBM, four-module quiet zone, four
/// pixels a module) and read by ZBar's `zbarimg` (Debian's zbar-tools, installed by
/// scripts/setup.sh), which must give back the very bytes encoded. One code at a time, each
/// drawn and read on a thread of its own: the cooperative pool has as many threads as the
/// machine has cores (two here), and drawing images or waiting for readers on it held up every
/// suite running beside this one for seconds (HungServerTests' 5 s bounds failed).
@Suite(.serialized) struct QRCodeReaderTests {
    static let texts =
        QRCodeTests.inputs.keys.sorted().map { QRCodeTests.inputs[$0]! } + [
            String(repeating: "A", count: 271),  // the most version 10 holds at L
            "x",
        ]

    @Test(arguments: texts)
    func zbarReadsWhatWasEncoded(text: String) async throws {
        for correction in QRCode.Correction.allCases {
            guard let code = QRCode(text, correction: correction) else { continue }
            #expect(try await Self.read(code) == Array(text.utf8), "\(code.version) \(correction) mask \(code.mask)")
        }
    }

    @Test func zbarReadsEveryMask() async throws {
        let text = "https://login.example.com/activate?user_code=WDJB-MJHT"
        for mask in 0...7 {
            let code = try #require(QRCode(bytes: Array(text.utf8), correction: .medium, mask: mask))
            #expect(try await Self.read(code) == Array(text.utf8), "mask \(mask)")
        }
    }

    /// The bytes zbarimg reads off the code's image, drawn and read on a thread of its own.
    static func read(_ code: QRCode) async throws -> [UInt8] {
        let outcome = await withCheckedContinuation { (done: CheckedContinuation<Result<[UInt8], any Error>, Never>) in
            Thread { done.resume(returning: Result { try readBlocking(code) }) }.start()
        }
        return try outcome.get()
    }

    private static func readBlocking(_ code: QRCode) throws -> [UInt8] {
        let scale = 4
        let quiet = 4
        let side = (code.size + 2 * quiet) * scale
        var image = "P1\n\(side) \(side)\n"
        for y in 0..<side {
            let row = y / scale - quiet
            image +=
                (0..<side).map { x in
                    let column = x / scale - quiet
                    let dark =
                        (0..<code.size).contains(row) && (0..<code.size).contains(column) && code.modules[row][column]
                    return dark ? "1" : "0"
                }.joined(separator: " ") + "\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mcptop-qr-\(UUID()).pbm")
        try image.write(to: file, atomically: true, encoding: .ascii)
        defer { try? FileManager.default.removeItem(at: file) }
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = ["zbarimg", "--raw", "-q", "-Sbinary", file.path]
        let output = Pipe()
        reader.standardOutput = output
        reader.standardError = FileHandle.nullDevice
        try reader.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        while reader.isRunning { usleep(2_000) }
        #expect(reader.terminationStatus == 0, "zbarimg (zbar-tools, see scripts/setup.sh) read no code")
        return Array(bytes)
    }
}
