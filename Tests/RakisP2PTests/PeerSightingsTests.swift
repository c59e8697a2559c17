import Foundation
import RakisCore
@testable import RakisP2P
import RakisTestSupport
import Testing

/// A batch from many senders is applied to the peer table with a lookup for all of them at once;
/// a known peer's `lastSeen` moves in steps of `PeerDB.lastSeenResolution`, never back.
@Suite struct PeerSightingsTests {
    let start = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))

    @Test func aBatchFromHundredsOfSendersRecordsEveryOne() async throws {
        var settings = Settings()
        // One batch for all the senders, flushed by the test.
        settings.maxReceivedPacketQueueSize = 1_000
        settings.receivePacketQueueDebounceMs = 60_000
        let clock = TestClock(now: start)
        let harness = try IntakeHarness(settings: settings, clock: clock)
        let senders = (0..<520).map { _ in NodeIdentity.generate() }
        func commit(_ n: Int) -> Packet {
            .inferenceCommit(InferenceCommit(requestId: "r\(n)", inferenceId: "i\(n)", bEmbeddingHash: String(repeating: "ab", count: 32), createdAt: start))
        }
        for (n, sender) in senders.enumerated() {
            await harness.packetDB.receive(try IntakeHarness.envelope(commit(n), from: sender), deliveredThrough: "memory")
        }
        await harness.packetDB.flush()
        #expect(try await harness.packetDB.peers.count() == senders.count, "every new sender has a row")

        // Seen again five seconds later: the known ones only move lastSeen; one comes through a
        // second transport, and one reports its workers (both take the full update).
        clock.advance(by: .seconds(5))
        for (n, sender) in senders.enumerated() {
            await harness.packetDB.receive(try IntakeHarness.envelope(commit(senders.count + n), from: sender), deliveredThrough: n == 1 ? "nostr" : "memory")
        }
        let status = Packet.peerStatusUpdate(PeerStatusUpdate(status: .loadedWorker(modelName: "m", totalWorkers: 4), createdAt: start))
        await harness.packetDB.receive(try IntakeHarness.envelope(status, from: senders[2]), deliveredThrough: "memory")
        await harness.packetDB.flush()

        for (n, sender) in senders.enumerated() {
            let peer = try #require(try await harness.packetDB.peers.peer(sender.synthientId))
            #expect(peer.lastSeenDate == start.addingTimeInterval(5), "sender \(n): lastSeen moved to the second sighting")
            #expect(peer.seenOn == (n == 1 ? ["memory", "nostr"] : ["memory"]), "sender \(n)")
            #expect(peer.totalWorkers == (n == 2 ? 4 : 0), "sender \(n)")
        }
        #expect(await harness.packetDB.statistics.stored == 2 * senders.count + 1)
        await harness.packetDB.shutdown()
    }

    @Test func aSightingNeverMovesLastSeenBack() async throws {
        let clock = TestClock(now: start)
        let harness = try IntakeHarness(clock: clock)
        let sender = NodeIdentity.generate()
        /// The peer's lastSeen after a heartbeat from it, `after` the clock's last reading.
        func lastSeen(afterHeart n: Double, after step: Duration = .zero) async throws -> Date? {
            clock.advance(by: step)
            let heart = Packet.peerHeart(PeerHeart(windowX: n, windowY: 0, createdAt: start))
            await harness.packetDB.receive(try IntakeHarness.envelope(heart, from: sender), deliveredThrough: "memory")
            await harness.packetDB.flush()
            return try await harness.packetDB.peers.peer(sender.synthientId)?.lastSeenDate
        }
        #expect(try await lastSeen(afterHeart: 1) == start)
        // A later sighting than this packet's, as a peer list can report.
        try await harness.database.pool.write { db in
            try db.execute(sql: "UPDATE peer SET lastSeen = ? WHERE synthientId = ?", arguments: [self.start.timeIntervalSince1970 + 100, sender.synthientId])
        }
        #expect(try await lastSeen(afterHeart: 2, after: .seconds(60)) == start.addingTimeInterval(100))
        #expect(try await lastSeen(afterHeart: 3, after: .seconds(60)) == start.addingTimeInterval(120))
        // Within the resolution the row is not written; a full step on, it is.
        #expect(try await lastSeen(afterHeart: 4, after: .milliseconds(500)) == start.addingTimeInterval(120))
        #expect(try await lastSeen(afterHeart: 5, after: .milliseconds(500)) == start.addingTimeInterval(121))
        await harness.packetDB.shutdown()
    }
}
