public import Foundation
import RakisInference

/// Embeddings on this machine without a node (`rakis embed`): the same engine and bit-exact
/// model a node verifies with, on `workers` threads.
public enum LocalEmbedding {
    /// The embedding of each text, in order.
    public static func embed(_ texts: [String], model: String, directory: URL, workers: Int) async throws -> [[Float]] {
        let engine = EmbeddingEngine(loader: SentenceEmbeddingModel.loader(directories: [model: directory]))
        await engine.scaleEmbeddingWorkers(model: model, count: workers)
        do {
            let vectors = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for (index, text) in texts.enumerated() {
                    group.addTask { (index, try await engine.embed([text], model: model)[0]) }
                }
                var results = [[Float]](repeating: [], count: texts.count)
                for try await (index, vector) in group { results[index] = vector }
                return results
            }
            await engine.shutdown()
            return vectors
        } catch {
            await engine.shutdown()
            throw error
        }
    }
}
