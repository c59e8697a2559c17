import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import RakisCore
import RakisP2P
import RakisNostr
import RakisMesh
import Synchronization

struct TransportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Packets per second and delivery latency through a local Nostr relay and through the mesh, for 3 and 10 nodes.",
        discussion: """
            Each network is N bare transports (no node behind them). Latency: one packet at a time from node 1, timed
            until every other node has it (median and 95th percentile). Throughput: a burst of packets from node 1,
            timed until every other node has all of them. For the mesh, the frames every node sent per packet
            (packets, announcements, asks) in each phase. The in-memory transport is the baseline (no network at all);
            the relay is `nostr-relay` from .venv (run `make setup`), started on loopback by the benchmark.
            """)

    @Option(help: "Network sizes.") var nodes: [Int] = [3, 10]
    @Option(help: "Packets timed one at a time.") var latencyPackets = 50
    @Option(help: "Packets in the throughput burst.") var burst = 500
    @Option(help: """
        Networks to measure (repeat the option): in-memory, relay (needs .venv's nostr-relay and Python), mesh (every node \
        in this process), mesh-processes (a process per node, each pinned to a core of its own where there are enough).
        """)
    var networks: [TransportNetwork] = [.inMemory, .relay, .mesh]

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        print("transport benchmark: \(latencyPackets) packets one at a time, then a burst of \(burst); commit packets (\(try Self.envelopes(1)[0].count) bytes)")
        print("  network          nodes   latency median   latency p95   burst packets/s   deliveries/s   mesh frames/packet (one at a time, burst)")
        for count in nodes {
            if networks.contains(.inMemory) {
                try await measure("in-memory", count) { _ in
                    let network = InMemoryNetwork()
                    return (0..<count).map { _ in network.makeTransport() }
                }
            }
            if networks.contains(.relay) { try await measureRelay(count) }
            if networks.contains(.mesh) {
                try await measure("mesh", count) { sender in
                    let ports = try (0..<count).map { _ in try LoopbackPort.free() }
                    return (0..<count).map { index in
                        // Node 1 signs the packets it sends, as a real node does.
                        MeshTransport(identity: index == 0 ? sender : .generate(), configuration: Self.meshConfiguration(
                            port: ports[index], bootstrap: index == 0 ? [] : ["ws://127.0.0.1:\(ports[0])"], nodes: count))
                    }
                }
            }
            if networks.contains(.meshProcesses) {
                try await MeshProcessNetwork(nodes: count, latencyPackets: latencyPackets, burst: burst).measure()
            }
        }
    }

    /// A benchmark node's mesh settings: every node on 127.0.0.1, no rate limit in the way.
    static func meshConfiguration(port: Int, bootstrap: [String], nodes: Int) -> MeshConfiguration {
        var configuration = MeshConfiguration(
            listenHost: "127.0.0.1", listenPort: port, bootstrapPeers: bootstrap, topic: "bench", messagesPerSecond: 1_000_000)
        configuration.maxPeers = nodes
        // One address holds every connection here.
        configuration.maxConnectionsPerAddress = nodes
        return configuration
    }

    /// Waits (30 s at most) for the full mesh that peer exchange builds, and for every node to
    /// know whom its peers are connected to; whether it came.
    static func waitForFullMesh(_ meshes: [MeshTransport], nodes: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var complete = true
            for mesh in meshes where await mesh.statistics().peersWithKnownNeighbors < nodes - 1 { complete = false }
            if complete { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The relay through plain Python clients (the reference), then N Nostr transports on it.
    private func measureRelay(_ count: Int) async throws {
        let relay = try await LocalRelay.start()
        defer { relay.stop() }
        try referenceRelayLatency(relay: relay, nodes: count)
        let topic = "bench-\(UUID().uuidString.prefix(8))"
        try await measure("nostr relay", count) { _ in
            (0..<count).map { _ in
                NostrTransport(keys: .generate(), configuration: NostrTransportConfiguration(
                    relays: [relay.url], topic: topic, eventLifetimeSeconds: 600, maxPacketBytes: 512 * 1024))
            }
        }
    }

    /// `make` builds the network's transports; the first is the sender, with identity `sender`.
    private func measure(_ label: String, _ count: Int, make: (NodeIdentity) throws -> [any P2PTransport]) async throws {
        let senderIdentity = NodeIdentity.generate()
        let transports = try make(senderIdentity)
        for transport in transports { try await transport.start() }
        if let meshes = transports as? [MeshTransport], await !Self.waitForFullMesh(meshes, nodes: count) {
            for (index, mesh) in meshes.enumerated() where await mesh.statistics().peersWithKnownNeighbors < count - 1 {
                throw ValidationError("\(label): node \(index + 1) did not join the full mesh in 30 s: \(await mesh.status().detail)")
            }
        }
        let envelopes = try Self.envelopes(latencyPackets + burst, by: senderIdentity)
        let index = Dictionary(uniqueKeysWithValues: envelopes.enumerated().map { ($0.element, $0.offset) })
        let log = DeliveryLog(packets: envelopes.count, receivers: count - 1)
        let readers = transports.dropFirst().map { transport in
            Task { for await delivery in transport.incoming { if let i = index[delivery.bytes] { log.received(i) } } }
        }
        let sender = transports[0]
        let meshes = transports.compactMap { $0 as? MeshTransport }
        let framesAtStart = await Self.framesSent(meshes)
        var latencies: [Double] = []
        for i in 0..<latencyPackets {
            let start = ContinuousClock.now
            try await sender.broadcast(envelopes[i])
            guard await log.waitAll([i], timeout: .seconds(20)) else {
                var detail: [String] = []
                for mesh in meshes { detail.append("\(await mesh.statistics().counters.filter { $0.value != 0 }.sorted { $0.key < $1.key })") }
                throw ValidationError("\(label): packet \(i) reached \(log.count(i)) of \(count - 1) nodes; \(detail.joined(separator: "\n"))")
            }
            latencies.append(Self.seconds(log.completedAt(i)! - start))
        }
        let framesBeforeBurst = await Self.framesSent(meshes)
        let burstIndices = Array(latencyPackets..<envelopes.count)
        let start = ContinuousClock.now
        for i in burstIndices { try await sender.broadcast(envelopes[i]) }
        guard await log.waitAll(burstIndices, timeout: .seconds(120)) else { throw ValidationError("\(label): the burst did not reach every node") }
        let elapsed = Self.seconds(burstIndices.compactMap { log.completedAt($0) }.max()! - start)
        // Announcements still gathering when the last packet arrived go out within announceDelay.
        if !meshes.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        let framesAtEnd = await Self.framesSent(meshes)
        latencies.sort()
        let frames = meshes.isEmpty ? "" : String(
            format: "   %6.1f, %6.1f", Double(framesBeforeBurst - framesAtStart) / Double(latencyPackets),
            Double(framesAtEnd - framesBeforeBurst) / Double(burstIndices.count))
        // Deliveries: packets times receivers, each parsed and verified by its receiver, all on
        // this machine's cores whatever N is.
        let burstRate = Double(burstIndices.count) / elapsed
        print("  " + label.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: " %5d   %11.2f ms   %8.2f ms   %12.0f   %12.0f", count,
                     latencies[latencies.count / 2] * 1000, latencies[Int(Double(latencies.count - 1) * 0.95)] * 1000,
                     burstRate, burstRate * Double(count - 1)) + frames)
        for reader in readers { reader.cancel() }
        for transport in transports { await transport.shutdown() }
    }

    /// Frames every mesh node queued to its peers so far, of every kind (packets, announcements,
    /// asks, neighbor lists).
    static func framesSent(_ meshes: [MeshTransport]) async -> Int {
        var total = 0
        for mesh in meshes { total += await mesh.statistics().framesSent }
        return total
    }

    /// The same relay through plain Python websocket clients with pynostr-signed events
    /// (Tests/Fixtures/nostr-peer.py bench): what the relay itself costs, without rakis.
    private func referenceRelayLatency(relay: LocalRelay, nodes: Int) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-bench-envelope-\(UUID().uuidString)")
        try Data(try Self.envelopes(1)[0]).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.venv/bin/python")
        process.arguments = [
            FileManager.default.currentDirectoryPath + "/Tests/Fixtures/nostr-peer.py", "bench", relay.url, "\(NostrEvent.packetKind)",
            "bench-reference-\(nodes)", "\(nodes - 1)", "\(latencyPackets)", file.path,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, case .number(let median)? = try JSONParser().parse(Array(data))["median"],
              case .number(let p95)? = try JSONParser().parse(Array(data))["p95"]
        else { throw ValidationError("the reference relay client failed") }
        print("  " + "relay, python".padding(toLength: 15, withPad: " ", startingAt: 0)
              + String(format: " %5d   %11.2f ms   %8.2f ms   (reference: websockets + pynostr)", nodes, median * 1000, p95 * 1000))
    }

    static func envelopes(_ count: Int, by identity: NodeIdentity = .generate()) throws -> [[UInt8]] {
        try (0..<count).map { n in
            try identity.sign(.inferenceCommit(InferenceCommit(
                requestId: "bench-\(n)", inferenceId: UUID().uuidString, bEmbeddingHash: String(repeating: "0f", count: 32), createdAt: Date()))).wireBytes
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The networks the benchmark can build.
enum TransportNetwork: String, CaseIterable, ExpressibleByArgument, Sendable {
    case inMemory = "in-memory"
    case relay
    case mesh
    /// The mesh with each node in a process of its own, pinned to a core of its own where the
    /// machine has one per node.
    case meshProcesses = "mesh-processes"
}

/// When each packet had reached every receiver.
final class DeliveryLog: Sendable {
    private let state: Mutex<(counts: [Int], done: [ContinuousClock.Instant?])>
    private let receivers: Int

    init(packets: Int, receivers: Int) {
        self.receivers = receivers
        state = Mutex((Array(repeating: 0, count: packets), Array(repeating: nil, count: packets)))
    }

    func received(_ i: Int) {
        let now = ContinuousClock.now
        state.withLock { s in
            s.counts[i] += 1
            if s.counts[i] == receivers { s.done[i] = now }
        }
    }

    func completedAt(_ i: Int) -> ContinuousClock.Instant? { state.withLock { $0.done[i] } }

    func count(_ i: Int) -> Int { state.withLock { $0.counts[i] } }

    func waitAll(_ indices: [Int], timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ s in indices.allSatisfy { s.done[$0] != nil } }) { return true }
            try? await Task.sleep(for: .microseconds(200))
        }
        return false
    }
}

