public import Foundation
public import GRDB
import RakisStorage

/// The SQLite file of layer 1 (`p2p.sqlite` in the data directory): received packets and the
/// peer table. WAL mode through `DatabasePool`, schema through versioned migrations.
public struct P2PDatabase: Sendable {
    public static let fileName = "p2p.sqlite"
    public let pool: DatabasePool

    public init(directory: URL) throws {
        try self.init(path: directory.appendingPathComponent(Self.fileName).path)
    }

    public init(path: String) throws {
        // Debian builds SQLite to zero every page a delete frees and write it to the WAL, and
        // intake prunes as much as it stores (10 % more bytes written). Packets are public; the
        // fast setting still zeroes deleted rows on the pages written anyway.
        pool = try SQLiteFile.open(path: path, label: "rakis.p2p", migrator: Self.migrator, pragmas: ["secure_delete = FAST"])
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: packets and peers") { db in
            try db.create(table: "packet") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("synthientId", .text).notNull()
                t.column("signature", .text).notNull()
                t.column("type", .text).notNull()
                t.column("requestId", .text)
                t.column("createdAt", .double).notNull()
                t.column("receivedTime", .double).notNull()
                t.column("deliveredThrough", .text)
                t.column("packet", .text).notNull()
            }
            try db.create(index: "packet_identity", on: "packet", columns: ["synthientId", "signature"], unique: true)
            try db.create(index: "packet_receivedTime", on: "packet", columns: ["receivedTime", "id"])
            try db.create(index: "packet_type", on: "packet", columns: ["type", "receivedTime"])
            try db.create(index: "packet_requestId", on: "packet", columns: ["requestId"])

            try db.create(table: "peer") { t in
                t.primaryKey("synthientId", .text)
                t.column("seenOn", .text).notNull()
                t.column("lastSeen", .double).notNull()
                t.column("totalTokens", .integer).notNull().defaults(to: 0)
                t.column("totalWorkers", .integer).notNull().defaults(to: 0)
                t.column("chainIdentities", .text).notNull().defaults(to: "[]")
                t.column("deviceInfo", .text)
            }
            try db.create(index: "peer_lastSeen", on: "peer", columns: ["lastSeen"])
        }
        migrator.registerMigration("v2: equivocations") { db in
            try db.alter(table: "peer") { t in t.add(column: "equivocations", .integer).notNull().defaults(to: 0) }
        }
        migrator.registerMigration("v3: a short identity key", migrate: indexIdentityByKey)
        // No query of the node reads packets by request (the Domain keeps requests in its own
        // store), and request ids are random UUIDs: the index cost every insert and prune a
        // page written at a random place (4 – 5 µs a packet, `rakis-bench intake`'s stage of
        // packets verified already). `PacketStore.packets(forRequest:)` scans instead.
        migrator.registerMigration("v4: no request index") { db in try db.drop(index: "packet_requestId") }
        // Intake keeps the stored identities in memory (`StoredIdentities`, filled from the
        // `identityKey` column at start), and the queries by type (the dashboard's, the known
        // models') walk the index by time in a table of a few thousand rows: neither index paid
        // for the two random page writes it cost each packet, stored and pruned.
        migrator.registerMigration("v5: identities in memory, no type index") { db in
            try db.drop(index: "packet_identityKey")
            try db.drop(index: "packet_type")
        }
        return migrator
    }

    /// The unique index on `(synthientId, signature)` held 200-byte keys at random places, so
    /// every batch rewrote most of its pages; a packet's `identityKey` (its signature's first
    /// eight bytes) finds the same rows from an index a tenth the size. Insertion checks the
    /// full identity (`PacketStore.insertNew`).
    static func indexIdentityByKey(_ db: Database) throws {
        try db.alter(table: "packet") { t in t.add(column: "identityKey", .integer).notNull().defaults(to: 0) }
        let rows = try Row.fetchAll(db, sql: "SELECT id, signature FROM packet")
        let update = try db.makeStatement(sql: "UPDATE packet SET identityKey = ? WHERE id = ?")
        for row in rows {
            try update.execute(arguments: [PacketStore.identityKey(signature: row["signature"]), row["id"] as Int64])
        }
        try db.drop(index: "packet_identity")
        try db.create(index: "packet_identityKey", on: "packet", columns: ["identityKey"])
    }
}
