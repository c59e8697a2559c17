import Foundation
import RakisCore
@testable import RakisP2P
import Synchronization

/// A PacketDB on a fresh SQLite file in a temporary directory, recording what it transmits.
struct IntakeHarness {
    let directory: URL
    let identity = NodeIdentity.generate()
    let database: P2PDatabase
    let packetDB: PacketDB
    let sent: Recorder<TransmittedPacket>

    /// Unless `answerPeerLists`, the node never answers newcomers with a `knownPeers` packet,
    /// so that tests can count exactly the packets they sent.
    init(
        settings: Settings = Settings(), answerPeerLists: Bool = false, random: @escaping @Sendable () -> Double = { 0.5 },
        clock: any NodeClock = SystemClock()
    ) throws {
        var settings = settings
        if !answerPeerLists { settings.peerCommunicationCount = 0 }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-p2p-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try P2PDatabase(directory: directory)
        let sent = Recorder<TransmittedPacket>()
        self.sent = sent
        packetDB = PacketDB(
            database: database, identity: identity, settings: settings, transmitter: { sent.append($0) }, clock: clock, random: random)
    }

    /// Signs `packet` as `sender` and parses it back as if it came off the wire.
    static func envelope(_ packet: Packet, from sender: NodeIdentity) throws -> PacketEnvelope {
        try PacketEnvelope.decode(wire: sender.sign(packet).wireBytes)
    }
}

/// A clock whose every reading is one second after the one before, so that the order in which
/// intake stamps packets shows in their times; its sleeps return at once.
final class TickingClock: NodeClock {
    private let readings = Mutex(0)
    private let start: Date

    init(start: Date = Date()) { self.start = start }

    func now() -> Date {
        let count = readings.withLock { count in
            count += 1
            return count
        }
        return start.addingTimeInterval(Double(count))
    }

    func sleep(until deadline: Date) async throws { try Task.checkCancellation() }
}

/// Collects values from concurrent code.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}

/// Drains an event stream into a recorder in the background.
func record(_ stream: AsyncStream<PacketEvent>) -> (Recorder<PacketEvent>, Task<Void, Never>) {
    let recorder = Recorder<PacketEvent>()
    let task = Task { for await event in stream { recorder.append(event) } }
    return (recorder, task)
}

/// Polls `condition` until it holds or `timeout` passes; for waiting on asynchronous delivery
/// without asserting anything about speed.
func commit(_ n: Int, at date: Date = Date()) -> Packet {
    .inferenceCommit(InferenceCommit(requestId: "req-\(n)", inferenceId: "inf-\(n)", bEmbeddingHash: String(repeating: "0a", count: 32), createdAt: date))
}
