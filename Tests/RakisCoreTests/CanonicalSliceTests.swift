import Foundation
import RakisCore
import Testing

/// A packet whose bytes arrive canonical is signed over them as they came, without re-encoding:
/// the parser must never take for canonical a text that `CanonicalJSON` would write otherwise,
/// or a node would accept a signature that every other node refuses.
@Suite struct CanonicalSliceTests {
    @Test func canonicalTextIsTakenAsItCame() throws {
        var random = SeededRandom(seed: 7)
        for _ in 0..<300 {
            let value = random.value(depth: 0)
            let canonical = CanonicalJSON.bytes(of: value)
            let wire = Array(#"{"packet":"#.utf8) + canonical + Array(#","signature":"00"}"#.utf8)
            let (_, slice) = try JSONParser().parse(wire, canonicalMember: "packet")
            #expect(slice == canonical, "canonical text not recognized: \(String(decoding: canonical, as: UTF8.self))")
        }
    }

    @Test func otherRenderingsAreNeverTakenForCanonical() throws {
        var random = SeededRandom(seed: 11)
        var recognized = 0
        for _ in 0..<600 {
            let value = random.value(depth: 0)
            let text = random.render(value)
            let wire = Array(" {\n\"packet\" : ".utf8) + Array(text.utf8) + Array("}".utf8)
            let (parsed, slice) = try JSONParser().parse(wire, canonicalMember: "packet")
            guard let slice else { continue }
            recognized += 1
            // Whatever is taken as it came must be exactly what the encoder writes.
            #expect(slice == CanonicalJSON.bytes(of: parsed["packet"]!), "taken for canonical: \(text)")
        }
        // Some renderings happen to be canonical (no whitespace or escape drawn): the check ran.
        #expect(recognized > 0)
    }

    @Test func departuresOfEachKindAreSeen() throws {
        for text in [
            #"{"b":1,"a":2}"#, #"{"a": 1}"#, #"{"a":1.0}"#, #"{"a":1e2}"#, #"{"a":"\u0061"}"#, #"{"a":"\/"}"#,
            #"{"a":-0}"#, #"{"é":1,"z":2}"#, #"[1, 2]"#, #"{"a":0.10}"#, #"{"a":"\u001F"}"#, #"{"a":"\u000a"}"#,
            // UTF-8 puts U+FF61 first, UTF-16 (the canonical order) the emoji.
            "{\"\u{FF61}\":1,\"😀\":2}",
        ] {
            let (_, slice) = try JSONParser().parse(Array(#"{"packet":"#.utf8) + Array(text.utf8) + [UInt8(ascii: "}")], canonicalMember: "packet")
            #expect(slice == nil, "\(text) taken for canonical")
        }
        let (_, utf16Order) = try JSONParser().parse(Array("{\"packet\":{\"😀\":1,\"\u{FF61}\":2}}".utf8), canonicalMember: "packet")
        #expect(utf16Order != nil)
        let (_, nested) = try JSONParser().parse(Array(#"{"a":{"packet":{}},"packet":{"z":[true,null,"x"]}}"#.utf8), canonicalMember: "packet")
        #expect(nested == Array(#"{"z":[true,null,"x"]}"#.utf8))
    }

    @Test func envelopesFromRakisNeedNoReencoding() throws {
        let identity = NodeIdentity.generate()
        let commit = InferenceCommit(requestId: "r-1", inferenceId: "i-1", bEmbeddingHash: String(repeating: "ab", count: 32), createdAt: Date())
        let signed = try identity.sign(.inferenceCommit(commit))
        let envelope = try PacketEnvelope.decode(wire: signed.wireBytes)
        #expect(envelope.canonicalPacket == signed.canonicalPacket)
        #expect(try envelope.verify().signature == signed.signature)
    }
}

/// Deterministic JSON values, and non-canonical renderings of them.
private extension SeededRandom {
    mutating func string() -> String {
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u{01}", "\u{7F}", "é", "😀", "\u{2028}", "key", "-"]
        return (0..<Int.random(in: 0...5, using: &self)).map { _ in pieces.randomElement(using: &self)! }.joined()
    }

    mutating func number() -> Double {
        switch Int.random(in: 0...4, using: &self) {
        case 0: Double(Int.random(in: -1000...1000, using: &self))
        case 1: Double.random(in: -1...1, using: &self)
        case 2: Double.random(in: -1e25...1e25, using: &self)
        case 3: Double.random(in: -1e-8...1e-8, using: &self)
        default: [0.1, 100, 1e21, 1e-7, 123.456, -0.0][Int.random(in: 0...5, using: &self)]
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        switch Int.random(in: 0...(depth > 2 ? 3 : 5), using: &self) {
        case 0: .null
        case 1: .bool(Bool.random(using: &self))
        case 2: .number(number())
        case 3: .string(string())
        case 4: .array((0..<Int.random(in: 0...3, using: &self)).map { _ in value(depth: depth + 1) })
        default:
            .object(Dictionary((0..<Int.random(in: 0...4, using: &self)).map { _ in (string(), value(depth: depth + 1)) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    /// JSON for `value` with random spacing, member order, escapes and number forms; often
    /// canonical by chance.
    mutating func render(_ value: JSONValue) -> String {
        let space = Int.random(in: 0...5, using: &self) == 0 ? " " : ""
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            switch Int.random(in: 0...3, using: &self) {
            case 0: return "\(number)"
            case 1: return String(format: "%.17g", number)
            default: return ECMAScriptNumber.format(number)
            }
        case .string(let text): return renderString(text)
        case .array(let items): return "[" + space + items.map { render($0) }.joined(separator: "," + space) + "]"
        case .object(let members):
            let ordered = Bool.random(using: &self)
                ? members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
                : members.shuffled(using: &self)
            return "{" + ordered.map { renderString($0.key) + ":" + space + render($0.value) }.joined(separator: ",") + "}"
        }
    }

    mutating func renderString(_ text: String) -> String {
        let canonical = String(decoding: CanonicalJSON.bytes(of: .string(text)), as: UTF8.self)
        guard Int.random(in: 0...3, using: &self) == 0, let first = text.utf8.first,
              (0x30...0x39).contains(first) || (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first)
        else { return canonical }
        // An escape where none is needed: the first letter or digit as \u00XX.
        return "\"" + String(format: "\\u%04x", first) + String(canonical.dropFirst(2))
    }
}
