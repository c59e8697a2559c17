import Foundation
import RakisCoordination
import RakisCore
@testable import RakisNode
import RakisTestSupport

/// Moving a devnet's test clock along a request's windows, each time once the work that must
/// come first (inference, embedding, commits crossing the network) is done.
extension LocalDevnet {
    /// Waits until every listed node has filed `count` commits, then moves the clock just past the
    /// request's `endingAt`, when the nodes request reveals.
    func endRequest(_ requestId: String, on clock: TestClock, afterCommits count: Int, on nodes: [Int]? = nil) async throws {
        let members = members
        let filed = try await eventually(timeout: .seconds(90)) {
            try await (nodes ?? Array(members.indices)).allSatisfy { try await members[$0].node.stores.quorums.commits(requestId: requestId).count >= count }
        }
        guard filed else { throw DevnetError.timedOut("\(count) commits on every node for \(requestId)") }
        clock.advance(to: try await deadlines(requestId).endingAt.addingTimeInterval(0.1))
    }

    /// The request's windows as node 1 stored them.
    func deadlines(_ requestId: String) async throws -> QuorumDeadlines {
        guard let request = try await members[0].node.stores.inferences.request(requestId) else {
            throw DevnetError.timedOut("node 1 does not know request \(requestId)")
        }
        return QuorumDeadlines(endingAt: request.endingAt, settings: members[0].node.settings)
    }
}
