import Foundation
import RakisCore
import RakisNostr

extension FuzzTarget {
    /// What a relay sends, one WebSocket message per line: relay messages parsed; events read,
    /// their id and signature checked, chunk tags read and chunks joined across the messages of
    /// one input (an assembler per input, as per connection). An event that parses must print
    /// as JSON that parses to the same event.
    static let nostrRelayMessage = FuzzTarget(name: "nostr-relay-message", summary: "relay messages, events, chunk tags and chunk joining") {
        bytes throws(FuzzFinding) in
        var assembler = ChunkAssembler(maxPacketBytes: 512 * 1024, maxPendingBytes: 1 << 20, lifetime: 60)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard case .event(_, let json)? = try? RelayMessage(parsing: line, maxBytes: 1 << 20),
                  let event = try? NostrEvent(json: json)
            else { continue }
            let again = try? NostrEvent(json: JSONParser().parse(CanonicalJSON.bytes(of: event.json)))
            try FuzzFinding.require(again == event, "event → JSON → event changed it: \(event) became \(String(describing: again))")
            _ = try? event.verify()
            guard let chunk = try? NostrChunk(event: event) else { continue }
            if case .complete(let joined) = assembler.add(chunk, from: event.pubkey, at: now) {
                try FuzzFinding.require(joined.count <= 512 * 1024, "joined \(joined.count) bytes, over the packet limit")
            }
        }
    }
}
