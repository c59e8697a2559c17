import Crypto
import Foundation
import Logging
import RakisChain
import RakisCoordination
import RakisCore
import RakisEthereum

/// Reporting a chain result: the valid members are ranked by `sha256(requestId ‖ synthientId)`;
/// the one ranked r waits r × `chainReportBackoffMs`, then, once it holds as many attestations
/// as the inbox needs, sends `fulfill` unless another node's fulfilment landed first.
extension RakisNode {
    func reportWhenDue(requestId: String) async {
        guard let reporters = chains.reporters, let (chainId, inbox, id) = InboxAttestation.parse(requestId: requestId),
              let watcher = await chains.watcher(chainId: chainId, inbox: inbox) else { return }
        let record: ConsensusRecord?
        let request: InferenceStore.StoredRequest?
        do {
            record = try await stores.consensus.result(requestId: requestId)
            request = try await stores.inferences.request(requestId)
        } catch { return }
        guard let record, let request, let output = record.selected?.output, let jointHex = record.validInferenceJointHash,
              let joint = Hex.decode(jointHex) else { return }
        let ranked = record.details.valid.map(\.synthientId).sorted { Self.rankKey(requestId, $0) < Self.rankKey(requestId, $1) }
        guard let rank = ranked.firstIndex(of: identity.synthientId) else { return }
        let frame = request.payload.securityFrame
        let need = max(1, Int((Double(frame.quorum) * frame.secPercentage).rounded(.up)))
        let turn = clock.now().addingTimeInterval(Double(rank * settings.chainReportBackoffMs) / 1000)
        guard await waitForAttestations(requestId: requestId, need: need, members: ranked.count, turn: turn) else {
            logger.notice("too few attestations to report a chain result", metadata: ["requestId": "\(requestId)", "need": "\(need)"])
            return
        }
        do {
            let attestations = try await chainAttestations(requestId: requestId).filter {
                $0.outputHash == "0x" + Hex.encode(Keccak256.hash(Array(output.utf8))) && $0.validInferenceJointHash == "0x" + jointHex
            }
            let reporter = reporters.reporter(chainId: chainId, rpcURL: watcher.configuration.rpcURL)
            let outcome = try await reporter.report(
                requestId: requestId, inbox: inbox, id: id, output: output, validInferenceJointHash: joint, attestations: attestations)
            logger.info("chain report", metadata: ["requestId": "\(requestId)", "rank": "\(rank)", "outcome": "\(outcome)"])
        } catch {
            logger.warning("cannot report a chain result", metadata: ["requestId": "\(requestId)", "error": "\(error)"])
        }
    }

    /// Settles what this node's reporter sent on `watcher`'s chain before it last stopped.
    func reconcileReports(on watcher: ChainWatcher) async {
        guard let reporters = chains.reporters, let store = chains.store else { return }
        do {
            try await watcher.checkChain()
            guard let chainId = await watcher.status().chainId else { return }
            let pending = try await store.pendingTransactions(chainId: chainId)
            guard !pending.isEmpty else { return }
            let settled = try await reporters.reporter(chainId: chainId, rpcURL: watcher.configuration.rpcURL).reconcile(pending)
            logger.info("settled transactions sent before the restart", metadata: [
                "chain": "\(watcher.configuration.name)", "settled": "\(settled)", "stillPending": "\(pending.count - settled)",
            ])
        } catch {
            logger.notice("cannot settle earlier transactions yet", metadata: ["chain": "\(watcher.configuration.name)", "error": "\(error)"])
        }
    }

    static func rankKey(_ requestId: String, _ synthientId: String) -> String {
        Hex.encode(SHA256.hash(data: Array((requestId + synthientId).utf8)))
    }

    /// Waits until this node's turn has come and it holds `need` attestations of the request;
    /// false when they are still too few a full backoff after its turn. Up to two seconds past
    /// its turn it waits for all `members`' attestations: honest members attest within moments of
    /// each other, and only those the fulfil carries share the reward.
    private func waitForAttestations(requestId: String, need: Int, members: Int, turn: Date) async -> Bool {
        try? await clock.sleep(until: turn)
        let grace = turn.addingTimeInterval(2)
        let giveUp = turn.addingTimeInterval(Double(max(settings.chainReportBackoffMs, 1000)) / 1000)
        if await attestationCount(requestId: requestId, reaches: max(need, members), before: grace) { return true }
        return await attestationCount(requestId: requestId, reaches: need, before: giveUp)
    }

    /// Whether this node holds `count` attestations of the request before `deadline`, waiting for
    /// each one stored.
    private func attestationCount(requestId: String, reaches count: Int, before deadline: Date) async -> Bool {
        let stored = chains.attestationsStored.subscribe()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { [self] in
                if (try? await chainAttestations(requestId: requestId).count) ?? 0 >= count { return true }
                for await id in stored where id == requestId {
                    if (try? await chainAttestations(requestId: requestId).count) ?? 0 >= count { return true }
                }
                return false
            }
            group.addTask { [clock] in
                try? await clock.sleep(until: deadline)
                return (try? await self.chainAttestations(requestId: requestId).count) ?? 0 >= count
            }
            let enough = await group.next() ?? false
            group.cancelAll()
            return enough
        }
    }
}
