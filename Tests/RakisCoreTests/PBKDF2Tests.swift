import CRakisPBKDF2
import RakisCore
import Testing

/// The key file's PBKDF2: the SHA-extension path and swift-crypto give the same bytes.
@Suite struct PBKDF2Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// RFC 7914 §11's PBKDF2-HMAC-SHA256 vectors, through both implementations.
    @Test(arguments: PBKDF2.Implementation.allCases)
    func rfc7914Vectors(_ implementation: PBKDF2.Implementation) throws {
        let one = try PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), rounds: 1, byteCount: 64, using: implementation)
        #expect(Self.hex(one) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
        let many = try PBKDF2.sha256(password: Array("Password".utf8), salt: Array("NaCl".utf8), rounds: 80000, byteCount: 64, using: implementation)
        #expect(Self.hex(many) == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")
    }

    /// Random passwords (empty, under, at and over HMAC's 64-byte block), salts of zero to three
    /// blocks, several output blocks and partial ones, against swift-crypto.
    /// Skipped where the CPU lacks the SHA extensions: there both sides would be swift-crypto.
    @Test(.enabled(if: rakis_pbkdf2_sha256_available() == 1, "this CPU lacks the SHA extensions; only swift-crypto runs here"))
    func randomInputsMatchSwiftCrypto() throws {
        var generator = SystemRandomNumberGenerator()
        for passwordLength in [0, 1, 31, 63, 64, 65, 127, 200] {
            for saltLength in [0, 1, 16, 55, 56, 59, 60, 63, 64, 120, 190] {
                let password = (0..<passwordLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                let salt = (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
                let rounds = Int.random(in: 1...40, using: &generator), byteCount = Int.random(in: 1...100, using: &generator)
                let fast = try PBKDF2.sha256(password: password, salt: salt, rounds: rounds, byteCount: byteCount)
                let reference = try PBKDF2.sha256(password: password, salt: salt, rounds: rounds, byteCount: byteCount, using: .swiftCrypto)
                #expect(fast == reference, "password \(passwordLength) B, salt \(saltLength) B, \(rounds) rounds, \(byteCount) B")
            }
        }
    }

    @Test func zeroRoundsOrBytesAreRefused() {
        #expect(throws: PBKDF2.Failure.self) { try PBKDF2.sha256(password: [1], salt: [2], rounds: 0, byteCount: 32) }
        #expect(throws: PBKDF2.Failure.self) { try PBKDF2.sha256(password: [1], salt: [2], rounds: 1, byteCount: 0) }
    }
}
