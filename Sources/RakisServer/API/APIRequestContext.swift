public import Hummingbird
public import Foundation

/// The request context of the API: JSON with ISO-8601 dates both ways, and bodies up to 256 KiB
/// (room for the longest prompt, 16,000 characters, even escaped; anything larger is refused with 413).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 256 * 1024 }

    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public var responseEncoder: JSONEncoder { Self.encoder() }

    /// The API's JSON: ISO-8601 dates and sorted keys, in responses and in the event stream alike.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
