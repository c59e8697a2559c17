import Testing

@testable import RakisSimulation

/// The invariants the protocol promises honest nodes, on a network with 40 % adversaries of two
/// mixes (the CI configuration of `rakis simulate`; `make simulate` runs the large ones).
extension NetworkSimulationTests {
    static let mixes: [[NodeStrategy: Double]] = [
        [.liar: 0.2, .withholder: 0.1, .lateRevealer: 0.1],
        [.colluder: 0.2, .equivocator: 0.1, .copier: 0.1],
    ]

    @Test(arguments: mixes) func honestNodesAgreeAndCatchEveryCheat(adversaries: [NodeStrategy: Double]) async throws {
        let configuration = SimulationConfiguration(nodes: 30, requests: 5, seed: 21, adversaries: adversaries)
        let report = try await NetworkSimulationTests.run(configuration)
        #expect(report.requests.count == 5)
        #expect(report.requestsAgreed == 5, "\(report.summary.joined(separator: "\n"))")
        #expect(report.disagreements == 0)
        #expect(report.honestRevealsRejected == 0, "\(report.firstHonestRejection ?? "")")
        #expect(report.equivocations == report.equivocationsCaught)
        if adversaries[.equivocator] != nil { #expect(report.equivocations > 0) }
        // Those who did not reveal their own committed output in time never count.
        for strategy in [NodeStrategy.copier, .withholder, .lateRevealer, .equivocator] {
            #expect(report.adversariesAmongValid[strategy] == nil, "\(strategy) among the valid inferences")
        }
    }
}

extension NetworkSimulationTests {
    /// Crashes with restarts from the stores, Sybils committing from many identities and a
    /// spammer's requests slow the honest nodes down but never split them.
    @Test func churnSybilsAndSpamNeverSplitTheHonestNodes() async throws {
        let configuration = SimulationConfiguration(
            nodes: 20, requests: 4, seed: 5, churn: ChurnModel(crashes: 0.2, downtimeMs: 10_000), adversaries: [.sybil: 0.1, .spammer: 0.05])
        let report = try await NetworkSimulationTests.run(configuration)
        #expect(report.requestsAgreed == 4, "\(report.summary.joined(separator: "\n"))")
        #expect(report.disagreements == 0)
        // Nor over different members: a restarted node that may have missed packets leaves the
        // result to the others (`MissedPackets`).
        #expect(report.divergentMemberships == 0, "\(report.summary.joined(separator: "\n"))")
        #expect(report.wrongResults == 0)
        #expect(report.adversariesAmongValid.isEmpty)
        // Sybils' commits name members that never reveal: consensus waits for the reveal window.
        #expect((report.consensusDelayMedianMs ?? 0) >= configuration.quorumRevealTimeoutMs)
    }
}

extension NetworkSimulationTests {
    /// With committees of about four times the quorum, the members decide and the other nodes take
    /// the result `quorum` members report alike: every honest node still ends with the same
    /// answer, far fewer nodes run inferences, and liars outside the committee are refused.
    @Test func committeesDecideForEveryoneAndRefuseOutsiders() async throws {
        var configuration = SimulationConfiguration(nodes: 60, requests: 3, seed: 8, adversaries: [.liar: 0.2])
        configuration.committeeFactor = 4
        let report = try await NetworkSimulationTests.run(configuration)
        #expect(report.requestsAgreed == 3, "\(report.summary.joined(separator: "\n"))")
        #expect(report.requests.allSatisfy { $0.honestAgreed == report.strategies[.honest] }, "\(report.requests)")
        #expect(report.disagreements == 0 && report.wrongResults == 0)
        #expect(report.commitsRefusedOutsideCommittee > 0)
        // About 12 members answer (and the liars, who try anyway), not all 60 nodes.
        #expect(report.inferencesPerRequest < 30)
    }
}

extension NetworkSimulationTests {
    /// Nodes that lose their network for a while and keep running record the stretch as a
    /// listening gap, as the real node does from its transports' status, and leave the requests
    /// they may have missed packets of to the others. Without that, 2 of these 4 requests are
    /// decided over different members.
    @Test func nodesCutOffWhileRunningNeverDecideOverOtherMembers() async throws {
        let configuration = SimulationConfiguration(nodes: 20, requests: 4, seed: 2, churn: ChurnModel(downtimeMs: 10_000, outages: 0.3))
        let report = try await NetworkSimulationTests.run(configuration)
        let summary = report.summary.joined(separator: "\n")
        #expect(report.disagreements == 0 && report.wrongResults == 0, "\(summary)")
        #expect(report.divergentMemberships == 0, "\(summary)")
        #expect(summary.contains("missed packets while not listening"), "the step engaged: \(summary)")
    }
}
