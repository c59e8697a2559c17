import CRakisKernels
import Foundation

/// Multi-head self-attention within each sequence of a batch (docs/embedding-recipe.md,
/// section 5): per head, scores = QKᵀ, a row softmax, then the probabilities times V, with both
/// products by the linear layers' chains.
struct BertSelfAttention {
    let hiddenSize: Int
    let heads: Int

    func callAsFunction(q: [Float], k: [Float], v: [Float], segments: [BertEncoder.Segment]) -> [Float] {
        let rows = segments.last.map { $0.start + $0.rows } ?? 0
        var context = [Float](repeating: 0, count: rows * hiddenSize)
        q.withUnsafeBufferPointer { qp in
            k.withUnsafeBufferPointer { kp in
                v.withUnsafeBufferPointer { vp in
                    context.withUnsafeMutableBufferPointer { cp in
                        let inputs = Inputs(q: UnsafeSendable(qp.baseAddress!), k: UnsafeSendable(kp.baseAddress!), v: UnsafeSendable(vp.baseAddress!))
                        let target = UnsafeSendable(cp.baseAddress!)
                        // Sequences and heads are independent and write disjoint rows and columns:
                        // two threads take half the sequences (or, for one long sequence, half its
                        // heads), which changes no bit of the result.
                        if rows >= 48, BertEncoder.canUseTwoThreads, segments.count > 1 || heads >= 2 {
                            inTwoParts { part in
                                if segments.count > 1 {
                                    for (index, segment) in segments.enumerated() where index % 2 == part {
                                        attend(heads: 0..<heads, inputs, segment: segment, into: target.value)
                                    }
                                } else {
                                    let range = part == 0 ? 0..<(heads / 2) : (heads / 2)..<heads
                                    attend(heads: range, inputs, segment: segments[0], into: target.value)
                                }
                            }
                        } else {
                            for segment in segments { attend(heads: 0..<heads, inputs, segment: segment, into: target.value) }
                        }
                    }
                }
            }
        }
        return context
    }

    private struct Inputs: Sendable {
        let q, k, v: UnsafeSendable<UnsafePointer<Float>>
    }

    /// One sequence's heads. The buffers are allocated once per call, not per head.
    private func attend(heads: Range<Int>, _ inputs: Inputs, segment: BertEncoder.Segment, into context: UnsafeMutablePointer<Float>) {
        let (n, h) = (segment.rows, hiddenSize)
        let d = h / self.heads
        let divisor = Float(Double(d).squareRoot())
        let keys = UnsafeMutablePointer<Float>.allocate(capacity: rakis_packed_count(Int32(d), Int32(n)))
        let values = UnsafeMutablePointer<Float>.allocate(capacity: rakis_packed_count(Int32(n), Int32(d)))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: Int(RAKIS_SOFTMAX_ROWS_AT_ONCE) * n)
        defer {
            keys.deallocate(); values.deallocate(); scores.deallocate(); probabilities.deallocate(); scratch.deallocate()
        }
        let (n32, d32, h32) = (Int32(n), Int32(d), Int32(h))
        for head in heads {
            let offset = segment.start * h + head * d
            // Key s is output s of QKᵀ, its dimensions the depth; V's dimensions are the outputs
            // of P·V and its rows the depth.
            rakis_pack_panels(inputs.k.value + offset, d32, n32, h, 1, keys)
            rakis_gemm(inputs.q.value + offset, n32, h32, d32, keys, nil, n32, scores, n32)
            rakis_softmax_rows(scores, n32, n32, divisor, probabilities, n32, scratch)
            rakis_pack_panels(inputs.v.value + offset, n32, d32, 1, h, values)
            rakis_gemm(probabilities, n32, n32, n32, values, nil, d32, context + offset, h32)
        }
    }
}
