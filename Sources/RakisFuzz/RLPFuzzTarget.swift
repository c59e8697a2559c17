import RakisEthereum

extension FuzzTarget {
    /// The RLP decoder (transactions, receipts' fields): it accepts only canonical encodings, so
    /// whatever decodes must encode to exactly the input.
    static let rlp = FuzzTarget(name: "rlp", summary: "RLP decoder (canonical: decode → encode is the identity)") { bytes throws(FuzzFinding) in
        guard let item = try? RLP(decoding: bytes) else { return }
        try FuzzFinding.require(item.encoded == bytes, "RLP accepted a non-canonical encoding: \(bytes.count) bytes re-encode to \(item.encoded.count)")
    }
}
