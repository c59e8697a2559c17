public import Foundation

/// A real Nostr relay (`nostr-relay` from PyPI, installed into .venv by set-up) on loopback,
/// with its database in `directory` so that a restarted relay keeps its events.
public enum NostrRelayFixture {
    public static var executable: String { LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/nostr-relay").path }

    /// Starts a relay; `port` and `directory` given again restart the same relay.
    /// `eventsPerSecond` turns on the relay's rate limit for EVENT messages per client address.
    public static func start(
        port: Int = LLMFixtures.freePort(), directory: URL? = nil, maxEventSize: Int = 1 << 20, eventsPerSecond: Int? = nil
    ) async throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw FixtureMissing("nostr-relay is not installed in .venv; run `make setup`")
        }
        let folder = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("rakis-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("config.yaml")
        let template = try String(
            contentsOf: LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/nostr-relay.yaml"), encoding: .utf8)
        let rateLimit = eventsPerSecond.map { "rate_limits:\n  ip:\n    EVENT: \"\($0)/s\"\n" } ?? ""
        try (template
            .replacingOccurrences(of: "{{DIR}}", with: folder.path).replacingOccurrences(of: "{{HOST}}", with: "127.0.0.1")
            .replacingOccurrences(of: "{{PORT}}", with: "\(port)").replacingOccurrences(of: "{{MAX_EVENT_SIZE}}", with: "\(maxEventSize)")
            + rateLimit)
            .write(to: config, atomically: true, encoding: .utf8)
        return try await ServerProcess(executable: executable, arguments: ["-c", config.path, "serve"], port: port, readyPath: "/")
    }

    /// Starts a relay on its own default configuration, the one `nostr-relay serve` uses: the
    /// `config.yaml` it ships with, changed only in where it listens and keeps its database (and
    /// in `max_event_size` when `maxEventSize` is given). Its default content limit is 4,096
    /// characters, as on a relay someone runs without tuning it.
    public static func startStock(port: Int = LLMFixtures.freePort(), maxEventSize: Int? = nil) async throws -> ServerProcess {
        let lib = LLMFixtures.packageRoot.appendingPathComponent(".venv/lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        guard let shipped = pythons.sorted().map({ lib.appendingPathComponent("\($0)/site-packages/nostr_relay/config.yaml") })
            .first(where: { FileManager.default.fileExists(atPath: $0.path) })
        else { throw FixtureMissing("nostr-relay is not installed in .venv; run `make setup`") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-stock-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = try String(contentsOf: shipped, encoding: .utf8)
        guard text.contains("bind: 127.0.0.1:6969"), text.contains("sqlite+aiosqlite:///nostr.sqlite3") else {
            throw FixtureMissing("nostr-relay's shipped config.yaml changed; update NostrRelayFixture.startStock")
        }
        text = text.replacingOccurrences(of: "bind: 127.0.0.1:6969", with: "bind: 127.0.0.1:\(port)")
            .replacingOccurrences(of: "sqlite+aiosqlite:///nostr.sqlite3", with: "sqlite+aiosqlite:///\(folder.path)/nostr.sqlite3")
        if let maxEventSize { text += "\nmax_event_size: \(maxEventSize)\n" }
        let config = folder.appendingPathComponent("config.yaml")
        try text.write(to: config, atomically: true, encoding: .utf8)
        return try await ServerProcess(executable: executable, arguments: ["-c", config.path, "serve"], port: port, readyPath: "/")
    }

    public static func url(_ relay: ServerProcess) -> String { "ws://127.0.0.1:\(relay.port)" }
}

/// Runs Tests/Fixtures/nostr-peer.py (pynostr, a third-party Nostr client) and returns its
/// standard output; throws with its standard error when it fails.
public func runNostrPeer(_ arguments: [String]) async throws -> String {
    let python = LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path
    let script = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/nostr-peer.py").path
    let result = try await runToEnd(python, [script] + arguments)
    guard result.status == 0 else {
        throw FixtureMissing("nostr-peer.py \(arguments.first ?? "") failed (\(result.status)): \(result.stderr)")
    }
    return result.stdout
}
