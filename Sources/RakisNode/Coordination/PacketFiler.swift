import Foundation
import Logging
import RakisCoordination
import RakisCore
import RakisP2P

/// Files what packet intake delivers in the coordination stores: requests (which also go to the
/// inference request queue), commits while their request is open, reveals checked on arrival,
/// and other nodes' consensus results. What moves a quorum on is handed to the scheduler.
struct PacketFiler: Sendable {
    let context: QuorumContext
    let inferenceQueue: InferenceRequestQueue
    let scheduler: QuorumScheduler
    let chains: ChainRequests
    /// The embedding models this node computes; a request naming another is filed but not answered.
    let embedders: [String]
    /// The LLMs this node serves.
    let llms: [String]
    /// The requests this node works on, whose packets go ahead of the rest.
    let inPlay: RequestsInPlay
    /// The peer table, where an equivocating node is marked.
    let peers: PeerDB
    private var logger: Logger { context.logger }

    func handle(_ event: PacketEvent) async {
        guard !context.halted else { return }
        switch event {
        case .p2pInferenceRequest(let delivered):
            // Nothing can be done for an ended request, and one that arrives ended is most likely
            // replayed: it is not filed, whatever the store remembers of it.
            if !delivered.isOwn, delivered.body.payload.endingAt <= context.now {
                logger.info("ignored an inference request that had already ended", metadata: [
                    "requestId": "\(delivered.body.requestId)", "from": "\(delivered.synthientId)",
                    "endingAt": "\(ISO8601Timestamp.format(delivered.body.payload.endingAt))",
                ])
                return
            }
            // A chain request from a peer counts only once this node found it on that chain:
            // nobody can invent one. Its own watcher files it when it does.
            let accepted = delivered.isOwn ? true : await chains.accepts(requestId: delivered.body.requestId)
            guard accepted else {
                logger.info("a chain request not found on chain (yet); left to this node's watcher", metadata: [
                    "requestId": "\(delivered.body.requestId)", "from": "\(delivered.synthientId)",
                ])
                return
            }
            await requestArrived(delivered.body, from: delivered.synthientId)
        case .inferenceCommit(let delivered):
            await commitArrived(delivered.body, from: delivered.synthientId, receivedAt: delivered.receivedTime)
        case .inferenceReveal(let delivered):
            await revealArrived(delivered.body, from: delivered.synthientId, receivedAt: delivered.receivedTime)
        case .inferenceQuorumComputed(let delivered) where !delivered.isOwn:
            await peerResultArrived(delivered.body, receivedAt: delivered.receivedTime)
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
        guard await hasRoom(for: request, from: sender) else { return }
        do {
            guard try await context.stores.inferences.saveRequest(request, from: sender) else { return }
            try await context.stores.quorums.openQuorum(requestId: request.requestId, at: context.now)
            try await withdrawCommitsOutsideCommittee(request)
        } catch {
            logger.error("cannot store an inference request", metadata: ["requestId": "\(request.requestId)", "error": "\(error)"])
            return
        }
        logger.info("inference request", metadata: ["requestId": "\(request.requestId)", "endingAt": "\(ISO8601Timestamp.format(request.payload.endingAt))"])
        context.publish(request.requestId, .awaitingCommitments, reason: nil)
        if let mismatch = EmbeddingRecipe.mismatch(requested: request.payload.securityFrame.embeddingModel, served: embedders) {
            logger.info("not answering an inference request", metadata: ["requestId": "\(request.requestId)", "reason": "\(mismatch)"])
        } else if !inCommittee(request.requestId, context.synthientId, request.payload) {
            logger.info("not answering an inference request: this node is not in its committee", metadata: ["requestId": "\(request.requestId)"])
        } else if context.now < request.payload.endingAt {
            await inferenceQueue.add(InferenceRequestItem(request))
        }
        if sender == context.synthientId || serves(request.payload) {
            inPlay.insert(request.requestId)
            await scheduler.evaluate()
        } else {
            scheduler.evaluateSoon()
        }
    }

    /// Whether this node works on such a request: it serves one of its models and computes its embeddings.
    func serves(_ payload: InferenceRequestPayload) -> Bool {
        payload.acceptedModels.contains(where: llms.contains)
            && EmbeddingRecipe.mismatch(requested: payload.securityFrame.embeddingModel, served: embedders) == nil
    }

    /// Whether a request may be filed: this node's own and those it can work on always may; a
    /// peer's request for a model this node does not serve only while fewer than
    /// `maxUnservedOpenRequests` of the peers' requests are open, so that a flood of requests
    /// for models nobody here serves cannot fill the disk or crowd out real work.
    private func hasRoom(for request: P2PInferenceRequest, from sender: String) async -> Bool {
        guard sender != context.synthientId, !serves(request.payload) else { return true }
        let open: Int
        do { open = try await context.stores.inferences.openRequestCount(at: context.now, notFrom: context.synthientId) } catch {
            logger.error("cannot count open requests", metadata: ["error": "\(error)"])
            return false
        }
        guard open >= context.settings.maxUnservedOpenRequests else { return true }
        let refused = context.refusals.count(.unservedRequestOverLimit)
        if refused == 1 || refused.isMultiple(of: 1000) {
            logger.warning("not filing peers' requests for models this node does not serve: maxUnservedOpenRequests are open", metadata: [
                "open": "\(open)", "refused": "\(refused)", "maxUnservedOpenRequests": "\(context.settings.maxUnservedOpenRequests)",
            ])
        }
        return false
    }

    /// After a restart: every request still open goes back to the inference request queue, which
    /// skips those this node already answered. Returns them, for the result pipeline to resume.
    func resumeOpenRequests() async -> [InferenceStore.StoredRequest] {
        let active: [InferenceStore.StoredRequest]
        do { active = try await context.stores.inferences.activeRequests(at: context.now) } catch {
            logger.error("cannot read the inference store", metadata: ["error": "\(error)"])
            return []
        }
        for request in active where inCommittee(request.requestId, context.synthientId, request.payload) {
            inPlay.insert(request.requestId)
            await inferenceQueue.add(InferenceRequestItem(
                requestId: request.requestId, prompt: request.payload.prompt, acceptedModels: request.payload.acceptedModels,
                temperature: request.payload.temperature, maxTokens: request.payload.maxTokens, endingAt: request.endingAt))
        }
        return active
    }

    private func commitArrived(_ commit: InferenceCommit, from sender: String, receivedAt: Date) async {
        do {
            if let request = try await context.stores.inferences.request(commit.requestId) {
                if receivedAt >= request.endingAt {
                    logger.info("ignored a commit that arrived after endingAt", metadata: ["requestId": "\(commit.requestId)", "from": "\(sender)"])
                    return
                }
                guard inCommittee(commit.requestId, sender, request.payload) else {
                    context.refusals.count(.commitOutsideCommittee)
                    logger.debug("refused a commit from outside the request's committee", metadata: ["requestId": "\(commit.requestId)", "from": "\(sender)"])
                    return
                }
            }
            let outcome = try await context.stores.quorums.addCommit(
                commit, from: sender, receivedAt: receivedAt, keepingOrphans: context.settings.maxOrphanQuorums)
            switch outcome {
            case .filed: logger.debug("commit filed", metadata: ["requestId": "\(commit.requestId)", "from": "\(sender)"])
            case .ignored: break
            case .equivocation: await equivocationCaught(step: "commit", requestId: commit.requestId, inferenceId: commit.inferenceId, from: sender)
            }
        } catch {
            logger.error("cannot file a commit", metadata: ["requestId": "\(commit.requestId)", "error": "\(error)"])
        }
    }

    private func revealArrived(_ reveal: InferenceReveal, from sender: String, receivedAt: Date) async {
        let outcome: QuorumStore.RevealOutcome
        do {
            guard try await context.stores.quorums.isKnown(reveal.requestId) else {
                context.refusals.count(.revealForUnknownRequest)
                logger.debug("ignored a reveal for a request this node has no quorum for", metadata: ["requestId": "\(reveal.requestId)", "from": "\(sender)"])
                return
            }
            let deadline = try await context.stores.inferences.request(reveal.requestId).map { context.deadlines($0).revealBy }
            outcome = try await context.stores.quorums.addReveal(reveal, from: sender, receivedAt: receivedAt, revealDeadline: deadline)
        } catch {
            logger.error("cannot file a reveal", metadata: ["requestId": "\(reveal.requestId)", "error": "\(error)"])
            return
        }
        switch outcome {
        case .accepted:
            logger.debug("reveal accepted", metadata: ["requestId": "\(reveal.requestId)", "from": "\(sender)"])
            await scheduler.evaluate()
        case .repeated:
            break
        case .rejected(let failure):
            logger.info("reveal rejected on arrival", metadata: ["requestId": "\(reveal.requestId)", "from": "\(sender)", "reason": "\(failure)"])
        case .equivocation:
            await equivocationCaught(step: "reveal", requestId: reveal.requestId, inferenceId: reveal.inferenceId, from: sender)
        }
    }

    /// Says so once, to the log and to the network: every node then refuses the equivocator's
    /// packets for the request, whichever of the two it saw first.
    private func equivocationCaught(step: String, requestId: String, inferenceId: String, from sender: String) async {
        logger.warning("equivocation: a node signed two different packets for one step of a request; all its packets for it are refused", metadata: [
            "requestId": "\(requestId)", "from": "\(sender)", "step": "\(step)",
        ])
        do {
            try await context.transmit(.inferenceRevealRejected(InferenceRevealRejected(
                requestId: requestId, inferenceId: inferenceId, rejectReason: .equivocation(step: step), createdAt: context.now)))
        } catch {
            logger.error("cannot send an equivocation rejection", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
        }
        do { try await peers.recordEquivocation(sender) } catch {
            logger.error("cannot mark an equivocating peer", metadata: ["from": "\(sender)", "error": "\(error)"])
        }
        await scheduler.evaluate()
    }

    private func peerResultArrived(_ result: InferenceQuorumComputed, receivedAt: Date) async {
        do {
            guard try await context.stores.inferences.request(result.requestId) != nil else {
                context.refusals.count(.peerResultForUnknownRequest)
                return
            }
            try await context.stores.consensus.savePeerResult(result, receivedAt: receivedAt)
        } catch {
            logger.error("cannot store a peer's consensus result", metadata: ["requestId": "\(result.requestId)", "error": "\(error)"])
        }
    }
}
