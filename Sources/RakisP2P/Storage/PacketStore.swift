public import Foundation
public import GRDB
import GRDBSQLite
public import RakisCore

/// SQL for the packet table: insertion of what is new (recognized through `StoredIdentities`,
/// within the batch too), queries, and pruning of the oldest.
public struct PacketStore: Sendable {
    public let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    /// Inserts each packet unless its `(synthientId, signature)` is already stored, and records
    /// the rows it adds in `identities`. Returns the ones that were new, in order. A packet whose
    /// key `identities` does not hold is new without reading the table; one whose key it holds
    /// is compared with those rows, read by id (copies within the batch are found so too).
    /// Intake's hottest statements, so they bind their values through SQLite's own calls: no
    /// argument array, no copy of the packet into a `String` first.
    static func insertNew(_ packets: [ReceivedPacket], identities: inout StoredIdentities, in db: Database) throws -> [ReceivedPacket] {
        let lookup = try db.cachedStatement(sql: "SELECT 1 FROM packet WHERE id = ?1 AND synthientId = ?2 AND signature = ?3")
        let insert = try db.cachedStatement(sql: """
            INSERT INTO packet (identityKey, synthientId, signature, type, requestId, createdAt, receivedTime, deliveredThrough, packet)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """)
        let (find, add) = (lookup.sqliteStatement, insert.sqliteStatement)
        defer {
            sqlite3_clear_bindings(find)
            sqlite3_clear_bindings(add)
        }
        var inserted: [ReceivedPacket] = []
        for received in packets {
            let key = identityKey(signature: received.signature)
            let stored = try identities.containsRow(withKey: key) { row in
                bindIdentity(row, received, to: find)
                let found = sqlite3_step(find)
                sqlite3_reset(find)
                guard found == SQLITE_DONE || found == SQLITE_ROW else { throw error(found, in: db) }
                return found == SQLITE_ROW
            }
            if stored { continue }
            bindIdentity(key, received, to: add)
            bind(received.type.rawValue, at: 4, of: add)
            bind(received.requestId, at: 5, of: add)
            sqlite3_bind_double(add, 6, received.createdAt.timeIntervalSince1970)
            sqlite3_bind_double(add, 7, received.receivedTime.timeIntervalSince1970)
            bind(received.deliveredThrough, at: 8, of: add)
            received.transmitted.canonicalPacket.withUnsafeBufferPointer { bind(utf8: $0, at: 9, of: add) }
            let added = sqlite3_step(add)
            sqlite3_reset(add)
            guard added == SQLITE_DONE else { throw error(added, in: db) }
            identities.insert(key: key, row: sqlite3_last_insert_rowid(db.sqliteConnection))
            inserted.append(received)
        }
        return inserted
    }

    /// Binds `first` (the identity key, or a row id) and the packet's identity to ?1 – ?3.
    private static func bindIdentity(_ first: Int64, _ received: ReceivedPacket, to handle: OpaquePointer) {
        sqlite3_bind_int64(handle, 1, first)
        bind(received.synthientId, at: 2, of: handle)
        bind(received.signature, at: 3, of: handle)
    }

