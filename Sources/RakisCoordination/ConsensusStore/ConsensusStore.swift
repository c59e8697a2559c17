public import Foundation
import GRDB
public import RakisCore

/// Consensus results on disk: this node's (one per request) and other nodes' (one per request
/// and verifying node).
public struct ConsensusStore: Sendable {
    let pool: DatabasePool

    public init(database: CoordinationDatabase) { pool = database.pool }

    /// Stores this node's result; a request's first result stands.
    @discardableResult
    public func save(_ record: ConsensusRecord) throws -> Bool {
        let details = String(decoding: try JSONEncoder().encode(record.details), as: UTF8.self)
        return try pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO consensusResult (requestId, succeeded, reason, validInferenceJointHash, selectedOutput,
                        selectedSynthientId, selectedBEmbeddingHash, details, computedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [record.requestId, record.succeeded, record.failureReason, record.validInferenceJointHash,
                            record.selected?.output, record.selected?.synthientId, record.selected?.bEmbeddingHash, details,
                            record.computedAt.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func result(requestId: String) throws -> ConsensusRecord? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM consensusResult WHERE requestId = ?", arguments: [requestId]) else {
                return nil
            }
            let details = try JSONDecoder().decode(ConsensusRecord.Details.self, from: Data((row["details"] as String).utf8))
            let selected: ConsensusRecord.Selected? = (row["selectedOutput"] as String?).map {
                .init(output: $0, synthientId: row["selectedSynthientId"], bEmbeddingHash: row["selectedBEmbeddingHash"])
            }
            return ConsensusRecord(
                requestId: row["requestId"], failureReason: row["reason"], validInferenceJointHash: row["validInferenceJointHash"],
                selected: selected, details: details, computedAt: Date(timeIntervalSince1970: row["computedAt"]))
        }
    }

    /// Stores another node's result under `(requestId, verifiedBy)`; the caller has checked that
    /// the packet came from `verifiedBy`. A node's later result for the same request replaces its earlier one.
    public func savePeerResult(_ packet: InferenceQuorumComputed, receivedAt: Date) throws {
        let text = String(decoding: try JSONEncoder().encode(packet), as: UTF8.self)
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO peerConsensusResult (requestId, verifiedBy, validInferenceJointHash, selectedOutput,
                        selectedSynthientId, packet, receivedAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [packet.requestId, packet.verifiedBy, packet.validInferenceJointHash, packet.validSingleInference.output,
                            packet.validSingleInference.fromSynthientId, text, receivedAt.timeIntervalSince1970])
        }
    }

    public func peerResults(requestId: String) throws -> [PeerConsensusRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM peerConsensusResult WHERE requestId = ? ORDER BY verifiedBy", arguments: [requestId]).map {
                PeerConsensusRecord(
                    requestId: $0["requestId"], verifiedBy: $0["verifiedBy"], validInferenceJointHash: $0["validInferenceJointHash"],
                    selectedOutput: $0["selectedOutput"], selectedSynthientId: $0["selectedSynthientId"],
                    receivedAt: Date(timeIntervalSince1970: $0["receivedAt"]))
            }
        }
    }

    /// How many of this node's consensus runs succeeded and how many failed.
    public func outcomeCounts() throws -> (succeeded: Int, failed: Int) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(reason IS NULL), 0) AS succeeded, COALESCE(SUM(reason IS NOT NULL), 0) AS failed FROM consensusResult
                """)
            return (row?["succeeded"] ?? 0, row?["failed"] ?? 0)
        }
    }
}
