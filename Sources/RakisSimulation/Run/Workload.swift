import Foundation
import RakisCore

/// What every simulated node shares: the configuration, the answers, and simulated time as dates.
struct Workload: Sendable {
    let configuration: SimulationConfiguration
    let answers: Answers
    /// The prompt of each request text.
    let promptIndex: [String: Int]
    /// Time zero of the simulation (a fixed date, so the trace never depends on the machine's clock).
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    init(configuration: SimulationConfiguration, answers: Answers) {
        self.configuration = configuration
        self.answers = answers
        promptIndex = Dictionary(answers.prompts.enumerated().map { ($1.text, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func date(_ ms: Int64) -> Date { epoch.addingTimeInterval(Double(ms) / 1000) }
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince(epoch) * 1000).rounded(.up)) }

    /// The binary embedding a verifier's model computes for `output`: the evaluation set's, or for
    /// a text it does not hold, bits drawn from the text's hash (no real answer is near them).
    func embedding(of output: String) -> [UInt8] {
        if let known = answers.embeddingOf[output] { return known }
        var random = SeededRandom(seed: UInt64(truncatingIfNeeded: output.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }))
        return (0..<48).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// A vector whose binary form is `bits` (what the stores keep beside it).
    static func vector(of bits: [UInt8]) -> [Float] {
        (0..<bits.count * 8).map { bits[$0 / 8] & (0x80 >> UInt8($0 % 8)) != 0 ? 1 : -1 }
    }
}
