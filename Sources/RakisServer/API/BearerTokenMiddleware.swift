import Foundation
import Hummingbird

/// Guards the routes that change the node: they must carry `Authorization: Bearer <token>`,
/// the token `rakis init` wrote to the data directory. Reading is open, since the server
/// listens on 127.0.0.1 unless told otherwise.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "this request changes the node: send Authorization: Bearer <token>, the token in the data directory's api-token file")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(String(header.dropFirst(prefix.count)), token) else {
            throw APIError(.unauthorized, "wrong bearer token; use the one in the data directory's api-token file")
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference, so that timing says nothing about the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<min(x.count, y.count) { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
