import Foundation
import RakisCore
import Logging
import RakisP2P
import ServiceLifecycle

/// Nodes that break the protocol on purpose, each in its own way, speaking real packets on the
/// devnet's network:
/// - `liar` reveals a bEmbedding other than the one it committed to;
/// - `copier` commits another node's bEmbeddingHash and reveals that node's output;
/// - `latecomer` reveals after the reveal window;
/// - `impostor` has its reveal signed by another key (`forger`);
/// - `mismatch` reveals an output whose embedding is not the bEmbedding it claims.
actor Adversaries {
    struct Participant: Sendable {
        let name: String
        let identity: NodeIdentity
        let p2p: P2PLayer
    }

    static let roles = ["liar", "copier", "latecomer", "impostor", "forger", "mismatch"]
    private static let claimed: [String: [UInt8]] = [
        "liar": [UInt8](repeating: 0xAA, count: 48), "latecomer": [UInt8](repeating: 0x0F, count: 48),
        "impostor": [UInt8](repeating: 0x33, count: 48), "mismatch": [UInt8](repeating: 0, count: 48),
    ]

    private(set) var participants: [String: Participant] = [:]
    private let honest: Set<String>
    private let revealTimeout: TimeInterval
    private let clock: any NodeClock
    private var request: P2PInferenceRequest?
    private var inferenceIds: [String: String] = [:]
    private var copiedFrom: InferenceCommit?
    private var copiedSender: String?
    private var honestReveals: [String: InferenceReveal] = [:]
    private var revealed: Set<String> = []
    private var pumps: [Task<Void, Never>] = []
    private var networks: [(group: ServiceGroup, running: Task<Void, any Error>)] = []

    init(honest: Set<String>, settings: Settings, clock: any NodeClock) {
        self.honest = honest
        self.clock = clock
        self.revealTimeout = Double(settings.quorumRevealTimeoutMs) / 1000
    }

    func synthientId(_ role: String) -> String { participants[role]!.identity.synthientId }

    func start(network: InMemoryNetwork, root: URL, settings: Settings) async throws {
        for role in Self.roles {
            let directory = root.appendingPathComponent("adversary-\(role)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let identity = NodeIdentity.generate()
            let p2p = P2PLayer(
                identity: identity, settings: settings, database: try P2PDatabase(directory: directory), transports: [network.makeTransport()],
                clock: clock)
            let events = p2p.packetDB.events.subscribe()
            participants[role] = Participant(name: role, identity: identity, p2p: p2p)
            pumps.append(Task { [weak self] in
                for await event in events { await self?.handle(event, as: role) }
            })
            // Intake and the transport run as a node runs them: services of one group.
            let group = ServiceGroup(configuration: .init(services: p2p.services.map { .init(service: $0) }, logger: Logger(label: "adversary")))
            networks.append((group, Task { try await group.run() }))
            try await p2p.waitForTransports()
        }
    }

    func shutdown() async {
        for network in networks {
            await network.group.triggerGracefulShutdown()
            _ = await network.running.result
        }
        for pump in pumps { pump.cancel() }
    }

    private func send(_ packet: Packet, as role: String) async {
        _ = try? await participants[role]!.p2p.transmit(packet)
    }

    private func handle(_ event: PacketEvent, as role: String) async {
        switch event {
        case .p2pInferenceRequest(let delivered) where role == "liar" && request == nil:
            request = delivered.body
            for role in ["liar", "latecomer", "impostor", "mismatch"] {
                let inferenceId = UUID().uuidString.lowercased()
                inferenceIds[role] = inferenceId
                await send(.inferenceCommit(InferenceCommit(
                    requestId: delivered.body.requestId, inferenceId: inferenceId,
                    bEmbeddingHash: BinaryEmbedding.hash(Self.claimed[role]!, synthientId: synthientId(role)), createdAt: clock.now())), as: role)
            }
        case .inferenceCommit(let delivered) where role == "liar" && honest.contains(delivered.synthientId) && copiedFrom == nil:
            copiedFrom = delivered.body
            copiedSender = delivered.synthientId
            inferenceIds["copier"] = UUID().uuidString.lowercased()
            await send(.inferenceCommit(InferenceCommit(
                requestId: delivered.body.requestId, inferenceId: inferenceIds["copier"]!, bEmbeddingHash: delivered.body.bEmbeddingHash,
                createdAt: clock.now())), as: "copier")
        case .inferenceReveal(let delivered) where role == "liar" && honest.contains(delivered.synthientId):
            honestReveals[delivered.synthientId] = delivered.body
        case .inferenceRevealRequest(let delivered) where !revealed.contains(role):
            revealed.insert(role)
            await reveal(as: role, requestId: delivered.body.requestId)
        default:
            break
        }
    }

    private func reveal(as role: String, requestId: String) async {
        guard let inferenceId = inferenceIds[role] else { return }
        func packet(_ output: String, _ bits: [UInt8], for who: String? = nil) -> Packet {
            .inferenceReveal(InferenceReveal(
                requestedSynthientId: synthientId(who ?? role), requestId: requestId, inferenceId: inferenceId, output: output,
                embedding: [], bEmbedding: bits, createdAt: clock.now()))
        }
        switch role {
        case "liar":
            await send(packet("a different answer", [UInt8](repeating: 0x55, count: 48)), as: role)
        case "copier":
            var copied: InferenceReveal?
            for _ in 0..<200 {
                if let sender = copiedSender, let found = honestReveals[sender] {
                    copied = found
                    break
                }
                try? await Task.sleep(for: .milliseconds(25))
            }
            guard let copied else { return }
            await send(packet(copied.output, copied.bEmbedding), as: role)
        case "latecomer":
            guard let endingAt = request?.payload.endingAt else { return }
            try? await clock.sleep(until: endingAt.addingTimeInterval(revealTimeout + 1.5))
            await send(packet("an honest answer, too late", Self.claimed[role]!), as: role)
        case "impostor":
            await send(packet("signed by someone else", Self.claimed[role]!, for: "impostor"), as: "forger")
        case "mismatch":
            await send(packet("Completely unrelated text about filing tax forms in triplicate.", Self.claimed[role]!), as: role)
        default:
            break
        }
    }
}
