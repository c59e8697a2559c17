import Foundation
import RakisCore
@testable import RakisNode
@testable import RakisP2P
import Testing

/// Requests with a committee (`securityFrame.committeeShare`) on a one-node devnet: the node
/// answers only those whose committee it is in, and files commits only from members.
extension DevnetTests {
    static func identity(inCommitteeOf requestId: String, share: Double, _ wanted: Bool) -> String {
        var id = NodeIdentity.generate().synthientId
        while Committee.isEligible(requestId: requestId, synthientId: id, share: share) != wanted { id = NodeIdentity.generate().synthientId }
        return id
    }

    @Test func aNodeAnswersOnlyInItsCommitteeAndRefusesOutsidersCommits() async throws {
        let devnet = try await devnet(nodes: 1)
        let node = await devnet.members[0].node
        let me = node.identity.synthientId
        let share = 0.5
        var framed = payload(quorum: 1, maxTimeMs: 10000)
        framed.securityFrame.committeeShare = share
        let requestId = try #require((0..<1000).map { "committee-\($0)" }.first { !Committee.isEligible(requestId: $0, synthientId: me, share: share) })
        let member = Self.identity(inCommitteeOf: requestId, share: share, true)
        let early = Self.identity(inCommitteeOf: requestId, share: share, false)
        let late = Self.identity(inCommitteeOf: requestId, share: share, false)
        func deliver(_ commitFrom: String) async {
            let commit = InferenceCommit(requestId: requestId, inferenceId: "i-\(commitFrom.prefix(8))", bEmbeddingHash: String(repeating: "1", count: 64), createdAt: clock.now())
            await node.filer.handle(.inferenceCommit(Delivered(
                body: commit, synthientId: commitFrom, signature: "00", receivedTime: clock.now(), deliveredThrough: "memory", isOwn: false)))
        }
        // An outsider's commit before the request is filed (nothing to check it against yet) and
        // withdrawn when the request comes; one after it is refused on arrival.
        await deliver(early)
        let request = P2PInferenceRequest(requestId: requestId, payload: framed, createdAt: clock.now())
        await node.filer.handle(.p2pInferenceRequest(Delivered(
            body: request, synthientId: member, signature: "00", receivedTime: clock.now(), deliveredThrough: "memory", isOwn: false)))
        await deliver(member)
        await deliver(late)
        #expect(try await node.stores.quorums.commits(requestId: requestId).map(\.synthientId) == [member])
        #expect(node.quorums.refusals.current.commitsOutsideCommittee == 2)
        // This node is not in the committee: it does not answer.
        let (waiting, running) = (await node.inferenceQueue.waitingRequests(), await node.inferenceQueue.runningCount)
        #expect(waiting.isEmpty && running == 0)

        // In another request's committee, it answers.
        let mine = try #require((0..<1000).map { "member-\($0)" }.first { Committee.isEligible(requestId: $0, synthientId: me, share: share) })
        await node.filer.handle(.p2pInferenceRequest(Delivered(
            body: P2PInferenceRequest(requestId: mine, payload: framed, createdAt: clock.now()), synthientId: member, signature: "00",
            receivedTime: clock.now(), deliveredThrough: "memory", isOwn: false)))
        let queued = await node.inferenceQueue.waitingRequests().count + (await node.inferenceQueue.runningCount)
        #expect(queued == 1)
        await cleanUp(devnet)
    }
}
