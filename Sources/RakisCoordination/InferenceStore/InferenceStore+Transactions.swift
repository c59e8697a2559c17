import Foundation
import GRDB
import RakisCore

// The inference store's transactions, each on a database handle: the async methods run them on
// the node's pool, `BlockingCoordinationStores` on the calling thread (a simulation's nodes).
extension InferenceStore {
    static func saveRequest(_ request: P2PInferenceRequest, from synthientId: String, in db: Database) throws -> Bool {
        try InferenceRequestRow(request, from: synthientId).insert(db, onConflict: .ignore)
        return db.changesCount > 0
    }

    static func request(_ requestId: String, in db: Database) throws -> StoredRequest? {
        try InferenceRequestRow.fetchOne(db, key: requestId)?.stored()
    }

    static func saveResult(_ result: StoredResult, in db: Database) throws {
        try InferenceResultRow(result).insert(db, onConflict: .replace)
    }

    static func results(requestId: String, in db: Database) throws -> [StoredResult] {
        try InferenceResultRow
            .filter(InferenceResultRow.Columns.requestId == requestId)
            .order(InferenceResultRow.Columns.completedAt)
            .fetchAll(db).map(\.stored)
    }

    static func saveEmbedding(_ embedding: InferenceEmbedding, in db: Database) throws {
        try InferenceEmbeddingRow(embedding).insert(db, onConflict: .replace)
    }

    static func embedding(inferenceId: String, in db: Database) throws -> StoredEmbedding? {
        try InferenceEmbeddingRow.fetchOne(db, key: inferenceId)?.stored
    }
}
