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

    /// The four-lane exp and GELU (AVX2) against the one-by-one scalar code, over a grid, the
    /// points where x·log2(e) lies on a half (rounded away from zero), the range's edges and
    /// special values.
    @Test func vectorExpAndGELUGiveTheScalarBits() {
        var inputs: [Double] = stride(from: -750.0, through: 712.0, by: 0.173).map { $0 }
        for k in -1000...1000 { inputs.append((Double(k) + 0.5) / 1.44269504088896338700e+00) }
        inputs += [0, -0.0, 700, -700, 700.0000001, -700.0000001, 709.78, -745.13, .infinity, -.infinity, .nan, 1e-310, -1e-310]
        var generator = Generator(state: 19)
        for _ in 0..<4096 { inputs.append(Double(generator.next()) * 40) }
        var vector = [Double](repeating: 0, count: inputs.count)
        rakis_exp_many(inputs, &vector, inputs.count)
        for (x, y) in zip(inputs, vector) {
            let scalar = rakis_exp(x)
            #expect(y.bitPattern == scalar.bitPattern || (y.isNaN && scalar.isNaN), "exp(\(x))")
        }

        var floats = (0..<8192).map { _ in generator.next() * 4 }
        floats += [0, -0.0, 5.99, -5.99, 6, -6, 8.5, -8.5, 1e-30, -1e-30, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, 0.1]
        var fast = floats, portable = floats
        rakis_gelu(&fast, fast.count)
        rakis_gelu_portable(&portable, portable.count)
        #expect(zip(fast, portable).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
    }
}
