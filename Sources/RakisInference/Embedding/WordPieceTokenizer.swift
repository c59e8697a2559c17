public import Foundation

/// BERT's uncased WordPiece tokenizer, matching the Hugging Face fast tokenizer that
/// sentence-transformers uses for all-MiniLM-L6-v2: the BertNormalizer (drop control
/// characters, whitespace to spaces, spaces around CJK ideographs, strip accents, lower-case —
/// each per Unicode scalar), the BertPreTokenizer (split on whitespace, isolate punctuation),
/// greedy longest-match WordPiece with `##` continuations, then `[CLS] … [SEP]` truncated to
/// `maxLength` tokens.
public struct WordPieceTokenizer: Sendable {
    public let maxLength: Int
    private let vocabulary: [String: Int32]
    private let unknown: Int32
    private let classification: Int32
    private let separator: Int32
    static let maxCharactersPerWord = 100

    /// Loads `vocab.txt` (one token per line; the line number is the id).
    public init(vocabularyFile: URL, maxLength: Int) throws(EmbeddingError) {
        let text: String
        do { text = try String(contentsOf: vocabularyFile, encoding: .utf8) } catch {
            throw FileManager.default.fileExists(atPath: vocabularyFile.path)
                ? .modelFileUnreadable(vocabularyFile.path, error.localizedDescription)
                : .modelFileMissing(vocabularyFile.path)
        }
        var vocabulary: [String: Int32] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            vocabulary[String(line)] = vocabulary[String(line)] ?? Int32(index)
        }
        guard let unknown = vocabulary["[UNK]"], let classification = vocabulary["[CLS]"], let separator = vocabulary["[SEP]"] else {
            throw .modelFileCorrupt(vocabularyFile.path, "the vocabulary lacks [UNK], [CLS] or [SEP]")
        }
        guard maxLength >= 2 else { throw .modelFileCorrupt(vocabularyFile.path, "maximum length \(maxLength) leaves no room for text") }
        self.vocabulary = vocabulary
        self.unknown = unknown
        self.classification = classification
        self.separator = separator
        self.maxLength = maxLength
    }

    /// Token ids of `text`, with `[CLS]` and `[SEP]`, at most `maxLength` of them.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [classification]
        for word in Self.preTokenize(Self.normalize(text)) {
            appendWordPieces(of: word, to: &ids)
            if ids.count >= maxLength - 1 { break }
        }
        if ids.count > maxLength - 1 { ids.removeLast(ids.count - (maxLength - 1)) }
        ids.append(separator)
        return ids
    }

    private func appendWordPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        guard word.count <= Self.maxCharactersPerWord else {
            ids.append(unknown)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int32?
            while start < end {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[piece] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let id = match else {
                ids.append(unknown)
                return
            }
            pieces.append(id)
            start = end
        }
        ids.append(contentsOf: pieces)
    }

    // MARK: BertNormalizer

    static func normalize(_ text: String) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isChineseCharacter(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        // Strip accents (NFD, then drop non-spacing marks), then lower-case scalar by scalar.
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(decomposed.unicodeScalars.count)
        for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return output
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: true
        default: false
        }
    }

    // MARK: BertPreTokenizer

    static func preTokenize(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current = [] }
            } else if isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII, (0x21...0x2F).contains(scalar.value) || (0x3A...0x40).contains(scalar.value)
            || (0x5B...0x60).contains(scalar.value) || (0x7B...0x7E).contains(scalar.value) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }
}
