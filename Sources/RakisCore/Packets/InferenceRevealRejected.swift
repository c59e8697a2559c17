public import Foundation

/// `inferenceRevealRejected`: a reveal that failed verification, and why.
public struct InferenceRevealRejected: Codable, Sendable, Hashable {
    public var requestId: String
    public var inferenceId: String
    public var rejectReason: RejectReason
    public var createdAt: Date

    public init(requestId: String, inferenceId: String, rejectReason: RejectReason, createdAt: Date) {
        self.requestId = requestId
        self.inferenceId = inferenceId
        self.rejectReason = rejectReason
        self.createdAt = createdAt
    }

    /// Encoded with a `type` discriminator, as the reference does.
    public enum RejectReason: Codable, Sendable, Hashable {
        /// The verifier's own binary embedding of the output differs from the revealed one by
        /// more than `bEmbeddingThreshold` bits.
        case computedBEmbeddingFailsThreshold(computedBEmbedding: [UInt8], revealedBEmbedding: [UInt8])
        /// The revealed binary embedding, hashed with the sender's id, is not the committed hash.
        case bEmbeddingHashMismatch(revealedBEmbedding: [UInt8], computedBEmbeddingHash: String, revealedBEmbeddingHash: String)
        /// rakis's addition: the sender signed two different packets for one `step` of this
        /// request ("commit" or "reveal"); all its packets for the request are refused.
        case equivocation(step: String)

        private enum Kind: String, Codable {
            case computedBEmbeddingFailsThreshold = "computed_bembedding_fails_threshold"
            case bEmbeddingHashMismatch = "bembedding_hash_mismatch"
            case equivocation
        }

        private enum CodingKeys: String, CodingKey {
            case type, computedBEmbedding, revealedBEmbedding, computedBEmbeddingHash, revealedBEmbeddingHash, step
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(Kind.self, forKey: .type) {
            case .computedBEmbeddingFailsThreshold:
                self = .computedBEmbeddingFailsThreshold(
                    computedBEmbedding: try container.decodeBytes(forKey: .computedBEmbedding),
                    revealedBEmbedding: try container.decodeBytes(forKey: .revealedBEmbedding))
            case .bEmbeddingHashMismatch:
                self = .bEmbeddingHashMismatch(
                    revealedBEmbedding: try container.decodeBytes(forKey: .revealedBEmbedding),
                    computedBEmbeddingHash: try container.decode(String.self, forKey: .computedBEmbeddingHash),
                    revealedBEmbeddingHash: try container.decode(String.self, forKey: .revealedBEmbeddingHash))
            case .equivocation:
                self = .equivocation(step: try container.decode(String.self, forKey: .step))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .computedBEmbeddingFailsThreshold(let computed, let revealed):
                try container.encode(Kind.computedBEmbeddingFailsThreshold, forKey: .type)
                try container.encode(computed, forKey: .computedBEmbedding)
                try container.encode(revealed, forKey: .revealedBEmbedding)
            case .bEmbeddingHashMismatch(let revealed, let computedHash, let revealedHash):
                try container.encode(Kind.bEmbeddingHashMismatch, forKey: .type)
                try container.encode(revealed, forKey: .revealedBEmbedding)
                try container.encode(computedHash, forKey: .computedBEmbeddingHash)
                try container.encode(revealedHash, forKey: .revealedBEmbeddingHash)
            case .equivocation(let step):
                try container.encode(Kind.equivocation, forKey: .type)
                try container.encode(step, forKey: .step)
            }
        }
    }
}
