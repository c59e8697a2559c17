import CRakisKernels
import Testing

/// The vector path (AVX2 with FMA, where the CPU has it) and the portable path (C's fmaf) must
/// give the same bits, so that nodes on different CPUs compute identical embeddings.
@Suite struct KernelDeterminismTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max) * 3
        }
    }

    @Test(arguments: [(1, 8, 1), (3, 32, 5), (14, 384, 384), (7, 1536, 13), (2, 384, 1536), (100, 1536, 21)])
    func vectorAndPortablePathsAgreeBitForBit(rows: Int, inputs: Int, outputs: Int) {
        var generator = Generator(state: UInt64(rows * 1_000_003 + inputs * 31 + outputs))
        let x = (0..<(rows * inputs)).map { _ in generator.next() }
        let w = (0..<(outputs * inputs)).map { _ in generator.next() }
        let b = (0..<outputs).map { _ in generator.next() }
        var fast = [Float](repeating: 0, count: rows * outputs)
        var portable = fast
        rakis_linear(x, Int32(rows), Int32(inputs), w, b, Int32(outputs), &fast)
        rakis_linear_portable(x, Int32(rows), Int32(inputs), w, b, Int32(outputs), &portable)
        #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern))
        // Rows computed alone equal rows computed in a batch.
        var single = [Float](repeating: 0, count: outputs)
        rakis_linear(Array(x[((rows - 1) * inputs)...]), 1, Int32(inputs), w, b, Int32(outputs), &single)
        #expect(single.map(\.bitPattern) == fast[((rows - 1) * outputs)...].map(\.bitPattern))
        // A layer split by output columns, as two threads compute it, equals the whole layer.
        var split = [Float](repeating: 0, count: rows * outputs)
        let half = outputs / 8 * 4
        rakis_linear_columns(x, Int32(rows), Int32(inputs), w, b, 0, Int32(half), &split, Int32(outputs))
        rakis_linear_columns(x, Int32(rows), Int32(inputs), w, b, Int32(half), Int32(outputs - half), &split, Int32(outputs))
        #expect(split.map(\.bitPattern) == fast.map(\.bitPattern))
    }
}
