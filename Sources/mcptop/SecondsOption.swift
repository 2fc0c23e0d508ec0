import ArgumentParser
import MCPClient
import Support

/// Seconds given on the command line (`--timeout`, `--interval`, `--duration`,
/// `--health-interval`). `inf`, `nan` and `1e300` all parse as numbers; the first would wait
/// for ever and the others trap where seconds become milliseconds. A year is the limit: more
/// than any real timeout or run, and far from any overflow.
enum SecondsOption {
    static let longest: Double = 365 * 86400

    /// Throws a usage error naming the option unless `value` is a number of seconds within
    /// bounds: more than zero (or zero too, with `allowZero`) and at most a year.
    static func validate(_ value: Double, option: String, allowZero: Bool = false) throws {
        let aboveMinimum = allowZero ? value >= 0 : value > 0
        guard value.isFinite, aboveMinimum, value <= longest else {
            let range = allowZero ? "from 0 to" : "more than 0 and at most"
            let given = value.isFinite ? JSONValue.format(value) : "\(value)"
            throw ValidationError(
                "\(option) must be a number of seconds \(range) \(Int(longest)) (a year), not \(given)")
        }
    }
}
