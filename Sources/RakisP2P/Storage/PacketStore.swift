public import Foundation
public import GRDB
import GRDBSQLite
public import RakisCore

/// SQL for the packet table: insertion of what is new (each packet looked up by its
/// `identityKey` and whole identity first, within the batch too), queries, and pruning of the
/// oldest.
public struct PacketStore: Sendable {
    public let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    /// Inserts each packet unless its `(synthientId, signature)` is already stored. Returns the
    /// ones that were new, in order. Intake's hottest statements, so they bind their values
    /// through SQLite's own calls: no argument array, no copy of the packet into a `String`
    /// first. The lookup is a statement of its own: as `INSERT … SELECT … WHERE NOT EXISTS` on the
    /// same table, SQLite would stage every row in a temporary table first.
    static func insertNew(_ packets: [ReceivedPacket], in db: Database) throws -> [ReceivedPacket] {
        let lookup = try db.cachedStatement(sql: "SELECT 1 FROM packet WHERE identityKey = ?1 AND synthientId = ?2 AND signature = ?3")
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
            bindIdentity(key, received, to: find)
            let found = sqlite3_step(find)
            sqlite3_reset(find)
            guard found == SQLITE_DONE || found == SQLITE_ROW else { throw error(found, in: db) }
            if found == SQLITE_ROW { continue }
            bindIdentity(key, received, to: add)
            bind(received.packet.type.rawValue, at: 4, of: add)
            bind(received.packet.requestId, at: 5, of: add)
            sqlite3_bind_double(add, 6, received.packet.createdAt.timeIntervalSince1970)
            sqlite3_bind_double(add, 7, received.receivedTime.timeIntervalSince1970)
            bind(received.deliveredThrough, at: 8, of: add)
            received.transmitted.canonicalPacket.withUnsafeBufferPointer { bind(utf8: $0, at: 9, of: add) }
            let added = sqlite3_step(add)
            sqlite3_reset(add)
            guard added == SQLITE_DONE else { throw error(added, in: db) }
            inserted.append(received)
        }
        return inserted
    }

    private static func bindIdentity(_ key: Int64, _ received: ReceivedPacket, to handle: OpaquePointer) {
        sqlite3_bind_int64(handle, 1, key)
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

    /// What the packet table indexes a packet's identity by: the first eight bytes of its
    /// signature (hex, as every stored signature is). Two packets may share one; rows are
    /// always matched on the whole identity too.
    static func identityKey(signature: String) -> Int64 {
        Int64(bitPattern: Hex.leadingUInt64(signature) ?? 0)
    }

    /// Deletes the `count` least recently received packets: with the store's size known, the
    /// ones to go are read from the old end of the index, without stepping over the ones kept.
    static func prune(oldest count: Int, in db: Database) throws -> Int {
        guard count > 0 else { return 0 }
        try db.execute(sql: """
            DELETE FROM packet WHERE id IN (
              SELECT id FROM packet ORDER BY receivedTime, id LIMIT ?)
            """, arguments: [count])
        return db.changesCount
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

    public func contains(synthientId: String, signature: String) async throws -> Bool {
        try await pool.read { db in
            try StoredPacket.filter(
                Column("identityKey") == Self.identityKey(signature: signature) && Column("synthientId") == synthientId
                    && Column("signature") == signature
            ).fetchCount(db) > 0
        }
    }
}
