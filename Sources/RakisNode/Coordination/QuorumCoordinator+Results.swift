import Foundation
import Logging
import RakisCoordination
public import RakisCore

/// This node's own results: stored, embedded, then committed to while the request is active.
extension QuorumCoordinator: InferenceResultSink, InferenceEmbeddingConsumer {
    public func hasInferenceResult(requestId: String) async -> Bool {
        await StoredInferenceResults(store: stores.inferences, logger: logger).hasInferenceResult(requestId: requestId)
    }

    public func saveInferenceResult(_ result: InferenceResult) async {
        guard !halted else { return }
        await StoredInferenceResults(store: stores.inferences, logger: logger).saveInferenceResult(result)
        guard case .success(let text, _, _) = result.outcome else { return }
        await queueEmbedding(requestId: result.requestId, inferenceId: result.inferenceId, output: text)
    }

    func queueEmbedding(requestId: String, inferenceId: String, output: String) async {
        guard let request = try? stores.inferences.request(requestId), now < request.endingAt else {
            logger.info("result finished after its request ended; not committing", metadata: ["requestId": "\(requestId)"])
            return
        }
        let model = request.payload.securityFrame.embeddingModel
        await status.publish(.computingBEmbeddingHash(embeddingModels: [model]))
        await embeddingQueue?.enqueue(EmbeddingQueueItem(
            kind: .resultEmbedding(requestId: requestId, inferenceId: inferenceId, output: output), model: model,
            expiresAt: request.endingAt))
    }

    public func saveEmbedding(_ embedding: InferenceEmbedding) async {
        guard !halted else { return }
        do { try stores.inferences.saveEmbedding(embedding) } catch {
            logger.error("cannot save an embedding", metadata: ["requestId": "\(embedding.requestId)", "error": "\(error)"])
            return
        }
        await commit(requestId: embedding.requestId, inferenceId: embedding.inferenceId, bEmbeddingHash: embedding.bEmbeddingHash)
    }

    public func embeddingFailed(requestId: String, inferenceId: String, reason: String) async {
        logger.warning("a result could not be embedded; no commit", metadata: ["requestId": "\(requestId)", "reason": "\(reason)"])
    }

    private func commit(requestId: String, inferenceId: String, bEmbeddingHash: String) async {
        guard let request = try? stores.inferences.request(requestId), now < request.endingAt else {
            logger.info("embedded after the request ended; not committing", metadata: ["requestId": "\(requestId)"])
            return
        }
        do {
            try await transmit(.inferenceCommit(InferenceCommit(
                requestId: requestId, inferenceId: inferenceId, bEmbeddingHash: bEmbeddingHash, createdAt: now)))
            logger.info("committed", metadata: ["requestId": "\(requestId)", "inferenceId": "\(inferenceId)"])
        } catch {
            logger.error("cannot send a commit", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
        }
    }

    /// After a restart: every active request goes back to the inference queue (which skips those
    /// already answered), results not yet embedded are embedded, and embeddings whose commit was
    /// never filed are committed.
    func resumeOwnWork() async {
        let active: [InferenceStore.StoredRequest]
        do { active = try stores.inferences.activeRequests(at: now) } catch {
            logger.error("cannot read the inference store", metadata: ["error": "\(error)"])
            return
        }
        for request in active {
            let results = (try? stores.inferences.results(requestId: request.requestId)) ?? []
            guard !results.isEmpty else {
                await inferenceQueue?.add(InferenceRequestItem(
                    requestId: request.requestId, prompt: request.payload.prompt, acceptedModels: request.payload.acceptedModels,
                    temperature: request.payload.temperature, maxTokens: request.payload.maxTokens, endingAt: request.endingAt))
                continue
            }
            let committed = Set(((try? stores.quorums.commits(requestId: request.requestId)) ?? []).map(\.synthientId))
            guard !committed.contains(synthientId) else { continue }
            for result in results {
                guard let output = result.output else { continue }
                if let embedding = try? stores.inferences.embedding(inferenceId: result.inferenceId) {
                    await commit(requestId: request.requestId, inferenceId: result.inferenceId, bEmbeddingHash: embedding.bEmbeddingHash)
                } else {
                    await queueEmbedding(requestId: request.requestId, inferenceId: result.inferenceId, output: output)
                }
            }
        }
    }
}
