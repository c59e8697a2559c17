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
        try """
            DEBUG: false
            relay_name: rakis test relay
            storage:
              sqlalchemy.url: sqlite+aiosqlite:///\(folder.path)/nostr.sqlite3
              validators:
                - nostr_relay.validators.is_signed
                - nostr_relay.validators.is_recent
                - nostr_relay.validators.is_not_too_large
            gunicorn:
              bind: 127.0.0.1:\(port)
              workers: 1
              loglevel: warning
            purple:
              host: 127.0.0.1
              port: \(port)
              workers: 1
              disable_compression: true
            authentication:
              enabled: false
            max_event_size: \(maxEventSize)
            message_timeout: 1800
            subscription_limit: 32
            max_limit: 6000
            """.appending(eventsPerSecond.map { "\nrate_limits:\n  ip:\n    EVENT: \"\($0)/s\"\n" } ?? "")
            .write(to: config, atomically: true, encoding: .utf8)
        return try await ServerProcess(executable: executable, arguments: ["-c", config.path, "serve"], port: port, readyPath: "/")
    }

    public static func url(_ relay: ServerProcess) -> String { "ws://127.0.0.1:\(relay.port)" }
}

extension ServerProcess {
    /// gunicorn, under nostr-relay, drains connections for up to 30 s on SIGTERM; tests do not wait.
    public func stopRelay() { kill() }
}

/// Runs Tests/Fixtures/nostr-peer.py (pynostr, a third-party Nostr client) and returns its
/// standard output; throws with its standard error when it fails.
public func runNostrPeer(_ arguments: [String]) async throws -> String {
    let python = LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path
    let script = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/nostr-peer.py").path
    return try await withCheckedThrowingContinuation { continuation in
        // A thread of its own: waiting on a process must not hold a cooperative-pool thread.
        Thread.detachNewThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script] + arguments
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            do { try process.run() } catch {
                continuation.resume(throwing: error)
                return
            }
            let output = out.fileHandleForReading.readDataToEndOfFile()
            let errors = err.fileHandleForReading.readDataToEndOfFile()
            while process.isRunning { usleep(10_000) }
            if process.terminationStatus == 0 {
                continuation.resume(returning: String(decoding: output, as: UTF8.self))
            } else {
                continuation.resume(throwing: FixtureMissing(
                    "nostr-peer.py \(arguments.first ?? "") failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))"))
            }
        }
    }
}
