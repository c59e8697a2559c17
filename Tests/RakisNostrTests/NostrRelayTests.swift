import Foundation
import Logging
import RakisCore
import RakisP2P
@testable import RakisNostr
import RakisTestSupport
import Testing

/// The Nostr transport against real relays (`nostr-relay` from PyPI on loopback) and a
/// third-party client (pynostr).
@Suite struct NostrRelayTests {
    /// Two transports on one relay, both started, and an inbox of what the second receives.
    func startedPair(on url: String) async throws -> (NostrTransport, NostrTransport, TransportInbox) {
        let alice = transport([url]), bob = transport([url])
        try await alice.start()
        try await bob.start()
        return (alice, bob, TransportInbox(bob))
    }

    func transport(
        _ relays: [String], topic: String = "rakis-test", keys: BIP340.KeyPair = .generate(), readsBackSeconds: Int? = nil
    ) -> NostrTransport {
        var configuration = NostrTransportConfiguration(relays: relays, topic: topic, eventLifetimeSeconds: 600, maxPacketBytes: 512 * 1024)
        if let readsBackSeconds { configuration.resubscribeOverlapSeconds = readsBackSeconds }
        configuration.backoff = ReconnectBackoff(base: .milliseconds(100), maximum: .milliseconds(500))
        configuration.rateLimitPause = .milliseconds(700)
        return NostrTransport(keys: keys, configuration: configuration)
    }

    /// Waits until both transports are subscribed to `count` relays (start() returns with the first).
    func bothConnected(_ a: NostrTransport, _ b: NostrTransport, to count: Int) async -> Bool {
        await eventually {
            let connected = (await a.connectedRelays().count, await b.connectedRelays().count)
            return connected == (count, count)
        }
    }


    @Test func packetsCrossTwoRelaysOnceEachAndNeverEchoBack() async throws {
        let relayA = try await NostrRelayFixture.start(), relayB = try await NostrRelayFixture.start()
        defer { relayA.kill(); relayB.kill() }
        let urls = [NostrRelayFixture.url(relayA), NostrRelayFixture.url(relayB)]
        let alice = transport(urls), bob = transport(urls)
        try await alice.start()
        try await bob.start()
        #expect(await bothConnected(alice, bob, to: 2))
        let aliceInbox = TransportInbox(alice), bobInbox = TransportInbox(bob)

        let sent = try (0..<5).map { try SamplePackets.commitEnvelope($0) }
        for bytes in sent { try await alice.broadcast(bytes) }
        #expect(await eventually { bobInbox.all.count >= 5 })
        try await Task.sleep(for: .milliseconds(500))
        // Both relays delivered every event; the copies were dropped before intake.
        #expect(bobInbox.all.count == 5)
        #expect(Set(bobInbox.all.map(\.bytes)) == Set(sent))
        #expect(aliceInbox.all.isEmpty)
        #expect(await bob.counts().dropped >= 5)

        await alice.shutdown()
        await bob.shutdown()
    }

    @Test func whenOneOfTwoRelaysDiesTheOtherCarriesOn() async throws {
        let survivor = try await NostrRelayFixture.start(), doomed = try await NostrRelayFixture.start()
        defer { survivor.kill(); doomed.kill() }
        let urls = [NostrRelayFixture.url(survivor), NostrRelayFixture.url(doomed)]
        let alice = transport(urls), bob = transport(urls)
        try await alice.start()
        try await bob.start()
        #expect(await bothConnected(alice, bob, to: 2))
        let inbox = TransportInbox(bob)
        doomed.kill()
        #expect(await eventually { await alice.connectedRelays() == [urls[0]] })
        let afterwards = try (0..<3).map { try SamplePackets.commitEnvelope($0) }
        // Sent through the relay that is left: no error, and every packet arrives.
        for bytes in afterwards { try await alice.broadcast(bytes) }
        #expect(await eventually { Set(inbox.all.map(\.bytes)) == Set(afterwards) })
        await alice.shutdown()
        await bob.shutdown()
    }

    @Test func networksWithDifferentTopicsNeverMix() async throws {
        let relay = try await NostrRelayFixture.start()
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        let sender = transport([url], topic: "topic-one"), sameTopic = transport([url], topic: "topic-one"), otherTopic = transport([url], topic: "topic-two")
        for t in [sender, sameTopic, otherTopic] { try await t.start() }
        let same = TransportInbox(sameTopic), other = TransportInbox(otherTopic)
        try await sender.broadcast(SamplePackets.commitEnvelope(1))
        #expect(await eventually { same.all.count == 1 })
        try await Task.sleep(for: .milliseconds(500))
        #expect(other.all.isEmpty)
        for t in [sender, sameTopic, otherTopic] { await t.shutdown() }
    }

