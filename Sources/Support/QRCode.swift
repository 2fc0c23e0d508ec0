/// A QR code (ISO/IEC 18004) of some bytes, for a verification address a phone can scan off the
/// terminal: byte mode, error correction L or M, versions 1 to 10 (up to 271 bytes at L, 213 at
/// M), the mask chosen by the standard's penalty rules unless one is asked for.
public struct QRCode: Sendable, Equatable {
    public enum Correction: Sendable, CaseIterable {
        /// Recovers about 7% of the symbol.
        case low
        /// Recovers about 15%.
        case medium

        /// The two format bits (ISO/IEC 18004 table 25).
        var formatBits: Int { self == .low ? 1 : 0 }
    }

    public let version: Int
    public let correction: Correction
    public let mask: Int
    /// `size` × `size` modules, row by row; true is dark.
    public let modules: [[Bool]]
    public var size: Int { modules.count }

    public static let versions = 1...10

    /// The smallest version that holds `bytes` at `correction`; nil when not even version 10
    /// does. `mask` forces a mask pattern (0–7), for comparing with other encoders.
    public init?(bytes: [UInt8], correction: Correction = .medium, mask forced: Int? = nil) {
        guard let version = Self.versions.first(where: { Self.capacity(version: $0, correction) >= bytes.count }),
            forced.map({ (0...7).contains($0) }) ?? true
        else { return nil }
        var grid = Grid(version: version)
        grid.drawFunctionPatterns()
        let data = Self.dataCodewords(bytes, version: version, correction)
        grid.drawCodewords(Self.interleavedWithCorrection(data, version: version, correction))
        let chosen =
            forced
            ?? (0...7).min { a, b in
                grid.masked(a, correction).penalty < grid.masked(b, correction).penalty
            }!
        self.version = version
        self.correction = correction
        mask = chosen
        modules = grid.masked(chosen, correction).modules
    }

    public init?(_ text: String, correction: Correction = .medium) {
        self.init(bytes: Array(text.utf8), correction: correction)
    }

    /// An address as a phone reads it best: correction M where version 10 holds it, else L.
    public static func address(_ text: String) -> QRCode? {
        QRCode(text, correction: .medium) ?? QRCode(text, correction: .low)
    }

    /// How many bytes a version holds in byte mode.
    public static func capacity(version: Int, _ correction: Correction) -> Int {
        let countBits = version < 10 ? 8 : 16
        return (dataCodewordCount(version: version, correction) * 8 - 4 - countBits) / 8
    }

    // MARK: Drawing in a terminal

    /// The code as lines of half blocks (`▀`, `▄`, `█`, space), two rows of modules a line,
    /// with `quietZone` light modules around it. Dark is drawn as a block when `darkIsInk`
    /// (a light background), light is otherwise (a dark background, where the terminal's
    /// foreground is the light colour).
    public func halfBlockLines(quietZone: Int = 2, darkIsInk: Bool) -> [String] {
        let span = size + 2 * quietZone
        func inked(_ row: Int, _ column: Int) -> Bool {
            let (r, c) = (row - quietZone, column - quietZone)
            let dark = r >= 0 && r < size && c >= 0 && c < size && modules[r][c]
            return dark == darkIsInk
        }
        return stride(from: 0, to: span, by: 2).map { row in
            String(
                (0..<span).map { column -> Character in
                    switch (inked(row, column), row + 1 < span && inked(row + 1, column)) {
                    case (true, true): "█"
                    case (true, false): "▀"
                    case (false, true): "▄"
                    case (false, false): " "
                    }
                })
        }
    }

    // MARK: Tables (ISO/IEC 18004 tables 9 and E.1), versions 1 to 10

