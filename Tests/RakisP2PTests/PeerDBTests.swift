import Foundation
import RakisCore
import RakisEthereum
@testable import RakisP2P
import RakisTestSupport
import Testing

@Suite struct PeerDBTests {
    // Whole seconds, so that times stored as numbers compare equal; recent, so that intake accepts the packets.
    let now = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))

    func status(_ status: PeerStatusUpdate.Status) -> Packet {
        .peerStatusUpdate(PeerStatusUpdate(status: status, createdAt: now))
    }

    func deliver(_ harness: IntakeHarness, _ packet: Packet, from sender: NodeIdentity, via transport: String) async throws {
        await harness.packetDB.receive(try IntakeHarness.envelope(packet, from: sender), deliveredThrough: transport)
    }

    @Test func tracksSeenOnLastSeenAndMaxima() async throws {
        let harness = try IntakeHarness(clock: TickingClock(start: now))
        let peer = NodeIdentity.generate()
        try await deliver(harness, status(.boot(totalTokens: 500)), from: peer, via: "nostr")
        try await deliver(harness, status(.loadedWorker(modelName: "m", totalWorkers: 3)), from: peer, via: "memory")
        await harness.packetDB.flush()
        let first = try #require(try await harness.packetDB.peers.peer(peer.synthientId))
        #expect(Set(first.seenOn) == ["nostr", "memory"])
        #expect(first.totalTokens == 500)
        #expect(first.totalWorkers == 3)

        // Lower reports never lower the maxima; lastSeen moves forward.
        try await deliver(harness, status(.completedInference(tps: 9, modelName: "m", totalTokens: 200)), from: peer, via: "mesh")
        try await deliver(harness, status(.loadedWorker(modelName: "m", totalWorkers: 1)), from: peer, via: "nostr")
        await harness.packetDB.flush()
        let second = try #require(try await harness.packetDB.peers.peer(peer.synthientId))
        #expect(second.totalTokens == 500)
        #expect(second.totalWorkers == 3)
        #expect(Set(second.seenOn) == ["nostr", "memory", "mesh"])
        #expect(second.lastSeen > first.lastSeen)

        try await deliver(harness, status(.completedInference(tps: 9, modelName: "m", totalTokens: 900)), from: peer, via: "mesh")
        await harness.packetDB.flush()
        #expect(try await harness.packetDB.peers.peer(peer.synthientId)?.totalTokens == 900)
    }

    @Test func mergesKnownPeersFromTheNewestList() async throws {
        let harness = try IntakeHarness(clock: TestClock(now: now))
        let reporterA = NodeIdentity.generate(), reporterB = NodeIdentity.generate()
        let carol = NodeIdentity.generate().synthientId
        let older = KnownPeers(peerList: [
            .init(synthientId: carol, lastSeen: now.addingTimeInterval(-100), totalWorkers: 5, seenOn: ["nostr"], totalTokens: 10),
        ], createdAt: now.addingTimeInterval(-50))
        let newer = KnownPeers(peerList: [
            .init(synthientId: carol, lastSeen: now.addingTimeInterval(-10), totalWorkers: 2, seenOn: ["mesh"], totalTokens: 70),
            .init(synthientId: harness.identity.synthientId, lastSeen: now, seenOn: ["x"]),            // ourselves: ignored
            .init(synthientId: "not-hex", lastSeen: now, seenOn: ["x"]),                              // malformed: ignored
            .init(synthientId: String(repeating: "ee", count: 32), lastSeen: now.addingTimeInterval(9_999), seenOn: ["nkn"]),  // future: clamped
        ], createdAt: now.addingTimeInterval(-5))
        try await deliver(harness, .knownPeers(older), from: reporterA, via: "nostr")
        try await deliver(harness, .knownPeers(newer), from: reporterB, via: "nostr")
        await harness.packetDB.flush()

        let merged = try #require(try await harness.packetDB.peers.peer(carol))
        #expect(merged.seenOn == ["mesh"], "only the newest list's entry counts")
        #expect(merged.totalTokens == 70)
        #expect(merged.totalWorkers == 2)
        #expect(merged.lastSeenDate == now.addingTimeInterval(-10))
        #expect(try await harness.packetDB.peers.peer(harness.identity.synthientId) == nil)
        #expect(try await harness.packetDB.peers.peer(String(repeating: "ee", count: 32))?.lastSeenDate == now)
        #expect(try await harness.packetDB.peers.count() == 4, "two reporters, carol, and the future-dated peer")

        // A later list raises what it may and never lowers anything.
        let latest = KnownPeers(peerList: [
            .init(synthientId: carol, lastSeen: now.addingTimeInterval(-500), totalWorkers: 9, seenOn: ["nostr"], totalTokens: 1),
        ], createdAt: now)
        try await deliver(harness, .knownPeers(latest), from: reporterA, via: "nostr")
        await harness.packetDB.flush()
        let raised = try #require(try await harness.packetDB.peers.peer(carol))
        #expect(Set(raised.seenOn) == ["mesh", "nostr"])
        #expect(raised.totalWorkers == 9)
        #expect(raised.totalTokens == 70)
        #expect(raised.lastSeenDate == now.addingTimeInterval(-10))
    }

    @Test func answersNewcomersWithThePeerListByChance() async throws {
        // random() = 0.5: with 40 expected answerers and 2 peers the probability is 20 → answer.
        let answering = try IntakeHarness(answerPeerLists: true, random: { 0.5 })
        let newcomer = NodeIdentity.generate(), other = NodeIdentity.generate()
        try await deliver(answering, status(.boot(totalTokens: 0)), from: newcomer, via: "nostr")
        try await deliver(answering, status(.boot(totalTokens: 0)), from: other, via: "nostr")
        await answering.packetDB.flush()
        let sent = answering.sent.all
        #expect(sent.count == 1)
        guard case .knownPeers(let list)? = sent.first?.packet else { Issue.record("expected knownPeers"); return }
        #expect(Set(list.peerList.map(\.synthientId)) == [newcomer.synthientId, other.synthientId])

        // With 1 expected answerer among 2 peers the probability is 0.5; random() = 0.7 stays quiet.
        var settings = Settings()
        settings.peerCommunicationCount = 1
        let quiet = try IntakeHarness(settings: settings, answerPeerLists: true, random: { 0.7 })
        try await deliver(quiet, status(.boot(totalTokens: 0)), from: newcomer, via: "nostr")
        try await deliver(quiet, status(.boot(totalTokens: 0)), from: other, via: "nostr")
        await quiet.packetDB.flush()
        #expect(quiet.sent.all.isEmpty)
    }

    /// A key for each of `count` wallets (deterministic, valid secp256k1 scalars).
    func walletKeys(_ count: Int) -> [[UInt8]] {
        (1...count).map { n in [UInt8](repeating: 0, count: 31) + [UInt8(n)] }
    }

    @Test func keepsOnlyChainIdentitiesThatVerifyAndBoundsThem() async throws {
        let harness = try IntakeHarness()
        let peer = NodeIdentity.generate(), other = NodeIdentity.generate()
        let honest = try walletKeys(40).map { try NodeWallet(secretKey: $0).bind(synthientId: peer.synthientId, chain: "Sepolia") }
        // The reference accepted all of these: a real signature claiming another address, one made
        // for another node, a lower-case address (kept, in its EIP-55 form), and garbage.
        var claimsAnother = honest[0]
        claimsAnother.address = honest[1].address
        let forAnotherNode = try NodeWallet(secretKey: walletKeys(41)[40]).bind(synthientId: other.synthientId, chain: "Sepolia")
        var lowerCase = honest[2]
        lowerCase.address = lowerCase.address.lowercased()
        let garbage = ChainIdentity(chain: "eth", address: "0x00000000000000000000000000000000000000aa", synthientIdSignature: "0x1234", signedWithWallet: "w")
        try await deliver(harness, .peerConnectedChain(PeerConnectedChain(identities: [claimsAnother, forAnotherNode, lowerCase, garbage], createdAt: now)), from: peer, via: "nostr")
        await harness.packetDB.flush()
        let first = try #require(try await harness.packetDB.peers.peer(peer.synthientId))
        #expect(first.chainIdentities == [honest[2]])
        #expect(harness.packetDB.peers.rejectedChainIdentities == 3)

        try await deliver(harness, .peerConnectedChain(PeerConnectedChain(identities: honest + honest, createdAt: now.addingTimeInterval(1))), from: peer, via: "nostr")
        await harness.packetDB.flush()
        let stored = try #require(try await harness.packetDB.peers.peer(peer.synthientId))
        #expect(stored.chainIdentities.count == PeerDB.maxChainIdentitiesPerPeer)
        #expect(Set(stored.chainIdentities.map(\.address)).count == stored.chainIdentities.count)
        #expect(harness.packetDB.peers.rejectedChainIdentities == 3)
    }

    @Test func identitiesInPeerListsAreCheckedAgainstTheListedPeer() async throws {
        let harness = try IntakeHarness()
        let gossip = NodeIdentity.generate(), listed = NodeIdentity.generate()
        let valid = try NodeWallet(secretKey: walletKeys(1)[0]).bind(synthientId: listed.synthientId, chain: "Sepolia")
        // Made for the gossiping node itself, then passed off as the listed one's.
        let misattributed = try NodeWallet(secretKey: walletKeys(2)[1]).bind(synthientId: gossip.synthientId, chain: "Holesky")
        let list = KnownPeers(peerList: [
            KnownPeers.Entry(synthientId: listed.synthientId, identities: [valid, misattributed], lastSeen: now, seenOn: ["nostr"]),
        ], createdAt: now)
        try await deliver(harness, .knownPeers(list), from: gossip, via: "mesh")
        await harness.packetDB.flush()
        let stored = try #require(try await harness.packetDB.peers.peer(listed.synthientId))
        #expect(stored.chainIdentities == [valid])
        #expect(harness.packetDB.peers.rejectedChainIdentities == 1)
    }
}
