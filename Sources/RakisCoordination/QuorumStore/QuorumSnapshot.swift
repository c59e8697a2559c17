public import Foundation
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
        try await database.pool.read { db in
            let request = try InferenceRequestRow.fetchOne(db, key: requestId)?.stored()
            let record = try QuorumRow.fetchOne(db, key: requestId)?.record
            let counts = try Row.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM quorumCommit WHERE requestId = ?) AS commits,
                       (SELECT COUNT(*) FROM quorumReveal WHERE requestId = ? AND rejectReason IS NULL) AS reveals,
                       (SELECT COUNT(DISTINCT synthientId) FROM quorumReveal WHERE requestId = ? AND rejectReason IS NULL) AS revealers
                """, arguments: [requestId, requestId, requestId])
            let commits: Int = counts?["commits"] ?? 0
            let revealers: Int = counts?["revealers"] ?? 0
            return QuorumSnapshot(
                request: request, record: record, commitCount: commits, acceptedRevealCount: counts?["reveals"] ?? 0,
                everyMemberRevealed: commits > 0 && commits == revealers)
        }
    }
}
