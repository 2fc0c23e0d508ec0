import Foundation
import MCPClient
import Support

/// A form generated from a tool's `inputSchema`: one field per argument in schema order,
/// nested objects flattened into dotted paths (`profile.name`), local `$ref`s resolved.
/// Pure and testable; the tool pane draws it and edits `Field.text`.
public struct ToolForm: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case string, number, integer, boolean
        /// The choices as shown (strings as they are, other values as JSON text).
        case enumeration([String])
        /// Edited as "a, b, c" (items without commas) or as JSON text (`["a", "b"]`).
        case array(of: Kind)
        /// An object the form does not take apart (no properties, too deep): JSON text.
        case object
        /// Anything else (oneOf/anyOf, several types, an unresolvable or cyclic `$ref`): JSON text.
        case json
    }

    /// What the schema says about a value; shown as hints, checked by `validate()` (except
    /// `pattern` and `format`, which are only shown).
    public struct Constraints: Sendable, Equatable {
        public var minimum: Double?
        public var maximum: Double?
        public var exclusiveMinimum: Double?
        public var exclusiveMaximum: Double?
        public var minLength: Int?
        public var maxLength: Int?
        public var minItems: Int?
        public var maxItems: Int?
        public var pattern: String?
        public var format: String?

        public init() {}

        /// A short text for the form ("≥ 1, ≤ 5", "pattern ^[a-z]+$"); empty when unconstrained.
        public var summary: String {
            var parts: [String] = []
            if let minimum { parts.append("≥ \(JSONValue.format(minimum))") }
            if let exclusiveMinimum { parts.append("> \(JSONValue.format(exclusiveMinimum))") }
            if let maximum { parts.append("≤ \(JSONValue.format(maximum))") }
            if let exclusiveMaximum { parts.append("< \(JSONValue.format(exclusiveMaximum))") }
            if let minLength { parts.append("min length \(minLength)") }
            if let maxLength { parts.append("max length \(maxLength)") }
            if let minItems { parts.append("min \(minItems) items") }
            if let maxItems { parts.append("max \(maxItems) items") }
            if let format { parts.append("format \(format)") }
            if let pattern { parts.append("pattern \(pattern)") }
            return parts.joined(separator: ", ")
        }
    }

    public struct Field: Sendable, Equatable {
        /// Keys from the arguments object down to this value: `["profile", "name"]`.
        public var path: [String]
        /// The dotted path, as shown.
        public var label: String
        /// The schema's `description` (or `title`).
        public var description: String?
        public var kind: Kind
        /// Whether the enclosing object lists this key in `required`. Inside an optional
        /// object it is only enforced once something in that object is filled in.
        public var required: Bool
        /// The schema's `default` (or the enclosing object's default for this key).
        public var defaultValue: JSONValue?
        public var constraints: Constraints
        /// What the user typed; prefilled from the default.
        public var text: String
        /// The text the field started with.
        public var defaultText: String
        /// The values behind `.enumeration`'s choices (an enum may hold numbers), same order.
        public var enumValues: [JSONValue]
        /// For each enclosing object, outermost first: whether its own parent requires it.
        public var enclosingRequired: [Bool]

        /// The dotted path, as `validate()` keys its errors.
        public var key: String { path.joined(separator: ".") }

        /// Nothing typed: optional fields that are empty are left out of the arguments.
        public var isEmpty: Bool {
            kind == .string ? text.isEmpty : text.trimmed().isEmpty
        }

        /// A reminder of how to type the value.
        public var inputHint: String {
            switch kind {
            case .string: return "text"
            case .number: return "number"
            case .integer: return "integer"
            case .boolean: return "true or false"
            case .enumeration(let values): return "one of " + values.joined(separator: ", ")
            case .array(of: .string), .array(of: .number), .array(of: .integer), .array(of: .boolean),
                .array(of: .enumeration):
                return "comma-separated, or a JSON array"
            case .array: return "a JSON array"
            case .object: return "a JSON object"
            case .json: return "JSON"
            }
        }

        /// Booleans flip between true and false; other kinds are unchanged.
        public mutating func toggle() {
            guard kind == .boolean else { return }
            text = text.trimmed(newlines: false).lowercased() == "true" ? "false" : "true"
        }

        /// The next choice of an enumeration (an optional one passes through empty), or a toggled boolean.
        public mutating func next() { step(forward: true) }

        /// The previous choice of an enumeration, or a toggled boolean.
        public mutating func previous() { step(forward: false) }

        private mutating func step(forward: Bool) {
            switch kind {
            case .boolean:
                toggle()
            case .enumeration(let values):
                guard !values.isEmpty else { return }
                let choices = required ? values : [""] + values
                guard let index = choices.firstIndex(of: text) else {
                    text = forward ? values[0] : values[values.count - 1]
                    return
                }
                text = choices[(index + (forward ? 1 : choices.count - 1)) % choices.count]
            default:
                break
            }
        }
    }

    public var fields: [Field]

    static let emptyObject: JSONValue = [:]

    /// Objects nested deeper than this, and `$ref` chains longer than this, become JSON fields.
    public static let maximumDepth = 8

    public init(schema: JSONValue) {
        var builder = Builder(root: schema)
        var references = ["#"]
        if let root = builder.resolve(schema, references: &references),
            root["properties"]?.objectValue != nil
        {
            builder.collect(root, path: [], enclosingRequired: [], references: references)
        }
        fields = builder.fields
    }

    // MARK: Checking and building

    /// Problems by field key ("profile.level" → "must be at least 1"), found before sending.
    public func validate() -> [String: String] {
        let present = presentObjects()
        var errors: [String: String] = [:]
        for field in fields where isActive(field, present: present) {
            switch Self.value(of: field) {
            case .failure(let error): errors[field.key] = error.message
            case .success(nil): if field.required { errors[field.key] = "required" }
            case .success: break
            }
        }
        return errors
    }

    /// The arguments object: nested objects rebuilt from the paths, values typed, empty
    /// optional fields (and optional objects with nothing filled in) left out. Fails with
    /// the first problem `validate()` would report.
    public func arguments() -> Result<JSONValue, ToolFormError> {
        let present = presentObjects()
        var root = ToolForm.emptyObject
        for field in fields where isActive(field, present: present) {
            for depth in 1..<max(1, field.path.count) {
                Self.ensureObject(at: Array(field.path.prefix(depth)), in: &root)
            }
            switch Self.value(of: field) {
            case .failure(let error):
                return .failure(error)
            case .success(nil):
                if field.required { return .failure(ToolFormError(field: field.key, message: "required")) }
            case .success(let value?):
                Self.set(value, at: field.path, in: &root)
            }
        }
        return .success(root)
    }

    /// Paths of the objects that have a field filled in with something other than its
    /// prefilled default: an optional object is sent (and its required fields enforced) only then.
    private func presentObjects() -> Set<[String]> {
        var present = Set<[String]>()
        for field in fields where !field.isEmpty && field.text != field.defaultText {
            for depth in 1..<max(1, field.path.count) { present.insert(Array(field.path.prefix(depth))) }
        }
        return present
    }

    /// Whether every enclosing object will be sent: required by its parent, or filled in.
    private func isActive(_ field: Field, present: Set<[String]>) -> Bool {
        for (depth, required) in field.enclosingRequired.enumerated() where !required {
            if !present.contains(Array(field.path.prefix(depth + 1))) { return false }
        }
        return true
    }

    private static func ensureObject(at path: [String], in object: inout JSONValue) {
        guard let first = path.first else { return }
        var child = object[first] ?? ToolForm.emptyObject
        if child.objectValue == nil { child = ToolForm.emptyObject }
        ensureObject(at: Array(path.dropFirst()), in: &child)
        object[first] = child
    }

    private static func set(_ value: JSONValue, at path: [String], in object: inout JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var child = object[first] ?? ToolForm.emptyObject
        if child.objectValue == nil { child = ToolForm.emptyObject }
        set(value, at: Array(path.dropFirst()), in: &child)
        object[first] = child
    }

    /// The typed value of one field, nil when it is empty; the failure's message is shown
    /// at the field. Whether an empty field is allowed is decided by the caller.
    public static func value(of field: Field) -> Result<JSONValue?, ToolFormError> {
        typedValue(of: field).map { Optional($0) }.flatMapError { problem in
            problem.message.isEmpty
                ? .success(nil) : .failure(ToolFormError(field: field.key, message: problem.message))
        }
    }

    /// The typed value, or a problem; an empty problem means the field is empty.
    private static func typedValue(of field: Field) -> Result<JSONValue, Problem> {
        if field.isEmpty { return .failure("") }
        let text = field.text.trimmed()
        let constraints = field.constraints
        switch field.kind {
        case .string:
            let length = field.text.unicodeScalars.count
            if let minimum = constraints.minLength, length < minimum {
                return .failure("must be at least \(NumberText.counted(minimum, "character"))")
            }
            if let maximum = constraints.maxLength, length > maximum {
                return .failure("must be at most \(NumberText.counted(maximum, "character"))")
            }
            return .success(.string(field.text))
        case .integer, .number, .boolean, .enumeration:
            return scalar(text, kind: field.kind, enumValues: field.enumValues).flatMap { value in
                checkRange(value, constraints).map { value }
            }
        case .array(let item):
            return array(text, item: item, field: field)
        case .object:
            return parseJSON(field.text).flatMap { value in
                value.objectValue == nil ? .failure("must be a JSON object, not \(value.typeName)") : .success(value)
            }
        case .json:
            return parseJSON(field.text)
        }
    }

    /// One number, integer, boolean or enumeration choice typed as text.
    private static func scalar(_ text: String, kind: Kind, enumValues: [JSONValue]) -> Result<JSONValue, Problem> {
        switch kind {
        case .integer:
            guard let number = number(text) else { return .failure("must be an integer") }
            if case .int = number { return .success(number) }
            if let whole = number.doubleValue.flatMap({ Int64(exactly: $0) }) { return .success(.int(whole)) }
            return .failure("must be an integer")
        case .number:
            guard let number = number(text) else { return .failure("must be a number") }
            return .success(number)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .success(.bool(true))
            case "false", "no", "off", "0": return .success(.bool(false))
            default: return .failure("must be true or false")
            }
        case .enumeration(let values):
            guard let index = values.firstIndex(of: text) else {
                return .failure("not one of \(values.joined(separator: ", "))")
            }
            return .success(enumValues.indices.contains(index) ? enumValues[index] : .string(text))
        case .string:
            return .success(.string(text))
        case .array, .object, .json:
            return parseJSON(text)
        }
    }

    /// A JSON number (an optional leading `+` is allowed); nil for anything else, including
    /// the hex, `nan` and `inf` that `Double("…")` would take.
    private static func number(_ text: String) -> JSONValue? {
        let digits = text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard let value = try? JSONValue.parse(digits) else { return nil }
        switch value {
        case .int, .double: return value
        default: return nil
        }
    }

    private static func checkRange(_ value: JSONValue, _ constraints: Constraints) -> Result<Void, Problem> {
        guard let number = value.doubleValue else { return .success(()) }
        if let minimum = constraints.minimum, number < minimum {
            return .failure("must be at least \(JSONValue.format(minimum))")
        }
        if let minimum = constraints.exclusiveMinimum, number <= minimum {
            return .failure("must be greater than \(JSONValue.format(minimum))")
        }
        if let maximum = constraints.maximum, number > maximum {
            return .failure("must be at most \(JSONValue.format(maximum))")
        }
        if let maximum = constraints.exclusiveMaximum, number >= maximum {
            return .failure("must be less than \(JSONValue.format(maximum))")
        }
        return .success(())
    }

    private static func array(_ text: String, item: Kind, field: Field) -> Result<JSONValue, Problem> {
        var items: [JSONValue] = []
        if text.hasPrefix("[") {
            switch parseJSON(field.text) {
            case .failure(let problem): return .failure(problem)
            case .success(let value):
                guard let elements = value.arrayValue else { return .failure("must be a JSON array") }
                for (position, element) in elements.enumerated() {
                    if let problem = check(element, against: item, enumValues: field.enumValues) {
                        return .failure("item \(position + 1) \(problem)")
                    }
                }
                items = elements
            }
        } else {
            switch item {
            case .string, .number, .integer, .boolean, .enumeration: break
            default: return .failure("must be a JSON array")
            }
            let pieces = text.split(separator: ",").map { $0.trimmed(newlines: false) }
            for piece in pieces where !piece.isEmpty {
                if item == .string {
                    items.append(.string(piece))
                    continue
                }
                switch scalar(piece, kind: item, enumValues: field.enumValues) {
                case .success(let value): items.append(value)
                case .failure(let problem): return .failure("\"\(piece)\" \(problem.message)")
                }
            }
        }
        if let minimum = field.constraints.minItems, items.count < minimum {
            return .failure("must have at least \(NumberText.counted(minimum, "item"))")
        }
        if let maximum = field.constraints.maxItems, items.count > maximum {
            return .failure("must have at most \(NumberText.counted(maximum, "item"))")
        }
        return .success(.array(items))
    }

    /// Why an array element typed as JSON does not fit the item kind, nil when it does.
    private static func check(_ element: JSONValue, against kind: Kind, enumValues: [JSONValue]) -> String? {
        switch (kind, element) {
        case (.string, .string), (.boolean, .bool), (.number, .int), (.number, .double), (.integer, .int),
            (.object, .object), (.array, .array), (.json, _):
            return nil
        case (.integer, .double(let number)):
            return Int64(exactly: number) == nil ? "must be an integer" : nil
        case (.enumeration(let values), _):
            return enumValues.contains(element) ? nil : "is not one of \(values.joined(separator: ", "))"
        case (.string, _): return "must be a string"
        case (.boolean, _): return "must be true or false"
        case (.number, _): return "must be a number"
        case (.integer, _): return "must be an integer"
        case (.object, _): return "must be an object"
        case (.array, _): return "must be an array"
        }
    }

    private static func parseJSON(_ text: String) -> Result<JSONValue, Problem> {
        do {
            return .success(try JSONValue.parse(text))
        } catch {
            return .failure("invalid JSON at \(error)")
        }
    }

    // MARK: Raw JSON

    /// A JSON skeleton for the raw editor: every field at its place, with the default where
    /// the schema has one and a placeholder ("", 0 or the minimum, false, the first choice,
    /// [], {}, null) where it does not.
    public static func rawEditorText(schema: JSONValue) -> String {
        let form = ToolForm(schema: schema)
        var root = ToolForm.emptyObject
        for field in form.fields {
            set(field.defaultValue ?? placeholder(for: field), at: field.path, in: &root)
        }
        return root.prettyPrinted()
    }

    /// What the skeleton holds for a field without a default.
    private static func placeholder(for field: Field) -> JSONValue {
        switch field.kind {
        case .string: return ""
        case .integer:
            let minimum =
                field.constraints.minimum.map { $0.rounded(.up) }
                ?? field.constraints.exclusiveMinimum.map { $0.rounded(.down) + 1 }
            return .int(minimum.flatMap { Int64(exactly: $0) } ?? 0)
        case .number: return .double(field.constraints.minimum ?? 0)
        case .boolean: return false
        case .enumeration: return field.enumValues.first ?? ""
        case .array: return []
        case .object: return ToolForm.emptyObject
        case .json: return .null
        }
    }

    /// Whether every field still holds the text it started with.
    public var isUntouched: Bool { fields.allSatisfy { $0.text == $0.defaultText } }

    /// The form's values as JSON text for the raw editor (F2), also while some do not
    /// validate, so nothing typed is lost: the arguments `arguments()` would send, a value
    /// that does not fit its field as the text typed, and a required field left empty as its
    /// skeleton placeholder.
    public func rawEditorText() -> String {
        let present = presentObjects()
        var root = ToolForm.emptyObject
        for field in fields where isActive(field, present: present) {
            for depth in 1..<max(1, field.path.count) {
                Self.ensureObject(at: Array(field.path.prefix(depth)), in: &root)
            }
            switch Self.value(of: field) {
            case .success(let value?): Self.set(value, at: field.path, in: &root)
            case .success(nil): if field.required { Self.set(Self.placeholder(for: field), at: field.path, in: &root) }
            case .failure: Self.set(.string(field.text), at: field.path, in: &root)
            }
        }
        return root.prettyPrinted()
    }

    /// The form with its fields filled from an arguments object (F2 from the raw editor):
    /// each value at its field's path, fields the object leaves out (or sets to null) empty.
    /// Fails, naming them, when the object has keys the form has no field for, or a value
    /// that a text field cannot hold (a string field given a number would change its type).
    /// Values that do not validate are kept as text, for `validate()` to mark.
    public func filling(from arguments: JSONValue) -> Result<ToolForm, ToolFormError> {
        guard let object = arguments.objectValue else {
            return .failure(
                ToolFormError(field: "", message: "the arguments must be a JSON object, not \(arguments.typeName)"))
        }
        var filled = self
        for index in filled.fields.indices { filled.fields[index].text = "" }
        var fieldIndex: [[String]: Int] = [:]
        var objectPaths = Set<[String]>()
        for (index, field) in fields.enumerated() {
            fieldIndex[field.path] = index
            for depth in 1..<max(1, field.path.count) { objectPaths.insert(Array(field.path.prefix(depth))) }
        }
        var unknown: [String] = []
        var problems: [ToolFormError] = []
        func walk(_ value: JSONValue, path: [String]) {
            for (key, child) in value.objectValue ?? [:] {
                let childPath = path + [key]
                let label = childPath.joined(separator: ".")
                if let index = fieldIndex[childPath] {
                    switch Self.text(for: child, kind: filled.fields[index].kind) {
                    case .success(let text): filled.fields[index].text = text
                    case .failure(let problem): problems.append(ToolFormError(field: label, message: problem.message))
                    }
                } else if objectPaths.contains(childPath) {
                    if child.objectValue != nil {
                        walk(child, path: childPath)
                    } else if !child.isNull {
                        problems.append(
                            ToolFormError(field: label, message: "must be a JSON object, not \(child.typeName)"))
                    }
                } else {
                    unknown.append(label)
                }
            }
        }
        walk(.object(object), path: [])
        if !unknown.isEmpty {
            return .failure(
                ToolFormError(
                    field: "",
                    message: "the JSON has keys the form has no field for: \(unknown.joined(separator: ", "))"))
        }
        if let problem = problems.first { return .failure(problem) }
        return .success(filled)
    }

    /// A JSON value as the user would type it into a field of `kind`.
    private static func text(for value: JSONValue, kind: Kind) -> Result<String, Problem> {
        if value.isNull { return .success("") }
        switch (kind, value) {
        case (.string, .string(let text)):
            return .success(text)
        case (.string, _):
            return .failure("must be a string, not \(value.typeName)")
        case (.number, .string(let text)), (.integer, .string(let text)), (.boolean, .string(let text)):
            // Kept as typed, so validation says what is wrong with it.
            return .success(text)
        case (.boolean, .bool):
            break
        case (.boolean, _):
            // 1 would read as true: refuse rather than change the type.
            return .failure("must be true or false, not \(value.typeName)")
        case (.array, .array):
            break
        case (.array, _):
            // A lone string would be split at its commas: refuse rather than guess.
            return .failure("must be an array, not \(value.typeName)")
        default:
            break
        }
        return .success(Builder.text(for: value, kind: kind, required: false))
    }

    /// Parses what the user typed in the raw editor as the arguments object; empty text is
    /// `{}`. Syntax errors give the line and column.
    public static func parseRaw(_ text: String) -> Result<JSONValue, ToolFormError> {
        if text.trimmed().isEmpty { return .success(ToolForm.emptyObject) }
        switch parseJSON(text) {
        case .failure(let problem):
            return .failure(ToolFormError(field: "", message: problem.message))
        case .success(let value):
            guard value.objectValue != nil else {
                return .failure(
                    ToolFormError(field: "", message: "the arguments must be a JSON object, not \(value.typeName)"))
            }
            return .success(value)
        }
    }
}

