import Foundation
import GRDB

/// What the scheduler needs to know of one open quorum, read in one transaction: its request,
/// its row, and how far its commits and reveals have come.
public struct QuorumSnapshot: Sendable, Hashable {
    /// nil while only commits arrived (the request may come later).
    public let request: InferenceStore.StoredRequest?
    public let record: QuorumStore.Record?
    public let commitCount: Int
    public let acceptedRevealCount: Int
    /// Every committed node has an accepted reveal.
    public let everyMemberRevealed: Bool
}

extension CoordinationStores {
    public func quorumSnapshot(requestId: String) async throws -> QuorumSnapshot {
        try await database.pool.read { db in try QuorumSnapshot.read(requestId: requestId, in: db) }
    }
}

extension QuorumSnapshot {
    static func read(requestId: String, in db: Database) throws -> QuorumSnapshot {
        let request = try InferenceRequestRow.fetchOne(db, key: requestId)?.stored()
        let record = try QuorumRow.fetchOne(db, key: requestId)?.record
        let commits = try QuorumCommitRow.filter(QuorumCommitRow.Columns.requestId == requestId).fetchCount(db)
        let reveals = try QuorumRevealRow
            .filter(QuorumRevealRow.Columns.requestId == requestId && QuorumRevealRow.Columns.rejectReason == nil).fetchCount(db)
        return QuorumSnapshot(
            request: request, record: record, commitCount: commits, acceptedRevealCount: reveals,
            everyMemberRevealed: try QuorumStore.everyMemberRevealed(requestId: requestId, in: db))
    }
}
