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

    /// One sequence's heads (the kernel's buffers are per thread and allocated once).
    private func attend(heads: Range<Int>, _ inputs: Inputs, segment: BertEncoder.Segment, into context: UnsafeMutablePointer<Float>) {
        let (n, h) = (segment.rows, hiddenSize)
        let d = h / self.heads
        let start = segment.start * h
        rakis_attention(
            inputs.q.value + start, inputs.k.value + start, inputs.v.value + start, Int32(n), Int32(h), Int32(d),
            Int32(heads.lowerBound), Int32(heads.count), Float(Double(d).squareRoot()), context + start)
    }
}
