import Foundation
import RakisCore
import RakisTestSupport
import Testing

/// Nodes killed with SIGKILL at random moments of a request's life (inference, embedding,
/// between commit and reveal, during consensus, mid-write) and started again on their data
/// directories. Whatever each kill interrupted: every request ends with one result on every
/// node that completes it, or fails with a stated reason; no node is ever seen signing two
/// different commits or reveals for one request; every store passes `PRAGMA integrity_check`.
/// `make chaos` runs this with RAKIS_CHAOS_KILLS=50; RAKIS_CHAOS_SEED replays a run.
@Suite(.serialized) struct ChaosTests {
    static let prompts = ["Name a colour.", "Name a planet.", "Name a fruit.", "Name an ocean.", "Name a metal.", "Name a river."]
    static let windowSeconds = 8
    /// Milliseconds after the request is sent (its window is 8 s).
    static let killStretches = [50...1_500, 1_500...8_000, 8_000...9_500, 9_500...11_000]

    @Test func nodesKilledAtRandomMomentsAgreeNeverEquivocateAndKeepSoundStores() async throws {
        let environment = ProcessInfo.processInfo.environment
        let kills = Int(environment["RAKIS_CHAOS_KILLS"] ?? "") ?? 4
        let seed = UInt64(environment["RAKIS_CHAOS_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var random = SeededRandom(seed: seed)
        let network = try await ThreeNodeRelayNetwork()
        var requests: [String] = []
        var phases: [String: Int] = [:]
        do {
            for kill in 0..<kills {
                let victim = Int.random(in: 0..<3, using: &random)
                let sender = (victim + Int.random(in: 1...2, using: &random)) % 3
                let requestId = try await network.submit(to: sender, prompt: Self.prompts[kill % Self.prompts.count], seconds: Self.windowSeconds)
                requests.append(requestId)
                // One of four stretches of the request's life, chosen evenly so that the short
                // ones are hit too: inference and embedding, the rest of the commit window, the
                // reveals and consensus just after it closes, and after.
                let stretch = Self.killStretches[Int.random(in: 0..<Self.killStretches.count, using: &random)]
                try await Task.sleep(for: .milliseconds(Int.random(in: stretch, using: &random)))
                let log = network.kill(victim)
                phases[ThreeNodeRelayNetwork.phase(of: requestId, in: log), default: 0] += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...1_500, using: &random)))
                try await network.restart(victim)
            }
            let outcome = try await Self.outcomes(of: requests, on: network)
            print("chaos: \(kills) kills (RAKIS_CHAOS_SEED=\(seed)); killed \(phases.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")); \(outcome.summary)")
            #expect(outcome.disagreements.isEmpty, "seed \(seed): \(outcome.disagreements)")
            #expect(outcome.unexplainedFailures.isEmpty, "seed \(seed): \(outcome.unexplainedFailures)")
            #expect(outcome.completed > 0, "seed \(seed): no request reached consensus anywhere; \(outcome.summary)")
            for index in 0..<3 {
                let equivocating = try await network.peers(index).filter { ($0["equivocations"] as? Int ?? 0) > 0 }
                #expect(equivocating.isEmpty, "seed \(seed): node \(index) saw equivocation by \(equivocating)")
            }
        } catch {
            await network.stop()
            Issue.record("seed \(seed), after \(requests.count) requests: \(error)")
            return
        }
        await network.stop()
        let corrupt = try await network.corruptStores()
        #expect(corrupt.isEmpty, "seed \(seed): \(corrupt)")
    }

    struct Outcome {
        var completed = 0
        var failed = 0
        var unknown = 0
        var disagreements: [String] = []
        var unexplainedFailures: [String] = []
        mutating func add(_ other: Outcome) {
            completed += other.completed
            failed += other.failed
            unknown += other.unknown
            disagreements += other.disagreements
            unexplainedFailures += other.unexplainedFailures
        }

        var summary: String { "\(completed) node-views of consensus, \(failed) of failure (each with its reason), \(unknown) of a request the node never heard of" }
    }

    /// Waits (two minutes at most) until every node that knows each request has finished it,
    /// then compares what they finished with.
    static func outcomes(of requests: [String], on network: ThreeNodeRelayNetwork) async throws -> Outcome {
        var outcome = Outcome()
        for requestId in requests {
            var results: Set<String> = []
            var views: [String] = []
            for index in 0..<3 {
                var detail = try await network.detail(index, requestId)
                let deadline = ContinuousClock.now + .seconds(120)
                while let status = detail?["status"] as? String, status != "completed", status != "failed", ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(500))
                    detail = try await network.detail(index, requestId)
                }
                guard let detail, let status = detail["status"] as? String else {
                    outcome.unknown += 1
                    continue
                }
                let consensus = detail["consensus"] as? [String: Any]
                views.append("node \(index): \(view(detail))")
                if status == "completed", consensus?["succeeded"] as? Bool == true {
                    outcome.completed += 1
                    results.insert("\(consensus?["selectedOutput"] as? String ?? "?") | \(consensus?["validInferenceJointHash"] as? String ?? "?")")
                } else {
                    outcome.failed += 1
                    let reason = (consensus?["failureReason"] as? String) ?? (detail["statusReason"] as? String) ?? ""
                    if reason.isEmpty { outcome.unexplainedFailures.append("\(requestId) on node \(index): \(status) without a reason") }
                }
            }
            if results.count > 1 { outcome.disagreements.append("\(requestId): \(results.sorted()); \(views.joined(separator: "; "))") }
        }
        return outcome
    }

    /// What a node saw of a request, for a disagreement's message: whose commits and reveals it
    /// took and when (with a rejection's reason), whom its consensus counted, and when.
    static func view(_ detail: [String: Any]) -> String {
        func short(_ value: Any?) -> String { String((value as? String ?? "?").prefix(8)) }
        func time(_ value: Any?) -> String { String((value as? String ?? "?").dropFirst(11).prefix(12)) }
        let commits = (detail["commits"] as? [[String: Any]] ?? []).map { "\(short($0["synthientId"]))@\(time($0["receivedAt"]))" }
        let reveals = (detail["reveals"] as? [[String: Any]] ?? []).map {
            "\(short($0["synthientId"]))@\(time($0["receivedAt"]))" + (($0["rejectReason"] as? String).map { " rejected: \($0)" } ?? "")
        }
        let consensus = detail["consensus"] as? [String: Any]
        let members = { (key: String) in (consensus?[key] as? [[String: Any]] ?? []).map { short($0["synthientId"]) } }
        return "commits \(commits), reveals \(reveals), submitted \(members("submitted")), valid \(members("valid")), computed \(time(consensus?["computedAt"]))"
    }
}
