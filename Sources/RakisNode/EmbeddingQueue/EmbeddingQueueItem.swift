public import Foundation

/// One piece of embedding work waiting in the Domain's queue.
public struct EmbeddingQueueItem: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A fresh inference result of this node's, to embed and then commit to.
        case resultEmbedding(requestId: String, inferenceId: String, output: String)
        /// The revealed outputs of a quorum, to re-embed for consensus.
        case consensusVerification(requestId: String, reveals: [RevealedOutput])
    }

    public struct RevealedOutput: Sendable, Equatable {
        public let inferenceId: String
        public let synthientId: String
        public let output: String

        public init(inferenceId: String, synthientId: String, output: String) {
            self.inferenceId = inferenceId
            self.synthientId = synthientId
            self.output = output
        }
    }

    public let kind: Kind
    /// The embedding model that must do the work (the request's `securityFrame.embeddingModel`).
    public let model: String
    public let expiresAt: Date
    /// For a consensus verification: whether this node contributed an inference to the quorum.
    public let hasMyContribution: Bool

    public init(kind: Kind, model: String, expiresAt: Date, hasMyContribution: Bool = false) {
        self.kind = kind
        self.model = model
        self.expiresAt = expiresAt
        self.hasMyContribution = hasMyContribution
    }

    public var requestId: String {
        switch kind {
        case .resultEmbedding(let requestId, _, _), .consensusVerification(let requestId, _): requestId
        }
    }

    /// What the item embeds: the result's output, or every revealed output in order.
    var texts: [String] {
        switch kind {
        case .resultEmbedding(_, _, let output): [output]
        case .consensusVerification(_, let reveals): reveals.map(\.output)
        }
    }

    /// The seed's priority: consensus verifications of quorums this node contributed to first,
    /// then result embeddings, then other consensus verifications. Lower runs first.
    var priorityTier: Int {
        switch kind {
        case .consensusVerification: hasMyContribution ? 0 : 2
        case .resultEmbedding: 1
        }
    }
}
