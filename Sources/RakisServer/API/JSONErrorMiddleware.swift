import Foundation
import Hummingbird
import Logging

/// Turns every error a route throws — ours or Hummingbird's (an unknown route, a wrong method) —
/// into a JSON error body with the right status. Anything unexpected is a 500
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
            return APIError.jsonResponse(status: error.status, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
        } catch let error as any HTTPResponseError {
            return APIError.jsonResponse(status: error.status, message: "\(error)")
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return APIError.jsonResponse(status: .internalServerError, message: "internal error: \(error)")
        }
    }
}
