import Foundation
import RakisCore
@testable import RakisP2P
@testable import RakisNostr
import Testing

/// NIP-01 serialization, event ids and signatures, relay messages and the reconnect backoff.
@Suite struct NostrEventTests {
    let pubkey = String(repeating: "ab", count: 32)

    func serialized(_ content: String, tags: [[String]] = []) -> String {
        String(decoding: NostrEvent.serializationForId(pubkey: pubkey, createdAt: 1_700_000_000, kind: 2777, tags: tags, content: content), as: UTF8.self)
    }

    @Test func serializationHasNoWhitespaceAndTheFieldsInOrder() {
        #expect(serialized("hi", tags: [["t", "rakis1"], ["expiration", "1700003600"]])
            == #"[0,"\#(pubkey)",1700000000,2777,[["t","rakis1"],["expiration","1700003600"]],"hi"]"#)
    }

    @Test func serializationEscapesExactlyWhatNIP01Escapes() {
        // Quote, backslash and the five short escapes; other control characters as \u00xx.
        #expect(serialized("a\"b\\c\nd\re\tf\u{08}g\u{0C}h") == #"[0,"\#(pubkey)",1700000000,2777,[],"a\"b\\c\nd\re\tf\bg\fh"]"#)
        #expect(serialized("\u{01}\u{1F}") == #"[0,"\#(pubkey)",1700000000,2777,[],"\u0001\u001f"]"#)
        // Slash, DEL and everything outside ASCII stay as they are, in UTF-8.
        #expect(serialized("/\u{7F}") == "[0,\"\(pubkey)\",1700000000,2777,[],\"/\u{7F}\"]")
        #expect(serialized("héllo 🎨 日本 \u{2028}") == "[0,\"\(pubkey)\",1700000000,2777,[],\"héllo 🎨 日本 \u{2028}\"]")
        #expect(serialized("x", tags: [["t", "ü\"n"]]) == #"[0,"\#(pubkey)",1700000000,2777,[["t","ü\"n"]],"x"]"#)
    }

    @Test func signedEventsVerifyAndTamperingIsCaught() throws {
        let keys = BIP340.KeyPair.generate()
        let event = try NostrEvent.signed(kind: 2777, tags: [["t", "rakis1"]], content: "{\"a\":\"é\\n\"}", createdAt: 1_700_000_000, by: keys)
        try event.verify()
        #expect(event.pubkey == Hex.encode(keys.publicKey))

        var edited = event
        edited.content += " "
        #expect(throws: NostrEventError.idMismatch(id: event.id)) { try edited.verify() }
        var resigned = event
        resigned.sig = try Hex.encode(BIP340.KeyPair.generate().sign(message: Hex.decode(event.id)!))
        #expect(throws: NostrEventError.badSignature(id: event.id)) { try resigned.verify() }

        // Through JSON and back, as a relay delivers it.
        let parsed = try NostrEvent(json: JSONParser().parse(CanonicalJSON.bytes(of: event.json)))
        #expect(parsed == event)
    }

    @Test func malformedEventsAreRefusedWithTheField() throws {
        let good = try NostrEvent.signed(kind: 2777, tags: [], content: "x", createdAt: 1, by: .generate()).json
        for (field, value) in [("id", JSONValue.string("zz")), ("pubkey", .number(1)), ("kind", .number(1.5)), ("kind", .number(70000)),
                               ("created_at", .string("now")), ("tags", .array([.number(1)])), ("content", .null), ("sig", .string(""))] {
            var members = good.objectValue!
            members[field] = value
            #expect(throws: NostrEventError.self) { try NostrEvent(json: .object(members)) }
        }
        #expect(throws: NostrEventError.self) { try NostrEvent(json: .array([])) }
    }

    @Test func relayMessagesParseAndBadOnesAreErrors() throws {
        func parse(_ text: String) throws -> RelayMessage { try RelayMessage(parsing: Array(text.utf8), maxBytes: 1 << 20) }
        #expect(try parse(#"["OK","abc",false,"rate-limited: slow down"]"#) == .ok(eventId: "abc", accepted: false, message: "rate-limited: slow down"))
        #expect(try parse(#"["OK","abc",true]"#) == .ok(eventId: "abc", accepted: true, message: ""))
        #expect(try parse(#"["EOSE","s1"]"#) == .endOfStoredEvents(subscriptionId: "s1"))
        #expect(try parse(#"["CLOSED","s1","error: shutting down"]"#) == .closed(subscriptionId: "s1", message: "error: shutting down"))
        #expect(try parse(#"["NOTICE","hello"]"#) == .notice("hello"))
        #expect(try parse(#"["EVENT","s1",{"x":1}]"#) == .event(subscriptionId: "s1", event: .object(["x": .number(1)])))
        for bad in ["", "{}", "[]", "[1]", #"["EVENT","s1"]"#, #"["OK","a","yes"]"#, #"["WHAT"]"#, #"["NOTICE"]"#, "[\"NOTICE\",\"x\""] {
            #expect(throws: NostrEventError.self) { try parse(bad) }
        }
        #expect(throws: NostrEventError.self) { try RelayMessage(parsing: Array(#"["NOTICE","xxxxxxxx"]"#.utf8), maxBytes: 8) }
    }

    @Test func subscriptionFilterNamesKindTopicAndSince() {
        let text = ClientMessage.request(subscriptionId: "s", filters: [NostrFilter(kinds: [2777], topic: "rakis1", since: 1_700_000_000)]).text
        #expect(text == ##"["REQ","s",{"#t":["rakis1"],"kinds":[2777],"since":1700000000}]"##)
    }

    @Test func backoffGrowsExponentiallyWithJitterUpToTheMaximum() {
        let backoff = ReconnectBackoff(base: .milliseconds(500), maximum: .seconds(30))
        #expect(backoff.delay(afterFailures: 1, unit: 0.999_999) <= .milliseconds(500))
        #expect(backoff.delay(afterFailures: 1, unit: 0) == .milliseconds(250))
        #expect(backoff.delay(afterFailures: 3, unit: 0) == .milliseconds(1000))
        #expect(backoff.delay(afterFailures: 4, unit: 0.5) == .milliseconds(3000))
        #expect(backoff.delay(afterFailures: 50, unit: 0.999_999) <= .seconds(30))
        #expect(backoff.delay(afterFailures: 50, unit: 0) == .seconds(15))
    }

    @Test func recentIdsForgetTheOldestBeyondCapacity() {
        var ids = RecentIds(capacity: 3)
        var results = ["a", "b", "c", "a", "d", "a"].map { ids.insert($0) }
        // a is forgotten once d arrives.
        #expect(results == [true, true, true, false, true, true])
        for i in 0..<100 { ids.insert("x\(i)") }
        results = [ids.insert("x99"), ids.insert("x0")]
        #expect(results == [false, true])
    }
}