/// A problem with a form's input: the field's dotted path ("" for the raw editor) and what is wrong.
public struct ToolFormError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// A message for a field, written as a string literal.
private struct Problem: Error, ExpressibleByStringInterpolation {
    var message: String
    init(stringLiteral value: String) { message = value }
    init(stringInterpolation: DefaultStringInterpolation) { message = String(stringInterpolation: stringInterpolation) }
}

// MARK: - Reading the schema

/// Walks a schema into fields, resolving local `$ref`s and stopping at cycles and depth.
private struct Builder {
    let root: JSONValue
    var fields: [ToolForm.Field] = []

    /// The schema with `$ref`s followed (siblings of a `$ref` override the target), a lone
    /// non-null `anyOf`/`oneOf`/`allOf` branch taken as the schema (how `Optional[x]` is
    /// written), and `type: [x, "null"]` read as `x`. Nil for a `$ref` that is cyclic
    /// (already in `references`, the refs being expanded above), too deep, or not local.
    func resolve(_ schema: JSONValue, references: inout [String]) -> JSONValue? {
        var current = schema
        for _ in 0...ToolForm.maximumDepth {
            if let reference = current["$ref"]?.stringValue {
                guard !references.contains(reference), references.count <= ToolForm.maximumDepth,
                    let target = lookup(reference)
                else { return nil }
                references.append(reference)
                current = merge(target, overriddenBy: current, dropping: "$ref")
                continue
            }
            if let branch = singleBranch(of: current) {
                current = merge(branch.schema, overriddenBy: current, dropping: branch.keyword)
                continue
            }
            if let types = current["type"]?.arrayValue {
                let named = types.compactMap(\.stringValue).filter { $0 != "null" }
                if named.count == 1 { current["type"] = .string(named[0]) }
            }
            return current
        }
        return nil
    }

