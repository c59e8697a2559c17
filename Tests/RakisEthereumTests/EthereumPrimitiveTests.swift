import Foundation
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// Keccak-256, RLP, addresses and EIP-191 signatures, byte for byte against independent
/// implementations, both ways.
@Suite struct EthereumPrimitiveTests {
    @Test func keccakMatchesItsPublishedVectors() {
        // The Keccak team's ShortMsgKAT_256 (Len 0, 8, 16) and the common "abc" and 200-byte cases.
        let cases: [([UInt8], String)] = [
            ([], "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
            ([0xCC], "eead6dbfc7340a56caedc044696a168870549a6a7f6f56961e84a54bd9970b8a"),
            ([0x41, 0xFB], "a8eaceda4d47b3281a795ad9e1ea2122b407baf9aabcb9e18b5717b7873537d2"),
            (Array("abc".utf8), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ]
        for (input, digest) in cases { #expect(Hex.encode(Keccak256.hash(input)) == digest) }
        // Fed in pieces of any size, the same digest as in one piece.
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var hasher = Keccak256()
        for piece in stride(from: 0, to: long.count, by: 37) { hasher.update(Array(long[piece..<min(long.count, piece + 37)])) }
        #expect(hasher.finalize() == Keccak256.hash(long))
    }

    func expectMatches(_ vectors: EthereumVectors) throws {
        for c in vectors.keccak { #expect(Hex.encode(Keccak256.hash(Hex.bytes(c.input))) == c.digest, "\(c.input.prefix(40))") }
        for c in vectors.rlp {
            let item = c.item.rlp
            #expect(Hex.encode(item.encoded) == c.encoding)
            #expect(try RLP(decoding: Hex.bytes(c.encoding)) == item)
        }
        for c in vectors.addresses {
            let address = try EthereumAddress(publicKey: Hex.bytes(c.publicKey))
            #expect(address.checksummed == c.address)
            #expect(try EthereumAddress(c.address) == address)
            #expect(try EthereumAddress(c.address.lowercased()) == address)
        }
        for c in vectors.personal {
            let key = Hex.bytes(c.secretKey), message = Hex.bytes(c.message)
            // RFC 6979 nonces: the same signature eth-account made, and the same signer recovered.
            #expect(Hex.encode(try PersonalMessage.sign(message, secretKey: key)) == c.signature)
            #expect(try PersonalMessage.signer(of: message, signature: Hex.bytes(c.signature)).checksummed == c.address)
        }
        for c in vectors.identities {
            let identity = ChainIdentity(chain: "Sepolia", address: c.address, synthientIdSignature: c.signature, signedWithWallet: "MetaMask")
            #expect(try ChainIdentityCheck.verify(identity, sentBy: c.synthientId).checksummed == c.address)
        }
    }

    @Test func committedVectorsMatch() throws {
        try expectMatches(try EthereumVectors.committed())
    }

    @Test func fiveHundredFreshCasesOfEachMatchAndTheirChecksAcceptOurs() async throws {
        let seed = Int.random(in: 0..<1_000_000)
        let vectors = try await EthereumVectors.live(seed: seed, count: 500)
        #expect(vectors.rlp.count == 500 && vectors.personal.count == 500)
        try expectMatches(vectors)

        // The other way: structures, keys and messages made here, checked there.
        var generator = SeededRandom(seed: UInt64(seed))
        var rlpCases: [[String: Any]] = [], keccakCases: [[String: Any]] = [], addressCases: [[String: Any]] = [], personalCases: [[String: Any]] = []
        for _ in 0..<500 {
            let item = Self.randomRLP(&generator, depth: 0)
            rlpCases.append(["item": RLPJSON.json(item), "encoding": Hex.encode(item.encoded)])
            let data = (0..<Int.random(in: 0..<600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            keccakCases.append(["input": Hex.encode(data), "digest": Hex.encode(Keccak256.hash(data))])
            let raw = (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
            addressCases.append(["bytes": Hex.encode(raw), "address": try EthereumAddress(bytes: raw).checksummed])
            var key: [UInt8]
            repeat { key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } } while !Secp256k1.isValidSecretKey(key)
            let message = Array(data.prefix(Int.random(in: 0...200, using: &generator)))
            let address = try EthereumAddress(publicKey: try Secp256k1.publicKey(of: key))
            personalCases.append([
                "message": Hex.encode(message), "signature": Hex.encode(try PersonalMessage.sign(message, secretKey: key)), "address": address.checksummed,
            ])
        }
        let verdict = try await EthereumReference.check(["rlp": rlpCases, "keccak": keccakCases, "addresses": addressCases, "personal": personalCases])
        #expect(verdict.status == 0 && verdict.stdout.hasPrefix("ok 2000"), "seed \(seed): \(verdict.stdout)\(verdict.stderr)")
    }

    static func randomRLP(_ generator: inout SeededRandom, depth: Int) -> RLP {
        if depth < 4, Double.random(in: 0..<1, using: &generator) < 0.3 {
            return .list((0..<[0, 1, 2, 3, 5, 20].randomElement(using: &generator)!).map { _ in randomRLP(&generator, depth: depth + 1) })
        }
        let length = [0, 1, 1, 2, 10, 55, 56, 57, 200, 1100].randomElement(using: &generator)!
        return .bytes((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    @Test func aBrowserWalletsIdentityVerifiesAndTheSameSignatureWithAnotherAddressDoesNot() throws {
        let vectors = try EthereumVectors.committed()
        let real = vectors.identities[0], other = vectors.identities[1]
        let identity = ChainIdentity(chain: "Sepolia", address: real.address, synthientIdSignature: real.signature, signedWithWallet: "MetaMask")
        #expect(try ChainIdentityCheck.verify(identity, sentBy: real.synthientId).checksummed == real.address)
        // The reference would have accepted these: a valid signature claiming another address,
        // and a valid identity replayed by another node.
        var stolen = identity
        stolen.address = other.address
        #expect(throws: ChainIdentityError.self) { try ChainIdentityCheck.verify(stolen, sentBy: real.synthientId) }
        #expect(throws: ChainIdentityError.self) { try ChainIdentityCheck.verify(identity, sentBy: other.synthientId) }
        // v as 0/1 is the same signature; any other v, a high s, bad hex or a bad checksum is refused.
        var bytes = try PersonalMessage.signatureBytes(real.signature)
        bytes[64] -= 27
        var zeroOne = identity
        zeroOne.synthientIdSignature = "0x" + Hex.encode(bytes)
        #expect(try ChainIdentityCheck.verify(zeroOne, sentBy: real.synthientId).checksummed == real.address)
        bytes[64] = 29
        var badV = identity
        badV.synthientIdSignature = "0x" + Hex.encode(bytes)
        #expect(throws: ChainIdentityError.badSignature(.badV(29))) { try ChainIdentityCheck.verify(badV, sentBy: real.synthientId) }
        var highS = identity
        highS.synthientIdSignature = "0x" + Hex.encode(Self.flipS(try PersonalMessage.signatureBytes(real.signature)))
        #expect(throws: ChainIdentityError.badSignature(.highS)) { try ChainIdentityCheck.verify(highS, sentBy: real.synthientId) }
        for text in ["0x1234", "1234" + String(repeating: "0", count: 126), "0x" + String(repeating: "zz", count: 65)] {
            var malformed = identity
            malformed.synthientIdSignature = text
            #expect(throws: ChainIdentityError.self) { try ChainIdentityCheck.verify(malformed, sentBy: real.synthientId) }
        }
        var typo = identity
        let flipped = typo.address.contains("a") ? typo.address.replacingOccurrences(of: "a", with: "A") : typo.address.replacingOccurrences(of: "A", with: "a")
        typo.address = flipped
        if flipped != real.address { #expect(throws: ChainIdentityError.self) { try ChainIdentityCheck.verify(typo, sentBy: real.synthientId) } }
    }

    /// The same signature with s replaced by n − s (and v flipped): valid ECDSA, forbidden by EIP-2.
    static func flipS(_ signature: [UInt8]) -> [UInt8] {
        let n: [UInt8] = Hex.bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        var s = Array(signature[32..<64])
        var borrow = 0
        for index in stride(from: 31, through: 0, by: -1) {
            let difference = Int(n[index]) - Int(s[index]) - borrow
            s[index] = UInt8((difference + 256) % 256)
            borrow = difference < 0 ? 1 : 0
        }
        return Array(signature[0..<32]) + s + [signature[64] == 27 ? 28 : 27]
    }

    @Test func rlpRefusesNonCanonicalAndTruncatedInput() {
        let bad: [([UInt8], String)] = [
            ([0x81, 0x05], "single byte below 0x80 in a string header"),
            ([0xB8, 0x05, 1, 2, 3, 4, 5], "short string in the long form"),
            ([0xB9, 0x00, 0x40] + [UInt8](repeating: 1, count: 64), "length with a leading zero"),
            ([0x83, 1, 2], "truncated string"),
            ([0xC3, 0x01, 0x02], "truncated list"),
            ([0xC1, 0x82, 0x01], "item past its list's end"),
            ([0xBF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "length overflow"),
            ([0x01, 0x02], "trailing bytes"),
            ([], "empty input"),
        ]
        for (bytes, why) in bad { #expect(throws: RLPError.self, "\(why)") { try RLP(decoding: bytes) } }
        var deep = RLP.list([])
        for _ in 0..<100 { deep = .list([deep]) }
        #expect(throws: RLPError.tooDeep) { try RLP(decoding: deep.encoded) }
    }

    @Test func tenThousandMutationsOfEachDecoderEndInAValueOrATypedError() throws {
        let vectors = try EthereumVectors.committed()
        var generator = SeededRandom(seed: 2026)
        func mutate(_ bytes: [UInt8]) -> [UInt8] {
            var out = bytes
            switch Int.random(in: 0..<4, using: &generator) {
            case 0 where !out.isEmpty: out[Int.random(in: 0..<out.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 1 where !out.isEmpty: out.removeLast(Int.random(in: 1...out.count, using: &generator))
            case 2: out.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...out.count, using: &generator))
            default: out += (0..<Int.random(in: 1...8, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            return out
        }
        var decoded = 0, refused = 0
        for n in 0..<10_000 {
            let mutated = mutate(Hex.bytes(vectors.rlp[n % vectors.rlp.count].encoding))
            if let item = try? RLP(decoding: mutated) {
                // Only canonical encodings decode, so whatever does encodes back to the same bytes.
                #expect(item.encoded == mutated)
                decoded += 1
            } else {
                refused += 1
            }
        }
        #expect(decoded + refused == 10_000 && refused > 1_000)
        for n in 0..<10_000 {
            let c = vectors.personal[n % vectors.personal.count]
            let signature = mutate(Hex.bytes(c.signature))
            // A mutated signature recovers some address or none; never the signer's, unless only
            // v changed to its other spelling (27 ↔ 0, 28 ↔ 1).
            if let signer = try? PersonalMessage.signer(of: Hex.bytes(c.message), signature: signature), signer.checksummed == c.address {
                #expect(signature.count == 65 && signature.prefix(64) == Hex.bytes(c.signature).prefix(64))
            }
            let address = String(decoding: mutate(Array(c.address.utf8)), as: UTF8.self)
            _ = try? EthereumAddress(address)
            _ = try? EthereumAddress(publicKey: mutate(Hex.bytes(vectors.addresses[n % vectors.addresses.count].publicKey)))
        }
    }
}
