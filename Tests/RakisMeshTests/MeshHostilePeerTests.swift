import Foundation
import HummingbirdWSClient
import Logging
import RakisCore
import RakisP2P
@testable import RakisMesh
import RakisTestSupport
import Testing

/// Peers that break the protocol: floods, forgeries, handshakes held open, a banned peer coming back.
extension MeshTransportTests {
    /// A hostile client: connects to `address`, answers the challenge as `identity` (or not),
    /// sends `frames`, and hangs up 0.3 s later, or once `stayUntil` holds (at most two minutes): on a
    /// loaded machine the node may not have read the frames within 0.3 s.
    func attack(
        _ address: String, identity: NodeIdentity?, nonceOverride: String? = nil, frames: [String],
        stayUntil: (@Sendable () async -> Bool)? = nil
    ) async {
        _ = try? await WebSocketClient.connect(
            url: address, configuration: .init(maxFrameSize: 1 << 20), logger: Logger(label: "attacker")
        ) { inbound, outbound, _ in
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message, case .challenge(let nonce) = try? MeshMessage(parsing: text, maxBytes: 1 << 20) else { continue }
                if let identity {
                    let hello = MeshHello.signed(by: identity, topic: "mesh-test", nonce: nonceOverride ?? nonce, listenPort: 0, advertise: nil)
                    try await outbound.write(.text(MeshMessage.hello(hello).text))
                }
                for frame in frames { try await outbound.write(.text(frame)) }
                if let stayUntil {
                    // Only as long as it takes: a loaded machine once needed more than 20 s.
                    _ = await eventually(timeout: .seconds(120)) { await stayUntil() }
                } else {
                    try? await Task.sleep(for: .milliseconds(300))
                }
                return
            }
        }
    }

    @Test func floodsMalformedFramesAndForgeriesFromOnePeerDoNotStopTheOthers() async throws {
        // a ← b ← c in a line; the attacker goes for b in the middle.
        let a = mesh(exchange: false)
        try await a.start()
        // Attackers and honest nodes share 127.0.0.1 here, so the address itself is never banned
        // (`anAddressWhoseIdentitiesKeepGettingBannedIsKeptOff` tests that).
        let b = mesh(peers: [try #require(await a.listenAddress())], exchange: false, rate: 50, bansBeforeAddressBan: 100)
        try await b.start()
        let bAddress = try #require(await b.listenAddress())
        let c = mesh(peers: [bAddress], exchange: false)
        try await c.start()
        #expect(await eventually { await b.connectedPeers().count == 2 })
        let inboxC = TransportInbox(c)

        // Garbage before any hello; a hello signed over the wrong challenge.
        await attack(bAddress, identity: nil, frames: ["not json", "{\"type\":\"packet\"}", String(repeating: "x", count: 10_000)])
        await attack(bAddress, identity: .generate(), nonceOverride: String(repeating: "00", count: 32), frames: [])
        // A valid hello, then a packet whose signature is forged.
        let forger = NodeIdentity.generate()
        var forged = try JSONParser().parse(try SamplePackets.commitEnvelope(9, by: forger))
        if case .object(var members) = forged { members["signature"] = .string(String(repeating: "ab", count: 64)); forged = .object(members) }
        await attack(bAddress, identity: forger, frames: [MeshMessage.packet(hops: 3, envelope: CanonicalJSON.string(of: forged)).text]) {
            await b.statistics().banned >= 1
        }
        // A valid hello, then a flood far over the rate (valid packets, so only the rate is wrong):
        // one frame of 300 packets against 50 a second with a burst of 100, over the rate however
        // slowly the node reads (1,000 one-packet frames were not, once, under a loaded full run),
        // and the flooder stays until it is banned.
        let flooder = NodeIdentity.generate()
        let flood = MeshMessage.packets(try packets(300, from: 100, by: flooder)).text
        await attack(bAddress, identity: flooder, frames: [flood]) { await b.statistics().banned >= 2 }

        let stats = await b.statistics()
        #expect(stats.violations >= 4, "\(stats)")
        #expect(stats.banned >= 2, "the forger and the flooder are banned")
        #expect(await b.connectedPeers().count == 2, "a and c are still connected")

        // Delivery between the honest nodes goes on. (A fresh packet every second, so that a
        // connection that a loaded machine lets time out and redials does not decide the test.)
        var honest: [[UInt8]] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, !honest.contains(where: inboxC.contains) {
            honest.append(try SamplePackets.commitEnvelope(honest.count + 1))
            try await a.broadcast(honest.last!)
            try await Task.sleep(for: .seconds(1))
        }
        #expect(honest.contains(where: inboxC.contains))
        #expect(!inboxC.all.contains { delivery in
            (try? PacketEnvelope.decode(wire: delivery.bytes))?.synthientId == forger.synthientId
        }, "the forged packet never spread")
        for node in [a, b, c] { await node.shutdown() }
    }

    @Test func oneHostCannotHoldEveryHandshakeSlot() async throws {
        var configuration = MeshConfiguration(listenHost: "127.0.0.1", listenPort: 0, bootstrapPeers: [], topic: "mesh-test")
        configuration.maxPendingHandshakesPerHost = 3
        configuration.handshakeTimeout = .seconds(5)
        let node = MeshTransport(identity: .generate(), configuration: configuration)
        try await node.start()
        let address = try #require(await node.listenAddress())
        // Three connections that never say hello hold the slots ...
        let holders = (0..<3).map { _ in
            Task { _ = try? await WebSocketClient.connect(url: address, logger: Logger(label: "holder")) { inbound, _, _ in
                for try await _ in inbound.messages(maxSize: 1 << 16) {}
            } }
        }
        #expect(await eventually { await node.statistics().pendingHandshakes == 3 })
        var refused = false
        do { try await WebSocketClient.connect(url: address, logger: Logger(label: "extra")) { _, _, _ in } } catch { refused = true }
        #expect(refused, "a fourth handshake from the same host is refused")
        #expect(await node.statistics().refusedHandshakes >= 1)
        // ... until the handshake deadline closes them; then an honest node gets in.
        for holder in holders { await holder.value }
        let honest = mesh(listen: false, peers: [address])
        try await honest.start()
        #expect(await node.connectedPeers().count == 1)
        await honest.shutdown()
        await node.shutdown()
    }

    @Test func aBannedPeerIsKeptOff() async throws {
        let b = mesh(rate: 20)
        try await b.start()
        let address = try #require(await b.listenAddress())
        let flooder = NodeIdentity.generate()
        // One frame of more packets than the rate's burst: over the rate however slowly the node reads.
        let flood = MeshMessage.packets(try packets(200, from: 0, by: flooder)).text
        await attack(address, identity: flooder, frames: [flood]) { await b.statistics().banned == 1 }
        #expect(await b.statistics().banned == 1)
        // The same identity, behaving now, is still refused.
        let honestNow = mesh(listen: false, peers: [address], identity: flooder)
        try await honestNow.start()
        #expect(await b.connectedPeers().isEmpty)
        #expect(await !honestNow.status().connected)
        await honestNow.shutdown()
        await b.shutdown()
    }
}
