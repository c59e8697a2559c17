import Foundation
import RakisCore
import RakisP2P
@testable import RakisNostr
import RakisTestSupport
import Testing

/// libsecp256k1 through `BIP340`, against the official BIP-340 test vectors.
@Suite struct BIP340Tests {
    struct Vector {
        var index: Int
        var secretKey: [UInt8]?
        var publicKey: [UInt8]
        var auxRand: [UInt8]?
        var message: [UInt8]
        var signature: [UInt8]
        var valid: Bool
    }

    static func vectors() throws -> [Vector] {
        let url = LLMFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/bip340-test-vectors.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst()
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).lowercased() }
            func bytes(_ i: Int) -> [UInt8]? { fields[i].isEmpty ? nil : Hex.decode(fields[i]) }
            return Vector(
                index: Int(fields[0])!, secretKey: bytes(1), publicKey: bytes(2) ?? [], auxRand: bytes(3),
                message: bytes(4) ?? [], signature: bytes(5) ?? [], valid: fields[6] == "true")
        }
    }

    @Test func everyOfficialVectorVerifiesAsExpected() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 15)
        for vector in vectors {
            #expect(BIP340.isValid(signature: vector.signature, message: vector.message, publicKey: vector.publicKey) == vector.valid,
                    "vector \(vector.index)")
        }
    }

    @Test func signingReproducesTheOfficialSignatures() throws {
        let signing = try Self.vectors().filter { $0.secretKey != nil }
        #expect(signing.count == 4)
        for vector in signing {
            let pair = try BIP340.KeyPair(secretKey: vector.secretKey!)
            #expect(pair.publicKey == vector.publicKey, "vector \(vector.index)")
            #expect(try pair.sign(message: vector.message, auxRand: vector.auxRand) == vector.signature, "vector \(vector.index)")
        }
    }

    @Test func invalidSecretKeysAreRefusedWithAReason() {
        #expect(throws: BIP340Error.invalidSecretKey) { try BIP340.KeyPair(secretKey: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: BIP340Error.invalidSecretKey) { try BIP340.KeyPair(secretKey: [UInt8](repeating: 0xFF, count: 32)) }
        #expect(throws: BIP340Error.invalidSecretKey) { try BIP340.KeyPair(secretKey: [1, 2, 3]) }
        #expect(throws: BIP340Error.invalidMessage) { try BIP340.KeyPair.generate().sign(message: [1, 2, 3]) }
    }

    @Test func malformedKeysAndSignaturesAreInvalidNotFatal() throws {
        let pair = BIP340.KeyPair.generate()
        let message = [UInt8](repeating: 7, count: 32)
        let signature = try pair.sign(message: message)
        #expect(BIP340.isValid(signature: signature, message: message, publicKey: pair.publicKey))
        #expect(!BIP340.isValid(signature: Array(signature.dropLast()), message: message, publicKey: pair.publicKey))
        #expect(!BIP340.isValid(signature: signature, message: message, publicKey: Array(pair.publicKey.dropLast())))
        #expect(!BIP340.isValid(signature: signature, message: message, publicKey: []))
        var flipped = signature
        flipped[40] ^= 1
        #expect(!BIP340.isValid(signature: flipped, message: message, publicKey: pair.publicKey))
    }
}
