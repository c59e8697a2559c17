import Foundation
import GRDB

/// A row of `quorum`: a request's quorum status and when this node took its own steps in it.
struct QuorumRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "quorum"
    var requestId: String
    var status: String
    var statusReason: String?
    var updatedAt: Double
    var revealRequestSentAt: Double?
    var revealSentAt: Double?
    var consensusQueuedAt: Double?

    enum Columns {
        static let requestId = Column(CodingKeys.requestId)
        static let status = Column(CodingKeys.status)
        static let statusReason = Column(CodingKeys.statusReason)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    /// A quorum that awaits commitments.
    init(opening requestId: String, at date: Date) {
        self.requestId = requestId
        status = QuorumStatus.awaitingCommitments.rawValue
        updatedAt = date.timeIntervalSince1970
    }

    var record: QuorumStore.Record? {
        guard let status = QuorumStatus(rawValue: status) else { return nil }
        return QuorumStore.Record(
            requestId: requestId, status: status, statusReason: statusReason, updatedAt: Date(timeIntervalSince1970: updatedAt),
            revealRequestSentAt: revealRequestSentAt.map(Date.init(timeIntervalSince1970:)),
            revealSentAt: revealSentAt.map(Date.init(timeIntervalSince1970:)),
            consensusQueuedAt: consensusQueuedAt.map(Date.init(timeIntervalSince1970:)))
    }

    static let finalStatuses = [QuorumStatus.completed.rawValue, QuorumStatus.failed.rawValue]
}

/// A row of `quorumCommit`: one node's commit, keyed by request and node.
struct QuorumCommitRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "quorumCommit"
    var requestId: String
    var synthientId: String
    var inferenceId: String
    var bEmbeddingHash: String
    var receivedAt: Double

    enum Columns {
        static let requestId = Column(CodingKeys.requestId)
        static let synthientId = Column(CodingKeys.synthientId)
        static let receivedAt = Column(CodingKeys.receivedAt)
    }

    var commit: QuorumStore.Commit {
        QuorumStore.Commit(
            synthientId: synthientId, inferenceId: inferenceId, bEmbeddingHash: bEmbeddingHash, receivedAt: Date(timeIntervalSince1970: receivedAt))
    }
}

/// A row of `quorumEquivocation`: a node caught signing two different packets for one step.
struct QuorumEquivocationRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "quorumEquivocation"
    var requestId: String
    var synthientId: String
    var step: String
    var detectedAt: Double

    enum Columns {
        static let requestId = Column(CodingKeys.requestId)
    }
}

/// A row of `quorumReveal`: every reveal that arrived, accepted or rejected (with its reason).
struct QuorumRevealRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "quorumReveal"
    var id: Int64?
    var requestId: String
    var synthientId: String
    var inferenceId: String
    var output: String
    var bEmbedding: Data
    var receivedAt: Double
    var rejectReason: String?

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let requestId = Column(CodingKeys.requestId)
        static let synthientId = Column(CodingKeys.synthientId)
        static let inferenceId = Column(CodingKeys.inferenceId)
        static let output = Column(CodingKeys.output)
        static let bEmbedding = Column(CodingKeys.bEmbedding)
        static let rejectReason = Column(CodingKeys.rejectReason)
    }

    var reveal: QuorumStore.Reveal {
        QuorumStore.Reveal(
            synthientId: synthientId, inferenceId: inferenceId, output: output, bEmbedding: [UInt8](bEmbedding),
            receivedAt: Date(timeIntervalSince1970: receivedAt), rejectReason: rejectReason)
    }
}
