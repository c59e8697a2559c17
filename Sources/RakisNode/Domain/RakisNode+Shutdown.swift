import Foundation
import Logging

/// Ending a node: cleanly (SIGINT, SIGTERM) or as if its process died.
extension RakisNode {
    /// Stops taking work, gives running inferences `inferenceGrace` to finish (their results are
    /// stored and their embeddings queued), cuts short those still running (they are not
    /// recorded, so the next start runs them again), then stops the engines and transports and
    /// closes the stores. The grace is short so that SIGTERM ends the process within seconds.
    public func shutdown(inferenceGrace: Duration = .seconds(3)) async {
        guard phase != .stopped else { return }
        let wasRunning = phase == .running
        phase = .stopped
        if wasRunning {
            await inferenceQueue.close()
            if await !finishes(within: inferenceGrace, { await self.inferenceQueue.waitUntilIdle() }) {
                logger.warning("inferences still running at shutdown; stopping them (they run again on the next start)")
                await llm.shutdown()
                await inferenceQueue.waitUntilIdle()
            }
            await embeddingQueue.stop()
            _ = await finishes(within: .seconds(10)) { [embeddingQueue] in await embeddingQueue.waitUntilIdle() }
        }
        // What the embedding queue finished is still committed or decided before the node halts.
        outcomes.finish()
        if pumps.count > 1 { await pumps[1].value }
        await scheduler.halt()
        await p2p.shutdown()
        for pump in pumps { await pump.value }
        await llm.shutdown()
        await embeddings.shutdown()
        do { try stores.close() } catch {
            logger.error("cannot close the coordination store", metadata: ["error": "\(error)"])
        }
        logger.info("node stopped", metadata: ["synthientId": "\(identity.synthientId)"])
    }

    /// Tears the node down without a shutdown, as if its process were killed: it drops off the
    /// network and stops acting at once, recording nothing more. For fault injection in tests
    /// and the devnet; a new node on the same data directory then resumes from the stores.
    public func abandon() async {
        guard phase != .stopped else { return }
        phase = .stopped
        await scheduler.halt()
        await inferenceQueue.close()
        await embeddingQueue.stop()
        for pump in pumps { pump.cancel() }
        outcomes.finish()
        await p2p.disconnect()
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