/// `nostr-relay` from the project's .venv on a free loopback port, for the benchmark.
struct LocalRelay {
    let process: Process
    let url: String

    static func start() async throws -> LocalRelay {
        let root = FileManager.default.currentDirectoryPath
        let executable = root + "/.venv/bin/nostr-relay"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationError("nostr-relay is not installed in .venv; run `make setup` from the project root")
        }
        let port = try LoopbackPort.free()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-bench-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("config.yaml")
        let template = try String(contentsOfFile: root + "/Tests/Fixtures/nostr-relay.yaml", encoding: .utf8)
        try template
            .replacingOccurrences(of: "{{DIR}}", with: folder.path).replacingOccurrences(of: "{{HOST}}", with: "127.0.0.1")
            .replacingOccurrences(of: "{{PORT}}", with: "\(port)").replacingOccurrences(of: "{{MAX_EVENT_SIZE}}", with: "1048576")
            .write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", config.path, "serve"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let relay = LocalRelay(process: process, url: "ws://127.0.0.1:\(port)")
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/")!)) != nil { return relay }
            try await Task.sleep(for: .milliseconds(100))
        }
        relay.stop()
        throw ValidationError("nostr-relay did not start on port \(port)")
    }

    /// The relay and its gunicorn workers, which outlive their parent when only it is killed.
    func stop() {
        ProcessTree.kill(process.processIdentifier)
        process.waitUntilExit()
    }
}
