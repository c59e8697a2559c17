import Foundation
import Testing
@testable import RakisCore

/// RFC 8785's own examples (§3.2.2, §3.2.3, §3.2.4 and Appendix B).
@Suite struct CanonicalJSONTests {
    func canonical(_ input: String) throws -> String {
        CanonicalJSON.string(of: try JSONParser().parse(input))
    }

    @Test func rfcSection322ValuesExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    @Test func rfcSection323SortingExample() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let output = try canonical(input)
        let expectedKeyOrder = ["\r", "1", "\u{80}", "\u{f6}", "\u{20ac}", "\u{1F600}", "\u{fb33}"]
        var expected = "{"
        let values = ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
                      "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"]
        for (index, key) in expectedKeyOrder.enumerated() {
            let escapedKey = key == "\r" ? "\\r" : key
            expected += (index > 0 ? "," : "") + "\"\(escapedKey)\":\"\(values[index])\""
        }
        expected += "}"
        #expect(output == expected)
    }

    @Test func rfcSection324UTF8Bytes() throws {
        let input = #"{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}"#
        let expectedHex = "7b 22 70 65 61 63 68 22 3a 22 54 68 69 73 20 73 6f 72 74 69 6e 67 20 6f 72 64 65 72 22 2c 22 70 c3 a9 63 68 c3 a9 22 3a 22 69 73 20 77 72 6f 6e 67 20 61 63 63 6f 72 64 69 6e 67 20 74 6f 20 46 72 65 6e 63 68 22 2c 22 70 c3 aa 63 68 65 22 3a 22 62 75 74 20 63 61 6e 6f 6e 69 63 61 6c 69 7a 61 74 69 6f 6e 20 4d 55 53 54 22 2c 22 73 69 6e 22 3a 22 69 67 6e 6f 72 65 20 6c 6f 63 61 6c 65 22 7d"
        let bytes = CanonicalJSON.bytes(of: try JSONParser().parse(input))
        #expect(Hex.encode(bytes) == expectedHex.replacingOccurrences(of: " ", with: ""))
    }

    @Test(arguments: [
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ])
    func rfcAppendixBNumbers(bitsHex: String, expected: String) {
        let value = Double(bitPattern: UInt64(bitsHex, radix: 16)!)
        #expect(ECMAScriptNumber.format(value) == expected)
    }

    @Test func keyOrderAndWhitespaceDoNotChangeCanonicalBytes() throws {
        let a = try canonical(#"{"b": [1, 2.0, {"y": null, "x": true}], "a": "\u0041"}"#)
        let b = try canonical(#"{"a":"A","b":[1,2,{"x":true,"y":null}]}"#)
        #expect(a == b)
        #expect(a == #"{"a":"A","b":[1,2,{"x":true,"y":null}]}"#)
    }

    @Test func controlCharactersUseShortOrLowercaseHexEscapes() throws {
        let value = JSONValue.string("\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{01}\u{1F}\u{7F}\u{2028}")
        #expect(CanonicalJSON.string(of: value) == "\"\\b\\t\\n\\f\\r\\u0001\\u001f\u{7F}\u{2028}\"")
    }

    /// Plain strings are copied whole; one quote or backslash anywhere sends the string through
    /// the escaping path.
    @Test func quotesAndBackslashesAreEscapedWhereverTheyStand() {
        #expect(CanonicalJSON.string(of: .string("plain text, é")) == "\"plain text, é\"")
        #expect(CanonicalJSON.string(of: .string("a\"b\\c")) == #""a\"b\\c""#)
        #expect(CanonicalJSON.string(of: .string("\"")) == #""\"""#)
        #expect(CanonicalJSON.string(of: .object(["b\\": .null, "a\"": .null])) == #"{"a\"":null,"b\\":null}"#)
    }
}