    private static let correctionPerBlock: [Correction: [Int]] = [
        .low: [7, 10, 15, 20, 26, 18, 20, 24, 30, 18],
        .medium: [10, 16, 26, 18, 24, 16, 18, 22, 22, 26],
    ]
    private static let blockCount: [Correction: [Int]] = [
        .low: [1, 1, 1, 1, 1, 2, 2, 2, 2, 4],
        .medium: [1, 1, 1, 2, 2, 4, 4, 4, 5, 5],
    ]
    static let alignmentCentres: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    /// Modules left for codewords once the function patterns are drawn.
    static func rawDataModules(version: Int) -> Int {
        var count = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            count -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { count -= 36 }
        }
        return count
    }

    static func dataCodewordCount(version: Int, _ correction: Correction) -> Int {
        rawDataModules(version: version) / 8 - correctionPerBlock[correction]![version - 1]
            * blockCount[correction]![version - 1]
    }

    // MARK: Codewords

    /// Mode, count, the bytes, the terminator and the pad codewords (0xEC, 0x11, …).
    static func dataCodewords(_ bytes: [UInt8], version: Int, _ correction: Correction) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        let capacity = dataCodewordCount(version: version, correction) * 8
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < capacity / 8 {
            codewords.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return codewords
    }

    /// The data split into blocks (the short ones first), each with its Reed–Solomon
    /// codewords, interleaved: the data column by column, then the correction.
    static func interleavedWithCorrection(_ data: [UInt8], version: Int, _ correction: Correction) -> [UInt8] {
        let blocks = blockCount[correction]![version - 1]
        let perBlock = correctionPerBlock[correction]![version - 1]
        let raw = rawDataModules(version: version) / 8
        let shortBlocks = blocks - raw % blocks
        let shortLength = raw / blocks - perBlock
        let divisor = ReedSolomon.generator(degree: perBlock)
        var dataBlocks: [[UInt8]] = []
        var correctionBlocks: [[UInt8]] = []
        var start = 0
        for index in 0..<blocks {
            let length = shortLength + (index < shortBlocks ? 0 : 1)
            let block = Array(data[start..<start + length])
            start += length
            dataBlocks.append(block)
            correctionBlocks.append(ReedSolomon.remainder(block, divisor: divisor))
        }
        var result: [UInt8] = []
        for column in 0...shortLength {
            for block in dataBlocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<perBlock {
            for block in correctionBlocks { result.append(block[column]) }
        }
        return result
    }

    // MARK: The matrix

    /// Modules and which of them belong to function patterns (never masked).
    struct Grid {
        let version: Int
        let size: Int
        var modules: [[Bool]]
        var isFunction: [[Bool]]

        init(version: Int) {
            self.version = version
            size = version * 4 + 17
            modules = Array(repeating: Array(repeating: false, count: size), count: size)
            isFunction = modules
        }

        mutating func set(row: Int, column: Int, _ dark: Bool) {
            modules[row][column] = dark
            isFunction[row][column] = true
        }

        mutating func drawFunctionPatterns() {
            for i in 0..<size {
                set(row: 6, column: i, i % 2 == 0)
                set(row: i, column: 6, i % 2 == 0)
            }
            for (row, column) in [(3, 3), (3, size - 4), (size - 4, 3)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(row + dy) && (0..<size).contains(column + dx) {
                        let distance = max(abs(dx), abs(dy))
                        set(row: row + dy, column: column + dx, distance != 2 && distance != 4)
                    }
                }
            }
            let centres = QRCode.alignmentCentres[version - 1]
            let (first, last) = (centres.first, centres.last)
            for row in centres {
                // Not over the finders; over the timing patterns, yes.
                for column in centres
                where
                    !((row == first || column == first) && (row == first || row == last)
                    && (column == first || column == last))
                {
                    for dy in -2...2 {
                        for dx in -2...2 { set(row: row + dy, column: column + dx, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            drawFormat(0, .low)  // reserved now, written for the mask chosen
            if version >= 7 { drawVersion() }
        }

        /// The 15 format bits (correction level and mask, BCH(15,5), XOR 0x5412), twice.
        mutating func drawFormat(_ mask: Int, _ correction: Correction) {
            let data = correction.formatBits << 3 | mask
            var remainder = data
            for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
            let bits = (data << 10 | remainder) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(row: i, column: 8, bit(i)) }
            set(row: 7, column: 8, bit(6))
            set(row: 8, column: 8, bit(7))
            set(row: 8, column: 7, bit(8))
            for i in 9..<15 { set(row: 8, column: 14 - i, bit(i)) }
            for i in 0..<8 { set(row: 8, column: size - 1 - i, bit(i)) }
            for i in 8..<15 { set(row: size - 15 + i, column: 8, bit(i)) }
            set(row: size - 8, column: 8, true)  // the dark module
        }

        /// The 18 version bits (BCH(18,6)), in the two 6×3 blocks of versions 7 and up.
        mutating func drawVersion() {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for i in 0..<18 {
                let dark = (bits >> i) & 1 == 1
                let (a, b) = (size - 11 + i % 3, i / 3)
                set(row: b, column: a, dark)
                set(row: a, column: b, dark)
            }
        }

        /// The codewords, most significant bit first, in two-module columns zigzagging up and
        /// down from the bottom right, skipping the vertical timing pattern.
        mutating func drawCodewords(_ codewords: [UInt8]) {
            var index = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for step in 0..<size {
                    for offset in 0..<2 {
                        let column = right - offset
                        let upward = (right + 1) & 2 == 0
                        let row = upward ? size - 1 - step : step
                        guard !isFunction[row][column], index < codewords.count * 8 else { continue }
                        modules[row][column] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                        index += 1
                    }
                }
                right -= 2
            }
        }

        /// This grid with mask `mask` applied to the data modules and its format drawn.
        func masked(_ mask: Int, _ correction: Correction) -> Grid {
            var copy = self
            for row in 0..<size {
                for column in 0..<size where !isFunction[row][column] && Self.inverts(mask, row: row, column: column) {
                    copy.modules[row][column].toggle()
                }
            }
            copy.drawFormat(mask, correction)
            return copy
        }

        /// The eight mask conditions (ISO/IEC 18004 table 10; i is the row, j the column).
        static func inverts(_ mask: Int, row i: Int, column j: Int) -> Bool {
            switch mask {
            case 0: (i + j) % 2 == 0
            case 1: i % 2 == 0
            case 2: j % 3 == 0
            case 3: (i + j) % 3 == 0
            case 4: (i / 2 + j / 3) % 2 == 0
            case 5: (i * j) % 2 + (i * j) % 3 == 0
            case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
            default: ((i + j) % 2 + (i * j) % 3) % 2 == 0
            }
        }

        /// The standard's penalty (ISO/IEC 18004 7.8.3): runs of five or more, 2×2 blocks,
        /// finder-like patterns, and the balance of dark and light.
        var penalty: Int {
            var score = 0
            let columns = (0..<size).map { c in (0..<size).map { modules[$0][c] } }
            let finderLike: [[Bool]] = [
                [true, false, true, true, true, false, true, false, false, false, false],
                [false, false, false, false, true, false, true, true, true, false, true],
            ]
            for line in modules + columns {
                var run = 1
                for k in 1..<size {
                    if line[k] == line[k - 1] {
                        run += 1
                    } else {
                        if run >= 5 { score += run - 2 }
                        run = 1
                    }
                }
                if run >= 5 { score += run - 2 }
                for start in 0...(size - 11) where finderLike.contains(where: { $0[...] == line[start..<start + 11] }) {
                    score += 40
                }
            }
            for row in 0..<size - 1 {
                for column in 0..<size - 1 {
                    let colour = modules[row][column]
                    if modules[row][column + 1] == colour, modules[row + 1][column] == colour,
                        modules[row + 1][column + 1] == colour
                    {
                        score += 3
                    }
                }
            }
            let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
            let total = size * size
            score += abs(dark * 20 - total * 10) / total * 10
            return score
        }
    }

    /// Reed–Solomon over GF(2⁸) with the polynomial 0x11D, as QR codes use it.
    enum ReedSolomon {
        static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
            var z = 0
            for i in stride(from: 7, through: 0, by: -1) {
                z = (z << 1) ^ ((z >> 7) * 0x11D)
                z ^= Int((y >> i) & 1) * Int(x)
            }
            return UInt8(z)
        }

        /// The generator polynomial of `degree` (roots α⁰ … α^(degree−1)), highest term
        /// dropped, coefficients from the highest power down.
        static func generator(degree: Int) -> [UInt8] {
            var result = Array(repeating: UInt8(0), count: degree - 1) + [1]
            var root: UInt8 = 1
            for _ in 0..<degree {
                for j in 0..<degree {
                    result[j] = multiply(result[j], root)
                    if j + 1 < degree { result[j] ^= result[j + 1] }
                }
                root = multiply(root, 0x02)
            }
            return result
        }

        static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
            var result = Array(repeating: UInt8(0), count: divisor.count)
            for byte in data {
                let factor = byte ^ result.removeFirst()
                result.append(0)
                for i in result.indices { result[i] ^= multiply(divisor[i], factor) }
            }
            return result
        }
    }
}
