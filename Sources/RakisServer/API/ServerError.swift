/// Why the API server could not start.
public enum ServerError: Error, CustomStringConvertible, Sendable {
    case missingResource(String)
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .missingResource(let name): "the dashboard file \(name) is missing from the build; rebuild rakis"
        case .invalidAddress(let text): "invalid HTTP address \(text.debugDescription); use HOST:PORT, e.g. 127.0.0.1:8080"
        }
    }
}
