import Foundation
import GRDB
import RakisCore

/// A row of `inferenceRequest`: the request's payload as JSON, with the times the queries use.
struct InferenceRequestRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "inferenceRequest"
    var requestId: String
    var fromSynthientId: String
    var payload: String
    var createdAt: Double
    var endingAt: Double

    enum Columns {
        static let requestId = Column(CodingKeys.requestId)
        static let fromSynthientId = Column(CodingKeys.fromSynthientId)
        static let endingAt = Column(CodingKeys.endingAt)
    }

    init(_ request: P2PInferenceRequest, from synthientId: String) throws {
        requestId = request.requestId
        fromSynthientId = synthientId
        payload = String(decoding: try JSONEncoder().encode(request.payload), as: UTF8.self)
        createdAt = request.payload.createdAt.timeIntervalSince1970
        endingAt = request.payload.endingAt.timeIntervalSince1970
    }

    func stored() throws -> InferenceStore.StoredRequest {
        InferenceStore.StoredRequest(
            requestId: requestId, fromSynthientId: fromSynthientId,
            payload: try JSONDecoder().decode(InferenceRequestPayload.self, from: Data(payload.utf8)))
    }
}

/// A row of `inferenceResult`: one of this node's inferences, successful or not.
struct InferenceResultRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "inferenceResult"
    var inferenceId: String
    var requestId: String
    var modelName: String
    var succeeded: Bool
    var output: String?
    var tokenCount: Int?
    var tokensPerSecond: Double?
    var failureReason: String?
    var startedAt: Double
    var completedAt: Double

    enum Columns {
        static let requestId = Column(CodingKeys.requestId)
        static let completedAt = Column(CodingKeys.completedAt)
    }

    init(_ result: InferenceStore.StoredResult) {
        inferenceId = result.inferenceId
        requestId = result.requestId
        modelName = result.modelName
        succeeded = result.output != nil
        output = result.output
        tokenCount = result.tokenCount
        tokensPerSecond = result.tokensPerSecond
        failureReason = result.failureReason
        startedAt = result.startedAt.timeIntervalSince1970
        completedAt = result.completedAt.timeIntervalSince1970
    }

    var stored: InferenceStore.StoredResult {
        InferenceStore.StoredResult(
            requestId: requestId, inferenceId: inferenceId, modelName: modelName, output: output, tokenCount: tokenCount,
            tokensPerSecond: tokensPerSecond, failureReason: failureReason, startedAt: Date(timeIntervalSince1970: startedAt),
            completedAt: Date(timeIntervalSince1970: completedAt))
    }
}

/// A row of `inferenceEmbedding`: this node's embedding of one of its results, the vector as raw
/// little-endian floats.
struct InferenceEmbeddingRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "inferenceEmbedding"
    var inferenceId: String
    var requestId: String
    var embedding: Data
    var bEmbedding: Data
    var bEmbeddingHash: String

    init(_ embedding: InferenceEmbedding) {
        inferenceId = embedding.inferenceId
        requestId = embedding.requestId
        self.embedding = embedding.embedding.withUnsafeBufferPointer { Data(buffer: $0) }
        bEmbedding = Data(embedding.bEmbedding)
        bEmbeddingHash = embedding.bEmbeddingHash
    }

    var stored: InferenceStore.StoredEmbedding {
        InferenceStore.StoredEmbedding(
            requestId: requestId, inferenceId: inferenceId, embedding: embedding.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) },
            bEmbedding: [UInt8](bEmbedding), bEmbeddingHash: bEmbeddingHash)
    }
}
