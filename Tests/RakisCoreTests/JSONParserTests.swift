import Testing
@testable import RakisCore

@Suite struct JSONParserTests {
    @Test func parsesNestedDocuments() throws {
        let value = try JSONParser().parse(#" {"a": [1, -2.5e3, "x\ty", true, null, {}], "b": {"c": []}} "#)
        #expect(value["a"] == .array([.number(1), .number(-2500), .string("x\ty"), .bool(true), .null, .object([:])]))
        #expect(value["b"]?["c"] == .array([]))
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser().parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: [
        (#"{"a":1,}"#, "trailing comma"),
        (#"{"a" 1}"#, "missing colon"),
        (#"[1 2]"#, "missing comma"),
        (#"{"a":1} x"#, "trailing garbage"),
        (#"01"#, "leading zero"),
        (#"1."#, "bare decimal point"),
        (#"NaN"#, "NaN"),
        (#"1e999"#, "overflowing number"),
        (#""\x""#, "bad escape"),
        (#""\u12""#, "short unicode escape"),
        (#""\ud83d""#, "lone high surrogate"),
        (#""\ude00""#, "lone low surrogate"),
        ("\"a\u{01}b\"", "raw control character"),
        (#"{"a":1,"a":2}"#, "duplicate member"),
        (#"tru"#, "truncated literal"),
        (#"{"a":"#, "truncated document"),
        ("", "empty input"),
    ])
    func rejectsMalformedInput(text: String, _ why: String) {
        #expect(throws: JSONParseError.self, "\(why)") { try JSONParser().parse(text) }
    }

    @Test func rejectsInvalidUTF8WithItsOffset() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0x61, 0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.invalidUTF8(offset: 7)) { try JSONParser().parse(bytes) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONParseError.invalidUTF8(offset: 1)) { try JSONParser().parse(overlong) }
    }

    @Test func enforcesDepthAndSizeLimits() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.tooDeep(offset: 10, limit: 10)) { try JSONParser(maxDepth: 10).parse(deep) }
        #expect(throws: Never.self) { try JSONParser(maxDepth: 100).parse(deep) }
        #expect(throws: JSONParseError.tooLarge(bytes: 12, limit: 10)) { try JSONParser(maxBytes: 10).parse(#""0123456789""#) }
    }

    /// Strings are scanned eight bytes at a time up to whatever ends a plain run: each such byte
    /// is found at every offset within and across those words, and at the end of the input.
    @Test func findsEveryByteThatEndsAPlainRunWhereverItFalls() throws {
        for offset in 0..<24 {
            let before = String(repeating: "a", count: offset), after = String(repeating: "z", count: 17)
            #expect(try JSONParser().parse("\"\(before)\"") == .string(before))
            #expect(try JSONParser().parse("[\"\(before)\",\"\(after)\"]") == .array([.string(before), .string(after)]))
            #expect(try JSONParser().parse("\"\(before)\\\"\(after)\"") == .string(before + "\"" + after))
            #expect(try JSONParser().parse("\"\(before)\\\\\(after)\"") == .string(before + "\\" + after))
            #expect(try JSONParser().parse("\"\(before)é😀\(after)\"") == .string(before + "é😀" + after))
            #expect(try JSONParser().parse("\"\(before)\u{7F}~ \(after)\"") == .string(before + "\u{7F}~ " + after))
            for control: UInt8 in [0x00, 0x01, 0x0A, 0x1F] {
                let bytes = Array("\"\(before)".utf8) + [control] + Array("\(after)\"".utf8)
                #expect(throws: JSONParseError.controlCharacterInString(offset: offset + 1)) { try JSONParser().parse(bytes) }
            }
            let invalid = Array("\"\(before)".utf8) + [0xFF] + Array("\(after)\"".utf8)
            #expect(throws: JSONParseError.invalidUTF8(offset: offset + 1)) { try JSONParser().parse(invalid) }
            #expect(throws: JSONParseError.self) { try JSONParser().parse("\"\(before)\(after)") }
        }
    }
}
