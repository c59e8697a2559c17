import Foundation
import RakisTestSupport
import Testing

/// `rakis simulate` from the command line: a run prints its report and trace, the same options
/// print the same trace, and bad options are refused with what to write instead.
struct SimulateCommandLineTests {
    static let small = ["simulate", "--nodes", "6", "--requests", "2", "--seed", "5", "--adversary", "withholder=0.2"]

    @Test func aRunPrintsItsReportAndTheSameOptionsPrintTheSameTrace() async throws {
        let first = try await RakisProcess.run(Self.small)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("6 nodes (5 honest, 1 withholder), 2 requests, seed 5"), "\(first.stdout)")
        let trace = try #require(first.stdout.split(separator: "\n").first { $0.contains("trace ") }?.split(separator: " ").last)
        let again = try await RakisProcess.run(Self.small + ["--json"])
        #expect(again.status == 0, "\(again.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(json["traceHash"] as? String == String(trace))
        #expect((json["requests"] as? [Any])?.count == 2)
    }

    @Test func badOptionsAreRefusedWithWhatToWrite() async throws {
        let strategy = try await RakisProcess.run(["simulate", "--adversary", "thief=0.1"])
        #expect(strategy.status != 0 && strategy.stderr.contains("--adversary takes STRATEGY=SHARE"), "\(strategy.stderr)")
        let shares = try await RakisProcess.run(["simulate", "--adversary", "liar=0.8", "--adversary", "copier=0.5"])
        #expect(shares.status != 0 && shares.stderr.contains("add up to at most 1"), "\(shares.stderr)")
        let partition = try await RakisProcess.run(["simulate", "--partition", "later"])
        #expect(partition.status != 0 && partition.stderr.contains("--partition takes START-END"), "\(partition.stderr)")
    }
}
