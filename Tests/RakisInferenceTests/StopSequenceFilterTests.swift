@testable import RakisInference
import Testing

/// The stop-sequence cut of base-model answers, piece by piece as tokens arrive.
struct StopSequenceFilterTests {
    private func run(_ pieces: [String], stops: [String] = ["\nQuestion:"]) -> (text: String, streamed: [String], stoppedAt: Int?) {
        var filter = StopSequenceFilter(stops: stops)
        var streamed: [String] = []
        var stoppedAt: Int?
        for (index, piece) in pieces.enumerated() where filter.append(piece, emit: { streamed.append($0) }) {
            stoppedAt = index
            break
        }
        return (filter.finish(emit: { streamed.append($0) }), streamed, stoppedAt)
    }

    @Test func aStopSequenceSplitAcrossPiecesIsCutAndNeverStreamed() {
        let result = run([" Paris", " is", " the capital.", "\n", "Ques", "tion:", " What next?"])
        #expect(result.text == "Paris is the capital.")
        #expect(result.streamed.joined() == result.text)
        #expect(result.stoppedAt == 5)
    }

    @Test func textThatOnlyLooksLikeAStartIsReleased() {
        let result = run(["Line one\n", "Quest", "s are fun", "\nQ"])
        #expect(result.text == "Line one\nQuests are fun\nQ")
        #expect(result.streamed.joined() == result.text)
        #expect(result.stoppedAt == nil)
    }

    @Test func withoutStopsEveryPieceGoesStraightThrough() {
        let result = run(["  leading", " space", " kept inside"], stops: [])
        #expect(result.text == "leading space kept inside")
        #expect(result.streamed == ["leading", " space", " kept inside"])
    }
}
