/// One parser that takes bytes from outside, wrapped for libFuzzer and for replay: `run` feeds it
/// one input and checks the properties it must keep (a round trip, the same answer however the
/// bytes are cut). A broken property throws `FuzzFinding`; a trap or a sanitizer report is a
/// finding too, caught by libFuzzer.
public struct FuzzTarget: Sendable {
    public let name: String
    public let summary: String
    public let run: @Sendable ([UInt8]) throws(FuzzFinding) -> Void

    public init(name: String, summary: String, run: @escaping @Sendable ([UInt8]) throws(FuzzFinding) -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

extension FuzzTarget {
    /// Every target, in the order `make fuzz` runs them. Names are also the folders of
    /// `Fuzz/corpus`, `Fuzz/regressions` and `Fuzz/dictionaries`.
    public static let all: [FuzzTarget] = [
        .json, .packetEnvelope, .nostrRelayMessage, .meshFrame, .openAIResponse, .safetensorsHeader, .apiBody, .abi, .rlp,
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// A property a parser broke on one input: what was expected and what came out.
public struct FuzzFinding: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// Throws unless `condition` holds.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFinding) {
        guard condition else { throw FuzzFinding(message()) }
    }
}
