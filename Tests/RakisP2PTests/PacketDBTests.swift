import Foundation
import RakisCore
@testable import RakisP2P
import RakisTestSupport
import Testing

@Suite struct PacketDBTests {
    @Test func verifiesDedupesPersistsAndPublishes() async throws {
        let harness = try IntakeHarness()
        let (events, drain) = record(harness.packetDB.events.subscribe())
        let peer = NodeIdentity.generate()
        let envelope = try IntakeHarness.envelope(commit(1), from: peer)

        // The same packet delivered five times over two transports, in two batches.
        for transport in ["memory", "nostr", "memory"] { await harness.packetDB.receive(envelope, deliveredThrough: transport) }
        await harness.packetDB.flush()
        for transport in ["nostr", "memory"] { await harness.packetDB.receive(envelope, deliveredThrough: transport) }
        await harness.packetDB.flush()

        #expect(try await harness.packetDB.store.count() == 1)
        let stats = await harness.packetDB.statistics
        #expect(stats.stored == 1)
        #expect(stats.duplicates == 4)
        let stored = try await harness.packetDB.store.lastPackets(count: 10)
        #expect(stored.first?.synthientId == peer.synthientId)
        #expect(try stored.first?.decoded() == commit(1).withCreatedAt(envelope.packet.createdAt))

        await harness.packetDB.shutdown()
        await drain.value
        #expect(events.all.count == 1)
        guard case .inferenceCommit(let delivered)? = events.all.first else { Issue.record("expected a commit event"); return }
        #expect(delivered.synthientId == peer.synthientId)
        #expect(delivered.isOwn == false)
        #expect(delivered.deliveredThrough == "memory")
    }

    @Test func dropsInvalidSignatures() async throws {
        let harness = try IntakeHarness()
        let peer = NodeIdentity.generate()
        let real = commit(1)
        // A forged copy that carries the real packet's signature arrives first; it must be
        // dropped and must not make the real packet look like a duplicate.
        let forged = try SamplePackets.editedWire(real, by: peer) { $0["inferenceId"] = .string("forged") }
        await harness.packetDB.receive(try PacketEnvelope.decode(wire: forged), deliveredThrough: "memory")
        await harness.packetDB.flush()
        await harness.packetDB.receive(try IntakeHarness.envelope(real, from: peer), deliveredThrough: "memory")
        await harness.packetDB.flush()
        #expect(await harness.packetDB.statistics.invalidSignatures == 1)
        let stored = try await harness.packetDB.store.lastPackets(count: 10)
        #expect(stored.count == 1)
        guard case .inferenceCommit(let commit)? = try stored.first?.decoded() else { Issue.record("expected the commit"); return }
        #expect(commit.inferenceId == "inf-1")
    }

    /// Duplicates skip the second signature check only when their bytes are identical: a forged
    /// variant under a signature that is already known, in the same batch or later, is dropped.
    @Test func forgedCopiesOfKnownPacketsAreStillChecked() async throws {
        let harness = try IntakeHarness()
        let (events, drain) = record(harness.packetDB.events.subscribe())
        let peer = NodeIdentity.generate()
        let real = commit(1)
        let forged = try PacketEnvelope.decode(wire: try SamplePackets.editedWire(real, by: peer) { $0["bEmbeddingHash"] = .string("ff") })
        await harness.packetDB.receive(try IntakeHarness.envelope(real, from: peer), deliveredThrough: "memory")
        await harness.packetDB.receive(forged, deliveredThrough: "nostr")
        await harness.packetDB.flush()
        await harness.packetDB.receive(forged, deliveredThrough: "nostr")
        await harness.packetDB.flush()
        #expect(await harness.packetDB.statistics.invalidSignatures == 2)
        #expect(try await harness.packetDB.store.count() == 1)
        await harness.packetDB.shutdown()
        await drain.value
        guard case .inferenceCommit(let delivered)? = events.all.first, events.all.count == 1 else { Issue.record("expected one event"); return }
        #expect(delivered.body.bEmbeddingHash == String(repeating: "0a", count: 32))
        #expect(try await harness.packetDB.peers.peer(peer.synthientId)?.seenOn == ["memory"], "a forged copy adds no transport")
    }

