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
    public func embed(tokens: [Int32]) -> [Float] {
        let h = configuration.hiddenSize
        let n = min(tokens.count, configuration.maxPositions)
        var hidden = [Float](repeating: 0, count: n * h)
        for t in 0..<n {
            let id = Int(tokens[t]).clamped(to: 0...(configuration.vocabularySize - 1))
            for i in 0..<h {
                hidden[t * h + i] = (wordEmbeddings[id * h + i] + positionEmbeddings[t * h + i]) + typeEmbeddings[i]
            }
        }
        layerNorm(&hidden, rows: n, embeddingNorm)
        for layer in layers { hidden = encode(hidden, rows: n, layer) }
        return Self.meanPoolAndNormalize(hidden, rows: n, width: h)
    }

    private func encode(_ x: [Float], rows n: Int, _ layer: Layer) -> [Float] {
        let h = configuration.hiddenSize
        let q = layer.query.apply(x, rows: n)
        let k = layer.key.apply(x, rows: n)
        let v = layer.value.apply(x, rows: n)
        var attention = selfAttention(q: q, k: k, v: v, rows: n)
        attention = layer.attentionOutput.apply(attention, rows: n)
        for i in 0..<(n * h) { attention[i] = attention[i] + x[i] }
        layerNorm(&attention, rows: n, layer.attentionNorm)

        var intermediate = layer.intermediate.apply(attention, rows: n)
        intermediate.withUnsafeMutableBufferPointer { rakis_gelu($0.baseAddress, $0.count) }
        var output = layer.output.apply(intermediate, rows: n)
        for i in 0..<(n * h) { output[i] = output[i] + attention[i] }
        layerNorm(&output, rows: n, layer.outputNorm)
        return output
    }

    private func selfAttention(q: [Float], k: [Float], v: [Float], rows n: Int) -> [Float] {
        let h = configuration.hiddenSize
        let heads = configuration.heads
        var context = [Float](repeating: 0, count: n * h)
        context.withUnsafeMutableBufferPointer { output in
            let target = UnsafeSendable(output)
            // Heads are independent and write disjoint columns: long texts split them over two
            // threads, which changes no bit of the result.
            if n >= 64, heads >= 2, Self.canUseTwoThreads {
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    let range = part == 0 ? 0..<(heads / 2) : (heads / 2)..<heads
                    self.attend(heads: range, q: q, k: k, v: v, rows: n, into: target.value)
                }
            } else {
                attend(heads: 0..<heads, q: q, k: k, v: v, rows: n, into: target.value)
            }
        }
        return context
    }

    private func attend(heads: Range<Int>, q: [Float], k: [Float], v: [Float], rows n: Int, into context: UnsafeMutableBufferPointer<Float>) {
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
                    qh[t * d + j] = q[t * h + head * d + j]
                    kh[t * d + j] = k[t * h + head * d + j]
                    vhT[j * padded + t] = v[t * h + head * d + j]
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
                for j in 0..<d { context[t * h + head * d + j] = headContext[t * d + j] }
            }
        }
    }

    private func layerNorm(_ x: inout [Float], rows n: Int, _ norm: LayerNorm) {
        let (width, epsilon) = (Int32(configuration.hiddenSize), configuration.layerNormEpsilon)
        x.withUnsafeMutableBufferPointer { rakis_layer_norm($0.baseAddress, Int32(n), width, norm.gamma.baseAddress, norm.beta.baseAddress, epsilon) }
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