    @Test func aRelayKilledAndRestartedLosesNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-relay-\(UUID().uuidString)")
        let port = LLMFixtures.freePort()
        var relay = try await NostrRelayFixture.start(port: port, directory: folder)
        let url = NostrRelayFixture.url(relay)
        let (alice, bob, inbox) = try await startedPair(on: url)
        try await alice.broadcast(SamplePackets.commitEnvelope(0))
        #expect(await eventually { inbox.all.count == 1 })

        relay.kill()
        #expect(await eventually { await alice.connectedRelays().isEmpty })
        // Sent while the relay is down: kept by the transport until the relay is back.
        let whileDown = try SamplePackets.commitEnvelope(1)
        try await alice.broadcast(whileDown)
        #expect(await !alice.status().connected)

        relay = try await NostrRelayFixture.start(port: port, directory: folder)
        defer { relay.kill() }
        #expect(await bothConnected(alice, bob, to: 1))
        try await alice.broadcast(SamplePackets.commitEnvelope(2))
        #expect(await eventually { inbox.all.count == 3 })
        #expect(inbox.all.map(\.bytes).contains(whileDown))
        await alice.shutdown()
        await bob.shutdown()
    }

    @Test func withNoRelayUpStartReturnsSaysWhyAndJoinsWhenOneAppears() async throws {
        let port = LLMFixtures.freePort()
        let url = "ws://127.0.0.1:\(port)"
        let early = transport([url])
        try await early.start()
        // start() returns once every relay has failed an attempt; the next (after 0.1–0.5 s here)
        // may already be under way when a loaded machine reads the status, so wait for a pause.
        var down = await early.status()
        _ = await eventually {
            down = await early.status()
            return down.detail.contains("retrying")
        }
        #expect(!down.connected)
        #expect(down.detail.hasPrefix(url) && down.detail.contains("retrying"), "\(down.detail)")
        // Published while no relay is up: it waits, and goes out once the relay is there.
        let whileDown = try SamplePackets.commitEnvelope(1)
        try await early.broadcast(whileDown)
        let relay = try await NostrRelayFixture.start(port: port)
        defer { relay.kill() }
        // A new subscriber reads 10 s back by default, and the relay may take longer than that to
        // start on a loaded machine; this one reads back to before the packet was made.
        let later = transport([url], readsBackSeconds: 600)
        try await later.start()
        let inbox = TransportInbox(later)
        #expect(await eventually { await early.status().connected })
        #expect(await eventually { inbox.contains(whileDown) })
        await early.shutdown()
        await later.shutdown()

        let none = transport([])
        await #expect(throws: TransportError.misconfigured(transport: "nostr", reason: "no Nostr relays configured")) { try await none.start() }
        let garbled = transport(["ws://"])
        await #expect(throws: TransportError.self) { try await garbled.start() }
    }

    @Test func aThirdPartyClientVerifiesOurEventsAndReachesUs() async throws {
        let relay = try await NostrRelayFixture.start()
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        let keys = BIP340.KeyPair.generate()
        let node = transport([url], keys: keys)
        try await node.start()
        let inbox = TransportInbox(node)

        // An envelope whose text needs escaping and is not ASCII, published by our node ...
        let identity = NodeIdentity.generate()
        let tricky = try identity.sign(.inferenceReveal(InferenceReveal(
            requestedSynthientId: identity.synthientId, requestId: "r\"1\\", inferenceId: "i\n1", output: "héllo 🎨\t\u{01} 日本",
            embedding: [0.5], bEmbedding: [1], createdAt: Date()))).wireBytes
        try await node.broadcast(tricky)
        // ... is read back by pynostr, which computes the same id and accepts the signature.
        let read = try await runNostrPeer(["read", url, "\(NostrEvent.packetKind)", "rakis-test", Hex.encode(keys.publicKey), "1", "20"])
        let line = try JSONParser().parse(read.split(separator: "\n").first.map(String.init) ?? "")
        #expect(line["content"]?.stringValue.map { Array($0.utf8) } == tricky)

        // pynostr publishes a valid envelope under its own Nostr key; our node passes it on.
        let theirs = try SamplePackets.commitEnvelope(7)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-envelope-\(UUID().uuidString).json")
        try Data(theirs).write(to: file)
        _ = try await runNostrPeer(["publish", url, "\(NostrEvent.packetKind)", "rakis-test", file.path])
        #expect(await eventually { inbox.contains(theirs) })
        await node.shutdown()
    }

    @Test func aPacketNoChunkFitsIsReportedLostNotSilentlyDropped() async throws {
        // A relay that takes 300 characters of content: below the smallest chunk rakis makes.
        let relay = try await NostrRelayFixture.start(maxEventSize: 300)
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        let (alice, bob, inbox) = try await startedPair(on: url)
        let big = try SamplePackets.commitEnvelope(1)
        #expect(big.count > 300)
        try await alice.broadcast(big)
        #expect(await eventually { await alice.chunkCounts().lostOnRelays == 1 })
        #expect(inbox.all.isEmpty)
        // The connection (a fresh one, as the relay slows down a connection that sent a refused
        // event) is good for what the relay accepts.
        #expect(await eventually { await alice.connectedRelays().count == 1 })
        await alice.shutdown()
        await bob.shutdown()
    }

    @Test func aRateLimitingRelayGetsEverythingInTheEnd() async throws {
        let relay = try await NostrRelayFixture.start(eventsPerSecond: 3)
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        let (alice, bob, inbox) = try await startedPair(on: url)
        let sent = try (0..<10).map { try SamplePackets.commitEnvelope($0) }
        for bytes in sent { try await alice.broadcast(bytes) }
        // The relay refuses most of the burst; the transport pauses, then sends those again.
        #expect(await eventually { Set(inbox.all.map(\.bytes)) == Set(sent) })
        #expect(await alice.refusedEvents() > 0)
        await alice.shutdown()
        await bob.shutdown()
    }
}


