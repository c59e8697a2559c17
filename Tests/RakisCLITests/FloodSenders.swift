import Foundation
import HummingbirdWSClient
import Logging
import RakisCore
import RakisMesh
import RakisNostr
import Synchronization

/// Valid but useless packets, and the peers that send them as fast as the protocol lets them:
/// each packet verifies, and none of them is anything a node can work on.
enum FloodPackets {
    /// Packet `n`, signed by `identity`: in turn a heartbeat, a commit and a reveal for requests
    /// nobody made, a request for a model nobody serves, and a peer list of nodes that do not exist.
    static func envelope(_ n: Int, by identity: NodeIdentity) throws -> [UInt8] {
        let now = Date()
        let packet: Packet = switch n % 5 {
        case 0:
            .peerHeart(PeerHeart(windowX: Double(n), windowY: 0, createdAt: now))
        case 1:
            .inferenceCommit(InferenceCommit(
                requestId: "flood-\(n)", inferenceId: "flood-\(n)", bEmbeddingHash: String(repeating: "0f", count: 32), createdAt: now))
        case 2:
            .inferenceReveal(InferenceReveal(
                requestedSynthientId: identity.synthientId, requestId: "flood-reveal-\(n)", inferenceId: "flood-\(n)", output: "nothing",
                embedding: [0.5], bEmbedding: [1], createdAt: now))
        case 3:
            .p2pInferenceRequest(P2PInferenceRequest(requestId: "flood-\(n)", payload: InferenceRequestPayload(
                fromChain: "p2p", blockNumber: 0, createdAt: now, prompt: "flood \(n)", acceptedModels: ["nobody-serves-this"],
                temperature: 0, maxTokens: 8,
                securityFrame: SecurityFrame(quorum: 3, maxTimeMs: 300_000, secDistance: 40, secPercentage: 0.5, embeddingModel: "flood-embedder")),
                createdAt: now))
        default:
            .knownPeers(KnownPeers(peerList: (0..<4).map { _ in
                KnownPeers.Entry(synthientId: Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max) }), identities: nil, lastSeen: now, totalWorkers: 1, seenOn: ["mesh"], totalTokens: 0)
            }, createdAt: now))
        }
        return try identity.sign(packet).wireBytes
    }
}

/// What a flood sent, counted from its senders' tasks.
final class FloodTally: Sendable {
    private let counts = Mutex((mesh: 0, relay: 0))
    var mesh: Int { counts.withLock { $0.mesh } }
    var relay: Int { counts.withLock { $0.relay } }
    func sentOnMesh(_ n: Int) { counts.withLock { $0.mesh += n } }
    func sentOnRelay(_ n: Int) { counts.withLock { $0.relay += n } }
}

/// Sends `total` flood packets as mesh peers of `address`: `connections` raw WebSocket peers,
/// each with its own hello identity, each at `perSecond` at most (under the node's limit, as a
/// patient attacker would), signing with a fresh identity every `packetsPerIdentity` packets. What
/// the node passes back is read and thrown away unchecked, so that the flood costs the sender
/// only its signatures. A peer the node refuses (it caps connections per address) or drops (a
/// reader that falls 20 s behind misses the node's keep-alive) connects again a second later
/// with a new identity, as a persistent attacker would, until the packets are all sent.
struct MeshFlooder {
    let address: String
    let topic: String
    let connections: Int
    let perSecond: Int
    let packetsPerIdentity: Int

    /// How many connections the flood made, and how many attempts the node refused.
    struct Attempts: Sendable {
        var connected = 0
        var refused = 0
    }

    func run(total: Int, from first: Int, tally: FloodTally) async -> Attempts {
        let numbers = PacketNumbers(first..<first + total)
        return await withTaskGroup(of: Attempts.self) { group in
            for _ in 0..<connections {
                group.addTask { await keepFlooding(numbers, tally: tally) }
            }
            return await group.reduce(into: Attempts()) { all, one in
                all.connected += one.connected
                all.refused += one.refused
            }
        }
    }

