import Foundation
import Hummingbird
import NIOFoundationCompat
import NIOCore

extension Request {
    /// Decodes the JSON body, refusing one over the context's upload limit (413) and answering
    /// malformed JSON or a wrong field with a 400 that names the field.
    mutating func decodeJSON<T: Decodable>(as type: T.Type, context: APIRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "the request body is larger than \(context.maxUploadSize / 1024) KiB")
        }
        do {
            return try context.requestDecoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.badRequest("malformed JSON body: \(Self.describe(error))")
        }
    }

    /// Where the JSON went wrong, by field path.
    private static func describe(_ error: DecodingError) -> String {
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
