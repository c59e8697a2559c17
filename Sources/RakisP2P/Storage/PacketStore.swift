public import Foundation
public import GRDB
public import RakisCore

/// SQL for the packet table: insert-or-ignore (the unique index on `(synthientId, signature)`
/// is the dedupe of last resort), queries, and pruning to the newest N.
public struct PacketStore: Sendable {
    public let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    /// Inserts each packet unless its `(synthientId, signature)` is already stored. Returns the
    /// ones that were new, in order.
    static func insertNew(_ packets: [ReceivedPacket], in db: Database) throws -> [ReceivedPacket] {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO packet (synthientId, signature, type, requestId, createdAt, receivedTime, deliveredThrough, packet)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var inserted: [ReceivedPacket] = []
        for received in packets {
            try statement.execute(arguments: [
                received.synthientId, received.signature, received.packet.type.rawValue, received.packet.requestId,
                received.packet.createdAt.timeIntervalSince1970, received.receivedTime.timeIntervalSince1970,
                received.deliveredThrough, String(decoding: received.transmitted.canonicalPacket, as: UTF8.self),
            ])
            if db.changesCount > 0 { inserted.append(received) }
        }
        return inserted
    }

    /// Keeps the `keep` most recently received packets and deletes the rest.
    static func prune(keeping keep: Int, in db: Database) throws -> Int {
        try db.execute(sql: """
            DELETE FROM packet WHERE id IN (
              SELECT id FROM packet ORDER BY receivedTime DESC, id DESC LIMIT -1 OFFSET ?)
            """, arguments: [keep])
        return db.changesCount
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
            try StoredPacket.filter(Column("synthientId") == synthientId && Column("signature") == signature).fetchCount(db) > 0
        }
    }
}
