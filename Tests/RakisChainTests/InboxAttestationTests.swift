import Foundation
import RakisChain
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// Chain attestations as receivers check them: only a signature by the wallet named, over the
/// digest of the very request, output and joint hash, is kept.
@Suite struct InboxAttestationTests {
    let inbox = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
    var requestId: String { "evm:1337:\(inbox):7" }
    let joint = String(repeating: "ab", count: 32)

    @Test func aSignedAttestationVerifiesAndItsDigestIsTheInboxs() throws {
        let wallet = try NodeWallet(secretKey: testChainKey(3))
        let attestation = try InboxAttestation.sign(requestId: requestId, output: "Blue.", validInferenceJointHash: joint, wallet: wallet, createdAt: Date())
        #expect(try InboxAttestation.verify(attestation) == wallet.address)
        #expect(attestation.chain == "evm:1337" && attestation.outputHash == "0x" + Hex.encode(Keccak256.hash(Array("Blue.".utf8))))
        let parsed = try #require(InboxAttestation.parse(requestId: requestId))
        let expectedInbox = try EthereumAddress(inbox)
        #expect(parsed.chainId == 1337 && parsed.id == 7 && parsed.inbox == expectedInbox)
    }

    @Test func forgedOrTamperedAttestationsAreRefusedWithTheirReason() throws {
        let wallet = try NodeWallet(secretKey: testChainKey(3)), other = try NodeWallet(secretKey: testChainKey(4))
        let signed = try InboxAttestation.sign(requestId: requestId, output: "Blue.", validInferenceJointHash: joint, wallet: wallet, createdAt: Date())
        var claimsOther = signed
        claimsOther.address = other.address.checksummed
        #expect(throws: InboxAttestationError.wrongSigner(claimed: other.address.checksummed, recovered: wallet.address.checksummed)) {
            try InboxAttestation.verify(claimsOther)
        }
        var otherOutput = signed
        otherOutput.outputHash = "0x" + Hex.encode(Keccak256.hash(Array("Red.".utf8)))
        #expect(throws: InboxAttestationError.self) { try InboxAttestation.verify(otherOutput) }
        var otherRequest = signed
        otherRequest.requestId = "evm:1337:\(inbox):8"
        #expect(throws: InboxAttestationError.self) { try InboxAttestation.verify(otherRequest) }
        var otherChain = signed
        otherChain.chain = "evm:1"
        #expect(throws: InboxAttestationError.malformed("the chain or inbox differs from the request id's")) { try InboxAttestation.verify(otherChain) }
        var badSignature = signed
        badSignature.signature = "0x1234"
        #expect(throws: InboxAttestationError.malformed("the signature is not 65 bytes with v 27 or 28")) { try InboxAttestation.verify(badSignature) }
        var notChain = signed
        notChain.requestId = "6f1c-not-a-chain-request"
        #expect(throws: InboxAttestationError.notAChainRequest("6f1c-not-a-chain-request")) { try InboxAttestation.verify(notChain) }
    }
}
