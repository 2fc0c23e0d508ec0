import Foundation
import Testing

@testable import Support

@Suite struct NumberTextTests {
    @Test func countedNounsTakeAnSExceptForOne() {
        #expect(NumberText.counted(0, "tool") == "0 tools")
        #expect(NumberText.counted(1, "tool") == "1 tool")
        #expect(NumberText.counted(12, "malformed file") == "12 malformed files")
    }

    @Test func fixedDigitsMatchPrintf() {
        let cases: [(Double, Int)] = [
            (0, 0), (0, 1), (1.25, 1), (999.6, 0), (12.345, 2), (1023.96, 1), (0.04, 1), (-2.5, 1),
            (1536, 1), (7.0, 0), (123456.78, 1),
        ]
        for (value, digits) in cases {
            // 1.25 is an exact tie: printf rounds it to even, fixed(_:digits:) away from zero.
            if value == 1.25 { continue }
            let printf = String(format: "%.\(digits)f", value)
            #expect(NumberText.fixed(value, digits: digits) == printf, "\(value) with \(digits) digits")
        }
        #expect(NumberText.fixed(1.25, digits: 1) == "1.3")
        #expect(NumberText.fixed(-0.04, digits: 1) == "0.0", "no negative zero")
        #expect(NumberText.fixed(.nan, digits: 1) == "nan")
        #expect(NumberText.fixed(.infinity, digits: 0) == "inf")
    }

    @Test func twoDigitsAndHex() {
        #expect(NumberText.twoDigits(7) == "07")
        #expect(NumberText.twoDigits(42) == "42")
        #expect(NumberText.twoDigits(100) == "100")
        #expect(NumberText.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(NumberText.hex([]) == "")
    }

    @Test func clampedIntTakesAnyDouble() {
        #expect(NumberText.clampedInt(2.5) == 3)
        #expect(NumberText.clampedInt(2.9, rounding: .down) == 2)
        #expect(NumberText.clampedInt(-2.5) == -3)
        #expect(NumberText.clampedInt(.nan) == 0)
        #expect(NumberText.clampedInt(1e300) == Int.max)
        #expect(NumberText.clampedInt(.infinity) == Int.max)
        #expect(NumberText.clampedInt(-.infinity) == Int.min)
        #expect(NumberText.clampedInt(9.3e18) == Int.max)
    }
}
