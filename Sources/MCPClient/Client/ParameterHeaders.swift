import Foundation
import Support

/// The `x-mcp-header` extension of 2026-07-28 (streamable-http.mdx, Custom Headers from Tool
/// Parameters): tool parameters a server wants mirrored into `Mcp-Param-{Name}` headers.
public struct ParameterHeaders: Sendable, Equatable {
    public struct Mapping: Sendable, Equatable {
        public var header: String
        public var path: [String]
    }

    public var mappings: [Mapping]

    /// Reads the annotations of an input schema; a violation of the spec's constraints makes
    /// the whole tool invalid, and the reason is returned instead.
    public static func parse(inputSchema: JSONValue) -> Result<ParameterHeaders, ToolDefinitionError> {
        var mappings: [Mapping] = []
        var problem: String?
        walk(inputSchema, path: [], reachable: true, mappings: &mappings, problem: &problem)
        if let problem { return .failure(ToolDefinitionError(reason: problem)) }
        var seen = Set<String>()
        for mapping in mappings {
            guard seen.insert(mapping.header.lowercased()).inserted else {
                return .failure(ToolDefinitionError(reason: "x-mcp-header \"\(mapping.header)\" is used twice"))
            }
        }
        return .success(ParameterHeaders(mappings: mappings))
    }

    private static func walk(
        _ node: JSONValue, path: [String], reachable: Bool, mappings: inout [Mapping],
        problem: inout String?
    ) {
        guard problem == nil else { return }
        switch node {
        case .object(let object):
            if let annotation = object["x-mcp-header"] {
                let place = path.isEmpty ? "the schema root" : path.joined(separator: ".")
                guard reachable, !path.isEmpty else {
                    problem = "x-mcp-header at \(place) is not reachable through properties alone"
                    return
                }
                guard let name = annotation.stringValue, !name.isEmpty,
                    name.unicodeScalars.allSatisfy(isTokenCharacter)
                else {
                    problem = "x-mcp-header at \(place) is not a valid header name"
                    return
                }
                let type = object["type"]?.stringValue
                guard type == "string" || type == "integer" || type == "boolean" else {
                    problem = "x-mcp-header at \(place) is on a \(type ?? "untyped") parameter"
                    return
                }
                mappings.append(Mapping(header: name, path: path))
            }
            for (key, value) in object where key != "x-mcp-header" {
                if key == "properties", case .object(let properties) = value {
                    for (name, schema) in properties {
                        walk(schema, path: path + [name], reachable: reachable, mappings: &mappings, problem: &problem)
                    }
                } else {
                    walk(value, path: path + [key], reachable: false, mappings: &mappings, problem: &problem)
                }
            }
        case .array(let items):
            for item in items {
                walk(item, path: path, reachable: false, mappings: &mappings, problem: &problem)
            }
        default:
            return
        }
    }

    /// The headers for one call's arguments; absent and null values send no header.
    public func headers(for arguments: JSONValue?) -> [(String, String)] {
        mappings.compactMap { mapping in
            var value = arguments
            for key in mapping.path { value = value?[key] }
            let text: String
            switch value {
            case .string(let s): text = s
            case .int(let i) where abs(i) <= 9_007_199_254_740_991: text = String(i)
            case .double(let d) where d == d.rounded() && abs(d) <= 9_007_199_254_740_991:
                text = String(Int64(d))
            case .bool(let b): text = b ? "true" : "false"
            default: return nil
            }
            return ("Mcp-Param-\(mapping.header)", ParameterHeaders.encode(text))
        }
    }

    /// Value Encoding: plain when header-safe, else `=?base64?…?=` of the UTF-8 bytes. Values
    /// that look like the sentinel are encoded too, to stay unambiguous.
    public static func encode(_ value: String) -> String {
        let safe =
            value.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || (0x21...0x7E).contains($0.value) }
            && value.first != " " && value.last != " " && value.first != "\t" && value.last != "\t"
            && !(value.hasPrefix("=?base64?") && value.hasSuffix("?="))
        if safe { return value }
        return "=?base64?" + Data(value.utf8).base64EncodedString() + "?="
    }

    static func isTokenCharacter(_ c: Unicode.Scalar) -> Bool {
        guard c.isASCII else { return false }
        if c.properties.isAlphabetic || ("0"..."9").contains(c) { return true }
        return "!#$%&'*+-.^_`|~".unicodeScalars.contains(c)
    }
}

public struct ToolDefinitionError: Error, Sendable, Equatable {
    public var reason: String
}
