import Foundation

/// One step of an authorization flow, for the timeline users see (discovery URLs tried,
/// registration, token requests and their outcome). Never holds a secret.
public struct AuthStep: Sendable, Equatable, CustomStringConvertible {
    public var time: Date
    public var action: String
    public var outcome: String
    /// For an HTTP request: what it was for and what came back, for counting (metrics).
    public var exchange: Exchange?

    /// What an OAuth HTTP request was for and how it ended. Never holds a secret.
    public struct Exchange: Sendable, Equatable {
        /// What the request was for, as in the action: "refresh", "token", "register", …
        public var purpose: String
        /// The HTTP status; nil when no answer came (a network error, a timeout, cancelled).
        public var status: Int?
        /// The OAuth `error` code of the answer (`invalid_grant`), if it had one.
        public var error: String?
        /// No answer because the request was cancelled (not a network failure).
        public var cancelled: Bool
        /// The endpoint's host (and port), never its path or query.
        public var host: String?
        /// How long the request took, in seconds; it ended at the step's `time`.
        public var seconds: Double?

        public init(
            purpose: String, status: Int?, error: String? = nil, cancelled: Bool = false, host: String? = nil,
            seconds: Double? = nil
        ) {
            self.purpose = purpose
            self.status = status
            self.error = error
            self.cancelled = cancelled
            self.host = host
            self.seconds = seconds
        }

        /// A URL's host, with its port when it has one: no scheme, user information, path or
        /// query. Nil when `url` has no host.
        public static func host(of url: String) -> String? {
            guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
                return nil
            }
            return components.port.map { "\(host):\($0)" } ?? host
        }
    }

    public init(time: Date = Date(), action: String, outcome: String, exchange: Exchange? = nil) {
        self.time = time
        self.action = action
        self.outcome = outcome
        self.exchange = exchange
    }

    public var description: String { "\(action) → \(outcome)" }
}

/// Receives the steps as they happen.
public typealias AuthStepHandler = @Sendable (AuthStep) -> Void
