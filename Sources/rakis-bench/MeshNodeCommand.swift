import ArgumentParser
import Foundation
import Logging
import RakisCore
import RakisMesh
import Synchronization

/// One node of the transport benchmark's mesh in a process of its own, so that each node can
/// have a core of its own (`transport --networks mesh-processes` starts them). It answers the
/// benchmark on standard input and output, one line each way:
///
/// - in: `send I` (broadcast packet I), `burst A B` (broadcast A..<B back to back), `frames`,
///   `cpu`, `quit`; standard input closing also ends it, so that a benchmark that dies takes its nodes;
/// - out: `ready`, `sent I T`, `burst-sent T`, `burst-queued T` (every burst packet handed to
///   the mesh), `got I T` for each packet timed alone, `burst-done FIRST LAST` (the first and
///   the last burst packet's arrival) once every burst packet arrived, `frames N`, `cpu NS` (CPU time used so
///   far), `error …`.
///
/// T is CLOCK_MONOTONIC in nanoseconds, one clock for every process on the machine.
struct MeshNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-node", abstract: "One node of the transport benchmark's mesh (started by `transport`).",
        shouldDisplay: false)

    @Option(help: "Port to listen on (loopback).") var port: Int
    @Option(help: "The first node's address; none for the first node itself.") var bootstrap: String?
    @Option(help: "Nodes in the mesh.") var nodes: Int
    @Option(help: "File of the packets (each a 4-byte little-endian length, then the bytes).") var packets: String
    @Option(help: "Packets timed one at a time (0..<N); the rest form the burst.") var latencyPackets: Int
    @Option(help: "Hex seed of the signer of the packets (the first node only).") var seed: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let envelopes = try MeshPacketFile.read(packets)
        let identity = try seed.map { try NodeIdentity(seed: Hex.decode($0) ?? []) } ?? .generate()
        let mesh = MeshTransport(identity: identity, configuration: TransportBenchmark.meshConfiguration(
            port: port, bootstrap: bootstrap.map { [$0] } ?? [], nodes: nodes))
        try await mesh.start()
        guard await TransportBenchmark.waitForFullMesh([mesh], nodes: nodes) else {
            Reply.send("error node on port \(port) did not join the full mesh in 30 s: \(await mesh.status().detail)")
            await mesh.shutdown()
            throw ExitCode.failure
        }
        let arrivals = Arrivals(envelopes: envelopes, latencyPackets: latencyPackets)
        let reader = Task { for await delivery in mesh.incoming { arrivals.received(delivery.bytes) } }
        Reply.send("ready")
        for await line in StandardInputLines.stream() {
            if line == "quit" { break }
            let words = line.split(separator: " ").map(String.init)
            switch (words.first, words.count) {
            case ("send", 2):
                guard let i = Int(words[1]), envelopes.indices.contains(i) else { Reply.send("error no packet \(words[1])"); continue }
                let start = Monotonic.nanoseconds()
                try await mesh.broadcast(envelopes[i])
                Reply.send("sent \(i) \(start)")
            case ("burst", 3):
                guard let a = Int(words[1]), let b = Int(words[2]), a <= b, a >= 0, b <= envelopes.count else { Reply.send("error bad burst"); continue }
                let start = Monotonic.nanoseconds()
                for i in a..<b { try await mesh.broadcast(envelopes[i]) }
                Reply.send("burst-sent \(start)")
                Reply.send("burst-queued \(Monotonic.nanoseconds())")
            case ("frames", 1):
                Reply.send("frames \(await mesh.statistics().framesSent)")
            case ("cpu", 1):
                Reply.send("cpu \(Monotonic.processCPUNanoseconds())")
            default:
                Reply.send("error unknown command \(line)")
            }
        }
        reader.cancel()
        await mesh.shutdown()
    }
}

/// When the packets arrived: each packet timed alone is reported at once, the burst when whole.
final class Arrivals: Sendable {
    private let index: [[UInt8]: Int]
    private let latencyPackets: Int
    private let burstSize: Int
    private let state = Mutex((seen: Set<Int>(), burstSeen: 0, first: UInt64(0), last: UInt64(0)))

    init(envelopes: [[UInt8]], latencyPackets: Int) {
        index = Dictionary(uniqueKeysWithValues: envelopes.enumerated().map { ($0.element, $0.offset) })
        self.latencyPackets = latencyPackets
        burstSize = envelopes.count - latencyPackets
    }

    func received(_ bytes: [UInt8]) {
        let now = Monotonic.nanoseconds()
        guard let i = index[bytes] else { return }
        let burst: (first: UInt64, last: UInt64)? = state.withLock { s in
            guard s.seen.insert(i).inserted, i >= latencyPackets else { return nil }
            s.burstSeen += 1
            if s.burstSeen == 1 { s.first = now }
            s.last = max(s.last, now)
            return s.burstSeen == burstSize ? (s.first, s.last) : nil
        }
        if i < latencyPackets { Reply.send("got \(i) \(now)") }
        if let burst { Reply.send("burst-done \(burst.first) \(burst.last)") }
    }
}

/// One line to the benchmark, written at once.
enum Reply {
    private static let lock = Mutex(())

    static func send(_ line: String) {
        lock.withLock { _ in try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8)) }
    }
}

/// Standard input's lines, read on a thread of their own; the stream ends with the input.
enum StandardInputLines {
    static func stream() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let thread = Thread {
            while let line = readLine() { continuation.yield(line) }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the same clock in every process on the machine.
enum Monotonic {
    /// CPU time this process used so far, every thread.
    static func processCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// The benchmark's packets in a file for its node processes.
enum MeshPacketFile {
    static func write(_ envelopes: [[UInt8]], to path: String) throws {
        var data = Data()
        for envelope in envelopes {
            withUnsafeBytes(of: UInt32(envelope.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: envelope)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [[UInt8]] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var envelopes: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
            offset += 4
            guard offset + length <= bytes.count else { throw ValidationError("\(path) ends inside a packet") }
            envelopes.append(Array(bytes[offset..<offset + length]))
            offset += length
        }
        return envelopes
    }
}
