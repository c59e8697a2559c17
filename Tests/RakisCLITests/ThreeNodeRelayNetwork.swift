import Foundation
import RakisTestSupport
import Testing

/// Three `rakis run` processes on one stock relay, any of which can be killed with SIGKILL and
/// started again on its data directory: the harness of `ChaosTests` (`make chaos`) and
/// `SoakTests` (`make soak`).
final class ThreeNodeRelayNetwork: @unchecked Sendable {
    struct Node {
        let dataDir: String
        var process: Process
        var log: LogCollector
        var base: String
        /// The logs of this node's earlier lives, for the phase a kill interrupted.
        var earlierLogs: String = ""
    }

    let relay: ServerProcess
    let topic = "chaos-\(UUID().uuidString.prefix(8))"
    private(set) var nodes: [Node] = []
    /// Flags every start of every node gets (settings).
    let extra: [String]
    /// Flags that replace `extra` for one node from its next start on.
    var extraFor: [Int: [String]] = [:]
    /// With a mesh too, each node's listen port: node 0 is every other node's bootstrap peer.
    let meshPorts: [Int]?

    /// - Parameter mesh: also join the nodes by the direct mesh (node 0 listening for the others).
    init(extra: [String] = [], mesh: Bool = false) async throws {
        self.extra = extra
        meshPorts = mesh ? (0..<3).map { _ in LLMFixtures.freePort() } : nil
        relay = try await NostrRelayFixture.startStock()
        for index in 0..<3 {
            let dataDir = RakisProcess.temporaryDataDirectory()
            let (process, log, base) = try await RakisProcess.startNode(dataDir, arguments(index))
            nodes.append(Node(dataDir: dataDir, process: process, log: log, base: base))
        }
    }

    func arguments(_ index: Int) -> [String] {
        var arguments = ["--relay", NostrRelayFixture.url(relay), "--topic", topic] + (extraFor[index] ?? extra)
        if let meshPorts {
            arguments += ["--listen", "127.0.0.1:\(meshPorts[index])"]
            if index > 0 { arguments += ["--peer", meshAddress(0)!] }
        }
        return arguments
    }

    /// `ws://127.0.0.1:PORT` of a node's mesh listener, when the network has a mesh.
    func meshAddress(_ index: Int) -> String? { meshPorts.map { "ws://127.0.0.1:\($0[index])" } }

    /// SIGKILL: no handler runs, nothing is flushed; whatever the node was writing stays half-done.
    func kill(_ index: Int) -> String {
        let node = nodes[index]
        Foundation.kill(node.process.processIdentifier, SIGKILL)
        node.process.waitUntilExit()
        nodes[index].earlierLogs += node.log.text
        return node.log.text
    }

    func restart(_ index: Int) async throws {
        let (process, log, base) = try await RakisProcess.startNode(nodes[index].dataDir, arguments(index))
        nodes[index].process = process
        nodes[index].log = log
        nodes[index].base = base
    }

    func submit(to index: Int, prompt: String, seconds: Int) async throws -> String {
        let token = try RakisProcess.token(nodes[index].dataDir)
        let sent = try await HTTPExchange.send("POST", nodes[index].base + "/api/inferences", body: HTTPExchange.json([
            "prompt": prompt, "maxTokens": 12, "temperature": 0, "securityFrame": ["quorum": 2, "maxTimeMs": seconds * 1000],
        ]), token: token)
        return try #require(sent.json?["requestId"] as? String, "submission refused: \(sent.text)")
    }

    func detail(_ index: Int, _ requestId: String) async throws -> [String: Any]? {
        try await HTTPExchange.send("GET", nodes[index].base + "/api/inferences/\(requestId)").json
    }

    func stats(_ index: Int) async throws -> [String: Any] {
        try await HTTPExchange.send("GET", nodes[index].base + "/api/stats").json ?? [:]
    }

    func peers(_ index: Int) async throws -> [[String: Any]] {
        let answer = try await HTTPExchange.send("GET", nodes[index].base + "/api/peers")
        return (answer.json?["peers"] as? [[String: Any]]) ?? []
    }

    /// Writes each node's log (all its lives) to `rakis-NAME-node-N.log` in the temporary
    /// directory, for a long run to be read afterwards; returns the paths.
    func saveLogs(_ name: String) -> [String] {
        nodes.enumerated().map { index, node in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-\(name)-node-\(index).log").path
            try? (node.earlierLogs + node.log.text).write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    func stop() async {
        for node in nodes where node.process.isRunning { _ = try? await RakisProcess.terminate(node.process) }
        relay.stop()
    }

    /// `PRAGMA integrity_check` of every SQLite file in every data directory (through Python's
    /// sqlite3, a reader independent of GRDB): the failures, empty when every store is sound.
    func corruptStores() async throws -> [String] {
        var failures: [String] = []
        for node in nodes {
            let files = try FileManager.default.contentsOfDirectory(atPath: node.dataDir).filter { $0.hasSuffix(".sqlite") }
            for file in files {
                let path = node.dataDir + "/" + file
                let result = try await runToEnd("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])", path])
                let answer = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                if answer != "ok" { failures.append("\(path): \(answer) \(result.stderr)") }
            }
        }
        return failures
    }

    /// The first column of the first row of `sql` on one of a node's SQLite files, through
    /// Python's sqlite3 (read-only, beside the running node).
    func sqlite(_ index: Int, _ file: String, _ sql: String) async throws -> Int {
        let path = nodes[index].dataDir + "/" + file
        let result = try await runToEnd("/usr/bin/python3", [
            "-c", "import sqlite3,sys; print(sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True).execute(sys.argv[2]).fetchone()[0])",
            path, sql,
        ])
        return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(sql) on \(path): \(result.stderr)")
    }

    /// One node's resources, read from /proc: resident memory, open descriptors, and the bytes of
    /// its SQLite files (write-ahead logs included).
    struct Resources {
        var residentKB: Int
        var descriptors: Int
        var sqliteBytes: Int
    }

    func resources(_ index: Int) -> Resources {
        let pid = nodes[index].process.processIdentifier
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        let files = (try? FileManager.default.contentsOfDirectory(atPath: nodes[index].dataDir)) ?? []
        let bytes = files.filter { $0.contains(".sqlite") }.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: nodes[index].dataDir + "/" + file)[.size] as? Int) ?? 0)
        }
        return Resources(residentKB: rss, descriptors: descriptors, sqliteBytes: bytes)
    }

    /// Where in a request's life the killed node was, from what its log had said about it.
    static func phase(of requestId: String, in log: String) -> String {
        let lines = log.split(separator: "\n").filter { $0.contains(requestId) }
        if lines.contains(where: { $0.contains("consensus reached") }) { return "after consensus" }
        if lines.contains(where: { $0.contains("] revealed") || $0.contains(" revealed") }) { return "between reveal and consensus" }
        if lines.contains(where: { $0.contains("committed") }) { return "between commit and reveal" }
        if !lines.isEmpty { return "during inference or embedding" }
        return "before the request arrived"
    }
}
