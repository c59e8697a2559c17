import Foundation
import RakisCoordination
import RakisCore

extension SimulatedNode {
    /// The node goes down: what it had under way in memory is lost, its stores stay.
    func crash(now: Int64) {
        isUp = false
        downSince = now
        generation += 1
        waiting = [:]
        inferencesUnderWay = []
        verificationsQueued = []
        passDueAt = nil
        freeWorkers = workload.configuration.work.llmWorkers
    }

    /// The node comes (back) up and resumes from its stores as a restarted node does: requests
    /// still open that it has no result for go back to its LLM workers, a scheduler pass finds
    /// where every quorum stands, and the time it was down is its `ListeningGap`.
    func restart(now: Int64, effects: inout [NodeEffect]) throws {
        isUp = true
        // A node joining for the first time heard nothing before either.
        listeningGaps.append(ListeningGap(from: downSince.map(Workload.date), until: Workload.date(now)))
        embeddingBusyUntil = now
        if strategy.runsInferences {
            for (requestId, endingAt) in endings.sorted(by: { $0.key < $1.key }) where endingAt > now {
                if answers(requestId), try stores.results(requestId: requestId).isEmpty { waiting[requestId] = endingAt }
            }
            startInferences(now: now, effects: &effects)
        }
        if runsScheduler { schedulePass(at: now, effects: &effects) }
    }

    /// The node's network is gone; it runs on and notices at once, as `ListeningTracker` does
    /// from its transports' status.
    func wentOffline(now: Int64) {
        offlineSince = now
    }

    /// Its network is back: the stretch is a `ListeningGap`, and a scheduler pass looks again at
    /// every quorum it may concern.
    func cameOnline(now: Int64, effects: inout [NodeEffect]) {
        guard let since = offlineSince else { return }
        offlineSince = nil
        listeningGaps.append(ListeningGap(from: Workload.date(since), until: Workload.date(now)))
        if isUp, runsScheduler { schedulePass(at: now, effects: &effects) }
    }
}