    /// The one alternative that is not `{"type": "null"}`, when there is exactly one.
    private func singleBranch(of schema: JSONValue) -> (keyword: String, schema: JSONValue)? {
        for keyword in ["anyOf", "oneOf", "allOf"] {
            guard let branches = schema[keyword]?.arrayValue else { continue }
            let useful = branches.filter { $0["type"]?.stringValue != "null" }
            return useful.count == 1 ? (keyword, useful[0]) : nil
        }
        return nil
    }

    private func merge(_ base: JSONValue, overriddenBy outer: JSONValue, dropping keyword: String) -> JSONValue {
        guard var merged = base.objectValue else { return base }
        for (key, value) in outer.objectValue ?? [:] where key != keyword {
            if key == "default", value.isNull, merged["default"] != nil { continue }
            merged[key] = value
        }
        return .object(merged)
    }

    /// A local JSON Pointer: `#`, `#/$defs/x`, `#/definitions/x`, `#/properties/a/items`.
    private func lookup(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for part in reference.dropFirst().split(separator: "/") {
            let key = String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            let decoded = key.removingPercentEncoding ?? key
            if let object = node.objectValue {
                guard let child = object[decoded] else { return nil }
                node = child
            } else if let index = Int(decoded), let child = node[index] {
                node = child
            } else {
                return nil
            }
        }
        return node
    }

