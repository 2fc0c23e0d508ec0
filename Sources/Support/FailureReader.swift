/// Who reads a failure's description, which decides the advice that fits it: whether anything
/// will try again after the failure is shown.
public enum FailureReader: Sendable {
    /// Something that keeps working and tries again by itself (watch, the dashboard, serve,
    /// proxy).
    case retrying
    /// A one-shot command that ends with the failure: nothing retries, the user may.
    case oneShot
    /// A caller that says itself what follows (logout): the failure alone, without advice.
    case bare
}

/// A failure whose advice depends on its reader, and which may pass by itself; for code that
/// cannot see the failure's own type (the bridge, the CLI's last word).
public protocol AdvisedFailure: Error, CustomStringConvertible {
    /// It may pass by itself (a server unreachable for now), as opposed to one that needs the
    /// user (a login, a fix in the config).
    var isTransient: Bool { get }
    /// The description for `reader`, starting with the server's name.
    func description(for reader: FailureReader) -> String
}
