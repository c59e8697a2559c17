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
            throw APIError.badRequest("malformed JSON body: \(JSONErrorMiddleware<APIRequestContext>.describe(error))")
        }
    }
}
