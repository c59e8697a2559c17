public import Foundation
import GRDB
public import RakisCore

/// The coordination stores' transactions run on the calling thread, for one that may block: the
/// nodes of a simulation, which run thousands of transactions a second on one thread of their
/// own (the async stores hop to the database's queue and back for each). The same transactions
/// as `InferenceStore`, `QuorumStore` and `ConsensusStore` run.
public struct BlockingCoordinationStores {
    let database: CoordinationDatabase
    /// Quorums opened by commits, to space out the orphan check.
    private let orphansOpened = Tally()

    public init(database: CoordinationDatabase) { self.database = database }

    // One thread uses these stores, and nothing else opens their in-memory database: statements
    // need no transaction to be isolated, and GRDB's read-only transaction costs four statements
    // of its own around every read (a third of a simulation's time). A write that fails part way
    // is rolled back by its savepoint.
    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        try database.pool.unsafeReentrantRead(body)
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.pool.writeWithoutTransaction { db in
            var result: T?
            try db.inSavepoint {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    public func saveRequest(_ request: P2PInferenceRequest, from synthientId: String) throws -> Bool {
        try write { db in try InferenceStore.saveRequest(request, from: synthientId, in: db) }
    }

    public func request(_ requestId: String) throws -> InferenceStore.StoredRequest? {
        try read { db in try InferenceStore.request(requestId, in: db) }
    }

    public func saveResult(_ result: InferenceStore.StoredResult) throws {
        try write { db in try InferenceStore.saveResult(result, in: db) }
    }

    public func results(requestId: String) throws -> [InferenceStore.StoredResult] {
        try read { db in try InferenceStore.results(requestId: requestId, in: db) }
    }

    public func saveEmbedding(_ embedding: InferenceEmbedding) throws {
        try write { db in try InferenceStore.saveEmbedding(embedding, in: db) }
    }

    public func embedding(inferenceId: String) throws -> InferenceStore.StoredEmbedding? {
        try read { db in try InferenceStore.embedding(inferenceId: inferenceId, in: db) }
    }

    public func isKnown(_ requestId: String) throws -> Bool {
        try read { db in try QuorumStore.isKnown(requestId, in: db) }
    }

    public func openQuorum(requestId: String, at date: Date) throws {
        try write { db in try QuorumStore.openQuorum(requestId: requestId, at: date, in: db) }
    }

    public func addCommit(_ commit: InferenceCommit, from synthientId: String, receivedAt: Date, keepingOrphans: Int) throws -> QuorumStore.CommitOutcome {
        try write { db in
            try QuorumStore.addCommit(commit, from: synthientId, receivedAt: receivedAt, keepingOrphans: keepingOrphans, orphans: orphansOpened, in: db)
        }
    }

    @discardableResult
    public func withdrawCommits(requestId: String, from synthientIds: [String]) throws -> Int {
        try write { db in try QuorumStore.withdrawCommits(requestId: requestId, from: synthientIds, in: db) }
    }

    public func commits(requestId: String) throws -> [QuorumStore.Commit] {
        try read { db in try QuorumStore.commits(requestId: requestId, in: db) }
    }

    public func addReveal(_ reveal: InferenceReveal, from sender: String, receivedAt: Date, revealDeadline: Date?) throws -> QuorumStore.RevealOutcome {
        try write { db in try QuorumStore.addReveal(reveal, from: sender, receivedAt: receivedAt, revealDeadline: revealDeadline, in: db) }
    }

    public func reveals(requestId: String, acceptedOnly: Bool) throws -> [QuorumStore.Reveal] {
        try read { db in try QuorumStore.reveals(requestId: requestId, acceptedOnly: acceptedOnly, in: db) }
    }

    public func status(requestId: String) throws -> QuorumStatus? {
        try read { db in try QuorumStore.status(requestId: requestId, in: db) }
    }

    @discardableResult
    public func setStatus(_ status: QuorumStatus, requestId: String, reason: String? = nil, at date: Date) throws -> Bool {
        try write { db in try QuorumStore.setStatus(status, requestId: requestId, reason: reason, at: date, in: db) }
    }

    public func record(requestId: String) throws -> QuorumStore.Record? {
        try read { db in try QuorumStore.record(requestId: requestId, in: db) }
    }

    public func mark(_ step: QuorumStore.OwnStep, requestId: String, at date: Date) throws {
        try write { db in try QuorumStore.mark(step, requestId: requestId, at: date, in: db) }
    }

    public func openRequestQuorums() throws -> [(requestId: String, status: QuorumStatus)] {
        try read { db in try QuorumStore.openRequestQuorums(in: db) }
    }

    public func quorumSnapshot(requestId: String) throws -> QuorumSnapshot {
        try read { db in try QuorumSnapshot.read(requestId: requestId, in: db) }
    }

    public func savePeerResult(_ packet: InferenceQuorumComputed, receivedAt: Date) throws {
        try write { db in try ConsensusStore.savePeerResult(packet, receivedAt: receivedAt, in: db) }
    }
}
