import BigInt
import Foundation
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// The chain layer's contract, `contracts/RakisInbox.vy`: its committed artifact is what the
/// source compiles to, and its rules hold on a real EVM (eth-tester on py-evm).
@Suite struct InboxContractTests {
    private var python: String { LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path }

    @Test func theCommittedArtifactIsWhatTheSourceCompilesTo() async throws {
        let result = try await runToEnd(python, [LLMFixtures.packageRoot.appendingPathComponent("contracts/compile.py").path, "--check"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("RakisInbox.json matches RakisInbox.vy (vyper 0.4.3)"), "\(result.stdout)")
    }

    @Test func theContractsRulesHoldOnARealEVM() async throws {
        let script = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/inbox-contract.py").path
        let result = try await runToEnd(python, [script])
        #expect(result.status == 0, "\(result.stdout.suffix(3000))\(result.stderr.suffix(3000))")
        #expect(result.stdout.hasSuffix("all checks passed\n"), "\(result.stdout.suffix(2000))")
        for refusal in ["too few attestations", "signer not registered", "signers not distinct and ascending", "already fulfilled",
                        "not expired yet", "same answer", "stake still bonded"] {
            #expect(result.stdout.contains("refused: \(refusal)"), "\(refusal)")
        }

        // The digest a node signs, computed with this project's ABI encoder and Keccak-256, is the
        // contract's.
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("vector ") })
        let vector = try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any])
        let chainId = try #require(vector["chainId"] as? Int)
        let output = try #require(vector["output"] as? String)
        let encoded = try ABI.encode(
            [.uint(BigUInt(chainId)), .address(try EthereumAddress(try #require(vector["inbox"] as? String))),
             .uint(BigUInt(try #require(vector["requestId"] as? Int))), .fixedBytes(Keccak256.hash(Array(output.utf8))),
             .fixedBytes(Hex.bytes(String(try #require(vector["validInferenceJointHash"] as? String).dropFirst(2))))],
            as: [.uint(bits: 256), .address, .uint(bits: 256), .fixedBytes(32), .fixedBytes(32)])
        #expect("0x" + Hex.encode(Keccak256.hash(encoded)) == vector["digest"] as? String)
    }
}
