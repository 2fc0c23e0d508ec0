/// What a user asks of one server, as a value.
public enum SupervisorCommand: Sendable, Equatable {
    case reconnect
    case refreshNow
    /// Starts a browser login beside the connection (`openBrowser` false only shows the URL; an
    /// event carries it); while one is pending, the same command cancels it.
    case login(openBrowser: Bool, extraScopes: [String])
    /// Starts a device login (RFC 8628: a code to enter on another device) beside the
    /// connection, giving up a pending browser login first.
    case deviceLogin
    /// Gives up a pending login; the connection and the stored login stay as they are.
    case cancelLogin
    /// A new login was stored: connect again with it.
    case loggedIn
    /// Revoke and forget the login.
    case forget
}
