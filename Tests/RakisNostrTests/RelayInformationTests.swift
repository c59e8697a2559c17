import Foundation
import RakisP2P
@testable import RakisNostr
import RakisTestSupport
import Testing

/// NIP-11 documents read over HTTP from a relay's address.
@Suite(.serialized) struct RelayInformationTests {
    @Test func aRelaysStatedLimitsAreReadBeforeItIsUsed() async throws {
        // A plain HTTP server answering GET / with a NIP-11 document (it speaks no WebSocket).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-nip11-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try #"{"name":"limited","supported_nips":[1,11],"limitation":{"max_message_length":20000,"max_content_length":9000}}"#
            .write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let port = LLMFixtures.freePort()
        let server = try await ServerProcess(
            executable: "/usr/bin/env", arguments: ["python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", folder.path],
            port: port, readyPath: "/")
        defer { server.stop() }
        let url = "ws://127.0.0.1:\(port)"
        #expect(await RelayLimits.fetch(relay: url, fallback: .assumed) == RelayLimits(maxMessageLength: 20_000, maxContentLength: 9_000))
        // A transport takes them from there, though the WebSocket never opens.
        var configuration = NostrTransportConfiguration(relays: [url], topic: "nip11", eventLifetimeSeconds: 600, maxPacketBytes: 512 * 1024)
        configuration.backoff = ReconnectBackoff(base: .milliseconds(100), maximum: .milliseconds(500))
        let transport = NostrTransport(keys: .generate(), configuration: configuration)
        try await transport.start()
        #expect(await eventually { await transport.relayLimits()[url]?.maxContentLength == 9_000 })
        await transport.shutdown()
        // Nothing there at all: no limits read, the assumption stays.
        #expect(await RelayLimits.fetch(relay: "ws://127.0.0.1:\(LLMFixtures.freePort())", fallback: .assumed) == nil)
    }
}
