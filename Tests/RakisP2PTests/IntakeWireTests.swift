import Foundation
import RakisCore
@testable import RakisP2P
import RakisTestSupport
import Testing

/// Intake of bytes as transports deliver them: parsed and verified on intake's threads, each
/// distinct copy checked once, malformed bytes counted and dropped, a transport's own check
/// trusted.
@Suite struct IntakeWireTests {
    @Test func copiesOfTheSameBytesAreParsedAndCheckedOnce() async throws {
        let harness = try IntakeHarness()
        let peer = NodeIdentity.generate()
        let wire = try peer.sign(commit(1)).wireBytes
        for transport in ["mesh", "nostr", "mesh"] { await harness.packetDB.receive(wire: wire, deliveredThrough: transport) }
        await harness.packetDB.flush()
        await harness.packetDB.receive(wire: wire, deliveredThrough: "nostr")
        await harness.packetDB.flush()
        let stats = await harness.packetDB.statistics
        #expect(stats.stored == 1 && stats.duplicates == 3, "\(stats)")
        #expect(stats.signaturesChecked == 1, "one check for four copies in two batches")
        #expect(try await harness.packetDB.peers.peer(peer.synthientId)?.seenOn.sorted() == ["mesh", "nostr"])
        await harness.packetDB.shutdown()
    }

    /// Different bytes under a signature already verified are checked and refused, before and
    /// after the real packet, in one batch or the next.
    @Test func aForgedVariantOfAVerifiedPacketIsStillChecked() async throws {
        let harness = try IntakeHarness()
        let peer = NodeIdentity.generate()
        let real = try peer.sign(commit(1)).wireBytes
        let forged = try SamplePackets.editedWire(commit(1), by: peer) { $0["inferenceId"] = .string("forged") }
        for bytes in [forged, real, forged] { await harness.packetDB.receive(wire: bytes, deliveredThrough: "mesh") }
        await harness.packetDB.flush()
        await harness.packetDB.receive(wire: forged, deliveredThrough: "nostr")
        await harness.packetDB.flush()
        let stats = await harness.packetDB.statistics
        #expect(stats.invalidSignatures == 3 && stats.stored == 1, "\(stats)")
        guard case .inferenceCommit(let stored)? = try await harness.packetDB.store.lastPackets(count: 5).first?.decoded() else {
            Issue.record("expected the commit")
            return
        }
        #expect(stored.inferenceId != "forged")
        await harness.packetDB.shutdown()
    }

    @Test func malformedAndOversizedBytesAreCountedAndDropped() async throws {
        var settings = Settings()
        settings.maxPacketBytes = 4096
        let harness = try IntakeHarness(settings: settings)
        let good = try NodeIdentity.generate().sign(commit(1)).wireBytes
        for bytes in [Array("not json".utf8), Array(#"{"packet":{}}"#.utf8), [UInt8](repeating: 0x20, count: 5000), good] {
            await harness.packetDB.receive(wire: bytes, deliveredThrough: "mesh")
        }
        await harness.packetDB.flush()
        #expect(harness.packetDB.malformedPackets == 3)
        #expect(await harness.packetDB.statistics.stored == 1)
        await harness.packetDB.shutdown()
    }

    /// A packet the mesh verified is stored without a second check, and its copy through
    /// another transport is recognized by its bytes.
    @Test func aPacketATransportVerifiedIsNotCheckedAgain() async throws {
        let harness = try IntakeHarness()
        let signed = try NodeIdentity.generate().sign(commit(1))
        await harness.packetDB.receive(verified: signed, wire: signed.wireBytes, deliveredThrough: "mesh")
        await harness.packetDB.receive(wire: signed.wireBytes, deliveredThrough: "nostr")
        await harness.packetDB.flush()
        let stats = await harness.packetDB.statistics
        #expect(stats.stored == 1 && stats.duplicates == 1 && stats.signaturesChecked == 0, "\(stats)")
        await harness.packetDB.shutdown()
    }

    /// Many packets, from many peers, in one flush: split among the workers and stored in the
    /// order they came.
    @Test func aLargeBatchIsCheckedOnEveryWorkerAndKeepsItsOrder() async throws {
        var settings = Settings()
        settings.intakeThreads = 3
        let harness = try IntakeHarness(settings: settings)
        let feed = harness.packetDB.feed.subscribe()
        let peers = (0..<7).map { _ in NodeIdentity.generate() }
        for n in 0..<300 { await harness.packetDB.receive(wire: try peers[n % 7].sign(commit(n)).wireBytes, deliveredThrough: "mesh") }
        await harness.packetDB.flush()
        var order: [String] = []
        for await packet in feed {
            order.append(packet.packet.requestId ?? "")
            if order.count == 300 { break }
        }
        #expect(order == (0..<300).map { "req-\($0)" })
        #expect(await harness.packetDB.statistics.signaturesChecked == 300)
        await harness.packetDB.shutdown()
    }
}
