import Foundation

extension SimulationReport {
    /// The report in a few lines for a terminal.
    public var summary: [String] {
        let c = configuration
        let honest = strategies[.honest] ?? 0
        let adversaries: [String] = strategies.filter { $0.key != .honest }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        let agreedNodeRequests = Double(requests.map(\.honestAgreed).reduce(0, +))
        let agreedShare: Double = requests.isEmpty ? 0 : agreedNodeRequests / Double(requests.count * max(1, honest))
        let who: String = adversaries.isEmpty ? "" : ", " + adversaries.joined(separator: ", ")
        var lines: [String] = []
        lines.append("\(c.nodes) nodes (\(honest) honest\(who)), \(c.requests) requests, seed \(c.seed)")
        lines.append("security frame: quorum \(c.quorum), maxTimeMs \(c.maxTimeMs), secDistance \(Self.number(c.secDistance)), "
            + "secPercentage \(Self.number(c.secPercentage)); temperature \(Self.number(c.temperature))")
        let cut: String = c.network.partition.map { ", partition \($0.lowerBound)–\($0.upperBound) ms" } ?? ""
        lines.append("network: latency median \(Self.number(c.network.medianLatencyMs)) ms (spread \(Self.number(c.network.latencySpread))), "
            + "loss \(Self.number(c.network.loss))\(cut)")
        let churn = c.churn
        if churn.crashes + churn.leaves + churn.joins > 0 {
            lines.append("churn: \(Self.number(churn.crashes * 100))% crash and restart after \(churn.downtimeMs) ms, "
                + "\(Self.number(churn.leaves * 100))% leave, \(Self.number(churn.joins * 100))% join")
        }
        if churn.outages > 0 {
            lines.append("outages: \(Self.number(churn.outages * 100))% lose their network for \(churn.downtimeMs) ms while running")
        }
        lines.append("consensus: \(requestsAgreed) of \(requests.count) requests agreed, \(disagreements) with honest nodes selecting different outputs "
            + "(\(divergentMemberships) computed over different members), \(wrongResults) with a wrong answer selected; " + String(format: "%.1f%% of honest node-requests reached consensus", agreedShare * 100))
        lines.append("time from endingAt to consensus: median \(Self.milliseconds(consensusDelayMedianMs)), 99th percentile \(Self.milliseconds(consensusDelayP99Ms))")
        lines.append(String(
            format: "traffic per node per request: %.1f packets and %.1f kB received, %.2f packets sent", packetsReceivedPerNodePerRequest,
            bytesReceivedPerNodePerRequest / 1000, packetsSentPerNodePerRequest))
        let mesh = c.network.meshDegree.map { "a mesh of degree \($0), fan-out \(c.network.fanout)" } ?? "every node connected to every other"
        lines.append("gossip (" + mesh + "): " + String(
            format: "%.1f frames carried each packet sent, %.1f announcements of it, %.1f asks",
            framesPerBroadcast, announcementsPerBroadcast, asksPerBroadcast))
        let reasons: [String] = honestRejectionReasons.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }
        lines.append(String(
            format: "work per request: %.1f inferences, %.1f texts embedded to verify reveals", inferencesPerRequest, verificationEmbeddingsPerRequest)
            + (c.committeeShare.map { String(format: "; committee share %.4f (about %.1f nodes), %d commits refused from outside it", $0, $0 * Double(c.nodes), commitsRefusedOutsideCommittee) } ?? ""))
        lines.append("honest reveals rejected by honest nodes: \(honestRevealsRejected)" + (reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")"))
        lines.append("equivocations: \(equivocations), caught by honest nodes: \(equivocationsCaught)")
        let valid: [String] = adversariesAmongValid.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        lines.append("adversaries among the valid inferences: " + (valid.isEmpty ? "none" : valid.joined(separator: ", ")))
        let failures = Dictionary(requests.compactMap { $0.failure.map { ($0, 1) } }, uniquingKeysWith: +)
        if !failures.isEmpty {
            let listed: [String] = failures.sorted { $0.value > $1.value }.map { "\($0.key) (\($0.value) requests)" }
            lines.append("honest failures: " + listed.joined(separator: "; "))
        }
        lines.append("\(events) events over \(simulatedMs / 1000) s of simulated time; trace \(traceHash)")
        return lines
    }

    static func milliseconds(_ value: Int?) -> String { value.map { "\($0) ms" } ?? "–" }

    static func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
