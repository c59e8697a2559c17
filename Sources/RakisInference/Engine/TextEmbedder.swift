public import Foundation

/// What an embedding worker runs: text in, normalised vector out. Blocking CPU work, always
/// called on a worker's own thread. `SentenceEmbeddingModel` is the real one.
public protocol TextEmbedder: Sendable {
    var dimensions: Int { get }
    func embed(_ text: String) throws -> [Float]
    /// The embeddings of `texts`, each with the bits it has alone; a model may compute them in
    /// one forward pass.
    func embed(batch texts: [String]) throws -> [[Float]]
}

extension TextEmbedder {
    public func embed(batch texts: [String]) throws -> [[Float]] { try texts.map { try embed($0) } }
}

extension SentenceEmbeddingModel: TextEmbedder {}

/// Loads a model once for all of its workers, reporting progress in [0, 1].
public typealias EmbedderLoader = @Sendable (_ model: String, _ progress: @Sendable (Double) -> Void) throws -> any TextEmbedder

extension SentenceEmbeddingModel {
    /// A loader for sentence-transformers model directories, by model name.
    public static func loader(directories: [String: URL]) -> EmbedderLoader {
        { name, progress in
            guard let directory = directories[name] else { throw EmbeddingError.unknownModel(name) }
            progress(0.1)
            let model = try SentenceEmbeddingModel(name: name, directory: directory)
            progress(1)
            return model
        }
    }
}
