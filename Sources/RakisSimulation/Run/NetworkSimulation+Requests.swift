import Foundation
import RakisCore

extension NetworkSimulation {
    /// Request number `number`: one of the evaluation set's prompts, from a node drawn at random,
    /// with the configured security frame.
    mutating func submit(_ number: Int, at now: Int64) {
        let origin = Int(random.next() % UInt64(nodes.count))
        let promptIndex = Int(random.next() % UInt64(workload.answers.prompts.count))
        let requestId = "sim-\(configuration.seed)-\(number)"
        let createdAt = Workload.date(now)
        let payload = payload(prompt: workload.answers.prompts[promptIndex].text, at: now)
        recorder.prompts[requestId] = promptIndex
        recorder.endings[requestId] = Workload.milliseconds(payload.endingAt)
        trace.record(requestId)
        send(.p2pInferenceRequest(P2PInferenceRequest(requestId: requestId, payload: payload, createdAt: createdAt)), from: origin, to: nil, at: now)
    }

    /// The report of a finished run, with the outcomes in the trace.
    mutating func report(endedAt: Int64) -> SimulationReport {
        let results = recorder.prompts.keys.sorted { $0.localizedStandardCompare($1) == .orderedAscending }.map(requestResult)
        for result in results { trace.record("\(result.requestId) \(result.honestAgreed) \(result.distinctOutputs) \(result.distinctJointHashes) \(result.correct)") }
        let delays = recorder.finishes.flatMap { requestId, finishes in
            finishes.compactMap { finish -> Int64? in
                guard case .agreed = finish.outcome, let ending = recorder.endings[requestId] else { return nil }
                return finish.at - ending
            }
        }.sorted()
        let traffic = network.traffic
        let perNodeRequest = Double(max(1, nodes.count * configuration.requests))
        let broadcasts = Double(max(1, traffic.map(\.packetsSent).reduce(0, +)))
        let validFrom = Set(recorder.finishes.values.joined().flatMap { finish -> [String] in
            guard case .agreed(_, _, _, let valid) = finish.outcome else { return [] }
            return valid
        })
        return SimulationReport(
            configuration: configuration, strategies: Dictionary(nodes.map { ($0.strategy, 1) }, uniquingKeysWith: +), requests: results,
            consensusDelayMedianMs: Self.percentile(delays, 0.5), consensusDelayP99Ms: Self.percentile(delays, 0.99),
            packetsReceivedPerNodePerRequest: Double(traffic.map(\.packetsReceived).reduce(0, +)) / perNodeRequest,
            bytesReceivedPerNodePerRequest: Double(traffic.map(\.bytesReceived).reduce(0, +)) / perNodeRequest,
            packetsSentPerNodePerRequest: Double(traffic.map(\.packetsSent).reduce(0, +)) / perNodeRequest,
            framesPerBroadcast: Double(traffic.map(\.framesSent).reduce(0, +)) / broadcasts,
            announcementsPerBroadcast: Double(traffic.map(\.announcementsSent).reduce(0, +)) / broadcasts,
            asksPerBroadcast: Double(traffic.map(\.asksSent).reduce(0, +)) / broadcasts,
            inferencesPerRequest: Double(nodes.map(\.inferencesRun).reduce(0, +)) / Double(configuration.requests),
            verificationEmbeddingsPerRequest: Double(nodes.map(\.textsVerified).reduce(0, +)) / Double(configuration.requests),
            commitsRefusedOutsideCommittee: recorder.refusedOutsideCommittee,
            honestRevealsRejected: recorder.honestRejections, firstHonestRejection: recorder.firstHonestRejection,
            honestRejectionReasons: recorder.honestRejectionReasons,
            equivocations: recorder.equivocations.count, equivocationsCaught: recorder.equivocations.intersection(recorder.caught).count,
            adversariesAmongValid: Dictionary(nodes.filter { validFrom.contains($0.synthientId) && $0.strategy != .honest }.map { ($0.strategy, 1) }, uniquingKeysWith: +), events: events, simulatedMs: endedAt, traceHash: trace.finalize())
    }

