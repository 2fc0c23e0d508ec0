import MCPClient
import Support
import Testing

@Suite struct ParameterHeadersTests {
    @Test func mirrorsAnnotatedParametersIncludingNestedOnes() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "region": ["type": "string", "x-mcp-header": "Region"],
                "options": ["type": "object", "properties": ["dry": ["type": "boolean", "x-mcp-header": "Dry"]]],
                "count": ["type": "integer", "x-mcp-header": "Count"],
                "query": ["type": "string"],
            ],
        ]
        let headers = try ParameterHeaders.parse(inputSchema: schema).get()
        let values = headers.headers(for: ["region": "us-west1", "options": ["dry": true], "count": 42, "query": "x"])
        #expect(
            values.map { "\($0.0): \($0.1)" } == [
                "Mcp-Param-Region: us-west1", "Mcp-Param-Dry: true", "Mcp-Param-Count: 42",
            ])
        #expect(headers.headers(for: ["region": nil]).isEmpty)
    }

    @Test(arguments: [
        ("us-west1", "us-west1"),
        ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        (" padded ", "=?base64?IHBhZGRlZCA=?="),
        ("line1\nline2", "=?base64?bGluZTEKbGluZTI=?="),
        ("=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="),
    ])
    func encodesValuesAsTheSpecTableSays(_ value: String, _ expected: String) {
        #expect(ParameterHeaders.encode(value) == expected)
    }

    @Test func rejectsInvalidAnnotations() {
        let throughItems: JSONValue = [
            "type": "object",
            "properties": ["list": ["type": "array", "items": ["type": "string", "x-mcp-header": "Item"]]],
        ]
        let onNumber: JSONValue = ["type": "object", "properties": ["n": ["type": "number", "x-mcp-header": "N"]]]
        let duplicate: JSONValue = [
            "type": "object",
            "properties": [
                "a": ["type": "string", "x-mcp-header": "X"], "b": ["type": "string", "x-mcp-header": "x"],
            ],
        ]
        let badName: JSONValue = ["type": "object", "properties": ["a": ["type": "string", "x-mcp-header": "A B"]]]
        for schema in [throughItems, onNumber, duplicate, badName] {
            #expect(throws: ToolDefinitionError.self) { try ParameterHeaders.parse(inputSchema: schema).get() }
        }
    }
}
