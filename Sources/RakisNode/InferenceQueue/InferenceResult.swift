public import Foundation
public import RakisCore

/// What came of running one request on this node: the text and its statistics, or why it failed.
/// Each result has a fresh `inferenceId`, the one a commit later names.
public struct InferenceResult: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case success(text: String, tokenCount: Int, tokensPerSecond: Double)
        case failure(reason: String)
    }

    public var requestId: String
    public var inferenceId: String
    public var modelName: String
    public var startedAt: Date
    public var completedAt: Date
    public var outcome: Outcome

    public init(requestId: String, inferenceId: String, modelName: String, startedAt: Date, completedAt: Date, outcome: Outcome) {
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.modelName = modelName
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.outcome = outcome
    }
}

/// Where the inference request queue hands its results: the inference store, which the
/// coordination layer implements.
public protocol InferenceResultSink: Sendable {
    /// Whether this node already ran `requestId` (so that a restart does not run it again).
    func hasInferenceResult(requestId: String) async -> Bool
    func saveInferenceResult(_ result: InferenceResult) async
}

/// Where the queue announces what it does: `peerStatusUpdate` packets, in the Domain.
public protocol PeerStatusPublisher: Sendable {
    func publish(_ status: PeerStatusUpdate.Status) async
}
