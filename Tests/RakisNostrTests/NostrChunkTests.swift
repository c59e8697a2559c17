import Foundation
@testable import RakisP2P
@testable import RakisNostr
import RakisCore
import Testing

/// Packets larger than a relay takes: how they are cut, joined and bounded.
struct NostrChunkTests {
    func envelope(_ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) } }

    @Test func slicesFitTheLimitsAndJoinBackInAnyOrder() throws {
        let bytes = envelope(20_000)
        let limits = RelayLimits(maxMessageLength: 65_536, maxContentLength: 4_096)
        let chunks = NostrChunk.split(bytes, sliceBytes: NostrChunk.sliceBytes(for: limits))
        #expect(chunks.count == 7)
        #expect(chunks.allSatisfy { $0.content.utf8.count <= 4_096 })
        var assembler = ChunkAssembler(maxPacketBytes: 512 * 1024, lifetime: 600)
        var outcome = ChunkAssembler.Outcome.incomplete
        for chunk in chunks.reversed() {
            #expect(outcome == .incomplete)
            outcome = assembler.add(chunk, from: "alice", at: Date())
        }
        #expect(outcome == .complete(bytes))
        // A copy of the set (from a second relay) is not delivered again.
        #expect(assembler.add(chunks[0], from: "alice", at: Date()) == .duplicate)
        #expect(assembler.pendingSets == 0)
    }

    @Test func aChunkEventRoundTripsAndBadOnesAreRefused() throws {
        let keys = BIP340.KeyPair.generate()
        let chunk = NostrChunk.split(envelope(5_000), sliceBytes: 3_072)[1]
        let event = try NostrEvent.signed(kind: NostrEvent.packetKind, tags: [["t", "x"], chunk.tag], content: chunk.content, createdAt: 1, by: keys)
        #expect(try NostrChunk(event: event) == chunk)
        let whole = try NostrEvent.signed(kind: NostrEvent.packetKind, tags: [["t", "x"]], content: "{}", createdAt: 1, by: keys)
        #expect(try NostrChunk(event: whole) == nil)
        for (tag, content) in [
            (["chunk", chunk.digest, "2", "2"], chunk.content),  // index not below count
            (["chunk", "abc", "0", "2"], chunk.content),  // not a digest
            (["chunk", chunk.digest, "0"], chunk.content),  // no count
            (["chunk", chunk.digest, "0", "2"], "not base64!"),
            (["chunk", chunk.digest, "0", "2"], ""),
        ] {
            let bad = try NostrEvent.signed(kind: NostrEvent.packetKind, tags: [tag], content: content, createdAt: 1, by: keys)
            #expect(throws: NostrEventError.self) { try NostrChunk(event: bad) }
        }
    }

    @Test func forgedOversizedAndStaleSetsAreDroppedAndMemoryIsBounded() throws {
        var assembler = ChunkAssembler(maxPacketBytes: 10_000, maxPendingBytes: 10_000, lifetime: 60)
        let start = Date()
        // Slices that do not hash to the digest they claim.
        var forged = NostrChunk.split(envelope(3_000), sliceBytes: 1_000)
        forged[2].bytes[0] ^= 1
        #expect(assembler.add(forged[0], from: "mallory", at: start) == .incomplete)
        #expect(assembler.add(forged[1], from: "mallory", at: start) == .incomplete)
        #expect(assembler.add(forged[2], from: "mallory", at: start) == .rejected("joined chunks do not match their digest"))
        // More chunks than any packet needs, and more bytes than a packet may have.
        let lying = NostrChunk(digest: forged[0].digest, index: 0, count: 1_000_000, bytes: [1])
        #expect(assembler.add(lying, from: "mallory", at: start) != .incomplete)
        let huge = NostrChunk.split(envelope(12_000), sliceBytes: 6_000)
        #expect(assembler.add(huge[0], from: "mallory", at: start) == .incomplete)
        if case .rejected = assembler.add(huge[1], from: "mallory", at: start) {} else { Issue.record("an over-size set was not refused") }
        // Partial sets never completed: the oldest go once the pending bytes pass the bound ...
        for n in 0..<30 {
            let set = NostrChunk.split(envelope(2_000 + n), sliceBytes: 1_000)
            _ = assembler.add(set[0], from: "mallory", at: start)
        }
        #expect(assembler.pendingSets <= 10)
        // ... and every one goes when its lifetime is over, so an honest set still completes.
        let honest = NostrChunk.split(envelope(4_000), sliceBytes: 2_000)
        #expect(assembler.add(honest[0], from: "alice", at: start.addingTimeInterval(61)) == .incomplete)
        #expect(assembler.pendingSets == 1)
        #expect(assembler.add(honest[1], from: "alice", at: start.addingTimeInterval(62)) == .complete(envelope(4_000)))
    }

    @Test func relayLimitsComeFromNIP11AndShrinkAfterRefusals() throws {
        let document = try JSONParser().parse(#"{"name":"r","limitation":{"max_message_length":131072,"max_content_length":65536,"max_subscriptions":20}}"#)
        #expect(RelayLimits(nip11: document) == RelayLimits(maxMessageLength: 131_072, maxContentLength: 65_536))
        // No limitation (nostr-relay serves none), or nonsense: the conservative assumption.
        #expect(RelayLimits(nip11: try JSONParser().parse(#"{"name":"r"}"#)) == .assumed)
        #expect(RelayLimits(nip11: try JSONParser().parse(#"{"limitation":{"max_content_length":-5,"max_message_length":"big"}}"#)) == .assumed)
        #expect(RelayLimits.informationURL(relay: "wss://relay.example/nostr") == "https://relay.example/nostr")
        #expect(RelayLimits.informationURL(relay: "ws://127.0.0.1:7000") == "http://127.0.0.1:7000")
        let refused = try #require(RelayLimits.assumed.shrunk(below: 4_000))
        #expect(refused.maxContentLength == 2_000)
        // A relay that refused more than the common assumption is held to the assumption first.
        let big = RelayLimits(maxMessageLength: 131_072, maxContentLength: 65_536)
        #expect(big.shrunk(below: 9_000)?.maxContentLength == 4_096)
        #expect(RelayLimits.floor.shrunk(below: 600) == nil)
        #expect(RelayLimits.assumed.tightest(RelayLimits(maxMessageLength: 1_000_000, maxContentLength: 1_000)) == RelayLimits(maxMessageLength: 65_536, maxContentLength: 1_000))
    }
}