    /// Adds a field for each property of an object schema (already resolved).
    mutating func collect(_ schema: JSONValue, path: [String], enclosingRequired: [Bool], references: [String]) {
        guard let properties = schema["properties"]?.objectValue else { return }
        let requiredNames = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let objectDefault = schema["default"]?.objectValue
        for (name, raw) in properties {
            let childPath = path + [name]
            let isRequired = requiredNames.contains(name)
            var childReferences = references
            guard var property = resolve(raw, references: &childReferences) else {
                fields.append(field(childPath, raw, kind: .json, required: isRequired, enclosing: enclosingRequired))
                continue
            }
            if property["default"] == nil || property["default"] == .null, let inherited = objectDefault?[name] {
                property["default"] = inherited
            }
            if isFlattenable(property), enclosingRequired.count + 1 < ToolForm.maximumDepth {
                collect(
                    property, path: childPath, enclosingRequired: enclosingRequired + [isRequired],
                    references: childReferences)
                continue
            }
            let kind = kind(of: property, references: childReferences)
            fields.append(field(childPath, property, kind: kind, required: isRequired, enclosing: enclosingRequired))
        }
    }

    private func isFlattenable(_ schema: JSONValue) -> Bool {
        let type = schema["type"]?.stringValue
        guard type == "object" || (type == nil && schema["properties"] != nil) else { return false }
        guard let properties = schema["properties"]?.objectValue, !properties.isEmpty else { return false }
        return schema["patternProperties"] == nil
    }

