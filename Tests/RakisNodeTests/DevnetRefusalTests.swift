import Foundation
import Logging
import RakisCoordination
import RakisCore
import RakisInference
@testable import RakisNode
@testable import RakisP2P
import RakisTestSupport
import ServiceLifecycle
import Testing

/// What a node refuses to act on, on a devnet: requests for another embedding recipe, requests
/// that arrive already ended, and a peer that equivocates.
extension DevnetTests {
    /// A request naming the embedding model by another recipe version (here recipe 1, a name
    /// without the suffix) is filed but not answered: this node's bits would not match.
    @Test func aRequestForAnotherEmbeddingRecipeIsFiledButNotAnswered() async throws {
        let devnet = try await devnet(nodes: 1)
        var old = payload(quorum: 1, maxTimeMs: 10000)
        old.securityFrame.embeddingModel = EmbeddingRecipe.parse(SentenceEmbeddingModel.defaultName).model
        #expect(EmbeddingRecipe.mismatch(requested: old.securityFrame.embeddingModel, served: [SentenceEmbeddingModel.defaultName])?
            .contains("embedding recipe 1") == true)
        let node0 = await devnet.members[0].node
        let requestId = try await node0.submit(old)
        // Filed (the submit returned its id) but never queued for inference.
        let (waiting, running) = (await node0.inferenceQueue.waitingRequests(), await node0.inferenceQueue.runningCount)
        #expect(waiting.isEmpty && running == 0)
        try await devnet.endRequest(requestId, on: clock, afterCommits: 0)
        try await devnet.waitForOutcome(requestId: requestId, timeout: .seconds(60))
        let node = try #require(try await devnet.report(requestId: requestId).nodes.first)
        #expect(node.status == .failed)
        #expect(node.statusReason?.contains("0 of 1 commits") == true, "\(node.statusReason ?? "no reason")")
        #expect(node.ownResult == nil, "the node ran no inference for it")
        #expect(await node0.inferenceQueue.totalTokens == 0)
        await cleanUp(devnet)
    }

    /// A request that reaches the node from a peer after its endingAt is not filed: nothing can
    /// be done for it, and one that arrives ended is most likely replayed. The same request
    /// still open is filed.
    @Test func aPeersRequestThatHasAlreadyEndedIsNotFiled() async throws {
        let devnet = try await devnet(nodes: 1)
        let node = await devnet.members[0].node
        let peer = NodeIdentity.generate().synthientId
        func deliver(_ request: P2PInferenceRequest) async {
            await node.filer.handle(.p2pInferenceRequest(Delivered(
                body: request, synthientId: peer, signature: "00", receivedTime: clock.now(), deliveredThrough: "memory", isOwn: false)))
        }
        let ended = P2PInferenceRequest(requestId: "ended-request", payload: payload(quorum: 2, maxTimeMs: 10000), createdAt: clock.now())
        clock.advance(by: .seconds(11))
        await deliver(ended)
        #expect(try await node.stores.inferences.request("ended-request") == nil)
        let open = P2PInferenceRequest(requestId: "open-request", payload: payload(quorum: 2, maxTimeMs: 10000), createdAt: clock.now())
        await deliver(open)
        #expect(try await node.stores.inferences.request("open-request") != nil)
        await cleanUp(devnet)
    }

    /// A node on the network signs two different commits for one request (real signed packets,
    /// through its own P2P layer): both are withdrawn, it is recorded as an equivocator, marked in
    /// the peer table, and the node tells the network with an `inferenceRevealRejected`.
    @Test func aNodeThatSignsTwoDifferentCommitsIsCaughtAndMarked() async throws {
        let network = InMemoryNetwork()
        let devnet = try await devnet(nodes: 1, network: network)
        let node = await devnet.members[0].node
        let directory = root.appendingPathComponent("equivocator")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let identity = NodeIdentity.generate()
        let p2p = P2PLayer(
            identity: identity, settings: Self.settings, database: try P2PDatabase(directory: directory), transports: [network.makeTransport()],
            clock: clock)
        let group = ServiceGroup(configuration: .init(services: p2p.services.map { .init(service: $0) }, logger: Logger(label: "equivocator")))
        let running = Task { try await group.run() }
        try await p2p.waitForTransports()

        let requestId = try await node.submit(payload(quorum: 3))
        for hash in ["aa", "bb"] {
            try await p2p.transmit(.inferenceCommit(InferenceCommit(
                requestId: requestId, inferenceId: "inf-\(hash)", bEmbeddingHash: String(repeating: hash, count: 32), createdAt: clock.now())))
        }
        let sender = identity.synthientId
        #expect(await eventually { (try? await node.stores.quorums.equivocators(requestId: requestId)) == [sender] })
        #expect(await eventually { (try? await node.p2p.packetDB.peers.peer(sender))?.equivocations == 1 })
        #expect(try await node.stores.quorums.commits(requestId: requestId).allSatisfy { $0.synthientId != sender }, "both commits withdrawn")
        let announced = try await node.p2p.packetDB.store.lastPackets(count: 20, type: .inferenceRevealRejected).compactMap { row -> InferenceRevealRejected? in
            if case .inferenceRevealRejected(let rejected)? = try? row.decoded() { return rejected }
            return nil
        }
        #expect(announced.contains { $0.requestId == requestId && $0.rejectReason == .equivocation(step: "commit") }, "\(announced)")

        await group.triggerGracefulShutdown()
        _ = await running.result
        await cleanUp(devnet)
    }
}
