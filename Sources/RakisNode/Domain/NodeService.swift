import RakisCore
import ServiceLifecycle

/// The node as a service of its group, after its intake and transports. Its loops (intake's
/// events, the embedding queue's outcomes, the quorum scheduler's timer, the engines' events,
/// the chain identity file) are child tasks of `run()`. A graceful shutdown drains the queues
/// and closes the stores; a cancellation (a killed process, in the devnet) abandons the node
/// where it stands.
struct NodeService: Service {
    let node: RakisNode

    func run() async throws {
        let subscriptions: RakisNode.Subscriptions
        do {
            subscriptions = try await node.start()
        } catch {
            node.readiness.fail(error)
            await node.abandon()
            throw error
        }
        node.readiness.succeed()
        // A `rakis chain bind` while the node runs is announced at once.
        let watch = FileChangeWatch(directory: node.dataDirectory.url, fileName: ChainIdentityFile.fileName)
        await withDiscardingTaskGroup { outer in
            // Ends with its subscription, between two events: a packet being filed is filed.
            outer.addTask { await node.route(subscriptions.packets.events) }
            await withDiscardingTaskGroup { group in
                group.addTask { await node.scheduler.run() }
                group.addTask { await node.followTransports() }
                addChainLoops(to: &group)
                group.addTask { await node.runDVM() }
                group.addTask { await node.inferenceQueue.follow(subscriptions.llmWorkers) }
                group.addTask { await node.embeddingQueue.follow(subscriptions.embeddingWorkers) }
                if let watch {
                    group.addTask { for await _ in watch.changes { try? await node.announceChainIdentities() } }
                }
                group.addTask {
                    do {
                        try await gracefulShutdown()
                        await node.drain()
                    } catch {
                        await node.abandon()
                    }
                    watch?.stop()
                    subscriptions.packets.end()
                }
                // Ends once the node drained or was abandoned: what the embedding queue finished
                // is still committed or decided before the node halts.
                await node.route(node.outcomes.stream)
                group.cancelAll()
            }
        }
        // Only once no loop files anything more do the stores close.
        await node.halt()
    }

    /// The chain layer's loops: attesting and reporting completed chain requests, proving
    /// equivocations, and each watcher with the requests it finds.
    private func addChainLoops(to group: inout DiscardingTaskGroup) {
        if !node.chains.watchers.isEmpty {
            let updates = node.quorumUpdates()
            let equivocations = node.chains.equivocations.subscribe()
            group.addTask {
                await withDiscardingTaskGroup { proofs in
                    for await equivocation in equivocations { proofs.addTask { await node.slashWhenDue(equivocation) } }
                }
            }
            group.addTask {
                await withDiscardingTaskGroup { reports in
                    for await update in updates where update.status == .completed && node.chains.watches(requestId: update.requestId) {
                        let requestId = update.requestId
                        await node.attest(requestId: requestId)
                        reports.addTask { await node.reportWhenDue(requestId: requestId) }
                    }
                }
            }
        }
        for watcher in node.chains.watchers {
            group.addTask { await node.reconcileReports(on: watcher) }
            group.addTask { await watcher.run() }
            group.addTask { for await request in watcher.requests { await node.chainRequestFound(request) } }
        }
    }
}
