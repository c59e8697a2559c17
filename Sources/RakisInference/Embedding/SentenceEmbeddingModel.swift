public import Foundation
import RakisCore

/// A sentence-transformers model directory — `config.json`, `model.safetensors`, `vocab.txt`,
/// `sentence_bert_config.json` and `1_Pooling/config.json` — loaded for embedding: tokenizer
/// and encoder, shared read-only by every worker of the model.
public final class SentenceEmbeddingModel: Sendable {
    public let name: String
    public let directory: URL
    public let tokenizer: WordPieceTokenizer
    public let encoder: BertEncoder

    public var dimensions: Int { encoder.configuration.hiddenSize }

    /// The folder the default model is installed as.
    public static let defaultDirectoryName = "all-MiniLM-L6-v2"
    /// The default model's name on the network (a request's `embeddingModel`), with the version
    /// of the recipe this node computes it by: `all-MiniLM-L6-v2@recipe2`.
    public static let defaultName = EmbeddingRecipe.networkName(of: defaultDirectoryName)

    public init(name: String, directory: URL) throws(EmbeddingError) {
        self.name = name
        self.directory = directory
        let config = try Self.readJSON(directory.appendingPathComponent("config.json"))
        func integer(_ key: String) throws(EmbeddingError) -> Int {
            guard case .number(let value)? = config[key], value == value.rounded(), value > 0 else {
                throw .modelFileCorrupt(directory.appendingPathComponent("config.json").path, "\(key) is missing or not a positive integer")
            }
            return Int(value)
        }
        var epsilon = 1e-12
        if case .number(let value)? = config["layer_norm_eps"] { epsilon = value }
        let configuration = BertEncoder.Configuration(
            hiddenSize: try integer("hidden_size"), heads: try integer("num_attention_heads"), layers: try integer("num_hidden_layers"),
            intermediateSize: try integer("intermediate_size"), vocabularySize: try integer("vocab_size"),
            maxPositions: try integer("max_position_embeddings"), typeVocabularySize: try integer("type_vocab_size"),
            layerNormEpsilon: epsilon)

        let poolingFile = directory.appendingPathComponent("1_Pooling/config.json")
        if FileManager.default.fileExists(atPath: poolingFile.path) {
            let pooling = try Self.readJSON(poolingFile)
            guard pooling["pooling_mode_mean_tokens"] == .bool(true) else {
                throw .modelFileCorrupt(poolingFile.path, "only mean pooling is supported")
            }
        }
        var maxLength = configuration.maxPositions
        let sentenceConfig = directory.appendingPathComponent("sentence_bert_config.json")
        if FileManager.default.fileExists(atPath: sentenceConfig.path),
           case .number(let value)? = try Self.readJSON(sentenceConfig)["max_seq_length"] {
            maxLength = min(Int(value), maxLength)
        }
        tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"), maxLength: maxLength)
        encoder = try BertEncoder(
            weights: try Safetensors(url: directory.appendingPathComponent("model.safetensors")), configuration: configuration)
    }

    /// The normalised embedding of `text`. Blocking CPU work: call it from a worker thread.
    public func embed(_ text: String) -> [Float] {
        encoder.embed(tokens: tokenizer.encode(text))
    }

    /// The embeddings of `texts`, in forward passes of at most `batchTokens` tokens (a text
    /// longer than that goes alone): each has the bits it has alone, and the weights are read
    /// once per pass instead of once per text. Blocking CPU work: call it from a worker thread.
    public func embed(batch texts: [String]) -> [[Float]] {
        var result: [[Float]] = []
        var pending: [[Int32]] = []
        var tokens = 0
        for text in texts {
            let ids = tokenizer.encode(text)
            if !pending.isEmpty, tokens + ids.count > Self.batchTokens {
                result += encoder.embed(batch: pending)
                pending = []
                tokens = 0
            }
            pending.append(ids)
            tokens += ids.count
        }
        if !pending.isEmpty { result += encoder.embed(batch: pending) }
        return result
    }

    /// Tokens per forward pass: enough rows for the weights to be reused, few enough that the
    /// intermediate activations (tokens × 1536 floats) stay in the caches.
    static let batchTokens = 512

    private static func readJSON(_ url: URL) throws(EmbeddingError) -> JSONValue {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .modelFileMissing(url.path) }
        do {
            return try JSONParser(maxDepth: 16, maxBytes: 1 << 22).parse(Array(try Data(contentsOf: url)))
        } catch {
            throw .modelFileCorrupt(url.path, "\(error)")
        }
    }
}
