/// mcptop's exit codes, documented in the README.
enum ExitStatus {
    static let ok: Int32 = 0
    /// Bad usage or a broken configuration.
    static let usage: Int32 = 1
    /// Could not connect, protocol error, or authorization failed.
    static let connection: Int32 = 2
    /// The tool ran and reported an error (`isError`).
    static let toolError: Int32 = 3
    /// Interrupted by the user (Ctrl-C), as shells report SIGINT.
    static let interrupted: Int32 = 130
}

/// An error a command reports itself and ends with the given status.
struct CommandFailure: Error {
    var message: String
    var status: Int32
}
