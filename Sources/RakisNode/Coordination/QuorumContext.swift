import Foundation
import Logging
public import RakisCoordination
import RakisCore
import Synchronization

/// What the parts of layers 3 and 4 on one node share: who the node is, its settings, its stores,
/// its clock, how it sends packets, and the quorum updates it publishes.
struct QuorumContext: Sendable {
    let synthientId: String
    let settings: Settings
    let stores: CoordinationStores
    let clock: any NodeClock
    let transmit: @Sendable (Packet) async throws -> Void
    let status: any PeerStatusPublisher
    let logger: Logger
    /// Every status change of a quorum on this node, for reports and waiting callers.
    let updates = EventHub<QuorumUpdate>()
    /// Once set, packets and results are no longer acted on (shutdown, or a simulated crash).
    let halt = HaltFlag()
    /// Packets the filer declined to file (floods).
    let refusals = FiledPacketRefusalCounter()
    /// When this node last heard nothing: its view of the requests open then may lack packets.
    let listening = ListeningHistory()

    var now: Date { clock.now() }
    var halted: Bool { halt.isSet }

    /// Whether this node sends the reveal requests and results of a request: every node, unless
    /// its security frame sets a committee and this node is neither in it nor the requester.
    func speaksFor(_ request: InferenceStore.StoredRequest) -> Bool {
        request.fromSynthientId == synthientId
            || Committee.isEligible(requestId: request.requestId, synthientId: synthientId, share: request.payload.securityFrame.committeeShare)
    }

    func deadlines(_ request: InferenceStore.StoredRequest) -> QuorumDeadlines {
        QuorumDeadlines(endingAt: request.endingAt, settings: settings)
    }

    /// Moves a quorum on and tells whoever listens; final statuses never change.
    func setStatus(_ status: QuorumStatus, requestId: String, reason: String? = nil) async {
        do {
            guard try await stores.quorums.setStatus(status, requestId: requestId, reason: reason, at: now) else { return }
        } catch {
            logger.error("cannot record a quorum status", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            return
        }
        var metadata: Logger.Metadata = ["requestId": "\(requestId)", "status": "\(status.rawValue)"]
        if let reason { metadata["reason"] = "\(reason)" }
        logger.log(level: status == .failed ? .warning : .info, "quorum status", metadata: metadata)
        publish(requestId, status, reason: reason)
        if status.isFinal { await pruneEndedRequests() }
    }

    /// Keeps `maxStoredRequests` ended requests on disk; checked whenever a quorum finishes.
    private func pruneEndedRequests() async {
        do {
            let pruned = try await stores.retention.prune(keepingEnded: settings.maxStoredRequests, now: now)
            if pruned > 0 { logger.debug("pruned ended requests", metadata: ["count": "\(pruned)"]) }
        } catch {
            logger.error("cannot prune ended requests", metadata: ["error": "\(error)"])
        }
    }

    func publish(_ requestId: String, _ status: QuorumStatus, reason: String?) {
        updates.publish(QuorumUpdate(requestId: requestId, status: status, reason: reason))
    }
}

/// A quorum's new status on this node.
public struct QuorumUpdate: Sendable, Hashable {
    public let requestId: String
    public let status: QuorumStatus
    public let reason: String?
}

/// Set once, read from any thread.
final class HaltFlag: Sendable {
    private let flag = Atomic(false)

    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
