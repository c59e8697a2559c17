public import Foundation
import GRDB
import Synchronization

/// Bounds `coordination.sqlite`: beyond the newest `keep` ended requests, the ones that ended
/// longest ago go with everything filed under them (results, embeddings, quorum, commits,
/// reveals, equivocations, consensus results), and so do quorums that commits opened for a
/// request this node never received, an hour after their last change or once more than
/// `maxOrphanQuorums` are newer. Open requests stay.
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
            try Self.delete(ended + orphans, in: db)
            return ended.count
        }
    }

    /// Keeps the `keep` most recently changed orphan quorums and removes the rest with whatever
    /// is filed under them; returns how many went.
    @discardableResult
    static func pruneOrphans(keeping keep: Int, in db: Database) throws -> Int {
        let doomed = try String.fetchAll(db, sql: """
            SELECT requestId FROM quorum WHERE requestId NOT IN (SELECT requestId FROM inferenceRequest)
            ORDER BY updatedAt DESC, requestId DESC LIMIT -1 OFFSET ?
            """, arguments: [keep])
        try delete(doomed, in: db)
        return doomed.count
    }

    private static func delete(_ requestIds: [String], in db: Database) throws {
        for start in stride(from: 0, to: requestIds.count, by: 500) {
            let batch = Array(requestIds[start..<min(requestIds.count, start + 500)])
            for table in tablesByRequest {
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE requestId IN (\(databaseQuestionMarks(count: batch.count)))",
                    arguments: StatementArguments(batch))
            }
        }
    }
}

/// A count shared by the copies of a store, read and advanced atomically.
final class Tally: Sendable {
    private let value = Atomic(0)

    /// Advances the count and returns the new value.
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}
