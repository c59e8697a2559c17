/// `exp` and `erf` computed by this code rather than by the C library, whose results differ
/// between versions and CPUs in the last bit. Only IEEE-754 additions, multiplications and
/// divisions in a fixed order are used, so every node computes the same bits.
enum DeterministicMath {
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10
    private static let log2e = 1.44269504088896338700e+00

    /// 1/k! for k = 0…13, as compile-time constants: Horner's rule needs no division.
    private static let taylor: [Double] = (0...13).map { k in (1...max(k, 1)).reduce(1.0) { $0 / Double($1) } }

    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.13 { return 0 }
        let n = (x * log2e).rounded()
        let r = (x - n * ln2High) - n * ln2Low  // |r| <= ln2 / 2
        // Taylor polynomial to r^13 / 13!: the next term is below 1e-18 for |r| <= 0.35.
        var sum = taylor[13]
        for k in stride(from: 12, through: 0, by: -1) { sum = sum * r + taylor[k] }
        return scale(sum, byPowerOfTwo: Int(n))
    }

    /// sum × 2^n, exactly, also when the result is subnormal.
    private static func scale(_ value: Double, byPowerOfTwo n: Int) -> Double {
        var result = value
        var remaining = n
        while remaining > 1000 { result = result * 0x1p1000; remaining -= 1000 }
        while remaining < -1000 { result = result * 0x1p-1000; remaining += 1000 }
        return result * Double(sign: .plus, exponent: remaining, significand: 1)
    }

    /// erf by piecewise polynomials (ErfPolynomials.swift, fitted by
    /// scripts/fit-erf-polynomials.py to within 2e-15), evaluated by Horner's rule;
    /// |x| ≥ 6 gives ±1 to double precision.
    static func erf(_ x: Double) -> Double {
        let a = x.magnitude
        if a >= 6 { return x < 0 ? -1 : 1 }
        let piece = Int(a * 4)
        let t = a - (Double(piece) + 0.5) * 0.25
        let coefficients = erfPolynomials[piece]
        var result = coefficients[coefficients.count - 1]
        for k in stride(from: coefficients.count - 2, through: 0, by: -1) { result = result * t + coefficients[k] }
        return x < 0 ? -result : result
    }
}
