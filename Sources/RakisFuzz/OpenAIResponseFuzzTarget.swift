import RakisInference

extension FuzzTarget {
    /// An OpenAI-compatible server's answers, streamed and whole. The first byte seeds where the
    /// stream is cut into network reads: the text, token counts and outcome must not depend on it.
    static let openAIResponse = FuzzTarget(name: "openai-response", summary: "OpenAI SSE stream and whole answers (any cut, same answer)") {
        bytes throws(FuzzFinding) in
        var input = FuzzInput(bytes)
        let seed = input.byte()
        let body = input.rest()
        _ = try? OpenAIWholeAnswer(body: body)
        let whole = read([body[...]])
        let cut = read(FuzzInput.pieces(of: body, seed: seed))
        try FuzzFinding.require(whole == cut, "the same stream read in other pieces gave \(cut) instead of \(whole)")
    }

    private struct StreamOutcome: Equatable, CustomStringConvertible {
        var pieces: String
        var text: String
        var tokens: Int
        var finish: String?
        var failure: OpenAIStreamReader.Failure?

        var description: String { "text \(text.debugDescription), \(tokens) tokens, finish \(finish ?? "none"), failure \(failure.map { "\($0)" } ?? "none")" }
    }

    private static func read(_ reads: [ArraySlice<UInt8>]) -> StreamOutcome {
        var reader = OpenAIStreamReader()
        var pieces = ""
        do {
            for bytes in reads {
                pieces += try reader.read(bytes).joined()
                if reader.done { break }
            }
            pieces += try reader.end().joined()
        } catch {
            // Pieces of the read that failed are not handed out; the text read so far is kept.
            return StreamOutcome(pieces: "", text: reader.text, tokens: reader.completionTokens, finish: reader.finishReason, failure: error)
        }
        return StreamOutcome(pieces: pieces, text: reader.text, tokens: reader.completionTokens, finish: reader.finishReason, failure: nil)
    }
}
