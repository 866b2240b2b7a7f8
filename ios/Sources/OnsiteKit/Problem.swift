import Foundation
import OnsiteBindings

/// What a screen shows for a failed call, and what the engineer can do about it.
/// Mirrors the Android facade's `Problem`.
public struct Problem: Equatable, Sendable {
    /// The next step the app offers; one per `ApiError` case an app acts on.
    public enum Action: Sendable {
        case refresh, notAllowed, fixInput, finishVisit, signIn, retryLater, storage, other
    }

    public let action: Action
    /// The core's sentence.
    public let message: String
    /// Problems per form field (several joined with "; "), for `.fixInput`.
    public let fields: [String: String]
    /// Everything completion still needs, for `.finishVisit`.
    public let missing: [String]

    public init(action: Action, message: String, fields: [String: String] = [:], missing: [String] = []) {
        self.action = action
        self.message = message
        self.fields = fields
        self.missing = missing
    }

    /// Maps any error of a facade call; errors that are not the core's become `.other`.
    public init(_ error: Error) {
        guard let api = error as? ApiError else {
            self.init(action: .other, message: error.localizedDescription)
            return
        }
        switch api {
        case let .NotFound(detail): self.init(action: .refresh, message: detail)
        case let .NotAllowed(detail): self.init(action: .notAllowed, message: detail)
        case let .Invalid(problems, detail):
            let fields = Dictionary(grouping: problems, by: \.field).mapValues { $0.map(\.text).joined(separator: "; ") }
            self.init(action: .fixInput, message: detail, fields: fields)
        case let .IncompleteCompletion(missing, detail):
            self.init(action: .finishVisit, message: detail, missing: missing.map(\.text))
        case let .NotSignedIn(detail): self.init(action: .signIn, message: detail)
        case let .Conflict(detail): self.init(action: .retryLater, message: detail)
        case let .Network(detail): self.init(action: .retryLater, message: detail)
        case let .Storage(detail): self.init(action: .storage, message: detail)
        case let .Other(detail): self.init(action: .other, message: detail)
        }
    }
}
