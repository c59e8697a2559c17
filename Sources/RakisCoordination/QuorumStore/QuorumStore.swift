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

    let pool: DatabasePool
    /// Quorums opened by commits, to space out the orphan check.
    let orphansOpened = Tally()

    public init(database: CoordinationDatabase) { pool = database.pool }

    /// Whether this node has a quorum for the request (its own, or one opened by commits).
    public func isKnown(_ requestId: String) async throws -> Bool {
        try await pool.read { db in try QuorumRow.exists(db, key: requestId) }
    }

    /// Opens a request's quorum (awaiting commitments) if it has none yet, so that a request
    /// nobody commits to still ends with a status.
    public func openQuorum(requestId: String, at date: Date) async throws {
        try await pool.write { db in try QuorumRow(opening: requestId, at: date).insert(db, onConflict: .ignore) }
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
            try QuorumRow(opening: commit.requestId, at: receivedAt).insert(db, onConflict: .ignore)
            if db.changesCount > 0, orphans.next().isMultiple(of: max(1, keepingOrphans / 10)) {
                try CoordinationRetention.pruneOrphans(keeping: keepingOrphans, in: db)
            }
            if try Self.isEquivocator(synthientId, requestId: commit.requestId, in: db) { return .ignored }
            if let earlier = try QuorumCommitRow.fetchOne(db, key: ["requestId": commit.requestId, "synthientId": synthientId]) {
                guard earlier.inferenceId != commit.inferenceId || earlier.bEmbeddingHash != commit.bEmbeddingHash else { return .ignored }
                try Self.recordEquivocation(synthientId, requestId: commit.requestId, step: "commit", at: receivedAt, in: db)
                return .equivocation
            }
            guard try QuorumRow.fetchOne(db, key: commit.requestId)?.status == QuorumStatus.awaitingCommitments.rawValue else { return .ignored }
            let row = QuorumCommitRow(
                requestId: commit.requestId, synthientId: synthientId, inferenceId: commit.inferenceId, bEmbeddingHash: commit.bEmbeddingHash,
                receivedAt: receivedAt.timeIntervalSince1970)
            try row.insert(db, onConflict: .ignore)
            return db.changesCount > 0 ? .filed : .ignored
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

    public func commits(requestId: String) async throws -> [Commit] {
        try await pool.read { db in
            try QuorumCommitRow
                .filter(QuorumCommitRow.Columns.requestId == requestId)
                .order(QuorumCommitRow.Columns.receivedAt, QuorumCommitRow.Columns.synthientId)
                .fetchAll(db).map(\.commit)
        }
    }

    /// Checks a reveal on arrival against its sender's commit and the deadline, and keeps it
    /// either way (a rejected one with its reason). The same reveal again is not stored twice; a
    /// second, different one that also fits the commit is equivocation (both are refused).
    @discardableResult
    public func addReveal(_ reveal: InferenceReveal, from sender: String, receivedAt: Date, revealDeadline: Date?) async throws -> RevealOutcome {
        try await pool.write { db in
            let commit = try QuorumCommitRow.fetchOne(db, key: ["requestId": reveal.requestId, "synthientId": sender])
            let accepted = QuorumRevealRow
                .filter(QuorumRevealRow.Columns.requestId == reveal.requestId && QuorumRevealRow.Columns.synthientId == sender)
                .filter(QuorumRevealRow.Columns.rejectReason == nil)
            let same = accepted.filter(
                QuorumRevealRow.Columns.inferenceId == reveal.inferenceId && QuorumRevealRow.Columns.output == reveal.output
                    && QuorumRevealRow.Columns.bEmbedding == Data(reveal.bEmbedding))
            if try !same.isEmpty(db) { return .repeated }
            var failure = RevealCheck.check(
                reveal, sender: sender, commit: commit.map { ($0.inferenceId, $0.bEmbeddingHash) }, receivedAt: receivedAt,
                revealDeadline: revealDeadline)
            if try Self.isEquivocator(sender, requestId: reveal.requestId, in: db) {
                failure = .equivocation
            } else if failure == nil, try !accepted.isEmpty(db) {
                try Self.recordEquivocation(sender, requestId: reveal.requestId, step: "reveal", at: receivedAt, in: db)
                try Self.insert(reveal, from: sender, receivedAt: receivedAt, rejectedFor: .equivocation, in: db)
                return .equivocation
            }
            try Self.insert(reveal, from: sender, receivedAt: receivedAt, rejectedFor: failure, in: db)
            return failure.map(RevealOutcome.rejected) ?? .accepted
        }
    }

    private static func insert(_ reveal: InferenceReveal, from sender: String, receivedAt: Date, rejectedFor failure: RevealRejectionReason?, in db: Database) throws {
        try QuorumRevealRow(
            requestId: reveal.requestId, synthientId: sender, inferenceId: reveal.inferenceId, output: reveal.output,
            bEmbedding: Data(reveal.bEmbedding), receivedAt: receivedAt.timeIntervalSince1970, rejectReason: failure?.description
        ).insert(db)
    }

    public func reveals(requestId: String, acceptedOnly: Bool = false) async throws -> [Reveal] {
        try await pool.read { db in
            var request = QuorumRevealRow.filter(QuorumRevealRow.Columns.requestId == requestId)
            if acceptedOnly { request = request.filter(QuorumRevealRow.Columns.rejectReason == nil) }
            return try request.order(QuorumRevealRow.Columns.id).fetchAll(db).map(\.reveal)
        }
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
        try await pool.read { db in try QuorumRow.fetchOne(db, key: requestId).flatMap { QuorumStatus(rawValue: $0.status) } }
    }

    /// Moves a quorum to `status`; a final status (completed, failed) never changes again.
    @discardableResult
    public func setStatus(_ status: QuorumStatus, requestId: String, reason: String? = nil, at date: Date) async throws -> Bool {
        try await pool.write { db in
            try QuorumRow(opening: requestId, at: date).insert(db, onConflict: .ignore)
            let changed = try QuorumRow
                .filter(key: requestId)
                .filter(!QuorumRow.finalStatuses.contains(QuorumRow.Columns.status))
                .updateAll(db, [
                    QuorumRow.Columns.status.set(to: status.rawValue), QuorumRow.Columns.statusReason.set(to: reason),
                    QuorumRow.Columns.updatedAt.set(to: date.timeIntervalSince1970),
                ])
            return changed > 0
        }
    }

    public func record(requestId: String) async throws -> Record? {
        try await pool.read { db in try QuorumRow.fetchOne(db, key: requestId)?.record }
    }

    /// This node's own steps, recorded so that a restart neither repeats nor forgets them.
    public enum OwnStep: String, Sendable {
        case revealRequestSent = "revealRequestSentAt"
        case revealSent = "revealSentAt"
        case consensusQueued = "consensusQueuedAt"
    }

    public func mark(_ step: OwnStep, requestId: String, at date: Date) async throws {
        _ = try await pool.write { db in
            try QuorumRow.filter(key: requestId).updateAll(db, [Column(step.rawValue).set(to: date.timeIntervalSince1970)])
        }
    }

    /// Request ids of quorums not yet completed or failed: what a restarted node resumes.
    /// Open quorums whose request this node has: the ones with deadlines. (A quorum that commits
    /// opened for a request not received has nothing to wait for until the request comes.)
    public func openRequestQuorums() async throws -> [(requestId: String, status: QuorumStatus)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT quorum.requestId, quorum.status FROM quorum JOIN inferenceRequest USING (requestId)
                WHERE quorum.status NOT IN ('completed', 'failed') ORDER BY quorum.requestId
                """).compactMap { row in QuorumStatus(rawValue: row["status"]).map { (requestId: row["requestId"], status: $0) } }
        }
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
