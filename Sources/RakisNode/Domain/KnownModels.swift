import RakisCore
import RakisInference
import RakisP2P
import Synchronization

/// The models this node has heard of: its own, and those peers announced in `loaded_worker`,
/// `completed_inference` and `computing_bEmbeddingHash` status packets. A request naming none of
/// them could never be answered, so the node refuses it from its own API.
final class KnownModels: Sendable {
    private let state: Mutex<(llms: Set<String>, embedders: Set<String>)>

    init(llms: [String], embedders: [String]) {
        state = Mutex((Set(llms), Set(embedders)))
    }

    var llms: Set<String> { state.withLock { $0.llms } }
    var embedders: Set<String> { state.withLock { $0.embedders } }

    func learn(from status: PeerStatusUpdate.Status) {
        switch status {
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
        for row in stored {
            if case .peerStatusUpdate(let update)? = try? row.decoded() { learn(from: update.status) }
        }
    }

    /// Why a request naming these models could not be answered by any node this one knows; nil
    /// when it could. A field left out (nil) takes the default and is not checked.
    func problem(acceptedModels: [String]?, embeddingModel: String?) -> String? {
        if let models = acceptedModels, !models.contains(where: llms.contains) {
            return "unknown model \(models.joined(separator: ", ")): no node this one knows serves it; known models: \(llms.sorted().joined(separator: ", "))"
        }
        if let embedder = embeddingModel, !embedders.contains(embedder) {
            if let other = EmbeddingRecipe.otherRecipe(requested: embedder, among: embedders) {
                return "no node this one knows computes that embedding model: \(other)"
            }
            return "unknown embedding model \(embedder.debugDescription); known: \(embedders.sorted().joined(separator: ", "))"
        }
        return nil
    }
}
