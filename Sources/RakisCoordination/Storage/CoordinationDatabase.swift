public import Foundation
public import GRDB
import RakisStorage

/// The SQLite file of layer 3 (`coordination.sqlite` in the data directory): requests, this
/// node's results and embeddings, every quorum with its commits and reveals, and the consensus results. Deadlines are
/// derived from what is stored here, so a restarted node can resume every open request.
public struct CoordinationDatabase: Sendable {
    public static let fileName = "coordination.sqlite"
    /// A WAL pool on disk for a node; one in-memory queue for each node of a simulation.
    public let pool: any DatabaseWriter

    public init(directory: URL) throws {
        try self.init(path: directory.appendingPathComponent(Self.fileName).path)
    }

    public init(path: String) throws {
        pool = try SQLiteFile.open(path: path, label: "rakis.coordination", migrator: Self.migrator)
    }

    /// The same schema in memory, gone when the value is: for the nodes of `rakis simulate`.
    public static func inMemory() throws -> CoordinationDatabase {
        CoordinationDatabase(writer: try SQLiteFile.openInMemory(label: "rakis.coordination", migrator: migrator))
    }

    private init(writer: any DatabaseWriter) { pool = writer }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: requests, results, quorums") { db in
            try db.create(table: "inferenceRequest") { t in
                t.primaryKey("requestId", .text)
                t.column("fromSynthientId", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("createdAt", .double).notNull()
                t.column("endingAt", .double).notNull()
            }
            try db.create(index: "inferenceRequest_endingAt", on: "inferenceRequest", columns: ["endingAt"])

            try db.create(table: "inferenceResult") { t in
                t.primaryKey("inferenceId", .text)
                t.column("requestId", .text).notNull().indexed()
                t.column("modelName", .text).notNull()
                t.column("succeeded", .boolean).notNull()
                t.column("output", .text)
                t.column("tokenCount", .integer)
                t.column("tokensPerSecond", .double)
                t.column("failureReason", .text)
                t.column("startedAt", .double).notNull()
                t.column("completedAt", .double).notNull()
            }

            try db.create(table: "inferenceEmbedding") { t in
                t.primaryKey("inferenceId", .text)
                t.column("requestId", .text).notNull().indexed()
                t.column("embedding", .blob).notNull()
                t.column("bEmbedding", .blob).notNull()
                t.column("bEmbeddingHash", .text).notNull()
            }

            try db.create(table: "quorum") { t in
                t.primaryKey("requestId", .text)
                t.column("status", .text).notNull()
                t.column("statusReason", .text)
                t.column("updatedAt", .double).notNull()
            }
            try db.create(index: "quorum_status", on: "quorum", columns: ["status"])

            try db.create(table: "quorumCommit") { t in
                t.column("requestId", .text).notNull()
                t.column("synthientId", .text).notNull()
                t.column("inferenceId", .text).notNull()
                t.column("bEmbeddingHash", .text).notNull()
                t.column("receivedAt", .double).notNull()
                t.primaryKey(["requestId", "synthientId"])
            }

            try db.create(table: "quorumReveal") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("requestId", .text).notNull().indexed()
                t.column("synthientId", .text).notNull()
                t.column("inferenceId", .text).notNull()
                t.column("output", .text).notNull()
                t.column("bEmbedding", .blob).notNull()
                t.column("receivedAt", .double).notNull()
                t.column("rejectReason", .text)
            }
        }
        migrator.registerMigration("v2: own protocol steps, consensus results") { db in
            // When this node sent its reveal request and its reveal, and queued consensus: the
            // deadlines after a restart are derived from these.
            try db.alter(table: "quorum") { t in
                t.add(column: "revealRequestSentAt", .double)
                t.add(column: "revealSentAt", .double)
                t.add(column: "consensusQueuedAt", .double)
            }
            try db.create(table: "consensusResult") { t in
                t.primaryKey("requestId", .text)
                t.column("succeeded", .boolean).notNull()
                t.column("reason", .text)
                t.column("validInferenceJointHash", .text)
                t.column("selectedOutput", .text)
                t.column("selectedSynthientId", .text)
                t.column("selectedBEmbeddingHash", .text)
                t.column("details", .text).notNull()
                t.column("computedAt", .double).notNull()
            }
            try db.create(table: "peerConsensusResult") { t in
                t.column("requestId", .text).notNull()
                t.column("verifiedBy", .text).notNull()
                t.column("validInferenceJointHash", .text).notNull()
                t.column("selectedOutput", .text).notNull()
                t.column("selectedSynthientId", .text).notNull()
                t.column("packet", .text).notNull()
                t.column("receivedAt", .double).notNull()
                t.primaryKey(["requestId", "verifiedBy"])
            }
        }
        migrator.registerMigration("v3: equivocations") { db in
            // A node that signed two different commits, or two different reveals, for one
            // request: all its packets for that request are refused from then on.
            try db.create(table: "quorumEquivocation") { t in
                t.column("requestId", .text).notNull()
                t.column("synthientId", .text).notNull()
                t.column("step", .text).notNull()
                t.column("detectedAt", .double).notNull()
                t.primaryKey(["requestId", "synthientId"])
            }
        }
        return migrator
    }
}
