/// `exp` and `erf` computed by this code rather than by the C library, whose results differ
/// between versions and CPUs in the last bit. Only IEEE-754 additions, multiplications and
/// divisions in a fixed order are used, so every node computes the same bits.
enum DeterministicMath {
    private static let ln2High = 6.93147180369123816490e-01
    private static let ln2Low = 1.90821492927058770002e-10
    private static let log2e = 1.44269504088896338700e+00

    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.13 { return 0 }
        let n = (x * log2e).rounded()
        let r = (x - n * ln2High) - n * ln2Low  // |r| <= ln2 / 2
        // Taylor series to r^13 / 13!: the next term is below 1e-18 for |r| <= 0.35.
        var term = 1.0
        var sum = 1.0
        for k in 1...13 {
            term = term * r / Double(k)
            sum = sum + term
        }
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

    /// erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!, a series of positive terms (no
    /// cancellation) that converges for every x; |x| ≥ 6 gives ±1 to double precision.
    static func erf(_ x: Double) -> Double {
        let a = x.magnitude
        if a >= 6 { return x < 0 ? -1 : 1 }
        let twoX2 = 2 * a * a
        var term = a
        var sum = a
        var n = 1.0
        while term > sum * 1e-17 {
            term = term * twoX2 / (2 * n + 1)
            sum = sum + term
            n += 1
        }
        let result = 1.1283791670955126 * exp(-a * a) * sum  // 2/√π
        return x < 0 ? -result : result
    }
}
