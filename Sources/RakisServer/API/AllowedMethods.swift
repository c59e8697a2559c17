import Hummingbird

/// The API's paths and the methods each answers, so that a known path asked with another method
/// gets 405 with an `Allow` header rather than 404.
struct AllowedMethods: Sendable {
    private let routes: [(segments: [String], methods: [HTTPRequest.Method])]

    init(_ routes: [(String, [HTTPRequest.Method])]) {
        self.routes = routes.map { (Self.segments($0.0), $0.1) }
    }

    func methods(for path: String) -> [HTTPRequest.Method]? {
        let parts = Self.segments(path)
        return routes.first { route in
            route.segments.count == parts.count
                && zip(route.segments, parts).allSatisfy { pattern, part in pattern.hasPrefix(":") || pattern == part }
        }?.methods
    }

    private static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}
