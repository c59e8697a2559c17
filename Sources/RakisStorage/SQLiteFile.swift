public import GRDB

/// How every rakis store opens its SQLite file: WAL through `DatabasePool`, synchronous NORMAL
/// (durable across application crashes; only a power loss can drop the last transactions),
/// then its migrations.
public enum SQLiteFile {
    public static func open(path: String, label: String, migrator: DatabaseMigrator) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.label = label
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrate(pool)
        return pool
    }

    /// A database in memory with the same migrations, for simulated nodes: nothing to sync.
    public static func openInMemory(label: String, migrator: DatabaseMigrator) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.label = label
        let queue = try DatabaseQueue(configuration: configuration)
        try migrator.migrate(queue)
        return queue
    }
}