    private func kind(of schema: JSONValue, references: [String]) -> ToolForm.Kind {
        if let values = enumValues(of: schema) { return .enumeration(values.map(Self.display)) }
        let type = schema["type"]?.stringValue
        switch type {
        case "string": return .string
        case "number": return .number
        case "integer": return .integer
        case "boolean": return .boolean
        case "object": return .object
        case "array": return .array(of: itemKind(of: schema, references: references))
        case nil:
            if schema["properties"] != nil || schema["additionalProperties"] != nil { return .object }
            if schema["items"] != nil { return .array(of: itemKind(of: schema, references: references)) }
            return .json
        default: return .json
        }
    }

    private func itemKind(of schema: JSONValue, references: [String]) -> ToolForm.Kind {
        guard let items = schema["items"], items.objectValue != nil else { return .json }
        var itemReferences = references
        guard let resolved = resolve(items, references: &itemReferences) else { return .json }
        return kind(of: resolved, references: itemReferences)
    }

    private func enumValues(of schema: JSONValue) -> [JSONValue]? {
        if let values = schema["enum"]?.arrayValue, !values.isEmpty { return values }
        if let constant = schema["const"] { return [constant] }
        return nil
    }

    /// How a choice is shown: a string as itself, anything else as JSON.
    static func display(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.serialized()
    }

