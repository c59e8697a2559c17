import Foundation
import GRDB
@testable import RakisCore
@testable import RakisP2P
import Testing

/// The packet table's identity: rows are found by a short key and matched on the whole
/// `(synthientId, signature)`.
@Suite struct PacketStoreTests {
    @Test func aStoreFromBeforeTheIdentityKeyIsMigratedAndStillRecognizesItsPackets() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-p2p-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(P2PDatabase.fileName).path
        let signed = try NodeIdentity.generate().sign(commit(1))

        // The schema as the releases before the key wrote it, with one packet in it.
        let old = try DatabaseQueue(path: path)
        try P2PDatabase.migrator.migrate(old, upTo: "v2: equivocations")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO packet (synthientId, signature, type, requestId, createdAt, receivedTime, deliveredThrough, packet)
                VALUES (?, ?, 'inferenceCommit', 'req-1', ?, ?, 'memory', ?)
                """, arguments: [signed.synthientId, signed.signature, Date().timeIntervalSince1970, Date().timeIntervalSince1970,
                                 String(decoding: signed.canonicalPacket, as: UTF8.self)])
        }
        try old.close()

        let database = try P2PDatabase(path: path)
        let indexes = try await database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'packet' AND sql IS NOT NULL ORDER BY name")
        }
        // v4: no index by request (random ids, no reader); v5: identities in memory, no index by type.
        #expect(indexes == ["packet_receivedTime"])
        // Deletes zero only the pages they write anyway (2 is SQLite's FAST; Debian's default is 1).
        #expect(try await database.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 2)
        #expect(try await PacketStore(pool: database.pool).packets(forRequest: "req-1").count == 1)
        let key = try await database.pool.read { db in try Int64.fetchOne(db, sql: "SELECT identityKey FROM packet") }
        #expect(key == PacketStore.identityKey(signature: signed.signature))
        #expect(key != 0)
        var settings = Settings()
        settings.peerCommunicationCount = 0  // no peer list of its own in the count
        let packetDB = PacketDB(database: database, identity: .generate(), settings: settings, transmitter: { _ in })
        #expect(try await packetDB.store.contains(synthientId: signed.synthientId, signature: signed.signature))
        await packetDB.receive(wire: signed.wireBytes, deliveredThrough: "nostr")
        await packetDB.flush()
        let count = try await packetDB.store.count(), statistics = await packetDB.statistics
        #expect(count == 1, "the migrated row is recognized: the copy is a duplicate; \(statistics)")
        #expect(await packetDB.statistics.duplicates == 1)
        await packetDB.shutdown()
    }

    /// A key shared by two packets (as a hostile signer could arrange with enough work) costs an
    /// index bucket of two, never a packet.
    @Test func packetsSharingAnIdentityKeyAreBothStoredAndEachOnlyOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-p2p-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try P2PDatabase(directory: directory)
        let genuine = try NodeIdentity.generate().sign(commit(1))
        // Same first eight signature bytes, another signer and another tail.
        let lookalike = TransmittedPacket(
            synthientId: String(repeating: "ab", count: 32), signature: String(genuine.signature.prefix(16)) + String(repeating: "0", count: 112),
            packet: genuine.packet, canonicalPacket: genuine.canonicalPacket)
        #expect(PacketStore.identityKey(signature: genuine.signature) == PacketStore.identityKey(signature: lookalike.signature))
        let received = [genuine, lookalike].map { ReceivedPacket(transmitted: $0, receivedTime: Date(), deliveredThrough: "memory") }

        var identities = StoredIdentities()
        let first = try await database.pool.write { [identities] db in
            var held = identities
            return (try PacketStore.insertNew(received, identities: &held, in: db), held)
        }
        identities = first.1
        let again = try await database.pool.write { [identities] db in
            var held = identities
            return try PacketStore.insertNew(received.reversed(), identities: &held, in: db)
        }
        #expect(first.0.map(\.synthientId) == [genuine.synthientId, lookalike.synthientId])
        #expect(again.isEmpty)
        #expect(identities.count == 2)
        #expect(try await PacketStore(pool: database.pool).count() == 2)
        // Read again from the table, the key is held by both rows; pruning one leaves the other.
        var loaded = try await database.pool.read { db in try StoredIdentities.load(in: db, minimumCapacity: 0) }
        #expect(loaded.count == 2)
        let pruned = try await database.pool.write { [loaded] db in
            var held = loaded
            return (try PacketStore.prune(oldest: 1, identities: &held, in: db), held)
        }
        loaded = pruned.1
        #expect(pruned.0 == 1 && loaded.count == 1)
        let kept = try await database.pool.write { [loaded] db in
            var held = loaded
            return try PacketStore.insertNew(received, identities: &held, in: db)
        }
        #expect(kept.count == 1, "only the pruned packet is new again")
    }
}

/// Intake's identities in memory follow the table through commits, rollbacks and restarts.
@Suite struct StoredIdentitiesTests {
    struct Refused: Error {}

    @Test func aRolledBackWriteLeavesNoIdentityBehindAndTheNextWriteReadsTheTable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-p2p-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try P2PDatabase(directory: directory)
        var settings = Settings()
        settings.peerCommunicationCount = 0
        let packetDB = PacketDB(database: database, identity: .generate(), settings: settings, transmitter: { _ in })
        let signed = try NodeIdentity.generate().sign(commit(1))
        let received = ReceivedPacket(transmitted: signed, receivedTime: Date(), deliveredThrough: "memory")

        await #expect(throws: Refused.self) {
            try await database.pool.write { db in
                let inserted = try packetDB.withStoredIdentities(in: db) { identities in
                    try PacketStore.insertNew([received], identities: &identities, in: db).count + identities.count
                }
                #expect(inserted == 2, "one row inserted, one identity held")
                throw Refused()
            }
        }
        #expect(packetDB.storedIdentities.withLock { $0 == nil }, "the rolled-back insert is not remembered")
        await packetDB.receive(wire: signed.wireBytes, deliveredThrough: "nostr")
        await packetDB.flush()
        #expect(try await packetDB.store.count() == 1)
        #expect(await packetDB.statistics.stored == 1)
        #expect(packetDB.storedIdentities.withLock { $0?.count } == 1)

        // A second intake on the same file (a restart) reads the identities from the table.
        let restarted = PacketDB(database: database, identity: .generate(), settings: settings, transmitter: { _ in })
        await restarted.receive(wire: signed.wireBytes, deliveredThrough: "nostr")
        await restarted.flush()
        #expect(await restarted.statistics.duplicates == 1)
        #expect(try await restarted.store.count() == 1)
        await packetDB.shutdown()
        await restarted.shutdown()
    }
}
