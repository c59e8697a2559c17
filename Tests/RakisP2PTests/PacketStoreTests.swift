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
        // v4: no index by request (random ids, no reader); the rest as v3 left them.
        #expect(indexes == ["packet_identityKey", "packet_receivedTime", "packet_type"])
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

        let first = try await database.pool.write { db in try PacketStore.insertNew(received, in: db) }
        let again = try await database.pool.write { db in try PacketStore.insertNew(received.reversed(), in: db) }
        #expect(first.map(\.synthientId) == [genuine.synthientId, lookalike.synthientId])
        #expect(again.isEmpty)
        #expect(try await PacketStore(pool: database.pool).count() == 2)
    }
}
