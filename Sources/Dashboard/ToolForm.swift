import Foundation
import MCPClient

/// A form generated from a tool's `inputSchema`: one field per argument, nested objects
/// flattened into dotted paths, local `$ref`s resolved. Pure and testable; the tool pane
/// draws it.
public struct ToolForm: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case string, number, integer, boolean
        case enumeration([String])
        /// Items edited as "a, b, c" (strings) or JSON text.
        case array(of: Kind)
        /// Anything the form cannot take apart (oneOf, objects without properties): raw JSON.
        case json
    }

    public struct Field: Sendable, Equatable {
        public var path: [String]
        public var label: String
        public var description: String?
        public var kind: Kind
        public var required: Bool
        public var defaultValue: JSONValue?
        public var minimum: Double?
        public var maximum: Double?
        public var minLength: Int?
        public var maxLength: Int?
        /// What the user typed (prefilled from the default).
        public var text: String

        public var key: String { path.joined(separator: ".") }
    }

    public var fields: [Field]

    public init(schema: JSONValue) {
        var fields: [Field] = []
        Self.collect(schema, root: schema, path: [], required: true, depth: 0, into: &fields)
        self.fields = fields
    }

    private static func resolve(_ schema: JSONValue, root: JSONValue, depth: Int) -> JSONValue? {
        guard let reference = schema["$ref"]?.stringValue else { return schema }
        guard depth < 8, reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        guard let target = node else { return nil }
        return resolve(target, root: root, depth: depth + 1)
    }

    private static func collect(
        _ schema: JSONValue, root: JSONValue, path: [String], required: Bool, depth: Int, into fields: inout [Field]
    ) {
        guard let properties = resolve(schema, root: root, depth: depth)?["properties"]?.objectValue else { return }
        let requiredNames = Set(
            resolve(schema, root: root, depth: depth)?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for (name, raw) in properties {
            let childPath = path + [name]
            let isRequired = requiredNames.contains(name) && required
            guard depth < 8, let property = resolve(raw, root: root, depth: depth) else {
                fields.append(field(childPath, raw, kind: .json, required: isRequired))
                continue
            }
            let type = property["type"]?.stringValue
            if type == "object", property["properties"]?.objectValue?.isEmpty == false {
                collect(property, root: root, path: childPath, required: isRequired, depth: depth + 1, into: &fields)
                continue
            }
            fields.append(
                field(childPath, property, kind: kind(of: property, root: root, depth: depth), required: isRequired))
        }
    }

    private static func kind(of property: JSONValue, root: JSONValue, depth: Int) -> Kind {
        if let values = property["enum"]?.arrayValue {
            let strings = values.compactMap(\.stringValue)
            if strings.count == values.count { return .enumeration(strings) }
            return .json
        }
        switch property["type"]?.stringValue {
        case "string": return .string
        case "number": return .number
        case "integer": return .integer
        case "boolean": return .boolean
        case "array":
            let items = property["items"].flatMap { resolve($0, root: root, depth: depth + 1) }
            let itemKind = items.map { kind(of: $0, root: root, depth: depth + 1) } ?? .json
            switch itemKind {
            case .string, .number, .integer, .boolean: return .array(of: itemKind)
            default: return .array(of: .json)
            }
        default: return .json
        }
    }

    private static func field(_ path: [String], _ property: JSONValue, kind: Kind, required: Bool) -> Field {
        let defaultValue = property["default"]
        var text = ""
        if let defaultValue {
            switch (kind, defaultValue) {
            case (_, .string(let s)): text = s
            case (.array(of: .string), .array(let items)):
                text = items.compactMap(\.stringValue).joined(separator: ", ")
            default: text = defaultValue.serialized()
            }
        } else if kind == .boolean {
            text = "false"
        }
        return Field(
            path: path, label: path.joined(separator: "."),
            description: property["description"]?.stringValue ?? property["title"]?.stringValue, kind: kind,
            required: required, defaultValue: defaultValue, minimum: property["minimum"]?.doubleValue,
            maximum: property["maximum"]?.doubleValue, minLength: property["minLength"]?.intValue,
            maxLength: property["maxLength"]?.intValue, text: text)
    }

    // MARK: Checking and building

    /// Problems by field key ("profile.level" → "must be at least 1"), found before sending.
    public func validate() -> [String: String] {
        var errors: [String: String] = [:]
        for field in fields {
            if case .failure(let error) = value(of: field) { errors[field.key] = error.message }
        }
        return errors
    }

    /// The arguments object; empty optional fields are left out.
    public func arguments() -> Result<JSONValue, ToolFormError> {
        var root: JSONValue = [:]
        for field in fields {
            switch value(of: field) {
            case .failure(let error): return .failure(error)
            case .success(nil): continue
            case .success(let value?): Self.set(value, at: field.path, in: &root)
            }
        }
        return .success(root)
    }

    private static func set(_ value: JSONValue, at path: [String], in object: inout JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var child = object[first] ?? [:]
        set(value, at: Array(path.dropFirst()), in: &child)
        object[first] = child
    }

    /// The typed value of one field, nil when it is empty and optional.
    func value(of field: Field) -> Result<JSONValue?, ToolFormError> {
        let text = field.text.trimmingCharacters(in: .whitespaces)
        func fail(_ message: String) -> Result<JSONValue?, ToolFormError> {
            .failure(ToolFormError(field: field.key, message: message))
        }
        if text.isEmpty && field.kind != .string {
            return field.required ? fail("required") : .success(nil)
        }
        switch field.kind {
        case .string:
            if field.text.isEmpty { return field.required ? fail("required") : .success(nil) }
            if let minimum = field.minLength, field.text.count < minimum {
                return fail("at least \(minimum) characters")
            }
            if let maximum = field.maxLength, field.text.count > maximum {
                return fail("at most \(maximum) characters")
            }
            return .success(.string(field.text))
        case .integer:
            guard let number = Int64(text) else { return fail("must be a whole number") }
            return checkRange(Double(number), field).map { _ in .int(number) }
        case .number:
            guard let number = Double(text), number.isFinite else { return fail("must be a number") }
            return checkRange(number, field).map { _ in .double(number) }
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return .success(.bool(true))
            case "false", "no", "0": return .success(.bool(false))
            default: return fail("must be true or false")
            }
        case .enumeration(let values):
            guard values.contains(text) else { return fail("not one of \(values.joined(separator: ", "))") }
            return .success(.string(text))
        case .array(let item):
            if text.hasPrefix("[") {
                guard case .success(let parsed) = Self.parseRaw(text), case .array = parsed else {
                    return fail("must be a JSON array or comma-separated values")
                }
                return .success(parsed)
            }
            var items: [JSONValue] = []
            for piece in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                switch item {
                case .integer:
                    guard let number = Int64(piece) else { return fail("\"\(piece)\" is not a whole number") }
                    items.append(.int(number))
                case .number:
                    guard let number = Double(piece) else { return fail("\"\(piece)\" is not a number") }
                    items.append(.double(number))
                case .boolean:
                    guard let flag = Bool(piece.lowercased()) else { return fail("\"\(piece)\" is not true or false") }
                    items.append(.bool(flag))
                default:
                    items.append(.string(piece))
                }
            }
            return .success(.array(items))
        case .json:
            switch Self.parseRaw(text) {
            case .success(let value): return .success(value)
            case .failure(let error): return fail(error.message)
            }
        }
    }

    private func checkRange(_ number: Double, _ field: Field) -> Result<Void, ToolFormError> {
        if let minimum = field.minimum, number < minimum {
            return .failure(ToolFormError(field: field.key, message: "must be at least \(JSONValue.format(minimum))"))
        }
        if let maximum = field.maximum, number > maximum {
            return .failure(ToolFormError(field: field.key, message: "must be at most \(JSONValue.format(maximum))"))
        }
        return .success(())
    }

    // MARK: Raw JSON

    /// A JSON skeleton for the raw editor: defaults where the schema has them.
    public static func rawEditorText(schema: JSONValue) -> String {
        let form = ToolForm(schema: schema)
        var root: JSONValue = [:]
        for field in form.fields {
            let value: JSONValue
            if let defaultValue = field.defaultValue {
                value = defaultValue
            } else {
                switch field.kind {
                case .string: value = ""
                case .number, .integer: value = 0
                case .boolean: value = false
                case .enumeration(let values): value = .string(values.first ?? "")
                case .array: value = []
                case .json: value = .null
                }
            }
            set(value, at: field.path, in: &root)
        }
        return root.prettyPrinted()
    }

    /// Parses what the user typed as the arguments; errors give line:column.
    public static func parseRaw(_ text: String) -> Result<JSONValue, ToolFormError> {
        do {
            let value = try JSONValue.parse(text.isEmpty ? "{}" : text)
            return .success(value)
        } catch {
            return .failure(ToolFormError(field: "", message: "invalid JSON at \(error)"))
        }
    }
}

public struct ToolFormError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}
