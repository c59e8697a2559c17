import Foundation
public import Logging
public import RakisCoordination

/// The inference store as the queue's result sink: each result is written to
/// `coordination.sqlite` before the queue moves on, so a restarted node never runs a request
/// it already answered.
public struct StoredInferenceResults: InferenceResultSink {
    let store: InferenceStore
    let logger: Logger

    public init(store: InferenceStore, logger: Logger = Logger(label: "rakis.domain.results")) {
        self.store = store
        self.logger = logger
    }

    public func hasInferenceResult(requestId: String) async -> Bool {
        do { return try await store.hasResult(requestId: requestId) } catch {
            // Unknown is treated as "already done": running a request twice is worse than skipping it.
            logger.error("cannot read the inference store", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            return true
        }
    }

    public func saveInferenceResult(_ result: InferenceResult) async {
        let stored: InferenceStore.StoredResult
        switch result.outcome {
        case .success(let text, let tokenCount, let tokensPerSecond):
            stored = .init(requestId: result.requestId, inferenceId: result.inferenceId, modelName: result.modelName, output: text,
                           tokenCount: tokenCount, tokensPerSecond: tokensPerSecond, failureReason: nil,
                           startedAt: result.startedAt, completedAt: result.completedAt)
        case .failure(let reason):
            stored = .init(requestId: result.requestId, inferenceId: result.inferenceId, modelName: result.modelName, output: nil,
                           tokenCount: nil, tokensPerSecond: nil, failureReason: reason,
                           startedAt: result.startedAt, completedAt: result.completedAt)
        }
        do { try await store.saveResult(stored) } catch {
            logger.error("cannot save an inference result", metadata: ["requestId": "\(result.requestId)", "error": "\(error)"])
        }
    }
}
