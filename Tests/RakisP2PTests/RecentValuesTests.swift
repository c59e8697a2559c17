@testable import RakisP2P
import Testing

/// The bounded recent-values map behind the mesh's packet cache and intake's verified copies.
struct RecentValuesTests {
    @Test func theOldestGoBeyondTheCountAndTheBytesAndTheNewestStays() {
        var recent = RecentValues<String, Int>(capacity: 3, maxBytes: 100)
        for (n, key) in ["a", "b", "c", "d"].enumerated() { recent.insert(n, forKey: key, bytes: 10) }
        #expect(recent["a"] == nil && recent["b"] == 1 && recent["d"] == 3 && recent.count == 3)
        recent.insert(99, forKey: "b", bytes: 10)
        #expect(recent["b"] == 1, "a key already there keeps its value")
        recent.insert(4, forKey: "big", bytes: 85)
        #expect(recent["b"] == nil && recent["c"] == nil && recent["d"] == 3 && recent["big"] == 4, "over the bytes: the oldest go, until 95 of 100")
        recent.insert(5, forKey: "huge", bytes: 500)
        #expect(recent.count == 1 && recent["huge"] == 5, "one value over the bound alone stays")
        for n in 0..<50 { recent.insert(n, forKey: "k\(n)", bytes: 1) }
        #expect(recent.count == 3 && recent["k49"] == 49 && recent["k46"] == nil)
    }
}
