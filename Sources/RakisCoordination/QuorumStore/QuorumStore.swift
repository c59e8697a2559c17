public import Foundation
import GRDB
public import RakisCore

/// Commits, reveals and the status of every request's quorum, on disk.
public struct QuorumStore: Sendable {
    public struct Commit: Sendable, Hashable {
        public let synthientId: String
        public let inferenceId: String
        public let bEmbeddingHash: String
        public let receivedAt: Date
    }

    public struct Reveal: Sendable, Hashable {
        public let synthientId: String
        public let inferenceId: String
        public let output: String
        public let bEmbedding: [UInt8]
        public let receivedAt: Date
        /// nil when the reveal passed every check on arrival.
        public let rejectReason: String?
    }

    public enum CommitOutcome: Sendable, Hashable {
        case filed
        /// The same commit again, a commit after the quorum stopped awaiting commitments, or one
        /// from a node already caught equivocating on this request.
        case ignored
        /// A second, different commit from the same node: both are withdrawn.
        case equivocation
    }

    public enum RevealOutcome: Sendable, Hashable {
        case accepted
        /// The same reveal again (a node answering a later reveal request): not stored twice.
        case repeated
        case rejected(RevealRejectionReason)
        /// A second, different reveal that also fits the sender's commit: both are refused (the
        /// reveal is stored rejected for `.equivocation`); later ones come back `.rejected`.
        case equivocation
    }

    /// A quorum's row: its status and when this node took its own steps in it.
    public struct Record: Sendable, Hashable {
        public let requestId: String
        public let status: QuorumStatus
        public let statusReason: String?
        public let updatedAt: Date
        public let revealRequestSentAt: Date?
        public let revealSentAt: Date?
        public let consensusQueuedAt: Date?
    }

    let pool: any DatabaseWriter
    /// Quorums opened by commits, to space out the orphan check.
    let orphansOpened = Tally()

    public init(database: CoordinationDatabase) { pool = database.pool }

    /// Whether this node has a quorum for the request (its own, or one opened by commits).
    public func isKnown(_ requestId: String) async throws -> Bool {
        try await pool.read { db in try Self.isKnown(requestId, in: db) }
    }

    /// Opens a request's quorum (awaiting commitments) if it has none yet, so that a request
    /// nobody commits to still ends with a status.
    public func openQuorum(requestId: String, at date: Date) async throws {
        try await pool.write { db in try Self.openQuorum(requestId: requestId, at: date, in: db) }
    }

    /// Files a commit under its request's quorum, opening the quorum on the first. Commits are
    /// filed only while the quorum awaits commitments; the same commit again is ignored, and a
    /// second, different one is equivocation: the first is withdrawn too, the sender is recorded
    /// (`equivocators`), and its reveals for the request are refused.
    @discardableResult
    ///
    /// A commit for a request this node has not received opens an orphan quorum; of those,
    /// the newest `keepingOrphans` stay (checked every tenth of it opened), so that commits for
    /// invented requests cannot fill the disk.
    public func addCommit(
        _ commit: InferenceCommit, from synthientId: String, receivedAt: Date, keepingOrphans: Int = 1000
    ) async throws -> CommitOutcome {
        let orphans = orphansOpened
        return try await pool.write { db in
            try Self.addCommit(commit, from: synthientId, receivedAt: receivedAt, keepingOrphans: keepingOrphans, orphans: orphans, in: db)
        }
    }

    /// The nodes caught signing two different commits or reveals for this request.
    public func equivocators(requestId: String) async throws -> [String] {
        try await pool.read { db in
            try QuorumEquivocationRow.filter(QuorumEquivocationRow.Columns.requestId == requestId).fetchAll(db).map(\.synthientId).sorted()
        }
    }

    static func isEquivocator(_ synthientId: String, requestId: String, in db: Database) throws -> Bool {
        try QuorumEquivocationRow.fetchOne(db, key: ["requestId": requestId, "synthientId": synthientId]) != nil
    }

    /// Records the equivocation, withdraws the sender's commit and refuses its accepted reveals.
    static func recordEquivocation(_ synthientId: String, requestId: String, step: String, at date: Date, in db: Database) throws {
        try QuorumEquivocationRow(requestId: requestId, synthientId: synthientId, step: step, detectedAt: date.timeIntervalSince1970)
            .insert(db, onConflict: .ignore)
        _ = try QuorumCommitRow.deleteOne(db, key: ["requestId": requestId, "synthientId": synthientId])
        _ = try QuorumRevealRow
            .filter(QuorumRevealRow.Columns.requestId == requestId && QuorumRevealRow.Columns.synthientId == synthientId)
            .filter(QuorumRevealRow.Columns.rejectReason == nil)
            .updateAll(db, QuorumRevealRow.Columns.rejectReason.set(to: RevealRejectionReason.equivocation.description))
    }

