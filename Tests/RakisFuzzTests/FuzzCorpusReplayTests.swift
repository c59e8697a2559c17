import Foundation
import RakisFuzz
import RakisTestSupport
import Testing

/// Every fuzz target's committed inputs, replayed in the ordinary build: the seed corpus
/// (Fuzz/corpus/TARGET) and every finding fixed so far (Fuzz/regressions/TARGET), so that a
/// fixed crash or broken property stays fixed without libFuzzer.
struct FuzzCorpusReplayTests {
    static let fuzzRoot = LLMFixtures.packageRoot.appendingPathComponent("Fuzz")

    static func inputs(_ folder: String, _ target: String) -> [URL] {
        let directory = fuzzRoot.appendingPathComponent(folder).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func everySeedAndEveryFixedFindingPasses(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = Self.inputs("corpus", name)
        #expect(seeds.count >= 3, "Fuzz/corpus/\(name) needs seeds that reach past the first check")
        for file in seeds + Self.inputs("regressions", name) {
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(throws: Never.self, "\(file.lastPathComponent)") { try target.run(bytes) }
        }
    }

    @Test func everyTargetHasACorpusAndEveryFolderATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.fuzzRoot.appendingPathComponent("corpus").path)
        #expect(Set(folders) == Set(FuzzTarget.all.map(\.name)))
    }

    @Test func aBrokenPropertyIsReportedNotSwallowed() {
        // A non-canonical RLP encoding (a one-byte string below 0x80 given a length prefix) must be
        // refused by the decoder; were it accepted, the target would report it.
        #expect(throws: Never.self) { try FuzzTarget.named("rlp")?.run([0x81, 0x05]) }
        let broken = FuzzTarget(name: "broken", summary: "") { _ throws(FuzzFinding) in throw FuzzFinding("seen") }
        #expect(throws: FuzzFinding.self) { try broken.run([]) }
    }
}
