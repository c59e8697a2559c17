import RakisCore
import RakisNode
import RakisP2P
import Synchronization

/// The models this node has heard of: its own, and those peers announced in `loaded_worker`
/// and `computing_bEmbeddingHash` status packets. A request naming none of them could never
/// be answered, so the API refuses it.
final class KnownModels: Sendable {
    private let state: Mutex<(llms: Set<String>, embedders: Set<String>)>

    init(node: RakisNode) {
        state = Mutex((Set(node.models.llms.map(\.configuration.name)), Set(node.models.embeddings.map(\.name))))
    }

    func llms() -> Set<String> { state.withLock { $0.llms } }
    func embedders() -> Set<String> { state.withLock { $0.embedders } }

    func learn(from packet: Packet) {
        guard case .peerStatusUpdate(let update) = packet else { return }
        switch update.status {
        case .loadedWorker(let model, _), .completedInference(_, let model, _):
            state.withLock { _ = $0.llms.insert(model) }
        case .computingBEmbeddingHash(let models):
            state.withLock { $0.embedders.formUnion(models) }
        default: break
        }
    }

    /// Learns from the status packets already stored (those of earlier runs included).
    func learnFromStore(_ store: PacketStore) async {
        guard let stored = try? await store.lastPackets(count: 1000, type: .peerStatusUpdate) else { return }
        for row in stored { if let packet = try? row.decoded() { learn(from: packet) } }
    }
}
