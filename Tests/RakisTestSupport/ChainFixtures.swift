import Foundation

extension ServerProcess {
    /// The test chain of scripts/test-chain.py: a real EVM (eth-tester on py-evm) behind
    /// standard JSON-RPC on a free loopback port. Its funded accounts have the secret keys 1 to 10.
    public static func evmChain(chainId: UInt64? = nil, mode: String = "ok") async throws -> ServerProcess {
        let script = LLMFixtures.packageRoot.appendingPathComponent("scripts/test-chain.py").path
        let chain = chainId.map { ["--chain-id", "\($0)"] } ?? []
        return try await fixtureScript(executable: LLMFixtures.packageRoot.appendingPathComponent(".venv/bin/python").path) { port in
            [script, "\(port)", "--mode", mode] + chain
        }
    }
}

/// The secret key `n` of the test chain's funded accounts (eth-tester's keys 1 to 10).
public func testChainKey(_ n: UInt8) -> [UInt8] { [UInt8](repeating: 0, count: 31) + [n] }
