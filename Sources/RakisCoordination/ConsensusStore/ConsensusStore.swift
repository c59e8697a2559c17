public import Foundation
import GRDB
public import RakisCore

/// Consensus results on disk: this node's (one per request) and other nodes' (one per request
/// and verifying node).
public struct ConsensusStore: Sendable {
    let pool: any DatabaseWriter

    public init(database: CoordinationDatabase) { pool = database.pool }

    /// Stores this node's result; a request's first result stands.
    @discardableResult
    public func save(_ record: ConsensusRecord) async throws -> Bool {
        let row = try ConsensusResultRow(record)
        return try await pool.write { db in
            try row.insert(db, onConflict: .ignore)
            return db.changesCount > 0
        }
    }

    public func result(requestId: String) async throws -> ConsensusRecord? {
        try await pool.read { db in try ConsensusResultRow.fetchOne(db, key: requestId)?.record() }
    }

    /// Stores another node's result under `(requestId, verifiedBy)`; the caller has checked that
    /// the packet came from `verifiedBy`. A node's later result for the same request replaces its earlier one.
    public func savePeerResult(_ packet: InferenceQuorumComputed, receivedAt: Date) async throws {
        try await pool.write { db in try Self.savePeerResult(packet, receivedAt: receivedAt, in: db) }
    }

    static func savePeerResult(_ packet: InferenceQuorumComputed, receivedAt: Date, in db: Database) throws {
        try PeerConsensusResultRow(packet, receivedAt: receivedAt).insert(db, onConflict: .replace)
    }

    public func peerResults(requestId: String) async throws -> [PeerConsensusRecord] {
        try await pool.read { db in
            try PeerConsensusResultRow
                .filter(PeerConsensusResultRow.Columns.requestId == requestId)
                .order(PeerConsensusResultRow.Columns.verifiedBy)
                .fetchAll(db).map(\.record)
        }
    }

    /// How many of this node's consensus runs succeeded and how many failed.
    public func outcomeCounts() async throws -> (succeeded: Int, failed: Int) {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(reason IS NULL), 0) AS succeeded, COALESCE(SUM(reason IS NOT NULL), 0) AS failed FROM consensusResult
                """)
            return (row?["succeeded"] ?? 0, row?["failed"] ?? 0)
        }
    }
}
