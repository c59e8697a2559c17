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

    let pool: DatabasePool

    public init(database: CoordinationDatabase) { pool = database.pool }

    // MARK: Requests

    /// Stores a request the first time it is seen; returns whether it was new.
    @discardableResult
    public func saveRequest(_ request: P2PInferenceRequest, from synthientId: String) throws -> Bool {
        let payload = String(decoding: try JSONEncoder().encode(request.payload), as: UTF8.self)
        return try pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO inferenceRequest (requestId, fromSynthientId, payload, createdAt, endingAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [request.requestId, synthientId, payload, request.payload.createdAt.timeIntervalSince1970,
                            request.payload.endingAt.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func request(_ requestId: String) throws -> StoredRequest? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM inferenceRequest WHERE requestId = ?", arguments: [requestId]).map(Self.request)
        }
    }

    public func requestCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inferenceRequest") ?? 0 }
    }

    /// How many results this node produced (and how many of them failed), and their tokens.
    public func resultTotals() throws -> (results: Int, failed: Int, tokens: Int) {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS results, COALESCE(SUM(succeeded = 0), 0) AS failed, COALESCE(SUM(tokenCount), 0) AS tokens FROM inferenceResult
                """)
            return (row?["results"] ?? 0, row?["failed"] ?? 0, row?["tokens"] ?? 0)
        }
    }

    /// Requests still taking inferences at `date` (`date < endingAt`), latest-ending first.
    public func activeRequests(at date: Date) throws -> [StoredRequest] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM inferenceRequest WHERE endingAt > ? ORDER BY endingAt DESC, requestId",
                             arguments: [date.timeIntervalSince1970]).map(Self.request)
        }
    }

    static func request(_ row: Row) throws -> StoredRequest {
        let text: String = row["payload"]
        return StoredRequest(
            requestId: row["requestId"], fromSynthientId: row["fromSynthientId"],
            payload: try JSONDecoder().decode(InferenceRequestPayload.self, from: Data(text.utf8)))
    }

    // MARK: Results

    public func saveResult(_ result: StoredResult) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO inferenceResult
                    (inferenceId, requestId, modelName, succeeded, output, tokenCount, tokensPerSecond, failureReason, startedAt, completedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [result.inferenceId, result.requestId, result.modelName, result.output != nil, result.output,
                            result.tokenCount, result.tokensPerSecond, result.failureReason,
                            result.startedAt.timeIntervalSince1970, result.completedAt.timeIntervalSince1970])
        }
    }

    public func hasResult(requestId: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM inferenceResult WHERE requestId = ?)", arguments: [requestId]) ?? false
        }
    }

    public func results(requestId: String) throws -> [StoredResult] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM inferenceResult WHERE requestId = ? ORDER BY completedAt", arguments: [requestId]).map {
                StoredResult(
                    requestId: $0["requestId"], inferenceId: $0["inferenceId"], modelName: $0["modelName"], output: $0["output"],
                    tokenCount: $0["tokenCount"], tokensPerSecond: $0["tokensPerSecond"], failureReason: $0["failureReason"],
                    startedAt: Date(timeIntervalSince1970: $0["startedAt"]), completedAt: Date(timeIntervalSince1970: $0["completedAt"]))
            }
        }
    }

    // MARK: Embeddings

    public func saveEmbedding(_ embedding: InferenceEmbedding) throws {
        let vector = embedding.embedding.withUnsafeBufferPointer { Data(buffer: $0) }
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO inferenceEmbedding (inferenceId, requestId, embedding, bEmbedding, bEmbeddingHash) VALUES (?, ?, ?, ?, ?)",
                arguments: [embedding.inferenceId, embedding.requestId, vector, Data(embedding.bEmbedding), embedding.bEmbeddingHash])
        }
    }

    /// This node's embedding of one of its results, as saved (what a commit and a reveal use).
    public struct StoredEmbedding: Sendable, Hashable {
        public let requestId: String
        public let inferenceId: String
        public let embedding: [Float]
        public let bEmbedding: [UInt8]
        public let bEmbeddingHash: String
    }

    public func embedding(inferenceId: String) throws -> StoredEmbedding? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM inferenceEmbedding WHERE inferenceId = ?", arguments: [inferenceId]).map { row in
                let vector: Data = row["embedding"]
                let floats = vector.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                return StoredEmbedding(
                    requestId: row["requestId"], inferenceId: row["inferenceId"], embedding: floats,
                    bEmbedding: [UInt8](row["bEmbedding"] as Data), bEmbeddingHash: row["bEmbeddingHash"])
            }
        }
    }
}
