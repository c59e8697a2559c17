import RakisCore

/// What the embedding queue finished, as one stream of typed events: the Domain routes result
/// embeddings to the result pipeline and verifications to the quorum scheduler, so that the queue
/// knows neither.
enum EmbeddingOutcome: Sendable {
    case embedded(InferenceEmbedding)
    case embeddingFailed(requestId: String, inferenceId: String, reason: String)
    case verified(requestId: String, embeddings: [VerifiedEmbedding])
    case verificationFailed(requestId: String, reason: String)
}

/// The embedding queue's consumer on the Domain's side: it turns each answer into an
/// `EmbeddingOutcome` on `stream`.
final class EmbeddingOutcomes: InferenceEmbeddingConsumer, ConsensusVerificationConsumer, Sendable {
    let stream: AsyncStream<EmbeddingOutcome>
    private let continuation: AsyncStream<EmbeddingOutcome>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: EmbeddingOutcome.self, bufferingPolicy: .unbounded)
    }

    func saveEmbedding(_ embedding: InferenceEmbedding) async { continuation.yield(.embedded(embedding)) }

    func embeddingFailed(requestId: String, inferenceId: String, reason: String) async {
        continuation.yield(.embeddingFailed(requestId: requestId, inferenceId: inferenceId, reason: reason))
    }

    func verifiedEmbeddings(requestId: String, embeddings: [VerifiedEmbedding]) async {
        continuation.yield(.verified(requestId: requestId, embeddings: embeddings))
    }

    func verificationFailed(requestId: String, reason: String) async {
        continuation.yield(.verificationFailed(requestId: requestId, reason: reason))
    }

    /// No more outcomes: the stream ends once the ones yielded are consumed.
    func finish() { continuation.finish() }
}
