import Foundation
import MonitorMetrics
import Testing

/// contrib/grafana/mcptop.json asks only for metrics `watch --metrics` exports: every query's
/// metric names, read from the PromQL, are among the exporter's own (``MetricFamily``).
@Suite struct GrafanaDashboardTests {
    static let dashboard = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../contrib/grafana/mcptop.json")
    static let exported = Set(MetricFamily.allCases.flatMap(\.sampleNames))

    /// Every PromQL query of the dashboard: panel targets, and the variables' queries.
    static func queries() throws -> [String] {
        let data = try Data(contentsOf: dashboard)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var found: [String] = []
        func panels(_ list: [[String: Any]]) {
            for panel in list {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String { found.append(expr) }
                }
                panels(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        panels(json["panels"] as? [[String: Any]] ?? [])
        let variables = (json["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for variable in variables {
            let query = variable["query"]
            if let text = query as? String { found.append(text) }
            if let text = (query as? [String: Any])?["query"] as? String { found.append(text) }
        }
        return found
    }

    /// The metric names a PromQL expression selects: identifiers left once strings, label
    /// matchers, ranges, grouping lists, Grafana variables, function calls and keywords are set
    /// aside. `label_values(metric, label)` (a Grafana variable query) names `metric`.
    static func metricNames(in expression: String) -> Set<String> {
        var text = expression
        let setAside = [
            #"label_values\(([^,]*),[^)]*\)"#,  // keeps the metric, drops the label
            #""(?:[^"\\]|\\.)*""#, #"'(?:[^'\\]|\\.)*'"#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#,
            #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#, #"\$\{?\w+\}?"#,
        ]
        for (index, pattern) in setAside.enumerated() {
            let regex = try! NSRegularExpression(pattern: pattern)
            let range = NSRange(text.startIndex..., in: text)
            text = regex.stringByReplacingMatches(in: text, range: range, withTemplate: index == 0 ? " $1 " : " ")
        }
        let keywords: Set = ["and", "or", "unless", "bool", "offset", "inf", "nan"]
        let identifier = try! NSRegularExpression(pattern: #"[A-Za-z_:][A-Za-z0-9_:]*"#)
        var names = Set<String>()
        for match in identifier.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range, in: text) else { continue }
            let name = String(text[range])
            let after = text[range.upperBound...].drop { $0 == " " }
            if after.first == "(" || keywords.contains(name.lowercased()) { continue }
            if let before = text[..<range.lowerBound].last, before.isNumber || before == "." { continue }
            names.insert(name)
        }
        return names
    }

    @Test func everyQueryNamesOnlyMetricsMcptopExports() throws {
        let queries = try Self.queries()
        #expect(queries.count > 10)
        var used = Set<String>()
        for query in queries {
            let names = Self.metricNames(in: query)
            #expect(!names.isEmpty, "no metric in \(query)")
            #expect(names.isSubset(of: Self.exported), "\(names.subtracting(Self.exported)) in \(query)")
            used.formUnion(names)
        }
        // The login series are the point of the dashboard.
        for family: MetricFamily in [
            .needsLogin, .loginSecondsRemaining, .refreshFailures, .bridgedCalls, .bridgedCallDuration,
        ] {
            #expect(!used.isDisjoint(with: family.sampleNames), "\(family.name)")
        }
    }

    @Test func theNameReaderFindsMetricsAndOnlyMetrics() {
        #expect(
            Self.metricNames(
                in: #"histogram_quantile(0.95, sum by (server, le) (rate(x_bucket{a=~"$b",c="d e"}[5m]))) > 0.5"#)
                == ["x_bucket"])
        #expect(Self.metricNames(in: "count by (issuer) (a > 0) >= 3 and on (issuer) b offset 5m") == ["a", "b"])
        #expect(Self.metricNames(in: "label_values(mcptop_connection_state, instance)") == ["mcptop_connection_state"])
        #expect(Self.metricNames(in: "(time() + m) * 1000") == ["m"])
        #expect(Self.metricNames(in: "1e3 * mcptop_typo") == ["mcptop_typo"])
    }
}
