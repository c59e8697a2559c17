import CRakisKernels
import Foundation
import RakisCore

/// A BERT encoder with mean pooling and L2 normalisation — all-MiniLM-L6-v2 as
/// sentence-transformers runs it — reading its weights in place from a memory-mapped
/// safetensors file. Immutable once loaded, so every worker of a model shares one instance.
///
/// Each text is encoded on its own, with kernels whose reduction order is fixed, so its
/// embedding is bit-identical whatever else is being embedded, on whichever worker or thread.
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

    struct Linear {
        let weight: UnsafeBufferPointer<Float>
        let bias: UnsafeBufferPointer<Float>
        let inputs: Int
        let outputs: Int

        /// Layers with at least this many multiply-adds are split across two threads by output
        /// columns. Each output is computed exactly as it would be alone, so the split changes
        /// no bit; it only lets one long text use both cores.
        static let splitThreshold = 4_000_000

        func applyOnOneThread(_ x: [Float], rows: Int) -> [Float] {
            var y = [Float](repeating: 0, count: rows * outputs)
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    rakis_linear(xp.baseAddress, Int32(rows), Int32(inputs), weight.baseAddress, bias.baseAddress, Int32(outputs), yp.baseAddress)
                }
            }
            return y
        }

        func apply(_ x: [Float], rows: Int) -> [Float] {
            guard rows * inputs * outputs >= Self.splitThreshold, outputs >= 16, BertEncoder.canUseTwoThreads else {
                return applyOnOneThread(x, rows: rows)
            }
            var y = [Float](repeating: 0, count: rows * outputs)
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    // Any split gives the same bits; a multiple of 4 keeps both halves on the 4-wide path.
                    let half = outputs / 8 * 4
                    let (xBase, yBase) = (UnsafeSendable(xp.baseAddress), UnsafeSendable(yp.baseAddress))
                    let (wBase, bBase) = (UnsafeSendable(weight.baseAddress), UnsafeSendable(bias.baseAddress))
                    let (rowCount, inputCount, outputCount) = (Int32(rows), Int32(inputs), Int32(outputs))
                    DispatchQueue.concurrentPerform(iterations: 2) { part in
                        let first = part == 0 ? 0 : half
                        let count = part == 0 ? half : Int(outputCount) - half
                        rakis_linear_columns(xBase.value, rowCount, inputCount, wBase.value, bBase.value, Int32(first), Int32(count), yBase.value, outputCount)
                    }
                }
            }
            return y
        }
    }

    struct LayerNorm {
        let gamma: UnsafeBufferPointer<Float>
        let beta: UnsafeBufferPointer<Float>
    }

    struct Layer {
        let query, key, value, attentionOutput, intermediate, output: Linear
        let attentionNorm, outputNorm: LayerNorm
    }

    /// Read once: whether one text may use a second thread.
    static let canUseTwoThreads = ProcessInfo.processInfo.activeProcessorCount > 1

    public let configuration: Configuration
    private let weights: Safetensors  // keeps the mapping alive
    private let wordEmbeddings, positionEmbeddings, typeEmbeddings: UnsafeBufferPointer<Float>
    private let embeddingNorm: LayerNorm
    private let layers: [Layer]

    public init(weights: Safetensors, configuration: Configuration) throws(EmbeddingError) {
        let c = configuration
        guard c.hiddenSize % c.heads == 0, c.hiddenSize % 8 == 0, c.intermediateSize % 8 == 0, (c.hiddenSize / c.heads) % 8 == 0 else {
            throw .modelFileCorrupt(weights.url.path, "unsupported dimensions \(c)")
        }
        self.configuration = c
        self.weights = weights
        let h = c.hiddenSize
        func linear(_ prefix: String, _ inputs: Int, _ outputs: Int) throws(EmbeddingError) -> Linear {
            Linear(weight: try weights.floats(prefix + ".weight", shape: [outputs, inputs]),
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
        var attention = selfAttention(q: q, k: k, v: v, segments: segments)
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

    private func selfAttention(q: [Float], k: [Float], v: [Float], segments: [Segment]) -> [Float] {
        let h = configuration.hiddenSize
        let heads = configuration.heads
        let rows = segments.last.map { $0.start + $0.rows } ?? 0
        var context = [Float](repeating: 0, count: rows * h)
        context.withUnsafeMutableBufferPointer { output in
            let target = UnsafeSendable(output)
            // Sequences and heads are independent and write disjoint rows and columns: two
            // threads take half the sequences (or, for one long sequence, half its heads), which
            // changes no bit of the result.
            if rows >= 64, Self.canUseTwoThreads, segments.count > 1 || heads >= 2 {
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    if segments.count > 1 {
                        for (index, segment) in segments.enumerated() where index % 2 == part {
                            self.attend(heads: 0..<heads, q: q, k: k, v: v, segment: segment, into: target.value)
                        }
                    } else {
                        let range = part == 0 ? 0..<(heads / 2) : (heads / 2)..<heads
                        self.attend(heads: range, q: q, k: k, v: v, segment: segments[0], into: target.value)
                    }
                }
            } else {
                for segment in segments { attend(heads: 0..<heads, q: q, k: k, v: v, segment: segment, into: target.value) }
            }
        }
        return context
    }

    private func attend(heads: Range<Int>, q: [Float], k: [Float], v: [Float], segment: Segment, into context: UnsafeMutableBufferPointer<Float>) {
        let (n, first) = (segment.rows, segment.start)
        let h = configuration.hiddenSize
        let d = h / configuration.heads
        let padded = (n + 7) / 8 * 8  // the kernel reduces over multiples of 8; zero padding adds exact zeros
        let scale = Float(Double(d).squareRoot())
        var qh = [Float](repeating: 0, count: n * d)
        var kh = [Float](repeating: 0, count: n * d)
        var vhT = [Float](repeating: 0, count: d * padded)
        var probabilities = [Float](repeating: 0, count: n * padded)
        var exps = [Double](repeating: 0, count: n)
        for head in heads {
            for t in 0..<n {
                for j in 0..<d {
                    qh[t * d + j] = q[(first + t) * h + head * d + j]
                    kh[t * d + j] = k[(first + t) * h + head * d + j]
                    vhT[j * padded + t] = v[(first + t) * h + head * d + j]
                }
            }
            let raw = kh.withUnsafeBufferPointer { kp in
                Linear(weight: kp, bias: UnsafeBufferPointer(start: nil, count: 0), inputs: d, outputs: n).applyOnOneThread(qh, rows: n)
            }
            raw.withUnsafeBufferPointer { scores in
                probabilities.withUnsafeMutableBufferPointer { out in
                    exps.withUnsafeMutableBufferPointer { scratch in
                        rakis_softmax_rows(scores.baseAddress, Int32(n), Int32(n), scale, out.baseAddress, Int32(padded), scratch.baseAddress)
                    }
                }
            }
            let headContext = vhT.withUnsafeBufferPointer { vp in
                Linear(weight: vp, bias: UnsafeBufferPointer(start: nil, count: 0), inputs: padded, outputs: d).applyOnOneThread(probabilities, rows: n)
            }
            for t in 0..<n {
                for j in 0..<d { context[(first + t) * h + head * d + j] = headContext[t * d + j] }
            }
        }
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
            DispatchQueue.concurrentPerform(iterations: 2) { part in
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

/// Whether the matrix kernels run their AVX2+FMA path on this CPU (the results are the same bits either way).
public var rakisKernelsUseAVX2: Bool { rakis_kernels_avx2() != 0 }
