public import Foundation

/// The independent Ethereum implementations (eth-account, eth-abi, rlp, eth-hash with
/// pycryptodome, installed into .venv by set-up) behind Tests/Fixtures/ethereum-vectors.py.
public enum EthereumReference {
    static var python: String { LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path }
    static var script: String { LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/ethereum-vectors.py").path }

    /// `count` random cases of each kind, as the script's JSON.
    public static func generate(seed: Int, count: Int) async throws -> Data {
        let result = try await runToEnd(python, [script, "generate", "\(seed)", "\(count)"])
        guard result.status == 0 else { throw FixtureMissing("ethereum-vectors.py failed (run `make setup`): \(result.stderr)") }
        return Data(result.stdout.utf8)
    }

    /// Has the independent implementations check what rakis made; their verdict is `ok N` on
    /// standard output with status 0, or the failures.
    public static func check(_ made: [String: Any]) async throws -> ChildProcessResult {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-eth-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: made).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await runToEnd(python, [script, "check", file.path])
    }
}
