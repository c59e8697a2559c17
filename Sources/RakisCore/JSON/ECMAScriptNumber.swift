/// Formats a finite `Double` exactly as ECMAScript's `Number.prototype.toString()` does, which
/// RFC 8785 prescribes for canonical JSON numbers.
///
/// Swift's `description` already yields the shortest digit string that round-trips (choosing
/// the closest when several are equally short), which is what ECMAScript requires; only the
/// layout of those digits differs, so this re-lays them out by the rules of ECMA-262 §6.1.6.1.20.
public enum ECMAScriptNumber {
    public static func format(_ value: Double) -> String {
        precondition(value.isFinite, "non-finite numbers are rejected before canonicalization")
        if value == 0 { return "0" }  // also -0
        let (digits, pointPosition) = decompose(value.magnitude)
        let sign = value < 0 ? "-" : ""
        let k = digits.count
        let n = pointPosition
        if k <= n && n <= 21 {
            return sign + digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let splitIndex = digits.index(digits.startIndex, offsetBy: n)
            return sign + digits[..<splitIndex] + "." + digits[splitIndex...]
        }
        if -6 < n && n <= 0 {
            return sign + "0." + String(repeating: "0", count: -n) + digits
        }
        let exponent = n - 1
        let exponentText = exponent < 0 ? "-\(-exponent)" : "+\(exponent)"
        if k == 1 { return sign + digits + "e" + exponentText }
        return sign + digits.prefix(1) + "." + digits.dropFirst() + "e" + exponentText
    }

    /// Splits a positive finite double into its shortest significant digits (no leading or
    /// trailing zeros) and `n` such that value = 0.d1d2…dk × 10^n.
    static func decompose(_ value: Double) -> (digits: String, pointPosition: Int) {
        let text = value.description  // e.g. "123.45", "1e-07", "1.7976931348623157e+308", "100.0"
        var mantissa = Substring(text)
        var exponent = 0
        if let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<eIndex]
            exponent = Int(text[text.index(after: eIndex)...])!
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + String(fractionPart)
        var pointPosition = integerPart.count + exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits, pointPosition)
    }
}
