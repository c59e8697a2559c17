import Foundation
import RakisCore
@testable import RakisP2P
import RakisTestSupport
import Testing

/// Intake's bounds under a flood: the backlog drops the loudest source's oldest packets with a
/// counter, and the peer table keeps the peers seen last.
@Suite struct IntakeFloodTests {
    @Test func aFullBacklogDropsTheLoudSourcesPacketsNotAQuietPeers() async throws {
        var settings = Settings()
        settings.maxIntakeBacklog = 100
        // Nothing is processed until the flush: the backlog fills exactly.
        settings.maxReceivedPacketQueueSize = 100_000
        settings.receivePacketQueueDebounceMs = 60_000
        let harness = try IntakeHarness(settings: settings)
        let flooder = NodeIdentity.generate(), quiet = NodeIdentity.generate()
        for n in 0..<300 {
            await harness.packetDB.receive(try IntakeHarness.envelope(commit(n), from: flooder), deliveredThrough: "mesh", from: "flooder")
            if n == 150 { await harness.packetDB.receive(try IntakeHarness.envelope(commit(9_999), from: quiet), deliveredThrough: "mesh", from: "quiet") }
        }
        await harness.packetDB.flush()
        let stats = await harness.packetDB.statistics
        #expect(stats.droppedOverBacklog == 201, "\(stats)")
        #expect(stats.stored == 100)
        let senders = try await harness.packetDB.store.lastPackets(count: 200).map(\.synthientId)
        #expect(senders.contains(quiet.synthientId), "the quiet peer's packet was kept")
        await harness.packetDB.shutdown()
    }

    @Test func thePeerTableKeepsThePeersSeenLast() async throws {
        var settings = Settings()
        settings.maxPeerTableSize = 50
        let harness = try IntakeHarness(settings: settings, clock: TickingClock())
        let peers = (0..<200).map { _ in NodeIdentity.generate() }
        for peer in peers { await harness.packetDB.receive(try IntakeHarness.envelope(commit(1), from: peer), deliveredThrough: "mesh") }
        await harness.packetDB.flush()
        let count = try await harness.packetDB.peers.count()
        #expect(count >= 50 && count <= 60, "peers kept: \(count)")
        #expect(await harness.packetDB.statistics.prunedPeers == 200 - count)
        // The last peers seen are the ones kept.
        #expect(try await harness.packetDB.peers.peer(peers[199].synthientId) != nil)
        #expect(try await harness.packetDB.peers.peer(peers[0].synthientId) == nil)
        await harness.packetDB.shutdown()
    }
}
