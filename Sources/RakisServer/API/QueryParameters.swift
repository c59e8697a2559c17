import Hummingbird

extension Request {
    /// An integer query parameter within `range`, `fallback` when absent; a clear 400 otherwise.
    func integerQuery(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        guard let text = uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest("query parameter \(name) must be an integer from \(range.lowerBound) to \(range.upperBound); got \(text.debugDescription)")
        }
        return value
    }
}
