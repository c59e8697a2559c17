import Foundation
import RakisTestSupport
import Testing

/// `make soak`: three nodes on a stock relay, one request every 2 s for RAKIS_SOAK_MINUTES
/// (30 by default there). Every request completes on every node; after the first third of the
/// run, resident memory grows by less than 10 %, and open descriptors and SQLite sizes stay flat.
/// The nodes keep 100 ended requests and 1,000 packets (not the defaults' 1,000 and 5,000, which
/// a 30-minute soak would not fill), so that both stores reach their bounds during warm-up.
@Suite(.serialized) struct SoakTests {
    static let minutes = ProcessInfo.processInfo.environment["RAKIS_SOAK_MINUTES"].flatMap(Double.init)

    @Test(.enabled(if: minutes != nil, "make soak runs it (RAKIS_SOAK_MINUTES)"))
    func threeNodesServeARequestEveryTwoSecondsOnFlatResources() async throws {
        let minutes = try #require(Self.minutes)
        let network = try await ThreeNodeRelayNetwork(extra: ["--set", "maxStoredRequests=100", "--set", "maxPacketDBSize=1000"])
        var requests: [String] = []
        var samples: [(minute: Double, nodes: [ThreeNodeRelayNetwork.Resources])] = []
        do {
            let start = ContinuousClock.now
            let count = Int(minutes * 30)
            // Each request is checked 20 s after it was sent, when it has ended and is still among
            // the newest the nodes keep (they prune beyond 100).
            var outcome = ChaosTests.Outcome()
            for index in 0..<count {
                requests.append(try await network.submit(to: index % 3, prompt: ChaosTests.prompts[index % ChaosTests.prompts.count], seconds: 10))
                if index % 15 == 0 { samples.append((Double(index) / 30, (0..<3).map(network.resources))) }
                if index >= 10 { outcome.add(try await ChaosTests.outcomes(of: [requests[index - 10]], on: network)) }
                try await Task.sleep(until: start + .seconds(2 * (index + 1)))
            }
            outcome.add(try await ChaosTests.outcomes(of: Array(requests.suffix(10)), on: network))
            samples.append((minutes, (0..<3).map(network.resources)))
            print("soak: \(requests.count) requests in \(minutes) min; \(outcome.summary)")
            for sample in samples {
                print(String(format: "soak: %5.1f min  ", sample.minute) + sample.nodes.map { "rss \($0.residentKB / 1024) MB fds \($0.descriptors) sqlite \($0.sqliteBytes / 1024) KB" }.joined(separator: " | "))
            }
            #expect(outcome.completed == 3 * requests.count, "\(outcome.summary)")
            #expect(outcome.disagreements.isEmpty, "\(outcome.disagreements)")
            let warm = samples[max(1, samples.count / 3)], last = samples[samples.count - 1]
            for node in 0..<3 {
                let (before, after) = (warm.nodes[node], last.nodes[node])
                #expect(Double(after.residentKB) < 1.1 * Double(before.residentKB), "node \(node): resident memory \(before.residentKB) KB → \(after.residentKB) KB")
                #expect(after.descriptors <= before.descriptors + 4, "node \(node): descriptors \(before.descriptors) → \(after.descriptors)")
                #expect(Double(after.sqliteBytes) < 1.1 * Double(before.sqliteBytes) + 1_048_576, "node \(node): SQLite \(before.sqliteBytes) → \(after.sqliteBytes) bytes")
            }
        } catch {
            await network.stop()
            throw error
        }
        await network.stop()
    }
}