    /// Removes the commits of nodes outside a request's committee that came before the request.
    @discardableResult
    public func withdrawCommits(requestId: String, from synthientIds: [String]) async throws -> Int {
        try await pool.write { db in try Self.withdrawCommits(requestId: requestId, from: synthientIds, in: db) }
    }

    public func commits(requestId: String) async throws -> [Commit] {
        try await pool.read { db in try Self.commits(requestId: requestId, in: db) }
    }

    /// Checks a reveal on arrival against its sender's commit and the deadline, and keeps it
    /// either way (a rejected one with its reason). The same reveal again is not stored twice; a
    /// second, different one that also fits the commit is equivocation (both are refused).
    @discardableResult
    public func addReveal(_ reveal: InferenceReveal, from sender: String, receivedAt: Date, revealDeadline: Date?) async throws -> RevealOutcome {
        try await pool.write { db in
            try Self.addReveal(reveal, from: sender, receivedAt: receivedAt, revealDeadline: revealDeadline, in: db)
        }
    }

    static func insert(_ reveal: InferenceReveal, from sender: String, receivedAt: Date, rejectedFor failure: RevealRejectionReason?, in db: Database) throws {
        try QuorumRevealRow(
            requestId: reveal.requestId, synthientId: sender, inferenceId: reveal.inferenceId, output: reveal.output,
            bEmbedding: Data(reveal.bEmbedding), receivedAt: receivedAt.timeIntervalSince1970, rejectReason: failure?.description
        ).insert(db)
    }

    public func reveals(requestId: String, acceptedOnly: Bool = false) async throws -> [Reveal] {
        try await pool.read { db in try Self.reveals(requestId: requestId, acceptedOnly: acceptedOnly, in: db) }
    }

    /// True once every committed node has an accepted reveal: consensus need not wait longer.
    public func everyMemberRevealed(requestId: String) async throws -> Bool {
        try await pool.read { db in try Self.everyMemberRevealed(requestId: requestId, in: db) }
    }

    static func everyMemberRevealed(requestId: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT COUNT(*) > 0 AND COUNT(*) = (SELECT COUNT(DISTINCT synthientId) FROM quorumReveal
                WHERE requestId = ? AND rejectReason IS NULL)
            FROM quorumCommit WHERE requestId = ?
            """, arguments: [requestId, requestId]) ?? false
    }

    public func status(requestId: String) async throws -> QuorumStatus? {
        try await pool.read { db in try Self.status(requestId: requestId, in: db) }
    }

    /// Moves a quorum to `status`; a final status (completed, failed) never changes again.
    @discardableResult
    public func setStatus(_ status: QuorumStatus, requestId: String, reason: String? = nil, at date: Date) async throws -> Bool {
        try await pool.write { db in try Self.setStatus(status, requestId: requestId, reason: reason, at: date, in: db) }
    }

    public func record(requestId: String) async throws -> Record? {
        try await pool.read { db in try Self.record(requestId: requestId, in: db) }
    }

    /// This node's own steps, recorded so that a restart neither repeats nor forgets them.
    public enum OwnStep: String, Sendable {
        case revealRequestSent = "revealRequestSentAt"
        case revealSent = "revealSentAt"
        case consensusQueued = "consensusQueuedAt"
    }

    public func mark(_ step: OwnStep, requestId: String, at date: Date) async throws {
        try await pool.write { db in try Self.mark(step, requestId: requestId, at: date, in: db) }
    }

    /// Request ids of quorums not yet completed or failed: what a restarted node resumes.
    /// Open quorums whose request this node has: the ones with deadlines. (A quorum that commits
    /// opened for a request not received has nothing to wait for until the request comes.)
    public func openRequestQuorums() async throws -> [(requestId: String, status: QuorumStatus)] {
        try await pool.read { db in try Self.openRequestQuorums(in: db) }
    }

    public func openQuorums() async throws -> [(requestId: String, status: QuorumStatus)] {
        try await pool.read { db in
            try QuorumRow
                .filter(!QuorumRow.finalStatuses.contains(QuorumRow.Columns.status))
                .order(QuorumRow.Columns.requestId)
                .fetchAll(db).compactMap { row in QuorumStatus(rawValue: row.status).map { (requestId: row.requestId, status: $0) } }
        }
    }
}
