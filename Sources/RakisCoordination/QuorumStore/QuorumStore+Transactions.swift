import Foundation
import GRDB
import RakisCore

// The quorum store's transactions, each on a database handle: the async methods run them on the
// node's pool, `BlockingCoordinationStores` on the calling thread (a simulation's nodes).
extension QuorumStore {
    static func isKnown(_ requestId: String, in db: Database) throws -> Bool {
        try QuorumRow.exists(db, key: requestId)
    }

    static func openQuorum(requestId: String, at date: Date, in db: Database) throws {
        try QuorumRow(opening: requestId, at: date).insert(db, onConflict: .ignore)
    }

    static func addCommit(
        _ commit: InferenceCommit, from synthientId: String, receivedAt: Date, keepingOrphans: Int, orphans: Tally, in db: Database
    ) throws -> CommitOutcome {
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

    /// Removes the commits of these nodes (outside the request's committee, filed before the
    /// request came); returns how many went.
    static func withdrawCommits(requestId: String, from synthientIds: [String], in db: Database) throws -> Int {
        try QuorumCommitRow
            .filter(QuorumCommitRow.Columns.requestId == requestId && synthientIds.contains(QuorumCommitRow.Columns.synthientId))
            .deleteAll(db)
    }

    static func commits(requestId: String, in db: Database) throws -> [Commit] {
        try QuorumCommitRow
            .filter(QuorumCommitRow.Columns.requestId == requestId)
            .order(QuorumCommitRow.Columns.receivedAt, QuorumCommitRow.Columns.synthientId)
            .fetchAll(db).map(\.commit)
    }

    static func addReveal(_ reveal: InferenceReveal, from sender: String, receivedAt: Date, revealDeadline: Date?, in db: Database) throws -> RevealOutcome {
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

    static func reveals(requestId: String, acceptedOnly: Bool, in db: Database) throws -> [Reveal] {
        var request = QuorumRevealRow.filter(QuorumRevealRow.Columns.requestId == requestId)
        if acceptedOnly { request = request.filter(QuorumRevealRow.Columns.rejectReason == nil) }
        return try request.order(QuorumRevealRow.Columns.id).fetchAll(db).map(\.reveal)
    }

    static func status(requestId: String, in db: Database) throws -> QuorumStatus? {
        try QuorumRow.fetchOne(db, key: requestId).flatMap { QuorumStatus(rawValue: $0.status) }
    }

    static func setStatus(_ status: QuorumStatus, requestId: String, reason: String?, at date: Date, in db: Database) throws -> Bool {
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

    static func record(requestId: String, in db: Database) throws -> Record? {
        try QuorumRow.fetchOne(db, key: requestId)?.record
    }

    static func mark(_ step: OwnStep, requestId: String, at date: Date, in db: Database) throws {
        _ = try QuorumRow.filter(key: requestId).updateAll(db, [Column(step.rawValue).set(to: date.timeIntervalSince1970)])
    }

    static func openRequestQuorums(in db: Database) throws -> [(requestId: String, status: QuorumStatus)] {
        try Row.fetchAll(db, sql: """
            SELECT quorum.requestId, quorum.status FROM quorum JOIN inferenceRequest USING (requestId)
            WHERE quorum.status NOT IN ('completed', 'failed') ORDER BY quorum.requestId
            """).compactMap { row in QuorumStatus(rawValue: row["status"]).map { (requestId: row["requestId"], status: $0) } }
    }
}
