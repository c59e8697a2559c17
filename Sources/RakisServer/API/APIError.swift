public import Hummingbird
import Foundation

/// An error the API answers with: a status and a message that says what to change. Its body is
/// `{"error": {"status": 404, "message": "..."}}`, like every other error the server returns.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func unprocessable(_ message: String) -> APIError { APIError(.unprocessableContent, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.jsonResponse(status: status, message: message)
    }

    /// The body every error shares.
    public struct Body: Codable, Sendable {
        public struct Detail: Codable, Sendable {
            public let status: Int
            public let message: String
        }

        public let error: Detail
    }

    static func jsonResponse(status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) -> Response {
        let body = Body(error: .init(status: status.code, message: message))
        let data = (try? JSONEncoder().encode(body)) ?? Data("{\"error\":{\"status\":500,\"message\":\"unencodable error\"}}".utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
