import CoreMetrics
import Foundation
import Logging
import Metrics
import Prometheus
import RakisCore
import RakisNode
import Synchronization

/// The node's metrics through swift-metrics, kept in a Prometheus registry of its own (not the
/// process-wide `MetricsSystem`, so that several nodes in one process keep separate figures).
/// Counters follow the packet feed as it happens; gauges are read from the node at each scrape.
final class NodeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let node: RakisNode
    private let tokensCounted = Mutex(0)

    init(node: RakisNode) {
        self.node = node
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultValueHistogramBuckets = [1, 5, 10, 20, 40, 80, 160, 320]
        self.factory = factory
    }

    /// Counts a stored packet in or out by type and transport; this node's `completed_inference`
    /// status packets also count its inferences, tokens and speed.
    func record(_ received: ReceivedPacket) {
        let own = received.deliveredThrough == nil
        CoreMetrics.Counter(
            label: "rakis_packets_total",
            dimensions: [("direction", own ? "out" : "in"), ("type", received.type.rawValue),
                         ("transport", received.deliveredThrough ?? "all")],
            factory: factory
        ).increment()
        guard own, case .peerStatusUpdate(let update) = received.packet,
              case .completedInference(let tps, let model, let tokens) = update.status else { return }
        CoreMetrics.Counter(label: "rakis_inferences_total", dimensions: [("model", model)], factory: factory).increment()
        // The status carries the node's running total; the counter grows by the difference.
        let added = tokensCounted.withLock { counted in
            defer { counted = max(counted, tokens) }
            return max(0, tokens - counted)
        }
        CoreMetrics.Counter(label: "rakis_tokens_total", factory: factory).increment(by: added)
        CoreMetrics.Recorder(label: "rakis_inference_tokens_per_second", dimensions: [("model", model)], aggregate: true, factory: factory)
            .record(tps)
    }

    /// The Prometheus text exposition, with the gauges read now.
    func scrape() async -> String {
        await recordGauges()
        return registry.emitToString()
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    private func recordGauges() async {
        let snapshot: NodeSnapshot
        do { snapshot = try await node.snapshot() } catch {
            // The scrape still answers with the counters; the gauges keep their last values.
            return
        }
        let queue = snapshot.embeddingQueue
        gauge("rakis_embedding_queue_length").record(queue.length)
        gauge("rakis_embedding_queue_in_flight").record(queue.inFlight)
        gauge("rakis_embedding_queue_dispatched").record(queue.dispatched)
        gauge("rakis_embedding_queue_wait_seconds_sum").record(queue.totalWaitSeconds)
        gauge("rakis_embedding_queue_expired").record(queue.expired)
        gauge("rakis_consensus_outcomes", [("outcome", "succeeded")]).record(snapshot.consensusSucceeded)
        gauge("rakis_consensus_outcomes", [("outcome", "failed")]).record(snapshot.consensusFailed)
        gauge("rakis_peers").record(snapshot.peers)
        gauge("rakis_packets_stored").record(snapshot.packetsStored)
        gauge("rakis_chain_identities_rejected").record(snapshot.rejectedChainIdentities)
        for chain in snapshot.chains {
            let name = [("chain", chain.watcher.name)]
            if let head = chain.watcher.head { gauge("rakis_chain_head_block", name).record(Int(clamping: head)) }
            if let lag = chain.watcher.headLag { gauge("rakis_chain_head_lag_blocks", name).record(Int(clamping: lag)) }
            gauge("rakis_chain_reachable", name).record(chain.watcher.lastError == nil && chain.watcher.chainId != nil ? 1 : 0)
            gauge("rakis_chain_requests_seen", name).record(chain.requestsSeen)
            gauge("rakis_chain_fulfils", name + [("outcome", "sent")]).record(chain.reports.sent)
            gauge("rakis_chain_fulfils", name + [("outcome", "won")]).record(chain.reports.won)
            gauge("rakis_chain_fulfils", name + [("outcome", "lost")]).record(chain.reports.lost)
            gauge("rakis_chain_gas_spent", name).record(Int(clamping: chain.reports.gasSpent))
        }
        gauge("rakis_dropped_over_backlog", [("queue", "intake")]).record(snapshot.intake.droppedOverBacklog)
        gauge("rakis_dropped_over_backlog", [("queue", "filer")]).record(snapshot.eventsDroppedOverBacklog)
        gauge("rakis_peers_pruned").record(snapshot.intake.prunedPeers)
        gauge("rakis_packets_not_filed", [("reason", "maxUnservedOpenRequests")]).record(snapshot.refusals.unservedRequestsOverLimit)
        gauge("rakis_packets_not_filed", [("reason", "unknownRequest")])
            .record(snapshot.refusals.revealsForUnknownRequests + snapshot.refusals.peerResultsForUnknownRequests)
        gauge("rakis_packets_not_filed", [("reason", "outsideCommittee")]).record(snapshot.refusals.commitsOutsideCommittee)
        for transport in snapshot.transports {
            gauge("rakis_transport_connected", [("transport", transport.name)]).record(transport.connected ? 1 : 0)
            for (counter, value) in transport.counters {
                gauge("rakis_transport_events", [("transport", transport.name), ("counter", counter)]).record(value)
            }
        }
        for kind in WorkerSnapshot.Kind.allCases {
            let models = kind == .llm ? snapshot.llmModels : snapshot.embeddingModels
            for model in models {
                for state in kind.states {
                    let count = snapshot.workers.filter { $0.kind == kind && $0.model == model && $0.state == state }.count
                    gauge("rakis_\(kind.rawValue)_workers", [("model", model), ("state", state)]).record(count)
                }
            }
        }
    }
}
