/// Passes generated text through until one of the stop sequences appears, which it cuts off.
/// Text that could be the start of a stop sequence is held back until it is known not to be,
/// so a streaming caller never sees any part of a stop sequence. Whitespace before the first
/// word is dropped (after a transcript's "Answer:" the first token starts with a space).
struct StopSequenceFilter {
    private let stops: [String]
    private let holdBack: Int
    private var pending = ""
    private(set) var text = ""
    private(set) var stopped = false

    init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
        holdBack = max(0, (self.stops.map(\.count).max() ?? 0) - 1)
    }

    /// Adds a piece of text; returns true once a stop sequence has appeared.
    mutating func append(_ piece: String, emit: (String) -> Void) -> Bool {
        guard !stopped, !piece.isEmpty else { return stopped }
        pending += piece
        if let cut = stops.compactMap({ pending.range(of: $0)?.lowerBound }).min() {
            release(String(pending[..<cut]), emit)
            pending = ""
            stopped = true
            return true
        }
        let keep = min(holdBack, pending.count)
        let ready = String(pending.dropLast(keep))
        pending = String(pending.suffix(keep))
        release(ready, emit)
        return false
    }

    /// Releases what was held back; returns the whole text.
    mutating func finish(emit: (String) -> Void) -> String {
        release(pending, emit)
        pending = ""
        return text
    }

    private mutating func release(_ piece: String, _ emit: (String) -> Void) {
        let piece = text.isEmpty ? String(piece.drop { $0.isWhitespace }) : piece
        guard !piece.isEmpty else { return }
        text += piece
        emit(piece)
    }
}
