public import Foundation
public import Logging
public import RakisCoordination
public import RakisCore
import RakisP2P

/// Layers 3 and 4 at work for one node: it files what packet intake delivers in the stores,
/// takes this node's own protocol steps (commit, reveal request, reveal, consensus) and keeps
/// every deadline. Deadlines are never held in memory alone: one scheduler evaluates
/// `QuorumStep` for every open quorum from the stores, whenever a packet or result changes
/// something and when the earliest deadline comes, so a restarted node resumes where it was.
public actor QuorumCoordinator {
    let synthientId: String
    let settings: Settings
    public nonisolated let stores: CoordinationStores
    let transmit: @Sendable (Packet) async throws -> Void
    let status: any PeerStatusPublisher
    let clock: any NodeClock
    let logger: Logger
    var now: Date { clock.now() }
    /// Every status change of a quorum on this node, for reports and waiting callers.
    public nonisolated let updates = EventHub<QuorumUpdate>()

    var embeddingQueue: EmbeddingQueue?
    var inferenceQueue: InferenceRequestQueue?
    /// Verifications in this process's embedding queue (empty after a restart, which re-queues them).
    var queuedVerifications: Set<String> = []
    private var timer: Task<Void, Never>?
    private var evaluating = false
    private var evaluateAgain = false
    /// Once set, packets and results are no longer acted on (shutdown, or a simulated crash).
    var halted = false

    public init(
        synthientId: String, settings: Settings, stores: CoordinationStores, status: any PeerStatusPublisher,
        clock: any NodeClock = SystemClock(), logger: Logger = Logger(label: "rakis.coordination"),
        transmit: @escaping @Sendable (Packet) async throws -> Void
    ) {
        self.synthientId = synthientId
        self.settings = settings
        self.stores = stores
        self.status = status
        self.clock = clock
        self.logger = logger
        self.transmit = transmit
    }

    /// The queues are built after the coordinator because they report back to it.
    func attach(inferenceQueue: InferenceRequestQueue, embeddingQueue: EmbeddingQueue) {
        self.inferenceQueue = inferenceQueue
        self.embeddingQueue = embeddingQueue
    }

    /// Picks up every open request after a (re)start, then evaluates every quorum.
    func resume() async {
        await resumeOwnWork()
        await evaluate()
    }

    func halt() {
        halted = true
        timer?.cancel()
        timer = nil
    }

    // MARK: Packets

    func handle(_ event: PacketEvent) async {
        guard !halted else { return }
        switch event {
        case .p2pInferenceRequest(let delivered):
            await requestArrived(delivered.body, from: delivered.synthientId)
        case .inferenceCommit(let delivered):
            commitArrived(delivered.body, from: delivered.synthientId, receivedAt: delivered.receivedTime)
        case .inferenceRevealRequest(let delivered):
            await revealRequested(delivered.body)
        case .inferenceReveal(let delivered):
            await revealArrived(delivered.body, from: delivered.synthientId, receivedAt: delivered.receivedTime)
        case .inferenceQuorumComputed(let delivered) where !delivered.isOwn:
            peerResultArrived(delivered.body, receivedAt: delivered.receivedTime)
        default:
            break
        }
    }

    /// Stores a request and starts working on it; one already stored is ignored.
    func requestArrived(_ request: P2PInferenceRequest, from sender: String) async {
        if let problem = InferenceRequestCheck.problem(with: request.payload) {
            logger.warning("ignored an invalid inference request", metadata: ["requestId": "\(request.requestId)", "from": "\(sender)", "problem": "\(problem)"])
            return
        }
        do {
            guard try stores.inferences.saveRequest(request, from: sender) else { return }
            try stores.quorums.openQuorum(requestId: request.requestId, at: now)
        } catch {
            logger.error("cannot store an inference request", metadata: ["requestId": "\(request.requestId)", "error": "\(error)"])
            return
        }
        logger.info("inference request", metadata: ["requestId": "\(request.requestId)", "endingAt": "\(ISO8601Timestamp.format(request.payload.endingAt))"])
        publish(request.requestId, .awaitingCommitments, reason: nil)
        if now < request.payload.endingAt { await inferenceQueue?.add(InferenceRequestItem(request)) }
        await evaluate()
    }

    private func commitArrived(_ commit: InferenceCommit, from sender: String, receivedAt: Date) {
        do {
            if let request = try stores.inferences.request(commit.requestId), receivedAt >= request.endingAt {
                logger.info("ignored a commit that arrived after endingAt", metadata: ["requestId": "\(commit.requestId)", "from": "\(sender)"])
                return
            }
            if try stores.quorums.addCommit(commit, from: sender, receivedAt: receivedAt) {
                logger.debug("commit filed", metadata: ["requestId": "\(commit.requestId)", "from": "\(sender)"])
            }
        } catch {
            logger.error("cannot file a commit", metadata: ["requestId": "\(commit.requestId)", "error": "\(error)"])
        }
    }

    private func revealArrived(_ reveal: InferenceReveal, from sender: String, receivedAt: Date) async {
        let outcome: QuorumStore.RevealOutcome
        do {
            let deadline = try stores.inferences.request(reveal.requestId).map { QuorumDeadlines(endingAt: $0.endingAt, settings: settings).revealBy }
            outcome = try stores.quorums.addReveal(reveal, from: sender, receivedAt: receivedAt, revealDeadline: deadline)
        } catch {
            logger.error("cannot file a reveal", metadata: ["requestId": "\(reveal.requestId)", "error": "\(error)"])
            return
        }
        switch outcome {
        case .accepted:
            logger.debug("reveal accepted", metadata: ["requestId": "\(reveal.requestId)", "from": "\(sender)"])
            await evaluate()
        case .repeated:
            break
        case .rejected(let failure):
            logger.info("reveal rejected on arrival", metadata: ["requestId": "\(reveal.requestId)", "from": "\(sender)", "reason": "\(failure)"])
        }
    }

    private func peerResultArrived(_ result: InferenceQuorumComputed, receivedAt: Date) {
        do { try stores.consensus.savePeerResult(result, receivedAt: receivedAt) } catch {
            logger.error("cannot store a peer's consensus result", metadata: ["requestId": "\(result.requestId)", "error": "\(error)"])
        }
    }

    // MARK: Scheduler

    /// One pass over every open quorum; schedules the next pass at the earliest deadline.
    /// Re-entrant calls make the running pass go round once more.
    func evaluate() async {
        guard !halted else { return }
        if evaluating {
            evaluateAgain = true
            return
        }
        evaluating = true
        defer { evaluating = false }
        var earliest: Date?
        repeat {
            evaluateAgain = false
            earliest = await evaluateOnce()
        } while evaluateAgain && !halted
        schedule(at: earliest)
    }

    private func schedule(at date: Date?) {
        timer?.cancel()
        timer = nil
        guard let date, !halted else { return }
        // A little after the deadline, so that a step due exactly then is due when it wakes.
        let wake = date.addingTimeInterval(0.005)
        timer = Task { [weak self, clock] in
            do { try await clock.sleep(until: wake) } catch { return }
            await self?.evaluate()
        }
    }

    private func evaluateOnce() async -> Date? {
        let open: [(requestId: String, status: QuorumStatus)]
        do { open = try stores.quorums.openQuorums() } catch {
            logger.error("cannot read the quorum store", metadata: ["error": "\(error)"])
            return now.addingTimeInterval(1)
        }
        var earliest: Date?
        func wake(at date: Date?) {
            guard let date else { return }
            earliest = min(earliest ?? date, date)
        }
        for (requestId, _) in open where !halted {
            do {
                let request = try stores.inferences.request(requestId)
                let state = try snapshot(requestId: requestId, request: request)
                switch QuorumStep.next(state, now: now) {
                case .wait(let until):
                    wake(at: until)
                case .requestReveals:
                    guard let request else { continue }
                    try await requestReveals(request)
                    wake(at: QuorumDeadlines(endingAt: request.endingAt, settings: settings).revealBy)
                case .queueConsensus:
                    guard let request else { continue }
                    let expiresAt = try await queueConsensus(request, queuedAt: now)
                    wake(at: expiresAt)
                case .requeueConsensus(let expiresAt):
                    guard let request else { continue }
                    _ = try await queueConsensus(request, queuedAt: nil, expiresAt: expiresAt)
                    wake(at: expiresAt)
                case .fail(let reason):
                    setStatus(.failed, requestId: requestId, reason: reason)
                }
            } catch {
                logger.error("cannot advance a quorum", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
                wake(at: now.addingTimeInterval(1))
            }
        }
        return earliest
    }

    private func snapshot(requestId: String, request: InferenceStore.StoredRequest?) throws -> QuorumStep.State {
        let record = try stores.quorums.record(requestId: requestId)
        return QuorumStep.State(
            status: record?.status ?? .awaitingCommitments,
            deadlines: request.map { QuorumDeadlines(endingAt: $0.endingAt, settings: settings) },
            quorum: request?.payload.securityFrame.quorum ?? 1,
            commits: try stores.quorums.commits(requestId: requestId).count,
            acceptedReveals: try stores.quorums.reveals(requestId: requestId, acceptedOnly: true).count,
            everyMemberRevealed: try stores.quorums.everyMemberRevealed(requestId: requestId),
            consensusQueuedAt: record?.consensusQueuedAt,
            consensusInQueue: queuedVerifications.contains(requestId))
    }

    /// Moves a quorum on and tells whoever listens; final statuses never change.
    func setStatus(_ status: QuorumStatus, requestId: String, reason: String? = nil) {
        do {
            guard try stores.quorums.setStatus(status, requestId: requestId, reason: reason, at: now) else { return }
        } catch {
            logger.error("cannot record a quorum status", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
            return
        }
        var metadata: Logger.Metadata = ["requestId": "\(requestId)", "status": "\(status.rawValue)"]
        if let reason { metadata["reason"] = "\(reason)" }
        logger.log(level: status == .failed ? .warning : .info, "quorum status", metadata: metadata)
        publish(requestId, status, reason: reason)
    }

    private func publish(_ requestId: String, _ status: QuorumStatus, reason: String?) {
        updates.publish(QuorumUpdate(requestId: requestId, status: status, reason: reason))
    }
}

/// A quorum's new status on this node.
public struct QuorumUpdate: Sendable, Hashable {
    public let requestId: String
    public let status: QuorumStatus
    public let reason: String?
}
