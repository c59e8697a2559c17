import Foundation
import Logging

/// Ending a node: cleanly (SIGINT, SIGTERM) or as if its process died.
extension RakisNode {
    /// The first half of a clean shutdown (SIGINT, SIGTERM): stops taking work, gives running
    /// inferences `inferenceGrace` to finish (their results are stored and their embeddings
    /// queued), cuts short those still running (they are not recorded, so the next start runs
    /// them again), lets the embedding queue wind down and ends its outcomes. The grace is
    /// short so that SIGTERM ends the process within seconds.
    func drain(inferenceGrace: Duration = .seconds(3)) async {
        guard phase == .running else { return }
        phase = .stopped
        graceful = true
        await inferenceQueue.close()
        if await !finishes(within: inferenceGrace, { await self.inferenceQueue.waitUntilIdle() }) {
            logger.warning("inferences still running at shutdown; stopping them (they run again on the next start)")
            await llm.shutdown()
            await inferenceQueue.waitUntilIdle()
        }
        await embeddingQueue.stop()
        _ = await finishes(within: .seconds(10)) { [embeddingQueue] in await embeddingQueue.waitUntilIdle() }
        outcomes.finish()
    }

    /// The second half, once the outcomes are routed: the scheduler halts, the engines stop
    /// and, after a clean shutdown, the stores close. The transports and intake stop after the
    /// node, as their services.
    func halt() async {
        await scheduler.halt()
        await llm.shutdown()
        await embeddings.shutdown()
        guard graceful else { return }
        do { try stores.close() } catch {
            logger.error("cannot close the coordination store", metadata: ["error": "\(error)"])
        }
        logger.info("node stopped", metadata: ["synthientId": "\(identity.synthientId)"])
    }

    /// Stops the node where it stands, as if its process were killed: it stops acting at once
    /// and records nothing more (its transports are cancelled with it). For fault injection in
    /// the devnet; a new node on the same data directory then resumes from the stores.
    func abandon() async {
        guard phase != .stopped else { return }
        phase = .stopped
        await scheduler.halt()
        await inferenceQueue.close()
        await embeddingQueue.stop()
        outcomes.finish()
        await llm.shutdown()
        await embeddings.shutdown()
    }

    /// Whether `work` finished within `limit`. Returns at the limit even when `work` ignores
    /// cancellation (as waiting for a running inference does); `work` then goes on by itself.
    private func finishes(within limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let (outcomes, outcome) = AsyncStream.makeStream(of: Bool.self)
        let worker = Task {
            await work()
            outcome.yield(true)
        }
        let timer = Task { [clock] in
            try? await clock.sleep(for: limit)
            outcome.yield(false)
        }
        var finished = false
        for await result in outcomes {
            finished = result
            break
        }
        timer.cancel()
        if !finished { worker.cancel() }
        return finished
    }
}