    /// Packets created too long ago or too far ahead are refused and counted; a packet replayed
    /// after the store pruned it is refused as well, instead of being taken for new.
    @Test func packetsOutsideTheTimeWindowAreRefusedEvenAfterPruning() async throws {
        var settings = Settings()
        settings.maxPacketDBSize = 10
        settings.packetDBPruneHysteresis = 0
        let clock = TestClock()
        let harness = try IntakeHarness(settings: settings, clock: clock)
        let peer = NodeIdentity.generate()
        let start = clock.now()
        let first = try IntakeHarness.envelope(commit(1, at: start), from: peer)
        for envelope in [
            first,
            try IntakeHarness.envelope(commit(2, at: start.addingTimeInterval(-3 * 3600)), from: peer),  // 3 h old
            try IntakeHarness.envelope(commit(3, at: start.addingTimeInterval(600)), from: peer),  // 10 min ahead
            try IntakeHarness.envelope(commit(4, at: start.addingTimeInterval(60)), from: peer),  // 1 min ahead: a slow clock
        ] { await harness.packetDB.receive(envelope, deliveredThrough: "memory") }
        await harness.packetDB.flush()
        #expect(await harness.packetDB.statistics.outsideTimeWindow == 2)
        #expect(Set(try await harness.packetDB.store.lastPackets(count: 10).map(\.requestId)) == ["req-1", "req-4"])

        // Three hours on, newer packets push the first out of the store; its replay is refused.
        clock.advance(by: .seconds(3 * 3600))
        for n in 10..<22 { await harness.packetDB.receive(try IntakeHarness.envelope(commit(n, at: clock.now()), from: peer), deliveredThrough: "memory") }
        await harness.packetDB.flush()
        #expect(try await harness.packetDB.store.lastPackets(count: 100).allSatisfy { $0.requestId != "req-1" }, "pruned")
        await harness.packetDB.receive(first, deliveredThrough: "nostr")
        await harness.packetDB.flush()
        #expect(await harness.packetDB.statistics.outsideTimeWindow == 3)
        #expect(try await harness.packetDB.store.lastPackets(count: 100).allSatisfy { $0.requestId != "req-1" }, "not stored again")
        await harness.packetDB.shutdown()
    }

    @Test func dedupesAcrossRestarts() async throws {
        let harness = try IntakeHarness()
        let envelope = try IntakeHarness.envelope(commit(1), from: NodeIdentity.generate())
        await harness.packetDB.receive(envelope, deliveredThrough: "memory")
        await harness.packetDB.shutdown()

        let reopened = PacketDB(database: try P2PDatabase(directory: harness.directory), identity: harness.identity,
                                settings: Settings(), transmitter: { _ in })
        let (events, drain) = record(reopened.events.subscribe())
        await reopened.receive(envelope, deliveredThrough: "nostr")
        await reopened.flush()
        #expect(try await reopened.store.count() == 1)
        await reopened.shutdown()
        await drain.value
        #expect(events.all.isEmpty)
    }

