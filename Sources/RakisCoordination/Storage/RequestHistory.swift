import Foundation
import GRDB

/// Everything the stores hold about one request, read together: for the API's request detail and
/// the devnet's report.
public struct RequestHistory: Sendable {
    public let request: InferenceStore.StoredRequest
    public let quorum: QuorumStore.Record?
    public let commits: [QuorumStore.Commit]
    public let reveals: [QuorumStore.Reveal]
    public let consensus: ConsensusRecord?
    public let peerResults: [PeerConsensusRecord]
    /// This node's own results, in the order they completed.
    public let results: [InferenceStore.StoredResult]
}

/// One line of the request list: the request with its quorum's status, how many commits it has
/// and this node's consensus outcome.
public struct RequestSummary: Sendable {
    public let request: InferenceStore.StoredRequest
    public let status: QuorumStatus?
    public let commitCount: Int
    public let consensusSucceeded: Bool?
    public let selectedOutput: String?
}

extension CoordinationStores {
    /// nil when the request is unknown.
    public func history(requestId: String) async throws -> RequestHistory? {
        guard let request = try await inferences.request(requestId) else { return nil }
        return RequestHistory(
            request: request, quorum: try await quorums.record(requestId: requestId), commits: try await quorums.commits(requestId: requestId),
            reveals: try await quorums.reveals(requestId: requestId), consensus: try await consensus.result(requestId: requestId),
            peerResults: try await consensus.peerResults(requestId: requestId), results: try await inferences.results(requestId: requestId))
    }

    /// The newest requests first, each with its summary, in one query (the dashboard asks for it
    /// every few seconds).
    public func recentSummaries(limit: Int) async throws -> [RequestSummary] {
        try await database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, q.status AS quorumStatus, c.reason IS NULL AS consensusSucceeded, c.requestId IS NOT NULL AS hasConsensus,
                       c.selectedOutput, (SELECT COUNT(*) FROM quorumCommit k WHERE k.requestId = r.requestId) AS commitCount
                FROM inferenceRequest r
                LEFT JOIN quorum q ON q.requestId = r.requestId
                LEFT JOIN consensusResult c ON c.requestId = r.requestId
                ORDER BY r.createdAt DESC, r.requestId LIMIT ?
                """, arguments: [limit]).map { row in
                let hasConsensus: Bool = row["hasConsensus"]
                return RequestSummary(
                    request: try InferenceRequestRow(row: row).stored(), status: (row["quorumStatus"] as String?).flatMap(QuorumStatus.init(rawValue:)),
                    commitCount: row["commitCount"], consensusSucceeded: hasConsensus ? row["consensusSucceeded"] : nil,
                    selectedOutput: row["selectedOutput"])
            }
        }
    }
}
