import Foundation
import RakisCore
import RakisTestSupport
import Testing

/// Three `rakis run` processes on three hosts (network namespaces joined by veth pairs and a
/// bridge, made and removed by Tests/Fixtures/netns-consensus.sh), a relay and the submitting
/// `rakis submit` on a fourth: consensus over the relay, and over the mesh.
@Suite struct MultiHostTests {
    @Test(arguments: ["relay", "mesh"])
    func threeHostsReachConsensus(over mode: String) async throws {
        let script = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/netns-consensus.sh").path
        let run = try await runToEnd("/bin/bash", [script, mode, RakisProcess.binary.path], in: LLMFixtures.packageRoot)
        let (status, stdout, stderr) = (run.status, run.stdout, run.stderr)
        #expect(status == 0, "\(stderr)")
        let last = try #require(stdout.split(separator: "\n").last.map(String.init), "no output; \(stderr)")
        let result = try JSONParser().parse(last)
        #expect(result["agreed"] == .bool(true), "\(last)")
        guard case .array(let results)? = result["results"] else {
            Issue.record("no results: \(last)")
            return
        }
        #expect(results.count == 3)
        #expect(Set(results.compactMap { $0["verifiedBy"]?.stringValue }).count == 3, "three different nodes answered")
        #expect(Set(results.compactMap { $0["validInferenceJointHash"]?.stringValue }).count == 1)
        #expect(stderr.contains("3 nodes ready over the \(mode)"))
    }
}
