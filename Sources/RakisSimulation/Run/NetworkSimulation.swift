import Foundation
import RakisCore

/// A deterministic discrete-event simulation of a rakis network: N nodes running the real
/// coordination stores, quorum steps, reveal checks and cluster consensus on simulated time and
/// a simulated network, with model work replaced by the evaluation set's answers and modelled
/// timings. One task runs every event in order of time (ties in the order they were scheduled),
/// so the same configuration and seed always give the same trace hash.
public struct NetworkSimulation {
    public let configuration: SimulationConfiguration
    let workload: Workload
    var nodes: [SimulatedNode] = []
    var queue = EventQueue<SimulationEvent>()
    var network: SimulatedNetwork
    var recorder = SimulationRecorder()
    var trace = TraceHash()
    var random: SeededRandom
    var packetsSent = 0
    var events = 0
    var honestIds: Set<String> = []

    public init(_ configuration: SimulationConfiguration, answers: Answers) throws(SimulationError) {
        if let problem = configuration.problem { throw .invalidConfiguration(problem) }
        self.configuration = configuration
        workload = Workload(configuration: configuration, answers: answers)
        network = SimulatedNetwork(model: configuration.network, nodes: configuration.nodes, seed: configuration.seed)
        random = SeededRandom(seed: configuration.seed)
        let strategies = Self.assign(configuration, random: &random)
        for index in 0..<configuration.nodes {
            nodes.append(try SimulatedNode(index: index, strategy: strategies[index], workload: workload, seed: configuration.seed))
        }
        honestIds = Set(nodes.filter { $0.strategy == .honest }.map(\.synthientId))
        for request in 0..<configuration.requests { queue.schedule(.submit(request), at: Int64(request * configuration.requestIntervalMs)) }
        scheduleChurn()
        for node in nodes where node.strategy == .spammer { queue.schedule(.spam(node: node.index, number: 0), at: 0) }
    }

    /// Each strategy's share of the nodes, rounded, on nodes drawn at random; the rest honest.
    static func assign(_ configuration: SimulationConfiguration, random: inout SeededRandom) -> [NodeStrategy] {
        var order = Array(0..<configuration.nodes)
        order.shuffle(using: &random)
        var strategies = [NodeStrategy](repeating: .honest, count: configuration.nodes)
        var next = 0
        for (strategy, share) in configuration.adversaries.sorted(by: { $0.key < $1.key }) where strategy != .honest {
            for _ in 0..<Int((share * Double(configuration.nodes)).rounded()) where next < order.count {
                strategies[order[next]] = strategy
                next += 1
            }
        }
        return strategies
    }

    /// Runs every event on the calling thread; `progress` hears the simulated time and the events so far.
    public mutating func run(progress: ((_ simulatedMs: Int64, _ events: Int) -> Void)? = nil) throws(SimulationError) -> SimulationReport {
        var now: Int64 = 0
        while let (at, event) = queue.next() {
            now = at
            events += 1
            if events.isMultiple(of: 100_000) { progress?(now, events) }
            do { try handle(event, at: now) } catch let error as SimulationError { throw error } catch {
                throw .storeFailed(node: event.node, reason: "\(error)")
            }
        }
        return report(endedAt: now)
    }

    private mutating func handle(_ event: SimulationEvent, at now: Int64) throws {
        var packetId = -1
        var effects: [NodeEffect] = []
        let node = event.node >= 0 ? nodes[event.node] : nil
        switch event {
        case .submit(let number): submit(number, at: now)
        case .deliver(let receiver, let packet):
            packetId = packet.id
            if packet.targeted {
                guard nodes[receiver].passedOn.insert(packet.id).inserted else { break }
                if nodes[receiver].strategy == .honest { passOn(packet, from: receiver, at: now) }
            }
            try node?.receive(packet, now: now, effects: &effects)
        case .pass: try node?.pass(now: now, effects: &effects)
        case .inferenceDone(_, let requestId): try node?.inferenceDone(requestId, now: now, effects: &effects)
        case .verified(_, let requestId): try node?.verified(requestId, now: now, effects: &effects)
        case .send(let sender, let packet, let receivers, let generation):
            if nodes[sender].isUp && nodes[sender].generation == generation { send(packet, from: sender, to: receivers, at: now) }
        case .copyAttempt(_, let requestId): node?.copyAttempt(requestId, now: now, effects: &effects)
        case .down: node?.crash(now: now)
        case .up: try node?.restart(now: now, effects: &effects)
        case .offline(let index):
            network.offline.insert(index)
            node?.wentOffline(now: now)
        case .online(let index):
            network.offline.remove(index)
            node?.cameOnline(now: now, effects: &effects)
        case .spam(let spammer, let number): spam(number, from: spammer, at: now)
        }
        trace.record(at: now, code: event.code, node: event.node, packet: packetId)
        if let node { apply(effects, of: node, at: now) }
    }

    private mutating func apply(_ effects: [NodeEffect], of node: SimulatedNode, at now: Int64) {
        for effect in effects {
            recorder.record(effect, by: node, honest: honestIds, at: now)
            switch effect {
            case .broadcast(let packet): send(packet, from: node.index, to: nil, at: now)
            case .broadcastAs(let packet, let signer): send(packet, from: node.index, signedBy: signer, to: nil, at: now)
            case .sendLater(let packet, let at, let receivers):
                queue.schedule(.send(node: node.index, packet: packet, to: receivers, generation: node.generation), at: max(at, now))
            case .pass(let at): queue.schedule(.pass(node: node.index), at: at)
            case .inferenceDone(let requestId, let at): queue.schedule(.inferenceDone(node: node.index, requestId: requestId), at: at)
            case .verified(let requestId, let at): queue.schedule(.verified(node: node.index, requestId: requestId), at: at)
            case .copyAttempt(let requestId, let at): queue.schedule(.copyAttempt(node: node.index, requestId: requestId), at: at)
            case .rejected, .caughtEquivocator, .finished, .refusedOutsideCommittee: break
            }
        }
    }

    mutating func send(_ packet: Packet, from sender: Int, signedBy signer: String? = nil, to receivers: [Int]?, at now: Int64) {
        packetsSent += 1
        let simulated = SimulatedPacket(
            id: packetsSent, sender: sender, synthientId: signer ?? nodes[sender].synthientId, packet: packet, targeted: receivers != nil)
        let arrivals = if let receivers { network.deliveries(of: simulated, from: sender, at: now, to: receivers) } else { network.broadcast(of: simulated, from: sender, at: now) }
        for (receiver, at) in arrivals {
            queue.schedule(.deliver(node: receiver, packet: simulated), at: at)
        }
    }

    /// An honest node passes a packet that was sent to some nodes only on to every other node.
    private mutating func passOn(_ packet: SimulatedPacket, from node: Int, at now: Int64) {
        let others = nodes.indices.filter { $0 != node && $0 != packet.sender }
        for (receiver, at) in network.deliveries(of: packet, from: node, at: now, to: others) {
            queue.schedule(.deliver(node: receiver, packet: packet), at: at)
        }
    }
}
