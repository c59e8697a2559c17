import CRakisKernels
import Foundation

/// A matrix packed once into the panels the GEMM kernel reads (16 outputs, depth-major), owned
/// and freed with this object.
final class PackedPanels: @unchecked Sendable {
    let floats: UnsafeMutableBufferPointer<Float>
    let inputs: Int
    let outputs: Int
    var panelCount: Int { (outputs + Int(RAKIS_PANEL_WIDTH) - 1) / Int(RAKIS_PANEL_WIDTH) }

    /// `weights` in PyTorch's [out, in] layout.
    init(_ weights: UnsafePointer<Float>, inputs: Int, outputs: Int) {
        self.inputs = inputs
        self.outputs = outputs
        floats = .allocate(capacity: rakis_packed_count(Int32(inputs), Int32(outputs)))
        rakis_pack_panels(weights, Int32(inputs), Int32(outputs), inputs, 1, floats.baseAddress)
    }

    deinit { floats.deallocate() }
}

/// A linear layer, `y = x·Wᵀ + b` with PyTorch's [out, in] weight layout, by the recipe's
/// sequential fused multiply-add chains (docs/embedding-recipe.md, section 3).
struct PackedLinear {
    let panels: PackedPanels
    let bias: UnsafeBufferPointer<Float>
    var inputs: Int { panels.inputs }
    var outputs: Int { panels.outputs }

    init(weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>, inputs: Int, outputs: Int) {
        panels = PackedPanels(weight.baseAddress!, inputs: inputs, outputs: outputs)
        self.bias = bias
        Self.releasePages(of: UnsafeRawBufferPointer(weight))
    }

    /// The packed copy is all the kernel reads, so the pages of the memory-mapped original are
    /// given back (they are read again from the file should anything touch them): without this
    /// the weights were resident twice, 42 MB more per model.
    private static func releasePages(of bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base) + bytes.count) / page * page
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_DONTNEED)
    }

    /// Layers with at least this many multiply-adds are split across two threads by panels of
    /// outputs. Each output is computed exactly as it would be alone, so the split changes no
    /// bit; it only lets one text use both cores.
    static let splitThreshold = 1_000_000

    func apply(_ x: [Float], rows: Int) -> [Float] {
        // Every element is written by the kernel, so the array is not zeroed first.
        [Float](unsafeUninitializedCapacity: rows * outputs) { yp, initialized in
            x.withUnsafeBufferPointer { xp in
                let (xBase, yBase) = (UnsafeSendable(xp.baseAddress), UnsafeSendable(yp.baseAddress))
                let (packed, biasBase) = (UnsafeSendable(panels.floats.baseAddress), UnsafeSendable(bias.baseAddress))
                let (rowCount, inputCount, outputCount, panelCount) = (Int32(rows), Int32(inputs), Int32(outputs), Int32(panels.panelCount))
                guard rows * inputs * outputs >= Self.splitThreshold, panelCount >= 2, BertEncoder.canUseTwoThreads else {
                    return rakis_gemm(xBase.value, rowCount, inputCount, inputCount, packed.value, biasBase.value, outputCount, yBase.value, outputCount)
                }
                let half = panelCount / 2
                inTwoParts { part in
                    rakis_gemm_panels(
                        xBase.value, rowCount, inputCount, inputCount, packed.value, biasBase.value,
                        part == 0 ? 0 : half, part == 0 ? half : panelCount - half, outputCount, yBase.value, outputCount)
                }
            }
            initialized = rows * outputs
        }
    }
}
