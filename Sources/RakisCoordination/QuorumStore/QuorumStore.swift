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

    public enum RevealOutcome: Sendable, Hashable {
        case accepted
        /// The same reveal again (a node answering a later reveal request): not stored twice.
        case repeated
        case rejected(RevealRejectionReason)
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

    public init(database: CoordinationDatabase) { pool = database.pool }

    /// Opens a request's quorum (awaiting commitments) if it has none yet, so that a request
    /// nobody commits to still ends with a status.
    public func openQuorum(requestId: String, at date: Date) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO quorum (requestId, status, updatedAt) VALUES (?, ?, ?)",
                arguments: [requestId, QuorumStatus.awaitingCommitments.rawValue, date.timeIntervalSince1970])
        }
    }

    /// Files a commit under its request's quorum, opening the quorum on the first. Commits are
    /// filed only while the quorum awaits commitments, and a node's second commit for the same
    /// request is ignored; returns whether it was filed.
    @discardableResult
    public func addCommit(_ commit: InferenceCommit, from synthientId: String, receivedAt: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO quorum (requestId, status, updatedAt) VALUES (?, ?, ?)",
                arguments: [commit.requestId, QuorumStatus.awaitingCommitments.rawValue, receivedAt.timeIntervalSince1970])
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO quorumCommit (requestId, synthientId, inferenceId, bEmbeddingHash, receivedAt)
                    SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM quorum WHERE requestId = ? AND status = ?)
                    """,
                arguments: [commit.requestId, synthientId, commit.inferenceId, commit.bEmbeddingHash, receivedAt.timeIntervalSince1970,
                            commit.requestId, QuorumStatus.awaitingCommitments.rawValue])
            return db.changesCount > 0
        }
    }

    public func commits(requestId: String) throws -> [Commit] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quorumCommit WHERE requestId = ? ORDER BY receivedAt, synthientId", arguments: [requestId]).map {
                Commit(synthientId: $0["synthientId"], inferenceId: $0["inferenceId"], bEmbeddingHash: $0["bEmbeddingHash"],
                       receivedAt: Date(timeIntervalSince1970: $0["receivedAt"]))
            }
        }
    }

    /// Checks a reveal on arrival against its sender's commit and the deadline, and keeps it
    /// either way (a rejected one with its reason). A second reveal from the same node is
    /// rejected as a duplicate.
    @discardableResult
    public func addReveal(_ reveal: InferenceReveal, from sender: String, receivedAt: Date, revealDeadline: Date?) throws -> RevealOutcome {
        try pool.write { db in
            let commitRow = try Row.fetchOne(
                db, sql: "SELECT inferenceId, bEmbeddingHash FROM quorumCommit WHERE requestId = ? AND synthientId = ?",
                arguments: [reveal.requestId, sender])
            let commit = commitRow.map { (inferenceId: $0["inferenceId"] as String, bEmbeddingHash: $0["bEmbeddingHash"] as String) }
            if try Bool.fetchOne(
                db, sql: """
                    SELECT EXISTS (SELECT 1 FROM quorumReveal WHERE requestId = ? AND synthientId = ? AND inferenceId = ?
                        AND output = ? AND bEmbedding = ? AND rejectReason IS NULL)
                    """,
                arguments: [reveal.requestId, sender, reveal.inferenceId, reveal.output, Data(reveal.bEmbedding)]) == true {
                return .repeated
            }
            var failure = RevealCheck.check(reveal, sender: sender, commit: commit, receivedAt: receivedAt, revealDeadline: revealDeadline)
            if failure == nil, try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM quorumReveal WHERE requestId = ? AND synthientId = ? AND rejectReason IS NULL)",
                arguments: [reveal.requestId, sender]) == true {
                failure = .duplicate
            }
            try db.execute(
                sql: "INSERT INTO quorumReveal (requestId, synthientId, inferenceId, output, bEmbedding, receivedAt, rejectReason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [reveal.requestId, sender, reveal.inferenceId, reveal.output, Data(reveal.bEmbedding),
                            receivedAt.timeIntervalSince1970, failure?.description])
            return failure.map(RevealOutcome.rejected) ?? .accepted
        }
    }

    public func reveals(requestId: String, acceptedOnly: Bool = false) throws -> [Reveal] {
        try pool.read { db in
            let filter = acceptedOnly ? " AND rejectReason IS NULL" : ""
            return try Row.fetchAll(db, sql: "SELECT * FROM quorumReveal WHERE requestId = ?\(filter) ORDER BY id", arguments: [requestId]).map {
                Reveal(synthientId: $0["synthientId"], inferenceId: $0["inferenceId"], output: $0["output"],
                       bEmbedding: [UInt8]($0["bEmbedding"] as Data), receivedAt: Date(timeIntervalSince1970: $0["receivedAt"]),
                       rejectReason: $0["rejectReason"])
            }
        }
    }

    /// True once every committed node has an accepted reveal: consensus need not wait longer.
    public func everyMemberRevealed(requestId: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT COUNT(*) > 0 AND COUNT(*) = (SELECT COUNT(DISTINCT synthientId) FROM quorumReveal
                    WHERE requestId = ? AND rejectReason IS NULL)
                FROM quorumCommit WHERE requestId = ?
                """, arguments: [requestId, requestId]) ?? false
        }
    }

    public func status(requestId: String) throws -> QuorumStatus? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT status FROM quorum WHERE requestId = ?", arguments: [requestId]).flatMap(QuorumStatus.init)
        }
    }

    /// Moves a quorum to `status`; a final status (completed, failed) never changes again.
    @discardableResult
    public func setStatus(_ status: QuorumStatus, requestId: String, reason: String? = nil, at date: Date) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO quorum (requestId, status, updatedAt) VALUES (?, ?, ?)",
                arguments: [requestId, QuorumStatus.awaitingCommitments.rawValue, date.timeIntervalSince1970])
            try db.execute(
                sql: "UPDATE quorum SET status = ?, statusReason = ?, updatedAt = ? WHERE requestId = ? AND status NOT IN ('completed', 'failed')",
                arguments: [status.rawValue, reason, date.timeIntervalSince1970, requestId])
            return db.changesCount > 0
        }
    }

    public func record(requestId: String) throws -> Record? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM quorum WHERE requestId = ?", arguments: [requestId]).flatMap(Self.record)
        }
    }

    /// Every quorum, latest first (for reports and the dashboard).
    public func records(limit: Int = 100) throws -> [Record] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quorum ORDER BY updatedAt DESC LIMIT ?", arguments: [limit]).compactMap(Self.record)
        }
    }

    static func record(_ row: Row) -> Record? {
        guard let status = QuorumStatus(rawValue: row["status"]) else { return nil }
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return Record(
            requestId: row["requestId"], status: status, statusReason: row["statusReason"],
            updatedAt: Date(timeIntervalSince1970: row["updatedAt"]), revealRequestSentAt: date("revealRequestSentAt"),
            revealSentAt: date("revealSentAt"), consensusQueuedAt: date("consensusQueuedAt"))
    }

    /// This node's own steps, recorded so that a restart neither repeats nor forgets them.
    public enum OwnStep: String, Sendable {
        case revealRequestSent = "revealRequestSentAt"
        case revealSent = "revealSentAt"
        case consensusQueued = "consensusQueuedAt"
    }

    public func mark(_ step: OwnStep, requestId: String, at date: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE quorum SET \(step.rawValue) = ? WHERE requestId = ?", arguments: [date.timeIntervalSince1970, requestId])
        }
    }

    /// Request ids of quorums not yet completed or failed: what a restarted node resumes.
    public func openQuorums() throws -> [(requestId: String, status: QuorumStatus)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT requestId, status FROM quorum WHERE status NOT IN ('completed', 'failed') ORDER BY requestId").compactMap { row in
                QuorumStatus(rawValue: row["status"]).map { (requestId: row["requestId"] as String, status: $0) }
            }
        }
    }
}
