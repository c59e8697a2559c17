public import Foundation
import GRDB
public import RakisCore

/// Requests this node knows of, and its own results and embeddings for them, on disk.
public struct InferenceStore: Sendable {
    public struct StoredRequest: Sendable, Hashable {
        public let requestId: String
        public let fromSynthientId: String
        public let payload: InferenceRequestPayload
        public var endingAt: Date { payload.endingAt }
    }

    public struct StoredResult: Sendable, Hashable {
        public let requestId: String
        public let inferenceId: String
        public let modelName: String
        /// The output, or nil when the inference failed (see `failureReason`).
        public let output: String?
        public let tokenCount: Int?
        public let tokensPerSecond: Double?
        public let failureReason: String?
        public let startedAt: Date
        public let completedAt: Date

        public init(
            requestId: String, inferenceId: String, modelName: String, output: String?, tokenCount: Int?,
            tokensPerSecond: Double?, failureReason: String?, startedAt: Date, completedAt: Date
        ) {
            self.requestId = requestId
            self.inferenceId = inferenceId
            self.modelName = modelName
            self.output = output
            self.tokenCount = tokenCount
            self.tokensPerSecond = tokensPerSecond
            self.failureReason = failureReason
            self.startedAt = startedAt
            self.completedAt = completedAt
        }
    }

    let pool: any DatabaseWriter

    public init(database: CoordinationDatabase) { pool = database.pool }

    // MARK: Requests

    /// Stores a request the first time it is seen; returns whether it was new.
    @discardableResult
    public func saveRequest(_ request: P2PInferenceRequest, from synthientId: String) async throws -> Bool {
        try await pool.write { db in try Self.saveRequest(request, from: synthientId, in: db) }
    }

    public func request(_ requestId: String) async throws -> StoredRequest? {
        try await pool.read { db in try Self.request(requestId, in: db) }
    }

    /// Requests from nodes other than `own` still open at `date`.
    public func openRequestCount(at date: Date, notFrom own: String) async throws -> Int {
        try await pool.read { db in
            try InferenceRequestRow
                .filter(InferenceRequestRow.Columns.endingAt > date.timeIntervalSince1970)
                .filter(InferenceRequestRow.Columns.fromSynthientId != own)
                .fetchCount(db)
        }
    }

    public func requestCount() async throws -> Int {
        try await pool.read { db in try InferenceRequestRow.fetchCount(db) }
    }

    /// How many results this node produced (and how many of them failed), and their tokens.
    public func resultTotals() async throws -> (results: Int, failed: Int, tokens: Int) {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS results, COALESCE(SUM(succeeded = 0), 0) AS failed, COALESCE(SUM(tokenCount), 0) AS tokens FROM inferenceResult
                """)
            return (row?["results"] ?? 0, row?["failed"] ?? 0, row?["tokens"] ?? 0)
        }
    }

    /// Requests still taking inferences at `date` (`date < endingAt`), latest-ending first.
    public func activeRequests(at date: Date) async throws -> [StoredRequest] {
        try await pool.read { db in
            try InferenceRequestRow
                .filter(InferenceRequestRow.Columns.endingAt > date.timeIntervalSince1970)
                .order(InferenceRequestRow.Columns.endingAt.desc, InferenceRequestRow.Columns.requestId)
                .fetchAll(db).map { try $0.stored() }
        }
    }

    // MARK: Results

    public func saveResult(_ result: StoredResult) async throws {
        try await pool.write { db in try Self.saveResult(result, in: db) }
    }

    public func hasResult(requestId: String) async throws -> Bool {
        try await pool.read { db in try !InferenceResultRow.filter(InferenceResultRow.Columns.requestId == requestId).isEmpty(db) }
    }

    public func results(requestId: String) async throws -> [StoredResult] {
        try await pool.read { db in try Self.results(requestId: requestId, in: db) }
    }

    // MARK: Embeddings

    public func saveEmbedding(_ embedding: InferenceEmbedding) async throws {
        try await pool.write { db in try Self.saveEmbedding(embedding, in: db) }
    }

    /// This node's embedding of one of its results, as saved (what a commit and a reveal use).
    public struct StoredEmbedding: Sendable, Hashable {
        public let requestId: String
        public let inferenceId: String
        public let embedding: [Float]
        public let bEmbedding: [UInt8]
        public let bEmbeddingHash: String
    }

    public func embedding(inferenceId: String) async throws -> StoredEmbedding? {
        try await pool.read { db in try Self.embedding(inferenceId: inferenceId, in: db) }
    }
}
