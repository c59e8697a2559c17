import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads a server-sent event stream until `done` holds for what has arrived, or it ends.
enum ServerSentEvents {
    static func read(_ url: String, until done: @Sendable (String) -> Bool) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        var text = ""
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if done(text) { break }
        }
        return text
    }
}
