import Foundation
import Logging
import RakisCore
import RakisDVM
import RakisNostr

/// Jobs arriving from the relays: each becomes the one request every node makes of it (its id
/// from the job's event id), sent into the network and filed; a job rakis cannot run is kept
/// with its reason and gets an `error` feedback. A job seen before changes nothing.
extension RakisNode {
    /// Routes what the DVM relays deliver: jobs to intake, feedback and results to the
    /// sightings. Returns the reply a job is owed.
    func dvmArrived(_ arrival: NostrRelayPool.Arrival) async -> DVMReply? {
        guard let dvm else { return nil }
        let event = arrival.event
        switch event.kind {
        case DVMJob.requestKind:
            return await dvmJobArrived(event, dvm: dvm)
        case DVMJob.resultKind, DVMJob.feedbackKind:
            dvm.sightings.saw(event)
        default:
            break
        }
        return nil
    }

    /// Takes a job (or refuses it); the feedback it is owed, nil for a job left alone or seen before.
    func dvmJobArrived(_ event: NostrEvent, dvm: DVMConnector) async -> DVMReply? {
        guard phase == .running else { return nil }
        guard let job = try? DVMJob(event: event) else { return nil }
        // Addressed to other providers: theirs to take (those of them that run rakis bring the request in).
        if !job.providers.isEmpty, !job.providers.contains(dvm.publicKey) {
            logger.debug("a NIP-90 job addressed to other providers", metadata: ["job": "\(event.id)"])
            return nil
        }
        let now = clock.now()
        let age = now.timeIntervalSince1970 - Double(event.createdAt)
        // A job long past any request's lifetime is history a relay replays, not a customer waiting.
        if age > 600 { return nil }
        let request: P2PInferenceRequest
        do throws(DVMJobError) {
            try job.check()
            request = try dvmRequest(for: job, defaults: dvm.defaults, age: age)
        } catch {
            if case .tooOld = error, event.createdAt < dvm.startedAt { return nil }
            let record = DVMJobRecord(job: job, requestId: nil, status: .error, reason: error.description, receivedAt: now)
            guard (try? await dvm.store.insertIfNew(record)) == true else { return nil }
            await dvm.follow(job.id, true)
            logger.notice("refused a NIP-90 job", metadata: ["job": "\(event.id)", "customer": "\(event.pubkey)", "reason": "\(error)"])
            return DVMReply(job: job, kind: .feedback(.error, reason: error.description), candidates: await dvmCandidates())
        }
        let record = DVMJobRecord(job: job, requestId: request.requestId, status: .processing, reason: nil, receivedAt: now)
        guard (try? await dvm.store.insertIfNew(record)) == true else { return nil }
        await dvm.follow(job.id, true)
        if (try? await stores.inferences.request(request.requestId)) == nil {
            do { try await p2p.transmit(.p2pInferenceRequest(request)) } catch {
                logger.warning("cannot send a NIP-90 job's request", metadata: ["requestId": "\(request.requestId)", "error": "\(error)"])
            }
            await filer.requestArrived(request, from: identity.synthientId)
        }
        logger.info("took a NIP-90 job", metadata: ["job": "\(job.id)", "customer": "\(job.customer)", "requestId": "\(request.requestId)"])
        return DVMReply(job: job, kind: .feedback(.processing, reason: nil), candidates: await dvmCandidates())
    }

    /// The job's request, checked as any request is, and against the models known and its age.
    private func dvmRequest(for job: DVMJob, defaults: DVMRequestDefaults, age: Double) throws(DVMJobError) -> P2PInferenceRequest {
        let request = try job.request(defaults: defaults)
        let payload = request.payload
        if let problem = InferenceRequestCheck.problem(with: payload) { throw .badParam(name: Self.paramName(in: problem), reason: problem) }
        if let model = job.params["model"], modelProblem(acceptedModels: [model], embeddingModel: nil) != nil { throw .unknownModel(model) }
        if -age * 1000 > Double(settings.maxPacketClockSkewMs) { throw .inTheFuture(seconds: Int(-age)) }
        // Less than a second left to infer, embed and commit.
        if (age + 1) * 1000 > Double(payload.securityFrame.maxTimeMs) { throw .tooOld(seconds: Int(age)) }
        return request
    }

    /// The NIP-90 param a request check's problem is about, for the feedback.
    private static func paramName(in problem: String) -> String {
        let names = [("quorum", "quorum"), ("maxTimeMs", "max_time_ms"), ("secDistance", "sec_distance"), ("secPercentage", "sec_percentage"),
                     ("maxTokens", "max_tokens"), ("temperature", "temperature"), ("prompt", "i"), ("acceptedModels", "model")]
        return names.first { problem.contains($0.0) }?.1 ?? "job"
    }

    /// The nodes that may answer a job before any consensus names its members: this node and
    /// the peers heard from in the last five minutes.
    func dvmCandidates() async -> [String] {
        let since = clock.now().addingTimeInterval(-300)
        let peers = (try? await p2p.packetDB.peers.lastPeers(since: since, limit: 1000)) ?? []
        return Array(Set(peers.map(\.synthientId) + [identity.synthientId]))
    }
}