    @Test func processesABatchAsSoonAsTheQueueIsFull() async throws {
        var settings = Settings()
        settings.maxReceivedPacketQueueSize = 10
        settings.receivePacketQueueDebounceMs = 60_000  // the debounce alone would never fire in this test
        let harness = try IntakeHarness(settings: settings)
        let peer = NodeIdentity.generate()
        for n in 0..<10 { await harness.packetDB.receive(try IntakeHarness.envelope(commit(n), from: peer), deliveredThrough: "memory") }
        #expect(try await eventually { try await harness.packetDB.store.count() == 10 })
        await harness.packetDB.receive(try IntakeHarness.envelope(commit(99), from: peer), deliveredThrough: "memory")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await harness.packetDB.store.count() == 10, "a lone packet waits for the debounce")
        await harness.packetDB.shutdown()
        #expect(try await harness.packetDB.store.count() == 11, "shutdown stores what was queued")
    }

    @Test func processesAQuietQueueAfterTheDebounce() async throws {
        var settings = Settings()
        settings.receivePacketQueueDebounceMs = 50
        let harness = try IntakeHarness(settings: settings)
        await harness.packetDB.receive(try IntakeHarness.envelope(commit(1), from: NodeIdentity.generate()), deliveredThrough: "memory")
        #expect(try await eventually { try await harness.packetDB.store.count() == 1 })
    }

    @Test func theDebounceRunsOnTheNodesClock() async throws {
        var settings = Settings()
        settings.receivePacketQueueDebounceMs = 1000
        let clock = TestClock()
        let harness = try IntakeHarness(settings: settings, clock: clock)
        let batches = harness.packetDB.feed.subscribe()
        let peer = NodeIdentity.generate()
        await harness.packetDB.receive(try IntakeHarness.envelope(commit(1), from: peer), deliveredThrough: "memory")
        #expect(await eventually { clock.nextDeadline != nil }, "the debounce sleeps on the node's clock")
        clock.advance(by: .milliseconds(600))
        await harness.packetDB.receive(try IntakeHarness.envelope(commit(2), from: peer), deliveredThrough: "memory")
        clock.advance(by: .milliseconds(600))
        #expect(try await harness.packetDB.store.count() == 0, "a packet 600 ms ago keeps the queue waiting")
        clock.advance(by: .milliseconds(400))
        var stored: [String] = []
        for await packet in batches {
            stored.append(packet.packet.requestId ?? "")
            if stored.count == 2 { break }
        }
        #expect(stored == ["req-1", "req-2"], "1 s of quiet on the clock dispatches both in one batch")
        await harness.packetDB.shutdown()
    }

    @Test func pruningKeepsTheNewestPackets() async throws {
        var settings = Settings()
        settings.maxPacketDBSize = 20
        settings.packetDBPruneHysteresis = 5
        let harness = try IntakeHarness(settings: settings, clock: TickingClock(start: Date()))
        let peer = NodeIdentity.generate()
        for n in 0..<25 { await harness.packetDB.receive(try IntakeHarness.envelope(commit(n), from: peer), deliveredThrough: "memory") }
        await harness.packetDB.flush()
        #expect(try await harness.packetDB.store.count() == 25, "within the hysteresis nothing is pruned")
        await harness.packetDB.receive(try IntakeHarness.envelope(commit(25), from: peer), deliveredThrough: "memory")
        await harness.packetDB.flush()
        let kept = try await harness.packetDB.store.lastPackets(count: 100)
        #expect(kept.count == 20)
        #expect(Set(kept.compactMap(\.requestId)) == Set((6...25).map { "req-\($0)" }))
        #expect(await harness.packetDB.statistics.pruned == 6)
    }

    @Test func filtersEventsAsTheReferenceDoes() async throws {
        var settings = Settings()
        settings.peerHeartLimit = 2
        let harness = try IntakeHarness(settings: settings)
        let (events, drain) = record(harness.packetDB.events.subscribe())
        let alice = NodeIdentity.generate(), bob = NodeIdentity.generate()
        let now = Date()
        let revealRequest = { (members: [String]) in
            Packet.inferenceRevealRequest(InferenceRevealRequest(
                requestId: "r", quorum: members.map { .init(synthientId: $0, inferenceId: "i", bEmbeddingHash: "h") }, timeoutMs: 1, createdAt: now))
        }
        let consensus = { (verifiedBy: String) in
            Packet.inferenceQuorumComputed(InferenceQuorumComputed(
                requestId: "r", verifiedBy: verifiedBy, submittedInferences: [], validInferences: [], validInferenceJointHash: "j",
                validSingleInference: .init(output: "o", fromSynthientId: verifiedBy, bEmbeddingHash: "h"), createdAt: now))
        }
        let packets: [(Packet, NodeIdentity)] = [
            (revealRequest([bob.synthientId]), alice),                       // not for us: dropped
            (revealRequest([harness.identity.synthientId]), alice),          // for us: kept
            (consensus(alice.synthientId), alice),                           // from its author: kept
            (consensus(bob.synthientId), alice),                             // relayed by someone else: dropped
        ] + (0..<4).map { (Packet.peerHeart(PeerHeart(windowX: Double($0), windowY: 0, createdAt: now)), alice) }
        for (packet, sender) in packets { await harness.packetDB.receive(try IntakeHarness.envelope(packet, from: sender), deliveredThrough: "memory") }
        await harness.packetDB.shutdown()
        await drain.value
        let kinds = events.all.map(\.packetType)
        #expect(kinds.filter { $0 == .inferenceRevealRequest }.count == 1)
        #expect(kinds.filter { $0 == .inferenceQuorumComputed }.count == 1)
        #expect(kinds.filter { $0 == .peerHeart }.count == 2)
        #expect(try await harness.packetDB.store.count() == 8, "everything valid is stored, filtered or not")
    }

    @Test func ownPacketsAreStoredPublishedAndSent() async throws {
        let harness = try IntakeHarness()
        let (events, drain) = record(harness.packetDB.events.subscribe())
        let signed = try await harness.packetDB.transmit(commit(7))
        #expect(harness.sent.all == [signed])
        #expect(try await harness.packetDB.store.count() == 1)
        // Our own packet echoed back by a transport is a duplicate.
        await harness.packetDB.receive(try PacketEnvelope.decode(wire: signed.wireBytes), deliveredThrough: "memory")
        await harness.packetDB.shutdown()
        await drain.value
        #expect(try await harness.packetDB.store.count() == 1)
        guard case .inferenceCommit(let delivered)? = events.all.first, events.all.count == 1 else { Issue.record("expected one event"); return }
        #expect(delivered.isOwn)
    }
}

extension Packet {
    func withCreatedAt(_ date: Date) -> Packet {
        guard case .inferenceCommit(var commit) = self else { return self }
        commit.createdAt = date
        return .inferenceCommit(commit)
    }
}