    private func field(
        _ path: [String], _ schema: JSONValue, kind: ToolForm.Kind, required: Bool, enclosing: [Bool]
    ) -> ToolForm.Field {
        var defaultValue = schema["default"]
        if defaultValue == .null { defaultValue = nil }
        var constraints = ToolForm.Constraints()
        constraints.minimum = schema["minimum"]?.doubleValue
        constraints.maximum = schema["maximum"]?.doubleValue
        // Draft 4 wrote exclusiveMinimum as a boolean beside minimum.
        if schema["exclusiveMinimum"] == .bool(true) {
            constraints.exclusiveMinimum = constraints.minimum
            constraints.minimum = nil
        } else {
            constraints.exclusiveMinimum = schema["exclusiveMinimum"]?.doubleValue
        }
        if schema["exclusiveMaximum"] == .bool(true) {
            constraints.exclusiveMaximum = constraints.maximum
            constraints.maximum = nil
        } else {
            constraints.exclusiveMaximum = schema["exclusiveMaximum"]?.doubleValue
        }
        constraints.minLength = schema["minLength"]?.intValue
        constraints.maxLength = schema["maxLength"]?.intValue
        constraints.minItems = schema["minItems"]?.intValue
        constraints.maxItems = schema["maxItems"]?.intValue
        constraints.pattern = schema["pattern"]?.stringValue
        constraints.format = schema["format"]?.stringValue

        var choices: [JSONValue] = []
        if case .enumeration = kind {
            choices = enumValues(of: schema) ?? []
        } else if case .array(of: .enumeration) = kind, let items = schema["items"] {
            var references: [String] = []
            choices = resolve(items, references: &references).flatMap { enumValues(of: $0) } ?? []
        }
        let text = Self.text(for: defaultValue, kind: kind, required: required)
        let description = schema["description"]?.stringValue ?? schema["title"]?.stringValue
        return ToolForm.Field(
            path: path, label: path.joined(separator: "."), description: description, kind: kind,
            required: required, defaultValue: defaultValue, constraints: constraints, text: text, defaultText: text,
            enumValues: choices, enclosingRequired: enclosing)
    }

    /// The prefilled text: the default as the user would type it.
    static func text(for defaultValue: JSONValue?, kind: ToolForm.Kind, required: Bool) -> String {
        guard let defaultValue else { return kind == .boolean && required ? "false" : "" }
        switch (kind, defaultValue) {
        case (.string, .string(let text)): return text
        case (.boolean, .bool(let flag)): return flag ? "true" : "false"
        case (.enumeration, _): return display(defaultValue)
        case (.array(of: .string), .array(let items)), (.array(of: .enumeration), .array(let items)):
            let strings = items.compactMap(\.stringValue)
            if strings.count == items.count, !strings.contains(where: { $0.contains(",") || $0.isEmpty }) {
                return strings.joined(separator: ", ")
            }
            return defaultValue.serialized()
        case (.array(of: .number), .array(let items)), (.array(of: .integer), .array(let items)),
            (.array(of: .boolean), .array(let items)):
            return items.map { $0.serialized() }.joined(separator: ", ")
        default: return defaultValue.serialized()
        }
    }
}
