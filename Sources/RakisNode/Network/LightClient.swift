import Foundation
public import Logging
public import RakisCore
import RakisP2P
import Synchronization

/// A client without a node (`rakis submit --relay/--peer`): joins the network with a throwaway
/// identity just long enough to send one request and collect the nodes' consensus results. It
/// runs no models and keeps nothing: its packet store lives in a temporary folder.
public enum LightClient {
    /// Sends `payload` as a `p2pInferenceRequest` and collects the `inferenceQuorumComputed`
    /// results of distinct nodes (each signed by the node it names) until `wanted` arrived or
    /// `timeout` passed. `sent` is told the request id as soon as it is out.
    public static func request(
        _ payload: InferenceRequestPayload, network: NetworkPlan, settings: Settings, wanted: Int, timeout: Duration,
        logger: Logger, sent: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> (requestId: String, results: [InferenceQuorumComputed]) {
        if let problem = InferenceRequestCheck.problem(with: payload) { throw NodeError.invalidRequest(problem) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-submit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let identity = NodeIdentity.generate()
        let transports = try network.transports(identity: identity, settings: settings, logger: logger)
        let p2p = P2PLayer(identity: identity, settings: settings, database: try P2PDatabase(directory: folder), transports: transports, logger: logger)
        let events = p2p.packetDB.events.subscribe()
        let requestId = UUID().uuidString.lowercased()
        let results = try await p2p.running {
            try await p2p.transmit(.p2pInferenceRequest(P2PInferenceRequest(requestId: requestId, payload: payload, createdAt: Date())))
            sent(requestId)
            return await collect(events, requestId: requestId, wanted: wanted, timeout: timeout)
        }
        return (requestId, results)
    }

    private static func collect(
        _ events: AsyncStream<PacketEvent>, requestId: String, wanted: Int, timeout: Duration
    ) async -> [InferenceQuorumComputed] {
        final class Results: Sendable { let byNode = Mutex<[String: InferenceQuorumComputed]>([:]) }
        let collected = Results()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    guard case .inferenceQuorumComputed(let delivered) = event, delivered.body.requestId == requestId,
                          delivered.body.verifiedBy == delivered.synthientId else { continue }
                    let count = collected.byNode.withLock { $0[delivered.synthientId] = delivered.body; return $0.count }
                    if count >= wanted { return }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return collected.byNode.withLock { Array($0.values) }.sorted { $0.verifiedBy < $1.verifiedBy }
    }
}
