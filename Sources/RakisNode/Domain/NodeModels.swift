public import Foundation
public import RakisInference

/// The models a node serves and how many workers each gets.
public struct NodeModels: Sendable {
    public struct LLM: Sendable {
        public var configuration: LLMModelConfiguration
        public var workers: Int

        public init(_ configuration: LLMModelConfiguration, workers: Int = 1) {
            self.configuration = configuration
            self.workers = workers
        }
    }

    public struct Embedding: Sendable {
        public var name: String
        public var directory: URL
        public var workers: Int

        public init(name: String, directory: URL, workers: Int = 1) {
            self.name = name
            self.directory = directory
            self.workers = workers
        }
    }

    public var llms: [LLM]
    public var embeddings: [Embedding]

    public init(llms: [LLM] = [], embeddings: [Embedding] = []) {
        self.llms = llms
        self.embeddings = embeddings
    }

    /// The default models as set-up installs them: Gemma 3 270M and all-MiniLM-L6-v2, one worker
    /// each. Fails with what to do when set-up has not run.
    public static func defaults(
        root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath), llmThreads: Int = 1,
        contextLength: Int = 1024
    ) throws(NodeError) -> NodeModels {
        guard let gguf = ModelLocator.defaultLLMPath(root: root), FileManager.default.fileExists(atPath: gguf) else {
            throw .modelMissing("the default LLM (\(ModelLocator.defaultLLMName)) is not installed in \(ModelLocator.searchedPlaces); run `make setup` in the rakis checkout (it installs the models into \(ModelLocator.userModelsDirectory.path)), or set RAKIS_MODELS_DIR")
        }
        guard let embedding = ModelLocator.defaultEmbeddingModelDirectory(root: root) else {
            throw .modelMissing("the default embedding model (\(SentenceEmbeddingModel.defaultName)) is not installed in \(ModelLocator.searchedPlaces); run `make setup` in the rakis checkout (it installs the models into \(ModelLocator.userModelsDirectory.path)), or set RAKIS_MODELS_DIR")
        }
        return NodeModels(
            llms: [LLM(LLMModelConfiguration(
                name: ModelLocator.defaultLLMName, source: .gguf(path: gguf), contextLength: contextLength, threads: llmThreads))],
            embeddings: [Embedding(name: SentenceEmbeddingModel.defaultName, directory: embedding)])
    }
}
