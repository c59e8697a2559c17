import Foundation
import RakisCore
import RakisEthereum
import RakisInference
import RakisMesh
import RakisNostr
import Testing

/// The seeds are inputs each parser accepts whole (a signed packet that verifies, a relay's
/// chunked event set that joins), so that libFuzzer starts past the first checks. Were a format
/// to change under them, these fail and the seeds are remade.
struct FuzzSeedDepthTests {
    static func seeds(_ target: String) throws -> [[UInt8]] {
        let urls = FuzzCorpusReplayTests.inputs("corpus", target)
        return try urls.map { try [UInt8](Data(contentsOf: $0)) }
    }

    @Test func packetSeedsAreSignedEnvelopesThatVerify() throws {
        for bytes in try Self.seeds("packet-envelope") {
            #expect(throws: Never.self) { _ = try PacketEnvelope.decode(wire: bytes).verify() }
        }
    }

    @Test func relaySeedsCarryVerifiedEventsAndAChunkSetThatJoins() throws {
        var joined = 0, verified = 0
        var assembler = ChunkAssembler(maxPacketBytes: 512 * 1024, lifetime: 60)
        for bytes in try Self.seeds("nostr-relay-message") {
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                guard case .event(_, let json) = try RelayMessage(parsing: line, maxBytes: 1 << 20) else { continue }
                let event = try NostrEvent(json: json)
                try event.verify()
                verified += 1
                if let chunk = try NostrChunk(event: event), case .complete = assembler.add(chunk, from: event.pubkey, at: Date()) { joined += 1 }
            }
        }
        #expect(verified >= 3)
        #expect(joined == 1)
    }

    @Test func meshSeedsParseAndTheHelloIsSigned() throws {
        for bytes in try Self.seeds("mesh-frame") {
            let message = try MeshMessage(parsing: String(decoding: bytes, as: UTF8.self), maxBytes: 1 << 20)
            if case .hello(let hello) = message { #expect(hello.isValid(answering: hello.nonce)) }
        }
    }

    @Test func streamSeedsCompleteAndFileSeedsParse() throws {
        let streams = try Self.seeds("openai-response").filter { $0.dropFirst().starts(with: Array("data:".utf8)) }
        #expect(streams.count >= 2)
        for bytes in streams {
            var reader = OpenAIStreamReader()
            _ = try reader.read(bytes.dropFirst())
            _ = try reader.end()
            #expect(!reader.text.isEmpty)
        }
        for bytes in try Self.seeds("safetensors-header") {
            #expect(throws: Never.self) { _ = try SafetensorsHeader(file: Data(bytes), path: "seed") }
        }
    }

    @Test func abiAndRLPSeedsDecode() throws {
        for bytes in try Self.seeds("abi") {
            let name = String(decoding: bytes[1...Int(bytes[0])], as: UTF8.self)
            #expect(throws: Never.self) { _ = try ABI.decode([ABIType(parsing: name)], from: Array(bytes[(Int(bytes[0]) + 1)...])) }
        }
        for bytes in try Self.seeds("rlp") {
            #expect(throws: Never.self) { _ = try RLP(decoding: bytes) }
        }
    }
}
