import CRakisKernels
import Foundation
import RakisCore

/// A BERT encoder with mean pooling and L2 normalisation — all-MiniLM-L6-v2 as
/// sentence-transformers runs it — reading its weights from a memory-mapped
/// safetensors file. Immutable once loaded, so every worker of a model shares one instance.
///
/// Every reduction has a fixed order (docs/embedding-recipe.md), so a text's embedding is
/// bit-identical whatever else shares its forward pass, on whichever worker, thread or CPU. The
/// linear layers' weights are packed once, at load, into the panels the GEMM kernel reads.
public final class BertEncoder: @unchecked Sendable {
    public struct Configuration: Sendable, Equatable {
        public var hiddenSize: Int
        public var heads: Int
        public var layers: Int
        public var intermediateSize: Int
        public var vocabularySize: Int
        public var maxPositions: Int
        public var typeVocabularySize: Int
        public var layerNormEpsilon: Double
    }

    struct LayerNorm {
        let gamma: UnsafeBufferPointer<Float>
        let beta: UnsafeBufferPointer<Float>
    }

    struct Layer {
        let query, key, value, attentionOutput, intermediate, output: PackedLinear
        let attentionNorm, outputNorm: LayerNorm
    }

    /// Whether a pass may split a layer over the kernels' helper thread now: on more than one CPU
    /// and while fewer passes run than there are CPUs (`rakis_may_split`).
    static var canUseTwoThreads: Bool { rakis_may_split() != 0 }

    public let configuration: Configuration
    private let weights: Safetensors  // keeps the mapping alive
    private let wordEmbeddings, positionEmbeddings, typeEmbeddings: UnsafeBufferPointer<Float>
    private let embeddingNorm: LayerNorm
    private let layers: [Layer]

    public init(weights: Safetensors, configuration: Configuration) throws(EmbeddingError) {
        let c = configuration
        guard c.hiddenSize % c.heads == 0 else {
            throw .modelFileCorrupt(weights.url.path, "unsupported dimensions \(c)")
        }
        self.configuration = c
        self.weights = weights
        let h = c.hiddenSize
        func linear(_ prefix: String, _ inputs: Int, _ outputs: Int) throws(EmbeddingError) -> PackedLinear {
            PackedLinear(weight: try weights.floats(prefix + ".weight", shape: [outputs, inputs]),
                   bias: try weights.floats(prefix + ".bias", shape: [outputs]), inputs: inputs, outputs: outputs)
        }
        func norm(_ prefix: String) throws(EmbeddingError) -> LayerNorm {
            LayerNorm(gamma: try weights.floats(prefix + ".weight", shape: [h]), beta: try weights.floats(prefix + ".bias", shape: [h]))
        }
        // Some exports prefix every tensor with "bert."; accept both.
        let root = weights.tensors["embeddings.word_embeddings.weight"] != nil ? "" : "bert."
        wordEmbeddings = try weights.floats(root + "embeddings.word_embeddings.weight", shape: [c.vocabularySize, h])
        positionEmbeddings = try weights.floats(root + "embeddings.position_embeddings.weight", shape: [c.maxPositions, h])
        typeEmbeddings = try weights.floats(root + "embeddings.token_type_embeddings.weight", shape: [c.typeVocabularySize, h])
        embeddingNorm = try norm(root + "embeddings.LayerNorm")
        var layers: [Layer] = []
        for index in 0..<c.layers {
            let p = root + "encoder.layer.\(index)."
            layers.append(Layer(
                query: try linear(p + "attention.self.query", h, h),
                key: try linear(p + "attention.self.key", h, h),
                value: try linear(p + "attention.self.value", h, h),
                attentionOutput: try linear(p + "attention.output.dense", h, h),
                intermediate: try linear(p + "intermediate.dense", h, c.intermediateSize),
                output: try linear(p + "output.dense", c.intermediateSize, h),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                outputNorm: try norm(p + "output.LayerNorm")))
        }
        self.layers = layers
    }

    /// The L2-normalised mean of the final hidden states of `tokens` (ids from the model's
    /// tokenizer, at most `maxPositions` of them).
    public func embed(tokens: [Int32]) -> [Float] { embed(batch: [tokens])[0] }

