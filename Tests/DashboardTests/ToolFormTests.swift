import Dashboard
import Foundation
import MCPClient
import Support
import Testing

@Suite struct ToolFormTests {
    /// The demo server's `configure` tool.
    static let configureSchema = """
        {
          "type": "object",
          "properties": {
            "profile": {
              "type": "object",
              "description": "Who is configured",
              "properties": {
                "name": {"type": "string", "description": "Display name", "minLength": 2},
                "level": {"type": "integer", "minimum": 1, "maximum": 5},
                "tags": {"type": "array", "items": {"type": "string"}}
              },
              "required": ["name"]
            },
            "mode": {"type": "string", "enum": ["fast", "safe", "verbose"], "default": "safe"},
            "retries": {"type": "integer", "default": 3},
            "dryRun": {"type": "boolean"},
            "target": {"$ref": "#/$defs/target"}
          },
          "required": ["profile", "mode"],
          "$defs": {
            "target": {
              "type": "object",
              "properties": {"host": {"type": "string", "pattern": "^[a-z.]+$"}, "port": {"type": "integer"}},
              "required": ["host"]
            }
          }
        }
        """

    static func schema(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    static func form(_ text: String = configureSchema) throws -> ToolForm { ToolForm(schema: try schema(text)) }

    /// Sets a field's text by its dotted path.
    static func set(_ form: inout ToolForm, _ key: String, _ text: String) {
        guard let index = form.fields.firstIndex(where: { $0.key == key }) else {
            Issue.record("no field \(key)")
            return
        }
        form.fields[index].text = text
    }

    static func field(_ form: ToolForm, _ key: String) throws -> ToolForm.Field {
        try #require(form.fields.first { $0.key == key })
    }

    static func arguments(_ form: ToolForm) throws -> String {
        try form.arguments().get().serialized()
    }

    // MARK: Building the form

    @Test func fieldsFollowTheSchemaOrderWithNestedObjectsFlattened() throws {
        let form = try Self.form()
        #expect(
            form.fields.map(\.key) == [
                "profile.name", "profile.level", "profile.tags", "mode", "retries", "dryRun", "target.host",
                "target.port",
            ])
        #expect(form.fields.map(\.label) == form.fields.map(\.key))
        #expect(form.fields.map(\.path)[0] == ["profile", "name"])
        #expect(
            form.fields.map(\.kind) == [
                .string, .integer, .array(of: .string), .enumeration(["fast", "safe", "verbose"]), .integer, .boolean,
                .string, .integer,
            ])
        #expect(form.fields.map(\.required) == [true, false, false, true, false, false, true, false])
        #expect(try Self.field(form, "target.host").enclosingRequired == [false])
        #expect(try Self.field(form, "profile.name").enclosingRequired == [true])
        #expect(try Self.field(form, "profile.name").description == "Display name")
    }

    @Test func defaultsPrefillTheFieldsAndConstraintsAreKept() throws {
        let form = try Self.form()
        #expect(form.fields.map(\.text) == ["", "", "", "safe", "3", "", "", ""])
        #expect(try Self.field(form, "mode").defaultValue == "safe")
        #expect(try Self.field(form, "retries").defaultValue == 3)
        #expect(try Self.field(form, "dryRun").defaultValue == nil)
        let level = try Self.field(form, "profile.level").constraints
        #expect(level.minimum == 1 && level.maximum == 5)
        #expect(level.summary == "≥ 1, ≤ 5")
        #expect(try Self.field(form, "profile.name").constraints.minLength == 2)
        #expect(try Self.field(form, "target.host").constraints.pattern == "^[a-z.]+$")
        #expect(try Self.field(form, "profile.tags").inputHint == "comma-separated, or a JSON array")
    }

    @Test func booleansToggleAndEnumsCycle() throws {
        var form = try Self.form()
        let mode = try #require(form.fields.firstIndex { $0.key == "mode" })
        form.fields[mode].next()
        #expect(form.fields[mode].text == "verbose")
        form.fields[mode].next()
        #expect(form.fields[mode].text == "fast")
        form.fields[mode].previous()
        #expect(form.fields[mode].text == "verbose")
        form.fields[mode].previous()
        #expect(form.fields[mode].text == "safe")

        let dryRun = try #require(form.fields.firstIndex { $0.key == "dryRun" })
        form.fields[dryRun].toggle()
        #expect(form.fields[dryRun].text == "true")
        form.fields[dryRun].next()
        #expect(form.fields[dryRun].text == "false")

        // An optional enum passes through "nothing chosen".
        var optional = try Self.form(#"{"type":"object","properties":{"level":{"enum":["low","high"]}}}"#)
        #expect(optional.fields[0].text == "")
        optional.fields[0].next()
        #expect(optional.fields[0].text == "low")
        optional.fields[0].next()
        optional.fields[0].next()
        #expect(optional.fields[0].text == "")
        optional.fields[0].previous()
        #expect(optional.fields[0].text == "high")
    }

    // MARK: Validation

    @Test func anUntouchedFormOnlyNeedsItsRequiredFields() throws {
        let form = try Self.form()
        // target is optional and empty, so its required host is not asked for.
        #expect(form.validate() == ["profile.name": "required"])
        #expect(form.arguments() == .failure(ToolFormError(field: "profile.name", message: "required")))
    }

    @Test func invalidInputIsReportedAtTheField() throws {
        var form = try Self.form()
        Self.set(&form, "profile.name", "A")
        Self.set(&form, "profile.level", "7")
        Self.set(&form, "profile.tags", "[\"a\", 2]")
        Self.set(&form, "mode", "turbo")
        Self.set(&form, "retries", "2.5")
        Self.set(&form, "dryRun", "maybe")
        Self.set(&form, "target.port", "80")
        #expect(
            form.validate() == [
                "profile.name": "must be at least 2 characters",
                "profile.level": "must be at most 5",
                "profile.tags": "item 2 must be a string",
                "mode": "not one of fast, safe, verbose",
                "retries": "must be an integer",
                "dryRun": "must be true or false",
                // Something in target is filled in, so its required host is now needed.
                "target.host": "required",
            ])
        #expect(
            form.arguments() == .failure(ToolFormError(field: "profile.name", message: "must be at least 2 characters"))
        )

        Self.set(&form, "profile.level", "0")
        Self.set(&form, "retries", "many")
        Self.set(&form, "profile.tags", "  [\"a\", ")
        let errors = form.validate()
        #expect(errors["profile.level"] == "must be at least 1")
        #expect(errors["retries"] == "must be an integer")
        #expect(errors["profile.tags"]?.hasPrefix("invalid JSON at line 1:9: ") == true, "\(errors)")
    }

    @Test func numbersFollowTheJSONGrammar() throws {
        var form = try Self.form(
            #"{"type":"object","properties":{"n":{"type":"number","exclusiveMinimum":0},"i":{"type":"integer"}}}"#)
        for (text, expected) in [
            ("0x10", "must be a number"), ("nan", "must be a number"), ("0", "must be greater than 0"),
        ] {
            Self.set(&form, "n", text)
            #expect(form.validate()["n"] == expected, "\(text)")
        }
        Self.set(&form, "n", "+1.5e2")
        Self.set(&form, "i", "3.0")
        #expect(form.validate().isEmpty)
        #expect(try Self.arguments(form) == #"{"n":150,"i":3}"#)
        Self.set(&form, "i", "1e400")
        #expect(form.validate()["i"] == "must be an integer")
    }

    // MARK: Arguments

    @Test func argumentsAreTypedAndNestedFromThePaths() throws {
        var form = try Self.form()
        Self.set(&form, "profile.name", "Ada")
        Self.set(&form, "profile.level", "3")
        Self.set(&form, "profile.tags", "alpha, beta ,, gamma")
        Self.set(&form, "mode", "verbose")
        Self.set(&form, "dryRun", "true")
        Self.set(&form, "target.host", "example.com")
        Self.set(&form, "target.port", "8080")
        #expect(form.validate().isEmpty)
        #expect(
            try Self.arguments(form)
                == #"{"profile":{"name":"Ada","level":3,"tags":["alpha","beta","gamma"]},"mode":"verbose","retries":3,"#
                + #""dryRun":true,"target":{"host":"example.com","port":8080}}"#)
    }

    @Test func emptyOptionalFieldsAndObjectsAreLeftOut() throws {
        var form = try Self.form()
        Self.set(&form, "profile.name", "Ada")
        #expect(try Self.arguments(form) == #"{"profile":{"name":"Ada"},"mode":"safe","retries":3}"#)
        Self.set(&form, "retries", "  ")
        #expect(try Self.arguments(form) == #"{"profile":{"name":"Ada"},"mode":"safe"}"#)

        // A required object is sent even when nothing in it is filled in.
        let options = try Self.form(
            #"{"type":"object","properties":{"options":{"type":"object","properties":{"a":{"type":"string"}}}},"required":["options"]}"#
        )
        #expect(try Self.arguments(options) == #"{"options":{}}"#)

        // A default inside an optional object does not make the object (or its required fields) appear.
        var defaulted = try Self.form(
            #"{"type":"object","properties":{"t":{"type":"object","properties":{"host":{"type":"string"},"port":{"type":"integer","default":443}},"required":["host"]}}}"#
        )
        #expect(defaulted.validate().isEmpty)
        #expect(try Self.arguments(defaulted) == "{}")
        Self.set(&defaulted, "t.host", "h")
        #expect(try Self.arguments(defaulted) == #"{"t":{"host":"h","port":443}}"#)
    }

    @Test func arraysAcceptCommaSeparatedOrJSONText() throws {
        var form = try Self.form(
            #"{"type":"object","properties":{"ids":{"type":"array","items":{"type":"integer"},"maxItems":3,"default":[1,2]},"points":{"type":"array","items":{"type":"object"}}}}"#
        )
        #expect(form.fields.map(\.kind) == [.array(of: .integer), .array(of: .object)])
        #expect(form.fields[0].text == "1, 2")
        Self.set(&form, "ids", "4, x")
        #expect(form.validate()["ids"] == "\"x\" must be an integer")
        Self.set(&form, "ids", "1,2,3,4")
        #expect(form.validate()["ids"] == "must have at most 3 items")
        Self.set(&form, "ids", "[7, 8]")
        Self.set(&form, "points", "{\"x\": 1}")
        #expect(form.validate()["points"] == "must be a JSON array")
        Self.set(&form, "points", "[{\"x\": 1}, {\"y\": 2}]")
        #expect(try Self.arguments(form) == #"{"ids":[7,8],"points":[{"x":1},{"y":2}]}"#)
    }

    @Test func jsonAndObjectFieldsAreParsed() throws {
        var form = try Self.form(
            #"{"type":"object","properties":{"either":{"oneOf":[{"type":"string"},{"type":"integer"}]},"meta":{"type":"object","additionalProperties":{"type":"string"}}}}"#
        )
        #expect(form.fields.map(\.kind) == [.json, .object])
        Self.set(&form, "either", "{\"a\": 1")
        Self.set(&form, "meta", "[1]")
        let errors = form.validate()
        #expect(errors["either"]?.hasPrefix("invalid JSON at line 1:8: ") == true, "\(errors)")
        #expect(errors["meta"] == "must be a JSON object, not an array")
        Self.set(&form, "either", "42")
        Self.set(&form, "meta", "{\"k\": \"v\"}")
        #expect(try Self.arguments(form) == #"{"either":42,"meta":{"k":"v"}}"#)
    }

    @Test func commonSchemaIdiomsAreUnderstood() throws {
        // Optional[str] as pydantic writes it, integer enums, const, draft-4 exclusiveMaximum, ["integer", "null"].
        var form = try Self.form(
            #"""
            {"type":"object","properties":{
              "note":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"title":"Note"},
              "size":{"enum":[1,2,3],"default":2},
              "kind":{"const":"fixed"},
              "ratio":{"type":"number","maximum":1,"exclusiveMaximum":true},
              "count":{"type":["integer","null"]}
            }}
            """#)
        #expect(
            form.fields.map(\.kind) == [
                .string, .enumeration(["1", "2", "3"]), .enumeration(["fixed"]), .number, .integer,
            ])
        #expect(form.fields[0].text == "" && form.fields[0].defaultValue == nil)
        #expect(form.fields[0].description == "Note")
        #expect(form.fields[1].text == "2")
        Self.set(&form, "ratio", "1")
        #expect(form.validate()["ratio"] == "must be less than 1")
        Self.set(&form, "ratio", "0.5")
        Self.set(&form, "kind", "fixed")
        form.fields[1].next()
        #expect(try Self.arguments(form) == #"{"size":3,"kind":"fixed","ratio":0.5}"#)
    }

    // MARK: $ref

    @Test func localReferencesAreResolvedIncludingChains() throws {
        let form = try Self.form(
            #"""
            {"type":"object","properties":{
              "a":{"$ref":"#/definitions/b","description":"outer wins"},
              "addr":{"$ref":"#/$defs/address"}
            },
            "definitions":{"b":{"$ref":"#/$defs/c"}},
            "$defs":{
              "c":{"type":"integer","minimum":2,"description":"inner"},
              "address":{"type":"object","properties":{"city":{"$ref":"#/$defs/city"}}},
              "city":{"type":"string","default":"Oslo"}
            }}
            """#)
        #expect(form.fields.map(\.key) == ["a", "addr.city"])
        #expect(form.fields[0].kind == .integer)
        #expect(form.fields[0].constraints.minimum == 2)
        #expect(form.fields[0].description == "outer wins")
        #expect(form.fields[1].kind == .string)
        #expect(form.fields[1].text == "Oslo")
    }

    @Test func cyclicAndBrokenReferencesBecomeJSONFields() throws {
        let form = try Self.form(
            #"""
            {"type":"object","properties":{
              "head":{"$ref":"#/$defs/node"},
              "loop":{"$ref":"#/$defs/a"},
              "again":{"$ref":"#"},
              "remote":{"$ref":"https://example.com/schema.json"},
              "missing":{"$ref":"#/$defs/nothing"},
              "list":{"type":"array","items":{"$ref":"#/$defs/node"}}
            },
            "$defs":{
              "node":{"type":"object","properties":{"value":{"type":"string"},"next":{"$ref":"#/$defs/node"}}},
              "a":{"$ref":"#/$defs/b"},
              "b":{"$ref":"#/$defs/a"}
            }}
            """#)
        #expect(form.fields.map(\.key) == ["head.value", "head.next", "loop", "again", "remote", "missing", "list"])
        #expect(form.fields.map(\.kind) == [.string, .json, .json, .json, .json, .json, .array(of: .object)])
        #expect(form.validate().isEmpty)
    }

    @Test func deepNestingStopsAtTheDepthLimit() throws {
        var schema = #"{"type":"string"}"#
        for level in (0..<20).reversed() {
            schema = #"{"type":"object","properties":{"l\#(level)":\#(schema)}}"#
        }
        let form = try Self.form(schema)
        #expect(form.fields.count == 1)
        #expect(form.fields[0].path.count == ToolForm.maximumDepth)
        #expect(form.fields[0].kind == .object)
    }

    @Test func schemasWithoutPropertiesGiveAnEmptyForm() throws {
        #expect(try Self.form("{}").fields.isEmpty)
        #expect(try Self.form(#"{"type":"object"}"#).fields.isEmpty)
        #expect(try Self.arguments(Self.form(#"{"type":"object"}"#)) == "{}")
        #expect(ToolForm(schema: .null).fields.isEmpty)
    }

    // MARK: Raw JSON

    @Test func rawEditorTextIsASkeletonWithDefaults() throws {
        let text = ToolForm.rawEditorText(schema: try Self.schema(Self.configureSchema))
        let skeleton = try JSONValue.parse(text)
        #expect(
            skeleton.serialized()
                == #"{"profile":{"name":"","level":1,"tags":[]},"mode":"safe","retries":3,"dryRun":false,"#
                + #""target":{"host":"","port":0}}"#)
        #expect(text.contains("\n  \"mode\": \"safe\""))
        #expect(ToolForm.rawEditorText(schema: [:]) == "{}")
    }

    @Test func rawTextIsParsedWithLineAndColumn() throws {
        #expect(try ToolForm.parseRaw("  ").get() == [:])
        #expect(try ToolForm.parseRaw(#"{"a": [1, true]}"#).get() == ["a": [1, true]])
        let broken = ToolForm.parseRaw(#"{"a": }"#)
        guard case .failure(let error) = broken else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.field == "")
        #expect(error.message.hasPrefix("invalid JSON at line 1:7: "), "\(error.message)")
        #expect(error.description == error.message)

        guard case .failure(let multiline) = ToolForm.parseRaw("{\n  \"a\": 1,\n}") else {
            Issue.record("expected a failure")
            return
        }
        #expect(multiline.message.hasPrefix("invalid JSON at line 3:1: "), "\(multiline.message)")
        #expect(
            ToolForm.parseRaw("[1]")
                == .failure(ToolFormError(field: "", message: "the arguments must be a JSON object, not an array")))
    }

    // MARK: F2 from the raw editor back to the form

    @Test func fillingFromJSONPutsEachValueAtItsFieldAndEmptiesTheRest() throws {
        let arguments = try JSONValue.parse(
            #"{"profile":{"name":"Ada","tags":["a","b"],"level":null},"mode":"fast","dryRun":true,"target":null}"#)
        let filled = try Self.form().filling(from: arguments).get()
        #expect(filled.fields.map(\.text) == ["Ada", "", "a, b", "fast", "", "true", "", ""])
        #expect(filled.validate().isEmpty)
        #expect(
            try Self.arguments(filled) == #"{"profile":{"name":"Ada","tags":["a","b"]},"mode":"fast","dryRun":true}"#)
    }

    @Test func fillingFromTheFormsOwnArgumentsChangesNothing() throws {
        var form = try Self.form()
        Self.set(&form, "profile.name", "Ada")
        Self.set(&form, "profile.level", "3")
        Self.set(&form, "target.host", "example.com")
        let arguments = try form.arguments().get()
        let filled = try form.filling(from: arguments).get()
        #expect(try filled.arguments().get() == arguments)
    }

    @Test func fillingRefusesKeysTheFormHasNoFieldFor() throws {
        let arguments = try JSONValue.parse(#"{"profile":{"name":"Ada","nick":"A"},"mode":"safe","extra":1}"#)
        #expect(
            try Self.form().filling(from: arguments)
                == .failure(
                    ToolFormError(
                        field: "", message: "the JSON has keys the form has no field for: profile.nick, extra")
                ))
    }

    @Test func fillingRefusesValuesATextFieldCannotHold() throws {
        #expect(
            try Self.form().filling(from: try JSONValue.parse(#"{"profile":{"name":5}}"#))
                == .failure(ToolFormError(field: "profile.name", message: "must be a string, not a number")))
        #expect(
            try Self.form().filling(from: try JSONValue.parse(#"{"profile":3}"#))
                == .failure(ToolFormError(field: "profile", message: "must be a JSON object, not a number")))
        #expect(
            try Self.form().filling(from: try JSONValue.parse(#"{"dryRun":1}"#))
                == .failure(ToolFormError(field: "dryRun", message: "must be true or false, not a number")))
        #expect(
            try Self.form().filling(from: try JSONValue.parse(#"{"profile":{"tags":"a, b"}}"#))
                == .failure(ToolFormError(field: "profile.tags", message: "must be an array, not a string")))
        // Other mismatches are kept as typed, for validation to mark at the field.
        let kept = try Self.form().filling(from: try JSONValue.parse(#"{"profile":{"name":"Ada","level":"high"}}"#))
        #expect(try kept.get().validate()["profile.level"] == "must be an integer")
    }

    @Test func theRawTextOfAFormThatDoesNotValidateKeepsWhatWasTyped() throws {
        var form = try Self.form()
        Self.set(&form, "profile.level", "high")
        Self.set(&form, "retries", "")
        #expect(
            try JSONValue.parse(form.rawEditorText()).serialized()
                == #"{"profile":{"name":"","level":"high"},"mode":"safe"}"#)
    }
}
