import Foundation

/// One step of an authorization flow, for the timeline users see (discovery URLs tried,
/// registration, token requests and their outcome). Never holds a secret.
public struct AuthStep: Sendable, Equatable, CustomStringConvertible {
    public var time: Date
    public var action: String
    public var outcome: String

    public init(time: Date = Date(), action: String, outcome: String) {
        self.time = time
        self.action = action
        self.outcome = outcome
    }

    public var description: String { "\(action) → \(outcome)" }
}

/// Receives the steps as they happen.
public typealias AuthStepHandler = @Sendable (AuthStep) -> Void