    /// The embeddings of several token sequences in one forward pass: their rows share the
    /// linear layers (each row is computed as it would be alone), attention stays within each
    /// sequence, so every embedding has the bits it has alone.
    public func embed(batch: [[Int32]]) -> [[Float]] {
        rakis_pass_began()
        defer { rakis_pass_ended() }
        let h = configuration.hiddenSize
        var segments: [Segment] = []
        for tokens in batch { segments.append(Segment(start: segments.last.map { $0.start + $0.rows } ?? 0, rows: min(tokens.count, configuration.maxPositions))) }
        let rows = segments.last.map { $0.start + $0.rows } ?? 0
        var hidden = [Float](repeating: 0, count: rows * h)
        for (tokens, segment) in zip(batch, segments) {
            for t in 0..<segment.rows {
                let id = Int(tokens[t]).clamped(to: 0...(configuration.vocabularySize - 1))
                let row = (segment.start + t) * h
                for i in 0..<h {
                    hidden[row + i] = (wordEmbeddings[id * h + i] + positionEmbeddings[t * h + i]) + typeEmbeddings[i]
                }
            }
        }
        layerNorm(&hidden, rows: rows, embeddingNorm)
        for layer in layers { hidden = encode(hidden, segments: segments, layer) }
        return segments.map { Self.meanPoolAndNormalize(Array(hidden[($0.start * h)..<(($0.start + $0.rows) * h)]), rows: $0.rows, width: h) }
    }

    /// One sequence's rows within a batch.
    struct Segment: Sendable {
        let start: Int
        let rows: Int
    }

    private func encode(_ x: [Float], segments: [Segment], _ layer: Layer) -> [Float] {
        let h = configuration.hiddenSize
        let n = segments.last.map { $0.start + $0.rows } ?? 0
        let q = layer.query.apply(x, rows: n)
        let k = layer.key.apply(x, rows: n)
        let v = layer.value.apply(x, rows: n)
        var attention = BertSelfAttention(hiddenSize: h, heads: configuration.heads)(q: q, k: k, v: v, segments: segments)
        attention = layer.attentionOutput.apply(attention, rows: n)
        for i in 0..<(n * h) { attention[i] = attention[i] + x[i] }
        layerNorm(&attention, rows: n, layer.attentionNorm)

        var intermediate = layer.intermediate.apply(attention, rows: n)
        Self.inTwoHalves(rows: n, width: configuration.intermediateSize, of: &intermediate) { rakis_gelu($0, Int($1) * Int($2)) }
        var output = layer.output.apply(intermediate, rows: n)
        for i in 0..<(n * h) { output[i] = output[i] + attention[i] }
        layerNorm(&output, rows: n, layer.outputNorm)
        return output
    }

    private func layerNorm(_ x: inout [Float], rows n: Int, _ norm: LayerNorm) {
        let (gamma, beta) = (UnsafeSendable(norm.gamma.baseAddress), UnsafeSendable(norm.beta.baseAddress))
        let epsilon = configuration.layerNormEpsilon
        Self.inTwoHalves(rows: n, width: configuration.hiddenSize, of: &x) { rakis_layer_norm($0, $1, $2, gamma.value, beta.value, epsilon) }
    }

    /// Runs a row-wise kernel (rows, width) over `x`, on two threads by halves of the rows when
    /// there are enough of them; rows are independent, so no bit changes.
    private static func inTwoHalves(
        rows n: Int, width: Int, of x: inout [Float], _ kernel: @escaping @Sendable (UnsafeMutablePointer<Float>?, Int32, Int32) -> Void
    ) {
        x.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendable(buffer.baseAddress)
            guard n >= 64, canUseTwoThreads else { return kernel(base.value, Int32(n), Int32(width)) }
            inTwoParts { part in
                let first = part == 0 ? 0 : n / 2
                let count = part == 0 ? n / 2 : n - n / 2
                kernel(base.value.map { $0 + first * width }, Int32(count), Int32(width))
            }
        }
    }

    static func meanPoolAndNormalize(_ hidden: [Float], rows n: Int, width h: Int) -> [Float] {
        guard n > 0 else { return [Float](repeating: 0, count: h) }
        var pooled = [Double](repeating: 0, count: h)
        for t in 0..<n {
            for i in 0..<h { pooled[i] = pooled[i] + Double(hidden[t * h + i]) }
        }
        for i in 0..<h { pooled[i] = pooled[i] / Double(n) }
        var squares = 0.0
        for value in pooled { squares = squares + value * value }
        let norm = max(squares.squareRoot(), 1e-12)
        return pooled.map { Float($0 / norm) }
    }
}

/// Pointers handed to the two halves of a split layer; each half writes disjoint outputs.
struct UnsafeSendable<Pointer>: @unchecked Sendable {
    let value: Pointer
    init(_ value: Pointer) { self.value = value }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

/// The path the embedding kernels take on this CPU ("AVX-512", "AVX2 with FMA" or "portable"); the
/// results are the same bits on each.
public var rakisKernelsPath: String { String(cString: rakis_kernels_path_name(rakis_kernels_path())) }
