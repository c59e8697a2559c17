public import Foundation
import GRDB

/// Bounds `coordination.sqlite`: beyond the newest `keep` ended requests, the ones that ended
/// longest ago go with everything filed under them (results, embeddings, quorum, commits,
/// reveals, equivocations, consensus results), and so do quorums that commits opened for a
/// request this node never received, an hour after their last change. Open requests stay.
public struct CoordinationRetention: Sendable {
    static let tablesByRequest = [
        "inferenceResult", "inferenceEmbedding", "quorumCommit", "quorumReveal", "quorumEquivocation", "consensusResult",
        "peerConsensusResult", "quorum", "inferenceRequest",
    ]
    static let orphanQuorumAge: TimeInterval = 3_600
    let database: CoordinationDatabase

    public init(database: CoordinationDatabase) { self.database = database }

    /// Prunes and returns how many requests it removed.
    @discardableResult
    public func prune(keepingEnded keep: Int, now: Date) async throws -> Int {
        try await database.pool.write { db in
            let ended = try String.fetchAll(db, sql: """
                SELECT requestId FROM inferenceRequest WHERE endingAt < ?
                ORDER BY endingAt DESC, requestId DESC LIMIT -1 OFFSET ?
                """, arguments: [now.timeIntervalSince1970, keep])
            let orphans = try String.fetchAll(db, sql: """
                SELECT requestId FROM quorum WHERE updatedAt < ? AND requestId NOT IN (SELECT requestId FROM inferenceRequest)
                """, arguments: [now.timeIntervalSince1970 - Self.orphanQuorumAge])
            let doomed = ended + orphans
            for start in stride(from: 0, to: doomed.count, by: 500) {
                let batch = Array(doomed[start..<min(doomed.count, start + 500)])
                for table in Self.tablesByRequest {
                    try db.execute(
                        sql: "DELETE FROM \(table) WHERE requestId IN (\(databaseQuestionMarks(count: batch.count)))",
                        arguments: StatementArguments(batch))
                }
            }
            return ended.count
        }
    }
}
