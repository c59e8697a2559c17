import Foundation
import Logging
import RakisConsensus
import RakisCoordination
import RakisCore
import RakisInference
@testable import RakisNode
import RakisP2P
import RakisTestSupport
import Testing

/// Several real nodes — Gemma through llama.cpp, all-MiniLM-L6-v2, SQLite stores — on the
/// in-memory transport, taking a request through commit, reveal and consensus. The nodes run on
/// a test clock: once the work that must come before a deadline is done (inference, embedding,
/// commits crossing the network), the test moves the clock past the deadline, so the protocol's
/// windows take no real time.
@Suite(.serialized) struct DevnetTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-devnet-test-\(UUID().uuidString)")
    let clock = TestClock()

    /// The windows of a real deployment would do as well; these keep the numbers in the test short.
    static var settings: Settings {
        var settings = Settings()
        settings.quorumRevealRequestIssueTimeoutMs = 8000
        settings.quorumRevealTimeoutMs = 10000
        settings.quorumConsensusWindowMs = 30000
        // Intake's debounce runs on the test clock too, which moves only when a test moves it:
        // at 0 each packet is processed as it arrives instead of waiting for the next advance.
        settings.receivePacketQueueDebounceMs = 0
        return settings
    }

    func payload(quorum: Int, maxTimeMs: Int = 15000, secPercentage: Double = 0.5) -> InferenceRequestPayload {
        Self.payload(quorum: quorum, maxTimeMs: maxTimeMs, secPercentage: secPercentage, createdAt: clock.now())
    }

    static func payload(quorum: Int, maxTimeMs: Int = 15000, secPercentage: Double = 0.5, createdAt: Date = Date()) -> InferenceRequestPayload {
        InferenceRequestPayload(
            fromChain: "devnet", blockNumber: 0, createdAt: createdAt, prompt: "Name one colour of the sky.",
            acceptedModels: [ModelLocator.defaultLLMName], temperature: 0, maxTokens: 12,
            securityFrame: SecurityFrame(
                quorum: quorum, maxTimeMs: maxTimeMs, secDistance: InferenceRequestDefaults.secDistance, secPercentage: secPercentage,
                embeddingModel: SentenceEmbeddingModel.defaultName))
    }

    func devnet(nodes: Int, network: InMemoryNetwork = InMemoryNetwork()) async throws -> LocalDevnet {
        let models = try NodeModels.defaults(root: LLMFixtures.packageRoot, llmThreads: 1, contextLength: 512)
        let devnet = LocalDevnet(root: root, settings: Self.settings, network: network, clock: clock) { _ in models }
        try await devnet.start(nodes: nodes)
        try await devnet.waitUntilReady()
        return devnet
    }

    func cleanUp(_ devnet: LocalDevnet) async {
        await devnet.shutdown()
        try? FileManager.default.removeItem(at: root)
    }

    func waitUntil(timeout: Duration = .seconds(90), _ what: String, _ condition: () async throws -> Bool) async throws {
        guard try await eventually(timeout: timeout, condition) else { throw DevnetError.timedOut(what) }
    }

    @Test func everyHonestNodeSelectsTheSameOutput() async throws {
        let devnet = try await devnet(nodes: 3)
        let requestId = try await devnet.members[0].node.submit(payload(quorum: 3))
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        #expect(report.agreed, "every node completes with the same joint hash and output")
        let first = try #require(report.nodes[0].consensus)
        let hash = try #require(first.validInferenceJointHash)
        for node in report.nodes {
            #expect(node.status == .completed)
            #expect(node.quorum.count == 3)
            #expect(node.consensus?.details.valid.count == 3)
            #expect(node.consensus?.details.rejections.isEmpty == true)
            #expect(node.consensus?.selected == first.selected)
            #expect(node.ownResult?.output?.isEmpty == false)
        }
        // The selected output is one of the revealed ones, picked by the joint hash.
        #expect(report.nodes.contains { $0.ownResult?.output == first.selected?.output })
        #expect(hash.count == 64)
        // Each node hears the other two nodes' inferenceQuorumComputed, with the same hash.
        try await waitUntil("peer consensus results") {
            try await devnet.report(requestId: requestId).nodes.allSatisfy { $0.peerResults.count == 2 }
        }
        for node in try await devnet.report(requestId: requestId).nodes {
            #expect(node.peerResults.allSatisfy { $0.validInferenceJointHash == hash })
        }
        await cleanUp(devnet)
    }

    @Test func aQuorumThatIsNotReachedFailsOnEveryNode() async throws {
        let devnet = try await devnet(nodes: 2)
        let requestId = try await devnet.members[0].node.submit(payload(quorum: 3, maxTimeMs: 10000))
        try await devnet.endRequest(requestId, on: clock, afterCommits: 2)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(60))
        for node in try await devnet.report(requestId: requestId).nodes {
            #expect(node.status == .failed)
            #expect(node.statusReason?.contains("quorum not reached: 2 of 3 commits") == true, "\(node.statusReason ?? "no reason")")
            #expect(node.consensus == nil)
        }
        await cleanUp(devnet)
    }

    @Test func adversariesAreRejectedAndTheHonestMajorityStillAgrees() async throws {
        let network = InMemoryNetwork()
        let devnet = try await devnet(nodes: 3, network: network)
        let honest = Set(await devnet.members.map(\.identity.synthientId))
        let adversaries = Adversaries(honest: honest, settings: Self.settings, clock: clock)
        try await adversaries.start(network: network, root: root, settings: Self.settings)
        let requestId = try await devnet.members[0].node.submit(payload(quorum: 3))
        try await devnet.endRequest(requestId, on: clock, afterCommits: 8)
        // Every reveal that comes in time (the latecomer's does not, and the impostor's is filed
        // under the forger), then the reveal window closes.
        let timely = honest.union([await adversaries.synthientId("liar"), await adversaries.synthientId("copier"),
                                   await adversaries.synthientId("forger"), await adversaries.synthientId("mismatch")])
        try await waitUntil("the timely reveals") {
            try await devnet.report(requestId: requestId).nodes.allSatisfy { timely.isSubset(of: Set($0.reveals.map(\.synthientId))) }
        }
        let revealBy = try await devnet.deadlines(requestId).revealBy
        clock.advance(to: revealBy.addingTimeInterval(0.1))
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        // The late reveal goes out 1.5 s after the window; it arrives and is judged.
        clock.advance(to: revealBy.addingTimeInterval(2))
        try await waitUntil("the late reveal") {
            let latecomer = await adversaries.synthientId("latecomer")
            return try await devnet.report(requestId: requestId).nodes.allSatisfy { $0.reveals.contains { $0.synthientId == latecomer } }
        }
        let report = try await devnet.report(requestId: requestId)
        #expect(report.agreed)
        func id(_ role: String) async -> String { await adversaries.synthientId(role) }
        let (liar, copier, latecomer, forger, mismatch) = (await id("liar"), await id("copier"), await id("latecomer"), await id("forger"), await id("mismatch"))
        for node in report.nodes {
            #expect(node.status == .completed, "\(node.statusReason ?? "")")
            #expect(node.quorum.count == 8, "3 honest and 5 adversarial commits")
            func reason(_ sender: String) -> String? { node.reveals.first { $0.synthientId == sender && $0.rejectReason != nil }?.rejectReason }
            #expect(reason(liar)?.contains("does not hash to the commit") == true, "liar: \(reason(liar) ?? "accepted")")
            #expect(reason(copier)?.contains("does not hash to the commit") == true, "copier: \(reason(copier) ?? "accepted")")
            #expect(reason(latecomer)?.contains("after the reveal window closed") == true, "latecomer: \(reason(latecomer) ?? "accepted")")
            // The impostor's reveal is filed under the key that signed it.
            #expect(reason(forger)?.contains("signed by another node") == true, "impostor: \(reason(forger) ?? "accepted")")
            let consensus = try #require(node.consensus)
            #expect(consensus.details.rejections.map(\.synthientId) == [mismatch], "the mismatched embedding is caught by re-embedding")
            #expect(consensus.details.rejections.first?.reason.contains("recomputed bEmbedding differs") == true)
            #expect(Set(consensus.details.valid.map(\.synthientId)) == honest)
        }
        await adversaries.shutdown()
        await cleanUp(devnet)
    }

    /// A node down when the commit window closes cannot know whether a commit came meanwhile
    /// (one arriving after `endingAt` is refused however early it was sent), so after its restart
    /// it reveals, which the others count, and leaves the result to the nodes that heard it all
    /// rather than decide on what may be less.
    @Test func aNodeDownWhenCommitsCloseRevealsAfterRestartAndLeavesTheResultToTheOthers() async throws {
        let devnet = try await devnet(nodes: 3)
        let requestId = try await devnet.members[0].node.submit(payload(quorum: 3))
        let victim = await devnet.members[2]
        try await waitUntil("every node to file every commit") {
            try await devnet.members.map(\.node).allSatisfy { try await $0.stores.quorums.commits(requestId: requestId).count == 3 }
        }
        await devnet.kill(2)
        // The others request reveals at endingAt while node 3 is down.
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3, on: [0, 1])
        try await waitUntil("the others to reveal to each other") {
            let nodes = await devnet.members.map(\.node)
            return try await [0, 1].allSatisfy { try await nodes[$0].stores.quorums.reveals(requestId: requestId, acceptedOnly: true).count == 2 }
        }
        #expect(try await victim.node.stores.quorums.record(requestId: requestId)?.revealSentAt == nil, "killed before revealing")
        // Node 3 is down for a while; its reveal request after the restart comes after the others' reveals.
        clock.advance(by: .seconds(1))
        try await devnet.restart(2)
        try await devnet.waitForOutcome(requestId: requestId, nodes: [0, 1], timeout: .seconds(90))
        clock.advance(to: try await devnet.deadlines(requestId).revealBy.addingTimeInterval(0.1))
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        for node in report.nodes.prefix(2) {
            #expect(node.status == .completed, "\(node.statusReason ?? "")")
            #expect(node.consensus?.details.valid.count == 3, "node 3's reveal after its restart counts")
        }
        #expect(report.nodes[0].consensus?.validInferenceJointHash == report.nodes[1].consensus?.validInferenceJointHash)
        #expect(report.nodes[2].status == .failed)
        #expect(report.nodes[2].statusReason?.contains("the commit window closed meanwhile") == true, "\(report.nodes[2].statusReason ?? "")")
        await cleanUp(devnet)
    }

    /// A kill between intake storing a packet and the Domain filing it leaves the packet in
    /// packets.sqlite alone, and a copy delivered again is refused there as a duplicate. The
    /// restarted node publishes what it stored last again, so it still counts that commit.
    @Test func aPacketStoredButNotFiledBeforeAKillIsFiledAfterTheRestart() async throws {
        let devnet = try await devnet(nodes: 3)
        let requestId = try await devnet.members[0].node.submit(payload(quorum: 3))
        try await waitUntil("every node to file every commit") {
            try await devnet.members.map(\.node).allSatisfy { try await $0.stores.quorums.commits(requestId: requestId).count == 3 }
        }
        await devnet.kill(2)
        // Node 2's commit leaves node 3's quorum store but stays in its packet store, as if the
        // kill had come between the two writes.
        let (victim, lost) = await (devnet.members[2], devnet.members[1].identity.synthientId)
        let database = victim.dataDirectory.url.appendingPathComponent("coordination.sqlite").path
        let deleted = try await runToEnd("/usr/bin/python3", [
            "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('DELETE FROM quorumCommit WHERE requestId=? AND synthientId=?', sys.argv[2:4]).rowcount); c.commit()",
            database, requestId, lost,
        ])
        #expect(deleted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(deleted.stderr)")
        try await devnet.restart(2)
        try await waitUntil(timeout: .seconds(30), "the restarted node to file the commit again") {
            try await devnet.members[2].node.stores.quorums.commits(requestId: requestId).count == 3
        }
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3)
        try await devnet.waitForOutcome(requestId: requestId, nodes: [0, 1], timeout: .seconds(90))
        // The restarted node waits out the reveal window (it was not listening for a while).
        try await waitUntil("node 3 to file the three reveals") {
            try await devnet.members[2].node.stores.quorums.reveals(requestId: requestId, acceptedOnly: true).count == 3
        }
        clock.advance(to: try await devnet.deadlines(requestId).revealBy.addingTimeInterval(0.1))
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(90))
        let report = try await devnet.report(requestId: requestId)
        #expect(report.agreed)
        for node in report.nodes { #expect(node.consensus?.details.valid.count == 3) }
        await cleanUp(devnet)
    }

    @Test func aNodeRestartedAfterEveryWindowMarksTheRequestFailed() async throws {
        let devnet = try await devnet(nodes: 3)
        let requestId = try await devnet.members[0].node.submit(payload(quorum: 2, maxTimeMs: 10000))
        try await waitUntil("every node to file every commit") {
            try await devnet.members.map(\.node).allSatisfy { try await $0.stores.quorums.commits(requestId: requestId).count == 3 }
        }
        await devnet.kill(2)
        // Without node 3's reveal the other two still make the quorum of 2 when the window closes.
        try await devnet.endRequest(requestId, on: clock, afterCommits: 3, on: [0, 1])
        try await waitUntil("the two reveals on both nodes") {
            let nodes = await devnet.members.map(\.node)
            return try await [0, 1].allSatisfy { try await nodes[$0].stores.quorums.reveals(requestId: requestId, acceptedOnly: true).count == 2 }
        }
        let revealBy = try await devnet.deadlines(requestId).revealBy
        clock.advance(to: revealBy.addingTimeInterval(0.1))
        try await devnet.waitForOutcome(requestId: requestId, nodes: [0, 1], timeout: .seconds(60))
        clock.advance(to: revealBy.addingTimeInterval(0.5))
        try await devnet.restart(2)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(30))
        let report = try await devnet.report(requestId: requestId)
        #expect(report.nodes[0].status == .completed)
        #expect(report.nodes[1].status == .completed)
        #expect(report.nodes[0].consensus?.details.valid.count == 2)
        #expect(report.nodes[2].status == .failed)
        #expect(report.nodes[2].statusReason?.contains("it was down") == true, "\(report.nodes[2].statusReason ?? "")")
        await cleanUp(devnet)
    }

    @Test func aCleanShutdownFinishesTheRunningInferenceAndClosesTheStores() async throws {
        let devnet = try await devnet(nodes: 1)
        let node = await devnet.members[0].node
        var payload = payload(quorum: 1)
        payload.maxTokens = 48
        let requestId = try await node.submit(payload)
        try await waitUntil("the inference to start") { await node.inferenceQueue.runningCount > 0 }
        await devnet.stop(0)
        await #expect(throws: NodeError.notRunning) { _ = try await node.submit(payload) }
        await #expect(throws: (any Error).self, "the stores are closed") { _ = try await node.stores.quorums.openQuorums() }
        let reopened = try CoordinationStores(directory: await devnet.members[0].dataDirectory.url)
        let result = try #require(try await reopened.inferences.results(requestId: requestId).first)
        #expect(result.output?.isEmpty == false, "the running inference finished and its result was stored")
        try reopened.close()
        await cleanUp(devnet)
    }
}