    private static func error(_ code: Int32, in db: Database) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }

    /// SQLite copies a value bound with this destructor (`SQLITE_TRANSIENT`, a macro Swift
    /// cannot import), so the Swift buffer may go right after the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ text: String?, at index: Int32, of handle: OpaquePointer) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bind(utf8: $0, at: index, of: handle) }
    }

    private static func bind(utf8: UnsafeBufferPointer<UInt8>, at index: Int32, of handle: OpaquePointer) {
        // An empty buffer may have no address, and a null pointer would bind NULL, not "".
        guard let start = utf8.baseAddress, !utf8.isEmpty else {
            _ = sqlite3_bind_text(handle, index, "", 0, transient)
            return
        }
        _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self), Int32(utf8.count), transient)
    }

    /// What a packet's identity is known by in `StoredIdentities` (and the table's
    /// `identityKey` column, which fills them at start): the first eight bytes of its signature
    /// (hex, as every stored signature is). Two packets may share one; rows are always matched
    /// on the whole identity too.
    static func identityKey(signature: String) -> Int64 {
        Int64(bitPattern: Hex.leadingUInt64(signature) ?? 0)
    }

    /// Deletes the `count` least recently received packets, and their rows from `identities`:
    /// with the store's size known, the ones to go are read from the old end of the index,
    /// without stepping over the ones kept.
    static func prune(oldest count: Int, identities: inout StoredIdentities, in db: Database) throws -> Int {
        guard count > 0 else { return 0 }
        let statement = try db.cachedStatement(sql: """
            DELETE FROM packet WHERE id IN (
              SELECT id FROM packet ORDER BY receivedTime, id LIMIT ?1)
            RETURNING id, identityKey
            """)
        let handle = statement.sqliteStatement
        sqlite3_bind_int64(handle, 1, Int64(count))
        defer { sqlite3_reset(handle) }
        var pruned = 0
        while true {
            let step = sqlite3_step(handle)
            guard step == SQLITE_ROW else {
                guard step == SQLITE_DONE else { throw error(step, in: db) }
                return pruned
            }
            identities.remove(key: sqlite3_column_int64(handle, 1), row: sqlite3_column_int64(handle, 0))
            pruned += 1
        }
    }

    /// Copies what the WAL holds into the database file now, as SQLite does every 1,000 WAL
    /// pages (readers in the middle are not waited for).
    public func checkpoint() async throws {
        try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }

    /// When the newest stored packet was received; nil for an empty store. Read before intake
    /// takes anything, it is the last moment the node is known to have been listening.
    public func newestReceivedTime() throws -> Date? {
        try pool.read { db in try Self.newestReceivedTime(in: db) }.map(Date.init(timeIntervalSince1970:))
    }

    private static func newestReceivedTime(in db: Database) throws -> Double? {
        try Double.fetchOne(db, sql: "SELECT MAX(receivedTime) FROM packet")
    }

    public func count() async throws -> Int {
        try await pool.read { db in try StoredPacket.fetchCount(db) }
    }

    /// The newest packets first, optionally of one type — the reference's `getLastPackets`.
    public func lastPackets(count: Int, type: PacketType? = nil) async throws -> [StoredPacket] {
        try await pool.read { db in
            var request = StoredPacket.all()
            if let type { request = request.filter(Column("type") == type.rawValue) }
            return try request.order(Column("receivedTime").desc, Column("id").desc).limit(count).fetchAll(db)
        }
    }

    /// A request's packets, oldest first. Reads the whole table (no index serves it): for tools
    /// and tests, not for a node's hot paths.
    public func packets(forRequest requestId: String) async throws -> [StoredPacket] {
        try await pool.read { db in
            try StoredPacket.filter(Column("requestId") == requestId).order(Column("receivedTime"), Column("id")).fetchAll(db)
        }
    }

    /// The packets of `types` received in the last `window` seconds before the newest stored
    /// packet, oldest first, at most `limit` of them (the newest).
    public func recentPackets(window: TimeInterval, types: [PacketType], limit: Int) async throws -> [StoredPacket] {
        try await pool.read { db in
            guard let newest = try Self.newestReceivedTime(in: db) else { return [] }
            return try StoredPacket
                .filter(Column("receivedTime") >= newest - window && types.map(\.rawValue).contains(Column("type")))
                .order(Column("receivedTime").desc, Column("id").desc).limit(limit).fetchAll(db).reversed()
        }
    }

    /// Whether a packet is stored. Reads the whole table (intake finds identities in memory,
    /// `StoredIdentities`, and no index serves this): for tools and tests.
    public func contains(synthientId: String, signature: String) async throws -> Bool {
        try await pool.read { db in
            try StoredPacket.filter(Column("synthientId") == synthientId && Column("signature") == signature).fetchCount(db) > 0
        }
    }
}
