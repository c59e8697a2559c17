import Foundation
import Hummingbird
import Logging
import NIOCore

/// Turns every error a route throws — ours, Hummingbird's (unknown route, body too large) or a
/// decoding error — into a JSON error body with the right status. Anything unexpected is a 500
/// whose message says what failed; the server never answers with an empty or HTML body.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return APIError.jsonResponse(status: error.status, message: error.message)
        } catch let error as HTTPError where error.status == .notFound {
            if let methods = allowed.methods(for: request.uri.path) {
                let list = methods.map(\.rawValue).joined(separator: ", ")
                return APIError.jsonResponse(
                    status: .methodNotAllowed, message: "\(request.method) is not allowed on \(request.uri.path); use \(list)",
                    headers: [.allow: list])
            }
            return APIError.jsonResponse(status: .notFound, message: "no such route: \(request.method) \(request.uri.path)")
        } catch let error as HTTPError {
            return APIError.jsonResponse(status: error.status, message: error.body ?? Self.message(for: error.status, request: request), headers: error.headers)
        } catch is NIOTooManyBytesError {
            return APIError.jsonResponse(status: .contentTooLarge, message: "the request body is larger than \(context.maxUploadSize / 1024) KiB")
        } catch let error as DecodingError {
            return APIError.jsonResponse(status: .badRequest, message: "malformed JSON body: \(Self.describe(error))")
        } catch let error as any HTTPResponseError {
            return APIError.jsonResponse(status: error.status, message: "\(error)")
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError.jsonResponse(status: .internalServerError, message: "internal error: \(error)")
        }
    }

    private static func message(for status: HTTPResponse.Status, request: Request) -> String {
        switch status {
        case .notFound: "no such route: \(request.method) \(request.uri.path)"
        case .contentTooLarge: "the request body is too large"
        case .methodNotAllowed: "\(request.method) is not allowed on \(request.uri.path)"
        default: status.reasonPhrase
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : keys.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context): return "\(path(context)) has the wrong type"
        case .valueNotFound(_, let context): return "\(path(context)) is null or missing"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field \(key.stringValue)" + (parent == "the body" ? "" : " in \(parent)")
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)) is invalid: \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
