import Foundation
import RakisCore
@testable import RakisNode
@testable import RakisP2P
import Synchronization
import Testing

/// The Domain's queue before the filer: work first, the rest shared fairly by signer and capped.
@Suite struct PacketEventBacklogTests {
    func heart(from signer: String) -> PacketEvent {
        .peerHeart(Delivered(
            body: PeerHeart(windowX: 0, windowY: 0, createdAt: Date()), synthientId: signer, signature: UUID().uuidString,
            receivedTime: Date(), deliveredThrough: "mesh", isOwn: false))
    }

    func commit(_ requestId: String, from signer: String) -> PacketEvent {
        .inferenceCommit(Delivered(
            body: InferenceCommit(requestId: requestId, inferenceId: "i", bEmbeddingHash: String(repeating: "0f", count: 32), createdAt: Date()),
            synthientId: signer, signature: UUID().uuidString, receivedTime: Date(), deliveredThrough: "mesh", isOwn: false))
    }

    @Test func workGoesAheadOfAFloodFromManyIdentitiesAndTheFloodIsCapped() async {
        let backlog = PacketEventBacklog(capacity: 100)
        var dropped = 0
        for n in 0..<1_000 where backlog.push(heart(from: "flooder-\(n % 300)"), urgent: false) { dropped += 1 }
        backlog.push(commit("real", from: "honest"), urgent: true)
        backlog.finish()
        #expect(dropped == 900)
        #expect(backlog.dropped == 900)
        let order = HandledEvents()
        await backlog.drain { event in order.append(event) }
        let handled = order.all
        #expect(handled.count == 101)
        guard case .inferenceCommit(let first)? = handled.first else {
            Issue.record("the commit for work in play comes first, got \(String(describing: handled.first))")
            return
        }
        #expect(first.body.requestId == "real")
    }

    @Test func drainingWaitsForEventsAndEndsOnceFinishedAndEmpty() async {
        let backlog = PacketEventBacklog(capacity: 10)
        let order = HandledEvents()
        async let drained: Void = backlog.drain { event in order.append(event) }
        backlog.push(heart(from: "a"), urgent: false)
        try? await Task.sleep(for: .milliseconds(50))
        backlog.push(heart(from: "b"), urgent: false)
        backlog.finish()
        await drained
        #expect(order.all.map(\.synthientId) == ["a", "b"])
    }
}

/// Collects handled events from the drain's closure.
final class HandledEvents: Sendable {
    private let events = Mutex<[PacketEvent]>([])
    func append(_ event: PacketEvent) { events.withLock { $0.append(event) } }
    var all: [PacketEvent] { events.withLock { $0 } }
}