    /// One attacker's seat: connects, floods while the node keeps the connection, and connects
    /// again when refused or dropped, until `numbers` run out.
    private func keepFlooding(_ numbers: PacketNumbers, tally: FloodTally) async -> Attempts {
        var attempts = Attempts()
        while !numbers.isExhausted {
            if await flood(numbers, tally: tally) {
                attempts.connected += 1
            } else {
                attempts.refused += 1
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return attempts
    }

    /// One peer: challenge, hello, then packets while `numbers` last. False when the node refused it.
    private func flood(_ numbers: PacketNumbers, tally: FloodTally) async -> Bool {
        let accepted = SharedFlag()
        let hello = NodeIdentity.generate()
        _ = try? await WebSocketClient.connect(
            url: address, configuration: .init(maxFrameSize: 4 << 20), logger: Logger(label: "flood")
        ) { inbound, outbound, _ in
            let (challenges, challenge) = AsyncStream.makeStream(of: String.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The node's challenge, then whatever it passes back, drained unread so that the
                // node never waits on this peer.
                group.addTask {
                    var answered = false
                    for try await message in inbound.messages(maxSize: 4 << 20) where !answered {
                        if case .text(let text) = message, case .challenge(let nonce)? = try? MeshMessage(parsing: text, maxBytes: 4 << 20) {
                            challenge.yield(nonce)
                            answered = true
                        }
                    }
                    challenge.finish()
                }
                var nonces = challenges.makeAsyncIterator()
                guard let nonce = await nonces.next() else { return }
                let signed = MeshHello.signed(by: hello, topic: topic, nonce: nonce, listenPort: 0, advertise: nil)
                try await outbound.write(.text(MeshMessage.hello(signed).text))
                accepted.set()
                try await send(numbers, to: outbound, tally: tally)
                // Time for the node to read the last frames before the close.
                try await Task.sleep(for: .seconds(1))
                group.cancelAll()
            }
        }
        return accepted.isSet
    }

    private func send(_ numbers: PacketNumbers, to outbound: WebSocketOutboundWriter, tally: FloodTally) async throws {
        var identity = NodeIdentity.generate()
        var sent = 0
        let start = ContinuousClock.now
        while let batch = numbers.take(20) {
            for n in batch {
                if n % packetsPerIdentity == 0 { identity = .generate() }
                let envelope = String(decoding: try FloodPackets.envelope(n, by: identity), as: UTF8.self)
                try await outbound.write(.text(MeshMessage.packet(hops: 4, envelope: envelope).text))
            }
            sent += batch.count
            tally.sentOnMesh(batch.count)
            try await Task.sleep(until: start + .milliseconds(sent * 1000 / perSecond))
        }
    }
}

/// Packet numbers handed out in turns to the peers of a flood.
final class PacketNumbers: Sendable {
    private let next: Mutex<Range<Int>>

    init(_ range: Range<Int>) { next = Mutex(range) }

    var isExhausted: Bool { next.withLock { $0.isEmpty } }

    func take(_ count: Int) -> Range<Int>? {
        next.withLock { left in
            guard !left.isEmpty else { return nil }
            let taken = left.lowerBound..<min(left.upperBound, left.lowerBound + count)
            left = taken.upperBound..<left.upperBound
            return taken
        }
    }
}

/// Sends flood packets through a relay as `keys` Nostr clients, each a fresh key, each packet
/// signed by a fresh identity every `packetsPerIdentity`.
struct RelayFlooder {
    let relay: String
    let topic: String
    let keys: Int
    let packetsPerIdentity: Int

    func run(total: Int, from first: Int, tally: FloodTally) async throws {
        let clients = (0..<keys).map { _ in
            NostrTransport(keys: .generate(), configuration: NostrTransportConfiguration(
                relays: [relay], topic: topic, eventLifetimeSeconds: 600, maxPacketBytes: 512 * 1024))
        }
        for client in clients { try await client.start() }
        let share = total / keys
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (slot, client) in clients.enumerated() {
                group.addTask {
                    var identity = NodeIdentity.generate()
                    for n in 0..<share {
                        if n % packetsPerIdentity == 0 { identity = .generate() }
                        try await client.broadcast(try FloodPackets.envelope(first + slot * share + n, by: identity))
                        tally.sentOnRelay(1)
                    }
                }
            }
            try await group.waitForAll()
        }
        for client in clients { await client.shutdown() }
    }
}

struct FloodFailed: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

/// Set once from any task.
final class SharedFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
