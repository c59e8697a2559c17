import CRakisKernels
import Testing

/// Every path this CPU has (AVX-512, AVX2 with FMA, the portable one with C's fmaf) must give the
/// same bits, so that nodes on different CPUs compute identical embeddings.
@Suite struct KernelDeterminismTests {
    /// The paths to compare here: the portable one and every vector path this CPU has.
    static let paths = Array(RAKIS_PATH_PORTABLE...rakis_kernels_widest_path())

    struct Generator {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max) * 3
        }
    }

    /// The recipe's linear rule written out in Swift (`addingProduct` is a fused multiply-add):
    /// a chain over the depth in order, from +0, with the bias added last.
    static func reference(x: [Float], rows: Int, ldx: Int, inputs: Int, w: [Float], bias: [Float]?, outputs: Int) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                var chain: Float = 0
                for k in 0..<inputs { chain = chain.addingProduct(x[r * ldx + k], w[o * inputs + k]) }
                y[r * outputs + o] = chain + (bias?[o] ?? 0)
            }
        }
        return y
    }

    @Test(arguments: [
        (1, 8, 1, 8), (3, 32, 5, 40), (14, 384, 384, 384), (7, 1536, 13, 1536), (2, 384, 1536, 384), (20, 33, 17, 50),
        (13, 1, 31, 3), (25, 70, 100, 70),
    ])
    func everyPathFollowsTheRecipeBitForBit(rows: Int, inputs: Int, outputs: Int, ldx: Int) {
        var generator = Generator(state: UInt64(rows * 1_000_003 + inputs * 31 + outputs))
        let x = (0..<(rows * ldx)).map { _ in generator.next() }
        let w = (0..<(outputs * inputs)).map { _ in generator.next() }
        let b = (0..<outputs).map { _ in generator.next() }
        var packed = [Float](repeating: .nan, count: rakis_packed_count(Int32(inputs), Int32(outputs)))
        rakis_pack_panels(w, Int32(inputs), Int32(outputs), inputs, 1, &packed)
        let expected = Self.reference(x: x, rows: rows, ldx: ldx, inputs: inputs, w: w, bias: b, outputs: outputs)
        for path in Self.paths {
            var y = [Float](repeating: 0, count: rows * outputs)
            rakis_gemm_on(path, x, Int32(rows), Int32(ldx), Int32(inputs), packed, b, Int32(outputs), &y, Int32(outputs))
            #expect(y.map(\.bitPattern) == expected.map(\.bitPattern), "path \(path)")
        }
        // Each row computed alone equals the row computed among the others.
        for row in [0, rows - 1] {
            var single = [Float](repeating: 0, count: outputs)
            rakis_gemm(Array(x[(row * ldx)...]), 1, Int32(ldx), Int32(inputs), packed, b, Int32(outputs), &single, Int32(outputs))
            #expect(single.map(\.bitPattern) == expected[(row * outputs)..<((row + 1) * outputs)].map(\.bitPattern))
        }
        // A layer split by panels of outputs, as two threads compute it, equals the whole layer.
        let panels = (outputs + 15) / 16
        var split = [Float](repeating: 0, count: rows * outputs)
        rakis_gemm_panels(x, Int32(rows), Int32(ldx), Int32(inputs), packed, b, 0, Int32(panels / 2), Int32(outputs), &split, Int32(outputs))
        rakis_gemm_panels(x, Int32(rows), Int32(ldx), Int32(inputs), packed, b, Int32(panels / 2), Int32(panels - panels / 2), Int32(outputs), &split, Int32(outputs))
        #expect(split.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// A transposed source (stride_out 1) packs to the same panels as its transpose does.
    @Test func packingReadsEitherLayout() {
        var generator = Generator(state: 7)
        let (inputs, outputs) = (23, 37)
        let w = (0..<(outputs * inputs)).map { _ in generator.next() }
        var transposed = [Float](repeating: 0, count: w.count)
        for o in 0..<outputs { for k in 0..<inputs { transposed[k * outputs + o] = w[o * inputs + k] } }
        var direct = [Float](repeating: 0, count: rakis_packed_count(Int32(inputs), Int32(outputs)))
        var fromTransposed = direct
        rakis_pack_panels(w, Int32(inputs), Int32(outputs), inputs, 1, &direct)
        rakis_pack_panels(transposed, Int32(inputs), Int32(outputs), 1, outputs, &fromTransposed)
        #expect(direct.map(\.bitPattern) == fromTransposed.map(\.bitPattern))
    }

    /// The eight-lane (AVX-512) and four-lane (AVX2) exp and GELU against the one-by-one scalar
    /// code, over a grid, the
    /// points where x·log2(e) lies on a half (rounded away from zero), the range's edges and
    /// special values.
    @Test func vectorExpAndGELUGiveTheScalarBits() {
        var inputs: [Double] = stride(from: -750.0, through: 712.0, by: 0.173).map { $0 }
        for k in -1000...1000 { inputs.append((Double(k) + 0.5) / 1.44269504088896338700e+00) }
        inputs += [0, -0.0, 700, -700, 700.0000001, -700.0000001, 709.78, -745.13, .infinity, -.infinity, .nan, 1e-310, -1e-310]
        var generator = Generator(state: 19)
        for _ in 0..<4096 { inputs.append(Double(generator.next()) * 40) }
        for path in Self.paths {
            var vector = [Double](repeating: 0, count: inputs.count)
            rakis_exp_many_on(path, inputs, &vector, inputs.count)
            let differing = zip(inputs, vector).filter { x, y in
                let scalar = rakis_exp(x)
                return !(y.bitPattern == scalar.bitPattern || (y.isNaN && scalar.isNaN))
            }
            #expect(differing.isEmpty, "path \(path): exp differs at \(differing.prefix(5).map(\.0))")
        }

        var floats = (0..<8192).map { _ in generator.next() * 4 }
        floats += [0, -0.0, 5.99, -5.99, 6, -6, 8.5, -8.5, 1e-30, -1e-30, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, 0.1]
        var portable = floats
        rakis_gelu_on(RAKIS_PATH_PORTABLE, &portable, portable.count)
        for path in Self.paths.dropFirst() {
            var fast = floats
            rakis_gelu_on(path, &fast, fast.count)
            #expect(zip(fast, portable).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "path \(path)")
        }
    }

    /// The softmax on each path against the portable one: random rows of several lengths and row
    /// counts (rows beyond a multiple of eight included), and rows whose maximum is a zero of
    /// either sign, that hold a NaN or an infinity, or whose terms underflow.
    @Test(arguments: [(1, 1), (3, 5), (8, 16), (13, 31), (20, 178)])
    func everyPathGivesThePortableSoftmax(rows: Int, n: Int) {
        var generator = Generator(state: UInt64(rows * 7919 + n))
        var scores = (0..<(rows * n)).map { _ in generator.next() * 10 }
        let specials: [[Float]] = [[0, -0.0, -3], [-0.0, 0, -1], [.nan, 1, 2], [.infinity, 0, 1], [5000, -5000, 0], [-.infinity, -.infinity, -.infinity]]
        for (row, special) in specials.enumerated() where row < rows {
            for (column, value) in special.enumerated() where column < n { scores[row * n + column] = value }
        }
        let ldp = n + 3
        var portable = [Float](repeating: 7, count: rows * ldp)
        var scratch = [Double](repeating: 0, count: Int(RAKIS_SOFTMAX_ROWS_AT_ONCE) * n)
        rakis_softmax_rows_on(RAKIS_PATH_PORTABLE, scores, Int32(rows), Int32(n), 5.66, &portable, Int32(ldp), &scratch)
        for path in Self.paths.dropFirst() {
            var fast = [Float](repeating: 7, count: rows * ldp)
            rakis_softmax_rows_on(path, scores, Int32(rows), Int32(n), 5.66, &fast, Int32(ldp), &scratch)
            #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern), "path \(path)")
        }
    }

    /// The layer norm on each path against the portable one, for row counts below, at and past a
    /// multiple of eight, and widths with and without a remainder of eight.
    @Test(arguments: [(1, 384), (7, 30), (8, 384), (13, 33), (20, 384)])
    func everyPathGivesThePortableLayerNorm(rows: Int, width: Int) {
        var generator = Generator(state: UInt64(rows * 104_729 + width))
        let x = (0..<(rows * width)).map { _ in generator.next() * 5 + 1 }
        let gamma = (0..<width).map { _ in generator.next() }
        let beta = (0..<width).map { _ in generator.next() }
        var portable = x
        rakis_layer_norm_on(RAKIS_PATH_PORTABLE, &portable, Int32(rows), Int32(width), gamma, beta, 1e-12)
        for path in Self.paths.dropFirst() {
            var fast = x
            rakis_layer_norm_on(path, &fast, Int32(rows), Int32(width), gamma, beta, 1e-12)
            #expect(fast.map(\.bitPattern) == portable.map(\.bitPattern), "path \(path)")
        }
    }
}
