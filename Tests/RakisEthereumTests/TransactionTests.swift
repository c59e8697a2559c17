import BigInt
import Foundation
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// Legacy (EIP-155) and EIP-1559 transactions, signed here and by eth-account, byte for byte.
@Suite struct TransactionTests {
    func expectMatches(_ cases: [EthereumVectors.TransactionCase]) throws {
        for c in cases {
            let signed = try Transaction(json: c.transaction).signed(with: Hex.bytes(c.secretKey))
            #expect(Hex.encode(signed.raw) == c.raw)
            #expect(Hex.encode(signed.hash) == c.hash)
        }
    }

    @Test func committedTransactionsMatchEthAccount() throws {
        try expectMatches(try EthereumVectors.committed().transactions)
    }

    @Test func fiveHundredFreshTransactionsMatchAndEthAccountAcceptsOurs() async throws {
        let seed = Int.random(in: 0..<1_000_000)
        let vectors = try await EthereumVectors.live(seed: seed, count: 500)
        try expectMatches(vectors.transactions)
        var g = SeededRandom(seed: UInt64(seed))
        func big() -> BigUInt { BigUInt(Data((0..<[1, 8, 16, 32].randomElement(using: &g)!).map { _ in UInt8.random(in: 0...255, using: &g) })) }
        var cases: [[String: Any]] = []
        for _ in 0..<500 {
            var key: [UInt8]
            repeat { key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) } } while !Secp256k1.isValidSecretKey(key)
            let to = Bool.random(using: &g) ? try EthereumAddress(bytes: (0..<20).map { _ in UInt8.random(in: 0...255, using: &g) }) : nil
            let data = (0..<[0, 4, 68].randomElement(using: &g)!).map { _ in UInt8.random(in: 0...255, using: &g) }
            let chainId = BigUInt([1, 5, 137, 11_155_111].randomElement(using: &g)!), nonce = BigUInt(UInt64.random(in: 0...1000, using: &g))
            var fields: [String: Any] = [
                "chainId": String(chainId), "nonce": String(nonce), "gas": "21000", "data": Hex.encode(data),
            ]
            if let to { fields["to"] = to.checksummed }
            let value = big()
            fields["value"] = String(value)
            let transaction: Transaction
            if Bool.random(using: &g) {
                let price = big()
                fields["gasPrice"] = String(price)
                transaction = .legacy(.init(chainId: chainId, nonce: nonce, gasPrice: price, gasLimit: 21000, to: to, value: value, data: data))
            } else {
                let tip = big(), cap = big()
                fields["type"] = "2"
                fields["maxPriorityFeePerGas"] = String(tip)
                fields["maxFeePerGas"] = String(cap)
                fields["accessList"] = [[String: Any]]()
                transaction = .eip1559(.init(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit: 21000, to: to, value: value, data: data))
            }
            cases.append(["secretKey": Hex.encode(key), "transaction": fields, "raw": Hex.encode(try transaction.signed(with: key).raw)])
        }
        let verdict = try await EthereumReference.check(["transactions": cases])
        #expect(verdict.status == 0 && verdict.stdout.hasPrefix("ok 500"), "seed \(seed): \(verdict.stdout)\(verdict.stderr)")
    }
}
