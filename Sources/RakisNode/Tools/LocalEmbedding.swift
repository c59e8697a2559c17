public import Foundation
import RakisInference

/// Embeddings on this machine without a node (`rakis embed`): the same engine and bit-exact
/// model a node verifies with, on `workers` threads.
public enum LocalEmbedding {
    /// The embedding of each text, in order, in jobs of up to `batch` texts.
    public static func embed(_ texts: [String], model: String, directory: URL, workers: Int, batch: Int = 1) async throws -> [[Float]] {
        let engine = EmbeddingEngine(loader: SentenceEmbeddingModel.loader(directories: [model: directory]))
        await engine.scaleEmbeddingWorkers(model: model, count: workers)
        do {
            let size = max(1, batch)
            let vectors = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
                for start in stride(from: 0, to: texts.count, by: size) {
                    let job = Array(texts[start..<min(start + size, texts.count)])
                    group.addTask { (start, try await engine.embed(job, model: model)) }
                }
                var results = [[Float]](repeating: [], count: texts.count)
                for try await (start, job) in group {
                    for (offset, vector) in job.enumerated() { results[start + offset] = vector }
                }
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
