import Support

/// A server found in another client's configuration, already turned into mcptop's dialect.
public struct ForeignServer: Sendable, Equatable {
    public var name: String
    /// The client whose config names it; nil for a server known only from a token store.
    public var client: ForeignClient?
    /// The file it was found in.
    public var file: String
    /// The entry for mcptop's `mcpServers`, or nil when it cannot be imported (`problem`).
    public var entry: JSONValue?
    /// Why it cannot be imported, in the user's words.
    public var problem: String?
    /// Settings of the other client that mcptop has no use for; they are not carried over.
    public var ignoredSettings: [String]
    /// The URL (without its query) or the command line, for listings.
    public var target: String

    /// Where it comes from, for summaries: the client's name, or the file's.
    public var origin: String { client?.displayName ?? file }

    public init(
        name: String, client: ForeignClient?, file: String, entry: JSONValue?, problem: String? = nil,
        ignoredSettings: [String] = [], target: String
    ) {
        self.name = name
        self.client = client
        self.file = file
        self.entry = entry
        self.problem = problem
        self.ignoredSettings = ignoredSettings
        self.target = target
    }
}

/// What one foreign file held: its servers, or why it could not be read at all.
public struct ForeignConfigRead: Sendable {
    public var file: ForeignConfigFile
    public var servers: [ForeignServer]
    /// The file is malformed or of an unexpected shape: `path:line:column: message`.
    public var failure: String?
}
