public import Foundation
import GRDB
import RakisStorage

/// `dvm.sqlite`: every job this node saw, so that a job delivered again (by another relay, or
/// after a restart) is never run or answered twice.
public final class DVMJobStore: Sendable {
    public static let fileName = "dvm.sqlite"
    private let pool: DatabasePool

    public init(directory: URL) throws {
        pool = try SQLiteFile.open(path: directory.appendingPathComponent(Self.fileName).path, label: "rakis.dvm", migrator: Self.migrator)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: DVMJobRecord.databaseTableName) { t in
                t.primaryKey("jobId", .text)
                t.column("customer", .text).notNull()
                t.column("requestId", .text).indexed()
                t.column("input", .text).notNull()
                t.column("status", .text).notNull()
                t.column("reason", .text)
                t.column("createdAt", .double).notNull()
                t.column("receivedAt", .double).notNull().indexed()
                t.column("bid", .integer)
                t.column("resultEventId", .text)
                t.column("answeredHere", .boolean).notNull()
                t.column("event", .text).notNull()
            }
        }
        return migrator
    }

    /// Keeps a job seen for the first time; false when it was seen before (and nothing changes).
    public func insertIfNew(_ record: DVMJobRecord) async throws -> Bool {
        try await pool.write { db in
            guard try DVMJobRecord.fetchOne(db, key: record.jobId) == nil else { return false }
            try record.insert(db)
            return true
        }
    }

    public func job(_ jobId: String) async throws -> DVMJobRecord? {
        try await pool.read { db in try DVMJobRecord.fetchOne(db, key: jobId) }
    }

    /// Moves a job on; an ended job (error or success) does not go back to processing.
    public func update(_ jobId: String, status: DVMJobRecord.Status, reason: String? = nil) async throws {
        try await pool.write { db in
            guard var record = try DVMJobRecord.fetchOne(db, key: jobId), record.status == .processing else { return }
            record.status = status
            record.reason = reason
            try record.update(db)
        }
    }

    /// Records the result event that answered a job.
    public func answered(_ jobId: String, resultEventId: String, here: Bool) async throws {
        try await pool.write { db in
            guard var record = try DVMJobRecord.fetchOne(db, key: jobId) else { return }
            record.status = .success
            record.reason = nil
            record.resultEventId = resultEventId
            record.answeredHere = here
            try record.update(db)
        }
    }

    /// The newest jobs first.
    public func recent(limit: Int) async throws -> [DVMJobRecord] {
        try await pool.read { db in
            try DVMJobRecord.order(DVMJobRecord.Columns.receivedAt.desc).limit(limit).fetchAll(db)
        }
    }

    /// Jobs still processing, oldest first (to follow again after a restart).
    public func processing() async throws -> [DVMJobRecord] {
        try await pool.read { db in
            try DVMJobRecord.filter(DVMJobRecord.Columns.status == DVMJobRecord.Status.processing.rawValue)
                .order(DVMJobRecord.Columns.receivedAt).fetchAll(db)
        }
    }
}
