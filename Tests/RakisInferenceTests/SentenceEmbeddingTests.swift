import CRakisKernels
import Foundation
import RakisCore
import RakisTestSupport
@testable import RakisInference
import Testing

@Suite struct SentenceEmbeddingTests {
    let fixture = ReferenceFixture.shared

    func model() throws -> SentenceEmbeddingModel { try ReferenceFixture.model.get() }

    @Test func tokenizerMatchesTheReferenceTokenizer() throws {
        let model = try model()
        #expect(model.tokenizer.maxLength == fixture.maxSeqLength)
        for text in fixture.texts {
            #expect(model.tokenizer.encode(text.text) == text.tokenIds, "\(text.name)")
        }
    }

    @Test func embeddingsMatchSentenceTransformers() throws {
        let model = try model()
        #expect(fixture.texts.count == 10)
        for text in fixture.texts {
            let embedding = model.embed(text.text)
            #expect(embedding.count == 384)
            let similarity = cosine(embedding, text.embedding)
            #expect(similarity >= 0.9999, "\(text.name): cosine \(similarity)")
            for (index, reference) in text.embedding.enumerated() where abs(reference) > 1e-4 {
                #expect((embedding[index] > 0) == (reference > 0), "\(text.name): dimension \(index) has the wrong sign")
            }
        }
    }

    @Test func embeddingsAreBitIdenticalAloneOrAmongOthersOnAnyThread() async throws {
        let model = try model()
        let texts = fixture.texts.map(\.text)
        let alone = texts.map { model.embed($0) }
        // Again in reverse order, then interleaved on two threads at once.
        #expect(texts.reversed().map { model.embed($0) } == alone.reversed())
        let concurrent = await withTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, await Task.detached { model.embed(text) }.value) }
            }
            var results = [[Float]](repeating: [], count: texts.count)
            for await (index, embedding) in group { results[index] = embedding }
            return results
        }
        #expect(concurrent == alone)
    }

    /// A text inside batches of 2 to 32 random neighbours of random lengths (one forward pass, or
    /// several when the batch is over the pass's token budget) has the bits it has alone.
    @Test(arguments: [2, 5, 13, 32])
    func aTextInABatchHasTheBitsItHasAlone(size: Int) async throws {
        let model = try model()
        var state = UInt64(size)
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        let words = fixture.texts.flatMap { $0.text.split(separator: " ").map(String.init) }
        let pool = fixture.texts.map(\.text) + (0..<size).map { _ in (0..<(1 + next(200))).map { _ in words[next(words.count)] }.joined(separator: " ") }
        let batch = (0..<size).map { _ in pool[next(pool.count)] }
        let (together, alone) = try await onOwnThread { (model.embed(batch: batch), batch.map { model.embed($0) }) }
        #expect(together.count == batch.count)
        for (index, text) in batch.enumerated() {
            #expect(together[index].map(\.bitPattern) == alone[index].map(\.bitPattern), "\(text.prefix(40))")
        }
    }

    /// Our own embeddings of the fixture texts, bit for bit, as committed. The release-build
    /// benchmark checks the same digest, so debug and release builds (and other machines) agree.
    @Test func embeddingsMatchTheCommittedDigest() throws {
        let committed = try String(contentsOf: ReferenceFixture.digestFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let digest = try model().digest(of: fixture.texts.map(\.text))
        #expect(digest == committed)
    }

    @Test func awkwardTextsEmbedWithoutError() throws {
        let model = try model()
        let long = String(repeating: "word ", count: 20_000)
        for text in ["", " ", "\u{0}\u{1}\u{7F}\u{200B}", "🦀🦀🦀", "mixed Ελληνικά и русский 中文 العربية", long] {
            let embedding = model.embed(text)
            #expect(embedding.count == 384)
            let finite = embedding.allSatisfy { $0.isFinite }
            #expect(finite)
        }
        #expect(model.tokenizer.encode(long).count == fixture.maxSeqLength)
    }

    @Test func deterministicMathMatchesTheLibrary() {
        for x in stride(from: -30.0, through: 30.0, by: 0.37) {
            let ours = rakis_exp(x)
            let library = Foundation.exp(x)
            #expect(abs(ours - library) <= library * 1e-12, "exp(\(x))")
        }
        for x in stride(from: -7.0, through: 7.0, by: 0.013) {
            #expect(abs(rakis_erf(x) - Foundation.erf(x)) < 1e-12, "erf(\(x))")
        }
        #expect(rakis_exp(-800) == 0)
        #expect(rakis_exp(800) == .infinity)
    }

    @Test func missingAndCorruptModelFilesAreNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        #expect(throws: EmbeddingError.modelFileMissing(directory.appendingPathComponent("config.json").path)) {
            try SentenceEmbeddingModel(name: "x", directory: directory)
        }
        let real = try model().directory
        for file in ["config.json", "vocab.txt", "sentence_bert_config.json"] {
            try FileManager.default.copyItem(at: real.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        let weights = directory.appendingPathComponent("model.safetensors")
        try Data([1, 2, 3]).write(to: weights)
        #expect {
            try SentenceEmbeddingModel(name: "x", directory: directory)
        } throws: { error in
            guard case .modelFileCorrupt(let path, _) = error as? EmbeddingError else { return false }
            return path == weights.path
        }
        // A header that promises more data than the file holds.
        var header = Array(#"{"embeddings.word_embeddings.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        bytes += [0, 0, 0, 0]
        try Data(bytes).write(to: weights)
        #expect(throws: EmbeddingError.self) { try SentenceEmbeddingModel(name: "x", directory: directory) }

        // A tensor at an offset that is not a multiple of 4 is reported, not read.
        let safetensors = directory.appendingPathComponent("odd.safetensors")
        var odd = Array(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[1,5]}}"#.utf8)
        while odd.count % 8 != 0 { odd.append(0x20) }
        try Data(withUnsafeBytes(of: UInt64(odd.count).littleEndian) { Array($0) } + odd + [0, 0, 0, 0, 0]).write(to: safetensors)
        #expect {
            try Safetensors(url: safetensors).floats("t", shape: [1])
        } throws: { error in
            guard case .modelFileCorrupt(_, let reason) = error as? EmbeddingError else { return false }
            return reason.contains("aligned")
        }
    }
}

@Suite struct BinaryEmbeddingTests {
    @Test func packsLikeNumpyPackbits() {
        let values: [Float] = [0.5, -0.1, 0.2, 0.0, -0.0, 1e-9, -3, 4, 0.1, 0.1]
        #expect(BinaryEmbedding.pack(values) == [165, 192])
    }

    @Test func hashBindsTheBitsToTheSynthientId() {
        let bits: [UInt8] = [165, 192]
        let id = String(repeating: "ab", count: 32)
        // hashlib.sha256(np.packbits(v > 0).tobytes() + id.encode()).hexdigest()
        #expect(BinaryEmbedding.hash(bits, synthientId: id) == "e21c8907b9b24fae85648e66d4c7072a259c89ebcb61da357b01f877b4b21538")
        #expect(BinaryEmbedding.hash(bits, synthientId: String(repeating: "cd", count: 32)) != BinaryEmbedding.hash(bits, synthientId: id))
    }

    @Test func hammingDistanceCountsDifferingBits() {
        #expect(BinaryEmbedding.hammingDistance([0b1010_0000, 0xFF], [0b0110_0000, 0x0F]) == 6)
        #expect(BinaryEmbedding.hammingDistance([1], [1, 2]) == nil)
    }
}
