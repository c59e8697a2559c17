import Foundation
import RakisCoordination
import RakisCore
import RakisInference
@testable import RakisNode
import RakisP2P
import RakisTestSupport
import Synchronization
import Testing

/// A node that loses its network while it runs: the stretch in which no transport reached
/// anyone is a listening gap, as a stop is.
extension DevnetTests {
    /// Each node's in-memory transport, kept so that a test can pull one's cable.
    final class Cables: Sendable {
        private let made = Mutex<[Int: InMemoryTransport]>([:])

        func transport(for index: Int, on network: InMemoryNetwork) -> InMemoryTransport {
            let transport = network.makeTransport()
            made.withLock { $0[index] = transport }
            return transport
        }

        subscript(index: Int) -> InMemoryTransport { made.withLock { $0[index]! } }
    }

    @Test func aNodeThatLostItsNetworkWhileCommitsClosedLeavesTheResultToTheOthers() async throws {
        let (network, cables) = (InMemoryNetwork(), Cables())
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        let devnet = LocalDevnet(
            root: root, settings: Self.settings, network: network, transports: { [cables.transport(for: $0, on: network)] },
            clock: clock) { _ in models }
        try await devnet.start(nodes: 3)
        try await devnet.waitUntilReady()
        // A quorum of 2, so that the others decide without node 3's reveal, lost with its cable.
        let requestId = try await devnet.members[0].node.submit(payload(quorum: 2))
        try await waitUntil("every node to file every commit") {
            try await devnet.members.map(\.node).allSatisfy { try await $0.stores.quorums.commits(requestId: requestId).count == 3 }
        }
        let victim = await devnet.members[2].node
        let lost = clock.now()
        await cables[2].disconnect()
        try await waitUntil("node 3 to see that it reaches no one") { victim.quorums.listening.state == .deaf(since: lost) }
        // The commit window closes and the others reveal to each other while node 3 hears nothing.
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3, on: [0, 1])
        try await waitUntil("the others to reveal to each other") {
            let nodes = await devnet.members.map(\.node)
            return try await [0, 1].allSatisfy { try await nodes[$0].stores.quorums.reveals(requestId: requestId, acceptedOnly: true).count == 2 }
        }
        clock.advance(by: .seconds(1))
        let back = clock.now()
        try await cables[2].restart()
        try await waitUntil("node 3 to record the stretch it heard nothing in") {
            victim.quorums.listening.gaps.contains(ListeningGap(from: lost, until: back))
        }
        clock.advance(to: try await devnet.deadlines(requestId).revealBy.addingTimeInterval(0.1))
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        for node in report.nodes.prefix(2) {
            #expect(node.status == .completed, "\(node.statusReason ?? "")")
            #expect(node.consensus?.details.valid.count == 2)
        }
        #expect(report.nodes[0].consensus?.validInferenceJointHash == report.nodes[1].consensus?.validInferenceJointHash)
        #expect(report.nodes[2].status == .failed)
        let reason = report.nodes[2].statusReason ?? ""
        #expect(reason.hasPrefix("missed packets while not listening: this node heard nothing from \(ISO8601Timestamp.format(lost))"), "\(reason)")
        #expect(reason.contains("the commit window closed meanwhile"), "\(reason)")
        await cleanUp(devnet)
    }
}