    private func requestResult(_ requestId: String) -> SimulationReport.RequestResult {
        let prompt = workload.answers.prompts[recorder.prompts[requestId] ?? 0]
        let honestOutputs = Set(prompt.honest.values.joined().map(\.output))
        var hashes: Set<String> = []
        var outputs: Set<String> = []
        var correct = true
        var failures: [String: Int] = [:]
        for finish in recorder.finishes[requestId] ?? [] {
            switch finish.outcome {
            case .agreed(let jointHash, let output, _, _):
                hashes.insert(jointHash)
                outputs.insert(output)
                if !honestOutputs.contains(output) { correct = false }
            case .failed(let reason):
                failures[Self.kind(of: reason), default: 0] += 1
            }
        }
        return SimulationReport.RequestResult(
            requestId: requestId, prompt: prompt.text, honestNodes: honestIds.count, honestAgreed: (recorder.finishes[requestId] ?? []).count - failures.values.reduce(0, +),
            distinctOutputs: outputs.count, distinctJointHashes: hashes.count, correct: correct, failure: failures.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key)
    }

    /// A failure reason without its figures and times, to count alike ones together.
    static func kind(of reason: String) -> String {
        let cut = reason.range(of: " by ").map { String(reason[..<$0.lowerBound]) } ?? String(reason.prefix { $0 != ":" })
        return String(cut.map { $0.isNumber ? "N" : $0 }).replacingOccurrences(of: "NN", with: "N").replacingOccurrences(of: "NN", with: "N")
    }

    static func percentile(_ sorted: [Int64], _ share: Double) -> Int? {
        guard !sorted.isEmpty else { return nil }
        return Int(sorted[min(sorted.count - 1, Int((share * Double(sorted.count)).rounded(.up)) - 1)])
    }
}

extension NetworkSimulation {
    /// Crashes, departures and arrivals, each on nodes drawn at random at a time drawn between the
    /// first request and the last.
    mutating func scheduleChurn() {
        let churn = configuration.churn
        var order = Array(nodes.indices)
        order.shuffle(using: &random)
        var next = 0
        let span = UInt64(max(1, configuration.lastRequestAt))
        func draw(_ share: Double) -> [Int] {
            let count = min(order.count - next, Int((share * Double(nodes.count)).rounded()))
            defer { next += count }
            return Array(order[next..<next + count])
        }
        for node in draw(churn.crashes) {
            let at = Int64(random.next() % span)
            queue.schedule(.down(node: node), at: at)
            queue.schedule(.up(node: node), at: at + Int64(churn.downtimeMs))
        }
        for node in draw(churn.leaves) { queue.schedule(.down(node: node), at: Int64(random.next() % span)) }
        for node in draw(churn.joins) {
            queue.schedule(.down(node: node), at: 0)
            queue.schedule(.up(node: node), at: Int64(random.next() % span))
        }
        for node in draw(churn.outages) {
            let at = Int64(random.next() % span)
            queue.schedule(.offline(node: node), at: at)
            queue.schedule(.online(node: node), at: at + Int64(churn.downtimeMs))
        }
    }

    /// A spammer's request: a prompt drawn at random, the configured frame; the next follows
    /// `spamIntervalMs` later while the real requests go on.
    mutating func spam(_ number: Int, from spammer: Int, at now: Int64) {
        guard nodes[spammer].isUp else { return }
        let prompt = workload.answers.prompts[Int(random.next() % UInt64(workload.answers.prompts.count))]
        let requestId = "spam-\(spammer)-\(number)"
        send(.p2pInferenceRequest(P2PInferenceRequest(requestId: requestId, payload: payload(prompt: prompt.text, at: now), createdAt: Workload.date(now))),
             from: spammer, to: nil, at: now)
        let next = now + Int64(configuration.spamIntervalMs)
        if next <= Int64(configuration.lastRequestAt) { queue.schedule(.spam(node: spammer, number: number + 1), at: next) }
    }

    /// A request's payload with the configured security frame.
    func payload(prompt: String, at now: Int64) -> InferenceRequestPayload {
        InferenceRequestPayload(
            fromChain: "p2p", blockNumber: 0, createdAt: Workload.date(now), prompt: prompt,
            acceptedModels: ["simulated"], temperature: configuration.temperature, maxTokens: 48,
            securityFrame: SecurityFrame(
                quorum: configuration.quorum, maxTimeMs: configuration.maxTimeMs, secDistance: configuration.secDistance,
                secPercentage: configuration.secPercentage, embeddingModel: "all-MiniLM-L6-v2", committeeShare: configuration.committeeShare))
    }
}
