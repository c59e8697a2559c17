public import RakisNostr

/// A NIP-90 text-generation job (kind 5050) as a customer published it: the text input, the
/// `param` tags, where the customer wants the answer (`relays`), what it offers (`bid`) and
/// which providers it addresses (`p`). Read by `init(event:)`, which throws for a job that
/// rakis cannot run, with the reason its `error` feedback gives.
public struct DVMJob: Sendable, Equatable {
    public static let requestKind = 5050
    public static let resultKind = requestKind + 1000
    public static let feedbackKind = 7000

    public let event: NostrEvent
    public var id: String { event.id }
    public var customer: String { event.pubkey }
    public let input: String
    /// Every `param` tag, by name; the last of a name wins.
    public let params: [String: String]
    public let relays: [String]
    /// Millisatoshis the customer offers; rakis charges nothing and records it only.
    public let bid: Int?
    /// Providers the job is addressed to; empty: any.
    public let providers: [String]

    /// Reads every tag leniently; throws only for an event that is not a job. `check()` says
    /// whether rakis can run it.
    public init(event: NostrEvent) throws(DVMJobError) {
        guard event.kind == Self.requestKind else { throw .notAJob(kind: event.kind) }
        self.event = event
        let inputs = event.tags.filter { $0.first == "i" }
        input = inputs.first.flatMap { $0.count >= 2 ? $0[1] : nil } ?? ""
        var params: [String: String] = [:]
        for tag in event.tags where tag.first == "param" && tag.count >= 3 { params[tag[1]] = tag[2] }
        self.params = params
        relays = event.tags.filter { $0.first == "relays" }.flatMap { $0.dropFirst() }
        bid = event.tag("bid").flatMap(Int.init)
        providers = event.tags.filter { $0.first == "p" && $0.count >= 2 }.map { $0[1] }
    }

    /// Throws why rakis cannot run this job: encrypted, not exactly one non-empty text input, or
    /// a `param` tag without a value.
    public func check() throws(DVMJobError) {
        if event.tags.contains(where: { $0.first == "encrypted" }) { throw .encrypted }
        let inputs = event.tags.filter { $0.first == "i" }
        guard let first = inputs.first, first.count >= 2 else { throw .noInput }
        guard inputs.count == 1 else { throw .tooManyInputs(inputs.count) }
        let type = first.count >= 3 ? first[2] : "text"
        guard type == "text" else { throw .unsupportedInput(type: type) }
        guard !input.allSatisfy(\.isWhitespace) else { throw .noInput }
        if let bad = event.tags.first(where: { $0.first == "param" && $0.count < 3 }) {
            throw .badParam(name: bad.count > 1 ? bad[1] : "", reason: "a param tag needs a name and a value")
        }
    }

    /// A numeric `param`, nil when absent; throws when present but not a number within `range`.
    public func number(_ name: String, in range: ClosedRange<Double>) throws(DVMJobError) -> Double? {
        guard let text = params[name] else { return nil }
        guard let value = Double(text), value.isFinite else { throw .badParam(name: name, reason: "\(text) is not a number") }
        guard range.contains(value) else {
            throw .badParam(name: name, reason: "\(text) is outside \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))")
        }
        return value
    }

    /// An integer `param`, like `number`.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(DVMJobError) -> Int? {
        guard let value = try number(name, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard value == value.rounded() else { throw .badParam(name: name, reason: "\(Self.format(value)) is not a whole number") }
        return Int(value)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
