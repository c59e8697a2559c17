import CRakisSQLiteSetup
public import GRDB
import Logging

/// SQLite's process-wide settings, made once before the first connection opens.
private let sqliteConfigured: Bool = {
    let status = rakis_sqlite_configure()
    if status != 0 {
        Logger(label: "rakis.storage").debug("SQLite was in use before rakis configured it; it keeps its own locking", metadata: ["status": "\(status)"])
    }
    return status == 0
}()

/// How every rakis store opens its SQLite file: WAL through `DatabasePool`, synchronous NORMAL
/// (durable across application crashes; only a power loss can drop the last transactions),
/// then its migrations.
public enum SQLiteFile {
    /// - Parameter pragmas: the store's own settings, made on every connection it opens, e.g.
    ///   `"secure_delete = FAST"`.
    public static func open(path: String, label: String, migrator: DatabaseMigrator, pragmas: [String] = []) throws -> DatabasePool {
        _ = sqliteConfigured
        var configuration = Configuration()
        configuration.label = label
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            for pragma in pragmas { try db.execute(sql: "PRAGMA " + pragma) }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrate(pool)
        return pool
    }

    /// A database in memory with the same migrations, for simulated nodes: nothing to sync.
    public static func openInMemory(label: String, migrator: DatabaseMigrator) throws -> DatabaseQueue {
        _ = sqliteConfigured
        var configuration = Configuration()
        configuration.label = label
        let queue = try DatabaseQueue(configuration: configuration)
        try migrator.migrate(queue)
        return queue
    }
}
