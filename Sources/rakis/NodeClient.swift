import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RakisCore
import RakisServer

/// Talks to a running node's HTTP API for `rakis submit --node` and `rakis status`.
struct NodeClient {
    let base: String
    let token: String?
    private let http: HTTPClient
    private let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Runs `body` with a client for `url`, closing its connections afterwards.
    static func using<T>(url: String, token: String?, _ body: (NodeClient) async throws -> T) async throws -> T {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        guard let parsed = URL(string: base), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw CLIError("--node \(url.debugDescription) is not an http:// URL; give the node's address, e.g. http://127.0.0.1:8080")
        }
        // Connection refused fails after the connect timeout, not after the whole request timeout.
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(3), read: .seconds(30))))
        let client = NodeClient(base: base, token: token, http: http)
        do {
            let result = try await body(client)
            try? await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// `RAKIS_TOKEN`, else the `api-token` file of the data directory.
    static func token(dataDirectory: DataDirectory) -> String? {
        if let token = ProcessInfo.processInfo.environment["RAKIS_TOKEN"], !token.isEmpty { return token }
        return dataDirectory.apiToken()
    }

    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        try decoder.decode(T.self, from: try await send(.GET, path, body: nil))
    }

    func post<T: Decodable>(_ path: String, _ body: some Encodable, as type: T.Type) async throws -> T {
        guard let token else {
            throw CLIError("sending needs the node's API token: set RAKIS_TOKEN, or point --data-dir at the node's data directory")
        }
        let data = try JSONEncoder().encode(body)
        return try decoder.decode(T.self, from: try await send(.POST, path, body: data, token: token))
    }

    /// Opens the node's server-sent events (`GET /api/events`), runs `opened` once the stream is
    /// open (so that no event it causes is missed), then hands each event to `done` until it
    /// says so; returns `opened`'s value, and whether `done` was satisfied before the stream
    /// ended or `limit` passed.
    func followEvents<Value>(
        for limit: Duration, opened: () async throws -> Value, until done: (Value, ServerSentEvent) -> Bool
    ) async throws -> (value: Value, done: Bool) {
        var request = HTTPClientRequest(url: base + "/api/events")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + .seconds(Int64(limit.seconds.rounded(.up))))
        } catch {
            throw CLIError("cannot reach the node at \(base): \(error); is `rakis run` running there?")
        }
        guard response.status == .ok else { throw CLIError("the node refused its event stream (\(response.status.code))") }
        let value = try await opened()
        var events = ServerSentEventParser()
        do {
            for try await chunk in response.body {
                for event in events.append(Array(chunk.readableBytesView)) where done(value, event) { return (value, true) }
            }
        } catch {
            // The deadline passed or the node went away; the caller reads where the request stands.
        }
        return (value, false)
    }

    /// The raw JSON of a GET, for `--json` output.
    func raw(_ path: String) async throws -> Data { try await send(.GET, path, body: nil) }

    private func send(_ method: HTTPMethod, _ path: String, body: Data?, token: String? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw CLIError("cannot reach the node at \(base): \(error); is `rakis run` running there?")
        }
        let data = Data(buffer: bytes)
        guard (200..<300).contains(response.status.code) else {
            let message = (try? decoder.decode(APIError.Body.self, from: data))?.error.message ?? String(decoding: data, as: UTF8.self)
            throw CLIError("the node refused (\(response.status.code)): \(message)")
        }
        return data
    }
}