/// Large packets (long outputs) against relays as people run them.
@Suite(.serialized) struct NostrLargePacketTests {
    func transport(_ url: String, assumed: RelayLimits = .assumed) -> NostrTransport {
        var configuration = NostrTransportConfiguration(relays: [url], topic: "rakis-large", eventLifetimeSeconds: 600, maxPacketBytes: 512 * 1024)
        configuration.backoff = ReconnectBackoff(base: .milliseconds(100), maximum: .milliseconds(500))
        configuration.assumedLimits = assumed
        return NostrTransport(keys: .generate(), configuration: configuration)
    }

    /// A signed reveal whose output is `bytes` long, with text that needs escaping and is not ASCII.
    func reveal(outputBytes bytes: Int) throws -> [UInt8] {
        let identity = NodeIdentity.generate()
        var output = ""
        while output.utf8.count < bytes { output += "Line \(output.count): \"quoted\", tab\t, naïve café — 日本語 🎨\n" }
        return try identity.sign(.inferenceReveal(InferenceReveal(
            requestedSynthientId: identity.synthientId, requestId: "req", inferenceId: "inf", output: output,
            embedding: [], bEmbedding: [UInt8](repeating: 0xA5, count: 48), createdAt: Date()))).wireBytes
    }

    @Test(arguments: [nil, 65_536])
    func revealsOf8KBAndMoreCrossARelayWithItsOwnLimits(maxEventSize: Int?) async throws {
        let relay = try await NostrRelayFixture.startStock(maxEventSize: maxEventSize)
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        let alice = transport(url), bob = transport(url)
        try await alice.start()
        try await bob.start()
        let inbox = TransportInbox(bob)
        let packets = [try reveal(outputBytes: 8_192), try reveal(outputBytes: 40_000), try reveal(outputBytes: 200), try SamplePackets.commitEnvelope(1)]
        for packet in packets { try await alice.broadcast(packet) }
        #expect(await eventually { packets.allSatisfy(inbox.contains) }, "bob received \(inbox.all.count) of \(packets.count)")
        // The two long ones went as chunks (the relay states no limits, so 4,096 characters are
        // assumed); nothing was refused or lost.
        #expect(await alice.chunkCounts().sent == 2)
        #expect(await bob.chunkCounts().joined == 2)
        #expect(await alice.refusedEvents() == 0)
        #expect(inbox.all.count == packets.count)
        await alice.shutdown()
        await bob.shutdown()
    }

    @Test func aRelayThatRefusesWhatItWasThoughtToTakeGetsThePacketInSmallerChunks() async throws {
        let relay = try await NostrRelayFixture.startStock()
        defer { relay.kill() }
        let url = NostrRelayFixture.url(relay)
        // Alice believes the relay takes 64 KB (as a wrong or stale NIP-11 document might say).
        let alice = transport(url, assumed: RelayLimits(maxMessageLength: 131_072, maxContentLength: 65_536)), bob = transport(url)
        try await alice.start()
        try await bob.start()
        let inbox = TransportInbox(bob)
        let long = try reveal(outputBytes: 8_192)
        try await alice.broadcast(long)
        #expect(await eventually { inbox.contains(long) })
        #expect(await alice.refusedEvents() >= 1)
        #expect(await alice.chunkCounts().lostOnRelays == 0)
        #expect(try #require(await alice.relayLimits()[url]).maxContentLength <= 4_096)
        await alice.shutdown()
        await bob.shutdown()
    }
}
