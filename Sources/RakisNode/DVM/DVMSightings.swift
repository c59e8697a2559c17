import RakisDVM
import RakisNostr
import Synchronization

/// The feedback and result events seen on the relays for the jobs this node follows, its own
/// included: a node whose turn comes sends nothing another node has sent already. Bounded: the
/// jobs seen longest ago are forgotten first.
final class DVMSightings: Sendable {
    private struct Seen {
        var statuses: Set<DVMFeedback.Status> = []
        var results: [NostrEvent] = []
    }

    private struct State {
        var byJob: [String: Seen] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 4_096) { self.capacity = capacity }

    /// Records a kind 7000 or 6050 event that names a job with an `e` tag.
    func saw(_ event: NostrEvent) {
        guard let jobId = event.tag("e") else { return }
        state.withLock { state in
            if state.byJob[jobId] == nil {
                state.order.append(jobId)
                if state.order.count > capacity { state.byJob[state.order.removeFirst()] = nil }
            }
            if event.kind == DVMJob.resultKind {
                state.byJob[jobId, default: Seen()].results.append(event)
            } else if let status = DVMFeedback.status(of: event, jobId: jobId) {
                state.byJob[jobId, default: Seen()].statuses.insert(status)
            }
        }
    }

    func sawFeedback(_ status: DVMFeedback.Status, jobId: String) -> Bool {
        state.withLock { $0.byJob[jobId]?.statuses.contains(status) ?? false }
    }

    /// A result for the job that carries exactly this consensus; nil when none was seen.
    func result(jobId: String, matching proof: DVMConsensusProof) -> NostrEvent? {
        state.withLock { $0.byJob[jobId]?.results.first { DVMResult.matches($0, jobId: jobId, proof: proof) } }
    }
}
