import Foundation
import RakisCoordination
import Testing

/// How the transports' status over time becomes listening gaps.
struct ListeningTrackerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    var startGap: ListeningGap { ListeningGap(from: start.addingTimeInterval(-600), until: start) }

    @Test func anOutageWhileRunningIsAGapFromTheLossToTheReconnection() {
        var tracker = ListeningTracker(startGap: startGap)
        #expect(tracker.observe(reachesAnyone: true, at: start) == nil, "connected at the start: the start's gap stands")
        #expect(tracker.observe(reachesAnyone: true, at: start.addingTimeInterval(5)) == nil)
        let lost = start.addingTimeInterval(60)
        #expect(tracker.observe(reachesAnyone: false, at: lost) == .wentDeaf(since: lost))
        #expect(tracker.observe(reachesAnyone: false, at: lost.addingTimeInterval(10)) == nil, "still deaf: nothing new")
        let back = lost.addingTimeInterval(30)
        #expect(tracker.observe(reachesAnyone: true, at: back) == .heardAgain(ListeningGap(from: lost, until: back)))
        #expect(tracker.state == .listening)
    }

    @Test func aStartWithNoTransportConnectedExtendsTheStartsGapUntilOneIs() {
        var tracker = ListeningTracker(startGap: startGap)
        #expect(tracker.observe(reachesAnyone: false, at: start) == .wentDeaf(since: startGap.from))
        let connected = start.addingTimeInterval(12)
        #expect(tracker.observe(reachesAnyone: true, at: connected) == .heardAgain(ListeningGap(from: startGap.from, until: connected)))

        var firstStart = ListeningTracker(startGap: ListeningGap(from: nil, until: start))
        #expect(firstStart.observe(reachesAnyone: false, at: start) == .wentDeaf(since: nil), "a first start heard nothing before")
        #expect(firstStart.observe(reachesAnyone: true, at: connected) == .heardAgain(ListeningGap(from: nil, until: connected)))
    }
}
