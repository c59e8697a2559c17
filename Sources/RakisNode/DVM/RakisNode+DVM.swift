public import Foundation
import Logging
import RakisCore
import RakisCoordination
import RakisDVM
import RakisNostr

/// The node as a NIP-90 data vending machine: its announcement, its loops, and what the edge
/// may read of its jobs.
extension RakisNode {
    /// Publishes the NIP-89 announcement (replacing this node's earlier one).
    func announceDVM() async {
        guard let dvm else { return }
        do {
            let event = try DVMAnnouncement.event(
                topic: settings.topic, models: servedModels.llms, defaults: dvm.defaults,
                createdAt: Int(clock.now().timeIntervalSince1970), by: dvm.keys)
            await dvm.pool.publish(event)
            logger.info("answering NIP-90 text-generation jobs", metadata: [
                "relays": "\(dvm.relays.joined(separator: ", "))", "pubkey": "\(dvm.publicKey)",
            ])
        } catch {
            logger.error("cannot sign the NIP-89 announcement", metadata: ["error": "\(error)"])
        }
    }

    /// The DVM's loops, children of the node's run: jobs and sightings from the relays, and the
    /// quorums of jobs ending, each reply sent in its own task. The relays close when the run is
    /// cancelled (at the node's end).
    nonisolated func runDVM() async {
        guard let dvm else { return }
        let updates = quorumUpdates()
        await dvm.pool.start()
        // Kept by the relays that are down until they are back.
        await announceDVM()
        await resumeDVMJobs(dvm)
        await withDiscardingTaskGroup { group in
            group.addTask {
                await withDiscardingTaskGroup { replies in
                    for await update in updates where update.status == .completed || update.status == .failed {
                        guard let reply = await self.dvmQuorumEnded(update) else { continue }
                        replies.addTask {
                            await self.dvmReply(reply, dvm: dvm)
                            await dvm.follow(reply.job.id, false)
                        }
                    }
                }
            }
            await withDiscardingTaskGroup { replies in
                for await arrival in dvm.pool.arrivals {
                    guard let reply = await self.dvmArrived(arrival) else { continue }
                    replies.addTask {
                        await self.dvmReply(reply, dvm: dvm)
                        // A refused job ends here; a taken one is followed until its quorum ends.
                        if case .feedback(.error, _) = reply.kind { await dvm.follow(reply.job.id, false) }
                    }
                }
            }
            group.cancelAll()
        }
        await dvm.pool.stop()
    }

    /// Follows again the jobs that were processing when the node stopped; one whose quorum ended
    /// meanwhile is closed as it ended, without a reply (another node's went out, or it is late).
    private func resumeDVMJobs(_ dvm: DVMConnector) async {
        for record in (try? await dvm.store.processing()) ?? [] {
            guard let requestId = record.requestId, let status = try? await quorumStatus(requestId: requestId), status.isFinal else {
                await dvm.follow(record.jobId, true)
                continue
            }
            let failed = status == .failed
            try? await dvm.store.update(record.jobId, status: failed ? .error : .success, reason: failed ? "the quorum failed while this node was down" : nil)
        }
    }

    /// The newest NIP-90 jobs first; empty when the node is no data vending machine.
    public func dvmJobs(limit: Int) async throws -> [DVMJobSummary] {
        guard let dvm else { return [] }
        return try await dvm.store.recent(limit: limit).map(DVMJobSummary.init)
    }

    /// The node's Nostr public key as a data vending machine; nil when it is none.
    public nonisolated var dvmPublicKey: String? { dvm?.publicKey }
}

/// One NIP-90 job as the API and dashboard show it.
public struct DVMJobSummary: Sendable, Codable, Equatable {
    public let jobId: String
    public let customer: String
    public let requestId: String?
    public let input: String
    /// processing, error or success.
    public let status: String
    public let reason: String?
    public let createdAt: Date
    public let receivedAt: Date
    public let bid: Int?
    public let resultEventId: String?
    public let answeredHere: Bool

    init(_ record: DVMJobRecord) {
        jobId = record.jobId
        customer = record.customer
        requestId = record.requestId
        input = record.input
        status = record.status.rawValue
        reason = record.reason
        createdAt = Date(timeIntervalSince1970: record.createdAt)
        receivedAt = Date(timeIntervalSince1970: record.receivedAt)
        bid = record.bid
        resultEventId = record.resultEventId
        answeredHere = record.answeredHere
    }
}
