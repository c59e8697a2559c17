/// `exp` and `erf` computed by this code rather than by the C library, whose results differ
/// between versions and CPUs in the last bit. Only IEEE-754 additions, multiplications and
/// divisions in a fixed order are used, so every node computes the same bits.
enum DeterministicMath {
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10
    private static let log2e = 1.44269504088896338700e+00

    /// 1/k! for k = 0…10.
    private static let taylor: [Double] = (0...10).map { k in (1...max(k, 1)).reduce(1.0) { $0 / Double($1) } }

    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.13 { return 0 }
        let n = (x * log2e).rounded()
        let r = (x - n * ln2High) - n * ln2Low  // |r| <= ln2 / 2
        // Taylor polynomial to r^10 / 10! (relative error below 3e-13, far under float
        // precision), by Estrin's scheme: short dependency chains, fixed order.
        let c = taylor
        let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
        let q0 = (c[0] + c[1] * r) + (c[2] + c[3] * r) * r2
        let q1 = (c[4] + c[5] * r) + (c[6] + c[7] * r) * r2
        let q2 = (c[8] + c[9] * r) + c[10] * r2
        return scale((q0 + q1 * r4) + q2 * r8, byPowerOfTwo: Int(n))
    }

    /// sum × 2^n, exactly, also when the result is subnormal.
    private static func scale(_ value: Double, byPowerOfTwo n: Int) -> Double {
        var result = value
        var remaining = n
        while remaining > 1000 { result = result * 0x1p1000; remaining -= 1000 }
        while remaining < -1000 { result = result * 0x1p-1000; remaining += 1000 }
        return result * Double(sign: .plus, exponent: remaining, significand: 1)
    }

    /// erf by piecewise degree-8 polynomials (ErfPolynomials.swift, fitted by
    /// scripts/fit-erf-polynomials.py), evaluated by Estrin's scheme in a fixed order;
    /// |x| ≥ 6 gives ±1 to double precision.
    static func erf(_ x: Double) -> Double {
        let a = x.magnitude
        if a >= 6 { return x < 0 ? -1 : 1 }
        let piece = Int(a * 4)
        let t = a - (Double(piece) + 0.5) * 0.25
        let c = erfPolynomials[piece]
        let t2 = t * t, t4 = t2 * t2
        let q0 = (c[0] + c[1] * t) + (c[2] + c[3] * t) * t2
        let q1 = (c[4] + c[5] * t) + (c[6] + c[7] * t) * t2
        let result = (q0 + q1 * t4) + c[8] * (t4 * t4)
        return x < 0 ? -result : result
    }
}
