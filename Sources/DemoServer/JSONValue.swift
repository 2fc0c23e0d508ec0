import Foundation

/// A small, Sendable JSON tree used by the demo server.
///
/// Parsing and printing go through Foundation's `JSONSerialization` on purpose: the demo server
/// must not share JSON code with the MCP client it is used to test.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    enum ConversionError: Error {
        case unsupported(String)
    }

    /// Parses any JSON text, including top-level fragments.
    static func parse(_ data: Data) throws -> JSONValue {
        let any = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return try JSONValue(foundation: any)
    }

    /// Converts the output of `JSONSerialization.jsonObject` into a `JSONValue`.
    init(foundation value: Any) throws {
        if let string = value as? String {
            self = .string(string)
        } else if value is NSNull {
            self = .null
        } else if let number = value as? NSNumber {
            // JSONSerialization hands out NSNumber for both booleans and numbers; the
            // Objective-C type encoding tells them apart ("c" is only used for booleans).
            switch String(cString: number.objCType) {
            case "c", "B":
                self = .bool(number.boolValue)
            case "d", "f":
                self = .double(number.doubleValue)
            case "Q":
                let unsigned = number.uint64Value
                self =
                    unsigned <= UInt64(Int.max)
                    ? .int(Int(unsigned)) : .double(number.doubleValue)
            default:
                self = .int(number.intValue)
            }
        } else if let array = value as? [Any] {
            self = .array(try array.map { try JSONValue(foundation: $0) })
        } else if let object = value as? [String: Any] {
            var result: [String: JSONValue] = [:]
            for (key, element) in object {
                result[key] = try JSONValue(foundation: element)
            }
            self = .object(result)
        } else {
            throw ConversionError.unsupported(String(describing: type(of: value)))
        }
    }

    /// The value as Foundation objects accepted by `JSONSerialization.data(withJSONObject:)`.
    var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return value
        case .int(let value): return value
        case .double(let value): return value.isFinite ? value : NSNull()
        case .string(let value): return value
        case .array(let values): return values.map(\.foundationValue)
        case .object(let values): return values.mapValues(\.foundationValue)
        }
    }

    /// Compact single-line JSON text (keys sorted so output is deterministic).
    func serialized() -> String {
        let options: JSONSerialization.WritingOptions = [
            .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed,
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: foundationValue, options: options),
            let text = String(data: data, encoding: .utf8)
        else {
            return "null"
        }
        return text
    }

    // MARK: Accessors

    subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    var objectValue: [String: JSONValue]? {
        guard case .object(let value) = self else { return nil }
        return value
    }

    var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// Numbers only (booleans are not numbers).
    var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// Integers, including doubles with no fractional part (`3.0`).
    var intValue: Int? {
        switch self {
        case .int(let value):
            return value
        case .double(let value):
            guard value.rounded() == value, abs(value) < 9.0e15 else { return nil }
            return Int(value)
        default:
            return nil
        }
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A number as JSON: integral values become `.int` so they print without ".0".
    static func number(_ value: Double) -> JSONValue {
        if value.rounded() == value, abs(value) < 9.0e15 {
            return .int(Int(value))
        }
        return .double(value)
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    init(integerLiteral value: Int) { self = .int(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object: [String: JSONValue] = [:]
        for (key, value) in elements {
            object[key] = value
        }
        self = .object(object)
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    init(nilLiteral: ()) { self = .null }
}
