@testable import RakisMesh
import Testing

/// A connection's outgoing queue: order, coalescing of packets queued back to back, its bound,
/// and its end. No sockets.
struct MeshOutboxTests {
    static let id = String(repeating: "c", count: 64)

    static func packet(_ n: Int, bytes: Int = 40) -> MeshPacket {
        MeshPacket(hops: n % 3, envelope: "{\"n\":\(n),\"pad\":\"" + String(repeating: "x", count: bytes) + "\"}")
    }

    /// What the frames carry, parsed back: each frame's packets, or its other message.
    static func parsed(_ frames: [String]) throws -> [MeshMessage] {
        try frames.map { try MeshMessage(parsing: $0, maxBytes: 1 << 20) }
    }

    @Test func packetsQueuedBackToBackShareAFrameAndAPacketAloneKeepsItsOwn() throws {
        let items: [MeshOutbox.Item] = [
            .packet(Self.packet(0)), .frame(MeshMessage.catchUp(seconds: 5).text),
            .packet(Self.packet(1)), .packet(Self.packet(2)), .packet(Self.packet(3)),
            .frame(MeshMessage.iwant([Self.id]).text), .packet(Self.packet(4)),
        ]
        let frames = try Self.parsed(MeshOutbox.frames(items, maxBytes: 1 << 20))
        #expect(frames == [
            .packet(hops: 0, envelope: Self.packet(0).envelope), .catchUp(seconds: 5),
            .packets([Self.packet(1), Self.packet(2), Self.packet(3)]), .iwant([Self.id]),
            .packet(hops: 1, envelope: Self.packet(4).envelope),
        ])
    }

    @Test func aLongRunIsSplitIntoFramesUnderTheLimitInOrder() throws {
        let packets = (0..<50).map { Self.packet($0, bytes: 300) }
        let texts = MeshOutbox.frames(packets.map { .packet($0) }, maxBytes: 4_000)
        #expect(texts.count > 1)
        #expect(texts.allSatisfy { $0.utf8.count <= 4_000 })
        let carried = try Self.parsed(texts).flatMap { frame -> [MeshPacket] in
            switch frame {
            case .packets(let items): items
            case .packet(let hops, let envelope): [MeshPacket(hops: hops, envelope: envelope)]
            default: []
            }
        }
        #expect(carried == packets)
    }

    @Test func aFrameCarriesAFewDozenPacketsAtMostSoThatThePeerCanStartOnTheFirst() throws {
        let packets = (0..<100).map { Self.packet($0) }
        let frames = try Self.parsed(MeshOutbox.frames(packets.map { .packet($0) }, maxBytes: 1 << 20))
        let sizes = frames.map { frame -> Int in if case .packets(let items) = frame { items.count } else { 0 } }
        #expect(sizes == [32, 32, 32, 4])
    }

    @Test func theWriterTakesEverythingWaitingOnceAndThenWaits() async {
        let outbox = MeshOutbox()
        outbox.yield("a")
        outbox.yield(packet: Self.packet(1))
        #expect(await outbox.next() == [.frame("a"), .packet(Self.packet(1))])
        // A writer already waiting gets the next item at once.
        async let next = outbox.next()
        try? await Task.sleep(for: .milliseconds(20))
        #expect(outbox.yield("b") == .enqueued)
        #expect(await next == [.frame("b")])
    }

    @Test func overItsCapacityTheOldestGo() async {
        let outbox = MeshOutbox(capacity: 3)
        for n in 0..<3 { #expect(outbox.yield("\(n)") == .enqueued) }
        #expect(outbox.yield("3") == .dropped)
        #expect(outbox.yield("4") == .dropped)
        #expect(await outbox.next() == [.frame("2"), .frame("3"), .frame("4")])
    }

    @Test func finishingHandsOverWhatWaitsThenEnds() async {
        let outbox = MeshOutbox()
        outbox.yield("last")
        outbox.finish()
        #expect(outbox.yield("too late") == .terminated)
        #expect(await outbox.next() == [.frame("last")])
        #expect(await outbox.next() == nil)
        // A writer waiting when the connection closes is let go.
        let waiting = MeshOutbox()
        async let ended = waiting.next()
        try? await Task.sleep(for: .milliseconds(20))
        waiting.finish()
        #expect(await ended == nil)
    }
}
