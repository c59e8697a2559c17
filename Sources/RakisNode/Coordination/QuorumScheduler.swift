import Foundation
import Logging
import RakisCoordination
import RakisCore
import Synchronization

/// Keeps every open quorum's deadlines on this node. Deadlines are never held in memory alone: each
/// pass evaluates `QuorumStep` for every open quorum from the stores — whenever a packet or result
/// changes something, and when the earliest deadline comes on the node's clock — so a restarted
/// node resumes where it was. It asks for reveals at `endingAt`, queues the verification of the
/// reveals, and hands verified embeddings to `ConsensusRound`.
actor QuorumScheduler {
    private let context: QuorumContext
    private let embeddingQueue: EmbeddingQueue
    private let consensus: ConsensusRound
    /// Verifications in this process's embedding queue (empty after a restart, which re-queues them).
    private var queuedVerifications: Set<String> = []
    private var runner = CoalescingRunner()
    /// What `run()` acts on: a new earliest deadline (nil: none), or that the one it slept for came.
    private enum Tick: Sendable {
        case wake(at: Date?)
        case due
    }
    /// A pass asked for by `evaluateSoon` and not yet begun: further asks add nothing.
    private let passPending = Atomic(false)
    private let ticks: AsyncStream<Tick>
    private let tick: AsyncStream<Tick>.Continuation
    private var logger: Logger { context.logger }

    init(context: QuorumContext, embeddingQueue: EmbeddingQueue) {
        self.context = context
        self.embeddingQueue = embeddingQueue
        self.consensus = ConsensusRound(context: context)
        (ticks, tick) = AsyncStream.makeStream(of: Tick.self)
    }

    /// Keeps the timer: sleeps on the node's clock until the earliest deadline a pass found,
    /// then runs a pass; a new deadline replaces the sleep. Runs as a child task of the node's
    /// service until the scheduler halts.
    func run() async {
        // The one sleep in progress, replaced by each new deadline; it ends with the loop. (A task
        // group cannot cancel one child alone: cancelling it would cancel every later sleep.)
        var sleep: Task<Void, Never>?
        for await next in ticks {
            switch next {
            case .wake(let date):
                sleep?.cancel()
                sleep = date.map { date in
                    Task { [clock = context.clock, tick] in
                        do { try await clock.sleep(until: date) } catch { return }
                        tick.yield(.due)
                    }
                }
            case .due:
                passPending.store(false, ordering: .sequentiallyConsistent)
                await evaluate()
            }
        }
        sleep?.cancel()
    }

    /// Stops acting (shutdown, or a simulated crash): no pass and no timer from now on.
    func halt() {
        context.halt.set()
        tick.finish()
    }

    /// Asks for a pass without waiting for it; asks while one is pending come to one pass. For
    /// what this node only watches (a request it does not serve), so that a flood of them never
    /// holds the filer up for a pass each.
    nonisolated func evaluateSoon() {
        guard !passPending.exchange(true, ordering: .sequentiallyConsistent) else { return }
        tick.yield(.due)
    }

    /// One pass over every open quorum, then a timer for the earliest deadline. A call while a
    /// pass runs makes it go round once more.
    func evaluate() async {
        guard !context.halted, runner.begin() else { return }
        var earliest: Date?
        repeat {
            earliest = await evaluateOnce()
        } while runner.again()
        schedule(at: earliest)
    }

    private func schedule(at date: Date?) {
        guard !context.halted else { return }
        // A little after the deadline, so that a step due exactly then is due when it wakes.
        tick.yield(.wake(at: date?.addingTimeInterval(0.005)))
    }

    private func evaluateOnce() async -> Date? {
        let open: [(requestId: String, status: QuorumStatus)]
        do { open = try await context.stores.quorums.openRequestQuorums() } catch {
            logger.error("cannot read the quorum store", metadata: ["error": "\(error)"])
            return context.now.addingTimeInterval(1)
        }
        var earliest: Date?
        for (requestId, _) in open where !context.halted {
            let wake: Date?
            do { wake = try await advance(requestId) } catch {
                logger.error("cannot advance a quorum", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
                wake = context.now.addingTimeInterval(1)
            }
            if let wake { earliest = min(earliest ?? wake, wake) }
        }
        return earliest
    }

    /// Takes the quorum's next step; returns when it should be looked at again.
    private func advance(_ requestId: String) async throws -> Date? {
        let snapshot = try await context.stores.quorumSnapshot(requestId: requestId)
        let state = QuorumStep.State(
            status: snapshot.record?.status ?? .awaitingCommitments, deadlines: snapshot.request.map(context.deadlines),
            quorum: snapshot.request?.payload.securityFrame.quorum ?? 1, commits: snapshot.commitCount,
            acceptedReveals: snapshot.acceptedRevealCount, everyMemberRevealed: snapshot.everyMemberRevealed,
            consensusQueuedAt: snapshot.record?.consensusQueuedAt, consensusInQueue: queuedVerifications.contains(requestId),
            missedPackets: try await missedPackets(snapshot))
        let step = QuorumStep.next(state, now: context.now)
        if case .wait(let until) = step { return until }
        if case .fail(let reason) = step {
            await context.setStatus(.failed, requestId: requestId, reason: reason)
            return nil
        }
        guard let request = snapshot.request else { return nil }
        switch step {
        case .requestReveals:
            try await requestReveals(request)
            return context.deadlines(request).revealBy
        case .queueConsensus:
            return try await queueConsensus(request, queuedAt: context.now)
        case .requeueConsensus(let expiresAt):
            return try await queueConsensus(request, queuedAt: nil, expiresAt: expiresAt)
        case .wait, .fail:
            return nil
        }
    }

    /// What this node missed of a request that waits for reveals, when it was not listening for
    /// part of the request's windows; nil when it heard all of them.
    private func missedPackets(_ snapshot: QuorumSnapshot) async throws -> MissedPackets? {
        guard let request = snapshot.request else { return nil }
        let deadlines = context.deadlines(request)
        let gaps = MissedPackets.gaps(context.listening.gaps, concerning: snapshot, deadlines: deadlines)
        guard !gaps.isEmpty else { return nil }
        return MissedPackets(
            gaps: gaps, deadlines: deadlines, commits: try await context.stores.quorums.commits(requestId: request.requestId),
            reveals: try await context.stores.quorums.reveals(requestId: request.requestId))
    }

    /// At `endingAt` with enough commits: ask the quorum's members to reveal. Sent before the
    /// status moves, so that a crash in between sends it again rather than never. With a
    /// committee, only its members and the requester ask: the other nodes' requests would say
    /// the same, and every node would send one to every node.
    private func requestReveals(_ request: InferenceStore.StoredRequest) async throws {
        let members = try await context.stores.quorums.commits(requestId: request.requestId).map {
            InferenceRevealRequest.Member(synthientId: $0.synthientId, inferenceId: $0.inferenceId, bEmbeddingHash: $0.bEmbeddingHash)
        }
        if context.speaksFor(request) {
            try await context.transmit(.inferenceRevealRequest(InferenceRevealRequest(
                requestId: request.requestId, quorum: members, timeoutMs: context.settings.quorumRevealTimeoutMs, createdAt: context.now)))
        }
        try await context.stores.quorums.mark(.revealRequestSent, requestId: request.requestId, at: context.now)
        await context.setStatus(.awaitingReveal, requestId: request.requestId)
    }

    /// Queues the verification of every accepted reveal but this node's own. `queuedAt` is nil
    /// when re-queuing after a restart (the stored time stands). Returns when it expires.
    private func queueConsensus(_ request: InferenceStore.StoredRequest, queuedAt: Date?, expiresAt: Date? = nil) async throws -> Date {
        let requestId = request.requestId
        if let queuedAt {
            try await context.stores.quorums.mark(.consensusQueued, requestId: requestId, at: queuedAt)
            await context.setStatus(.awaitingConsensus, requestId: requestId)
        }
        let expiry = expiresAt ?? context.deadlines(request).consensusBy(queuedAt: queuedAt ?? context.now)
        let others = try await context.stores.quorums.reveals(requestId: requestId, acceptedOnly: true).filter { $0.synthientId != context.synthientId }.map {
            EmbeddingQueueItem.RevealedOutput(inferenceId: $0.inferenceId, synthientId: $0.synthientId, output: $0.output)
        }
        queuedVerifications.insert(requestId)
        guard !others.isEmpty else {
            await verified(requestId: requestId, embeddings: [])
            return expiry
        }
        let contributed = try await context.stores.quorums.commits(requestId: requestId).contains { $0.synthientId == context.synthientId }
        await embeddingQueue.enqueue(EmbeddingQueueItem(
            kind: .consensusVerification(requestId: requestId, reveals: others), model: request.payload.securityFrame.embeddingModel,
            expiresAt: expiry, hasMyContribution: contributed))
        return expiry
    }

    /// The embedding queue's answer for a verification: consensus is decided.
    func verified(requestId: String, embeddings: [VerifiedEmbedding]) async {
        queuedVerifications.remove(requestId)
        guard !context.halted else { return }
        await consensus.decide(requestId: requestId, embeddings: embeddings)
    }

    func verificationFailed(requestId: String, reason: String) async {
        queuedVerifications.remove(requestId)
        guard !context.halted else { return }
        await context.setStatus(.failed, requestId: requestId, reason: "consensus verification failed: \(reason)")
    }
}
