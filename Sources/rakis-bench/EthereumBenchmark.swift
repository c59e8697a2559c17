import ArgumentParser
import CRakisSecp256k1Bench
import Foundation
import RakisCore
import RakisEthereum

struct EthereumBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ethereum",
        abstract: "Keccak-256 throughput against eth-hash (pycryptodome), and signer recovery against a C loop over libsecp256k1.",
        discussion: """
            Keccak: hashes a second of rakis's Keccak256 on 64-byte and 4 KiB inputs, and of eth-hash's pycryptodome \
            backend (C, called from Python: per-call overhead included) on the same sizes, in the same run \
            (scripts/bench-eth-hash.py with .venv's Python). Recovery: PersonalMessage-style signer recovery \
            (Secp256k1.recover, then the address) against a C loop making the same libsecp256k1 calls.
            """)

    @Option(help: "Seconds each Keccak measurement runs.") var seconds = 2.0
    @Option(help: "Signer recoveries to time.") var recoveries = 20_000
    @Option(help: "The Python with eth-hash and pycryptodome.") var python = ".venv/bin/python"

    func run() async throws {
        print("ethereum benchmark (release build; higher is better)")
        print("  Keccak-256     rakis (hashes/s)    eth-hash pycryptodome (hashes/s)    ratio")
        for size in [64, 4096] {
            let ours = keccakRate(size: size)
            let reference = try referenceKeccakRate(size: size)
            print(String(format: "  %5d bytes    %14.0f      %14.0f                      %5.2f", size, ours, reference, ours / reference))
        }
        try recovery()
    }

    private func keccakRate(size: Int) -> Double {
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
        var count = 0
        var sink: UInt8 = 0
        let start = ContinuousClock.now
        while (ContinuousClock.now - start) < .seconds(seconds) {
            for _ in 0..<1000 { sink ^= Keccak256.hash(data)[0] }
            count += 1000
        }
        if sink == 0xFF, count < 0 { print(sink) }
        return Double(count) / (ContinuousClock.now - start).seconds
    }

    private func referenceKeccakRate(size: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["scripts/bench-eth-hash.py", "\(size)", "\(seconds)"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let rate = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ValidationError("scripts/bench-eth-hash.py failed; run `make setup` from the project root")
        }
        return rate
    }

    /// Median of three interleaved runs each: the Swift layer's recovery (the same libsecp256k1
    /// calls as the C loop), the C loop, and the whole signer (recovery plus the address).
    private func recovery() throws {
        let key = [UInt8](repeating: 0, count: 31) + [7]
        let digest = PersonalMessage.digest(Array(String(repeating: "ab", count: 32).utf8))
        let (rs, recoveryId) = try Secp256k1.sign(digest: digest, secretKey: key)
        func rate(_ work: () -> Int) -> Double {
            let start = ContinuousClock.now
            let done = work()
            return Double(done) / (ContinuousClock.now - start).seconds
        }
        var swiftRates: [Double] = [], cRates: [Double] = [], signerRates: [Double] = []
        var out = [UInt8](repeating: 0, count: 65)
        for _ in 0..<3 {
            swiftRates.append(rate { (0..<recoveries).reduce(0) { n, _ in (try? Secp256k1.recover(digest: digest, rs: rs, recoveryId: recoveryId)) == nil ? n : n + 1 } })
            cRates.append(rate { Int(rakis_bench_recover(digest, rs, Int32(recoveryId), Int32(recoveries), &out)) })
            signerRates.append(rate {
                (0..<recoveries).reduce(0) { n, _ in
                    (try? EthereumAddress(publicKey: try Secp256k1.recover(digest: digest, rs: rs, recoveryId: recoveryId))) == nil ? n : n + 1
                }
            })
        }
        let median = { (rates: [Double]) in rates.sorted()[1] }
        print("  recovery (median of 3)         rakis (/s)    C loop over libsecp256k1 (/s)    ratio")
        print(String(format: "  public key                 %12.0f     %12.0f                      %5.2f", median(swiftRates), median(cRates), median(swiftRates) / median(cRates)))
        print(String(format: "  signer address             %12.0f     (the key, then Keccak-256 of it)", median(signerRates)))
    }
}
