import CRakisPBKDF2
import Crypto
import _CryptoExtras

/// PBKDF2-HMAC-SHA256, the key file's password stretching.
///
/// On a CPU with the x86 SHA extensions it runs in CRakisPBKDF2, which a debug build optimises
/// too (swift-crypto's C is unoptimised there, and every process that opens a key file paid
/// 0.2 s for it); elsewhere swift-crypto computes it. Both give the same bytes, which
/// `PBKDF2Tests` checks against each other and against RFC 7914's vectors.
///
/// The caller sets the minimum rounds (the key file asks for 600,000); swift-crypto's own minimum
/// would refuse the RFC's vectors.
public enum PBKDF2 {
    public enum Implementation: Sendable, CaseIterable {
        /// CRakisPBKDF2 where the CPU has the SHA extensions, swift-crypto otherwise.
        case fastest
        case swiftCrypto
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func sha256(
        password: [UInt8], salt: [UInt8], rounds: Int, byteCount: Int, using implementation: Implementation = .fastest
    ) throws(Failure) -> [UInt8] {
        guard rounds >= 1, rounds <= Int(UInt32.max), byteCount >= 1 else {
            throw Failure(description: "PBKDF2 needs at least one round and one output byte")
        }
        if implementation == .fastest {
            var key = [UInt8](repeating: 0, count: byteCount)
            let done = rakis_pbkdf2_sha256(password, password.count, salt, salt.count, UInt32(rounds), &key, byteCount)
            if done == 1 { return key }
        }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: salt, using: .sha256, outputByteCount: byteCount, unsafeUncheckedRounds: rounds)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw Failure(description: "key derivation failed: \(error)")
        }
    }
}
