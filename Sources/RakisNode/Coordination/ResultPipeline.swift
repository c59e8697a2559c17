import Foundation
import Logging
import RakisCoordination
import RakisCore

/// This node's own results on their way to a commit: stored, embedded on the embedding queue,
/// then committed to while the request is still open.
struct ResultPipeline: InferenceResultSink {
    let context: QuorumContext
    let embeddingQueue: EmbeddingQueue
    private var logger: Logger { context.logger }

    func hasInferenceResult(requestId: String) async -> Bool {
        await StoredInferenceResults(store: context.stores.inferences, logger: logger).hasInferenceResult(requestId: requestId)
    }

    func saveInferenceResult(_ result: InferenceResult) async {
        guard !context.halted else { return }
        await StoredInferenceResults(store: context.stores.inferences, logger: logger).saveInferenceResult(result)
        guard case .success(let text, _, _) = result.outcome else { return }
        await queueEmbedding(requestId: result.requestId, inferenceId: result.inferenceId, output: text)
    }

    /// The embedding queue's answer for one of this node's results.
    func embedded(_ embedding: InferenceEmbedding) async {
        guard !context.halted else { return }
        do { try await context.stores.inferences.saveEmbedding(embedding) } catch {
            logger.error("cannot save an embedding", metadata: ["requestId": "\(embedding.requestId)", "error": "\(error)"])
            return
        }
        await commit(requestId: embedding.requestId, inferenceId: embedding.inferenceId, bEmbeddingHash: embedding.bEmbeddingHash)
    }

    func embeddingFailed(requestId: String, reason: String) {
        logger.warning("a result could not be embedded; no commit", metadata: ["requestId": "\(requestId)", "reason": "\(reason)"])
    }

    /// After a restart: results of the open requests not yet embedded are embedded, and
    /// embeddings whose commit was never filed are committed.
    func resume(_ active: [InferenceStore.StoredRequest]) async {
        for request in active {
            let committed = Set(((try? await context.stores.quorums.commits(requestId: request.requestId)) ?? []).map(\.synthientId))
            guard !committed.contains(context.synthientId) else { continue }
            for result in (try? await context.stores.inferences.results(requestId: request.requestId)) ?? [] {
                guard let output = result.output else { continue }
                if let embedding = try? await context.stores.inferences.embedding(inferenceId: result.inferenceId) {
                    await commit(requestId: request.requestId, inferenceId: result.inferenceId, bEmbeddingHash: embedding.bEmbeddingHash)
                } else {
                    await queueEmbedding(requestId: request.requestId, inferenceId: result.inferenceId, output: output)
                }
            }
        }
    }

    private func queueEmbedding(requestId: String, inferenceId: String, output: String) async {
        guard let request = try? await context.stores.inferences.request(requestId), context.now < request.endingAt else {
            logger.info("result finished after its request ended; not committing", metadata: ["requestId": "\(requestId)"])
            return
        }
        let model = request.payload.securityFrame.embeddingModel
        await context.status.publish(.computingBEmbeddingHash(embeddingModels: [model]))
        await embeddingQueue.enqueue(EmbeddingQueueItem(
            kind: .resultEmbedding(requestId: requestId, inferenceId: inferenceId, output: output), model: model,
            expiresAt: request.endingAt))
    }

    private func commit(requestId: String, inferenceId: String, bEmbeddingHash: String) async {
        guard let request = try? await context.stores.inferences.request(requestId), context.now < request.endingAt else {
            logger.info("embedded after the request ended; not committing", metadata: ["requestId": "\(requestId)"])
            return
        }
        do {
            try await context.transmit(.inferenceCommit(InferenceCommit(
                requestId: requestId, inferenceId: inferenceId, bEmbeddingHash: bEmbeddingHash, createdAt: context.now)))
            logger.info("committed", metadata: ["requestId": "\(requestId)", "inferenceId": "\(inferenceId)"])
        } catch {
            logger.error("cannot send a commit", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
        }
    }
}
