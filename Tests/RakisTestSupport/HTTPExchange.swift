import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat

/// One HTTP request to a live server and what came back, for tests that drive the real API.
public struct HTTPExchange: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (nil when it is not one).
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// The `error.message` of a JSON error body.
    public var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }

    public static func send(
        _ method: String, _ url: String, body: Data? = nil, token: String? = nil, headers: [String: String] = [:]
    ) async throws -> HTTPExchange {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return HTTPExchange(status: Int(response.status.code), headers: fields, body: Data(buffer: bytes))
    }

    public static func json(_ object: Any) -> Data { (try? JSONSerialization.data(withJSONObject: object)) ?? Data() }
}
