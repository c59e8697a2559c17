/// Keccak-256 as Ethereum uses it: the Keccak sponge (Keccak-f[1600], rate 136 bytes) with the
/// original padding `0x01 … 0x80`. Not SHA3-256, whose padding byte is `0x06`: the standard
/// libraries here (OpenSSL, swift-crypto) have only that one.
public struct Keccak256: Sendable {
    public static let rate = 136
    private var state = [UInt64](repeating: 0, count: 25)
    /// Input not yet absorbed: less than one block.
    private var pending: [UInt8] = []

    public init() { pending.reserveCapacity(Self.rate) }

    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] { hash(Array(bytes)) }

    public mutating func update(_ bytes: some Sequence<UInt8>) { update(Array(bytes)) }

    public mutating func update(_ bytes: [UInt8]) {
        var offset = 0
        if !pending.isEmpty {
            let take = min(Self.rate - pending.count, bytes.count)
            pending += bytes[0..<take]
            offset = take
            guard pending.count == Self.rate else { return }
            pending.withUnsafeBytes { block in absorb(block, at: 0) }
            pending.removeAll(keepingCapacity: true)
        }
        bytes.withUnsafeBytes { raw in
            while raw.count - offset >= Self.rate {
                absorb(raw, at: offset)
                offset += Self.rate
            }
        }
        pending += bytes[offset...]
    }

    public consuming func finalize() -> [UInt8] {
        var block = pending
        block.append(0x01)
        block += [UInt8](repeating: 0, count: Self.rate - block.count)
        block[Self.rate - 1] |= 0x80
        block.withUnsafeBytes { absorb($0, at: 0) }
        var digest = [UInt8](repeating: 0, count: 32)
        for lane in 0..<4 {
            let value = state[lane]
            for byte in 0..<8 { digest[lane * 8 + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte))) }
        }
        return digest
    }

    /// XORs the block of `rate` bytes at `offset` into the state (lanes little-endian) and permutes.
    private mutating func absorb(_ raw: UnsafeRawBufferPointer, at offset: Int) {
        state.withUnsafeMutableBufferPointer { lanes in
            for lane in 0..<(Self.rate / 8) {
                lanes[lane] ^= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + lane * 8, as: UInt64.self))
            }
            KeccakF1600.permute(lanes.baseAddress!)
        }
    }
}

/// The Keccak-f[1600] permutation.
enum KeccakF1600 {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    @inline(__always)
    static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    /// 24 rounds of θ, ρ, π, χ and ι, with the 25 lanes in locals (generated unrolled code; lane
    /// `aXY` is column X, row Y, at index X + 5Y).
    static func permute(_ state: UnsafeMutablePointer<UInt64>) {
        var a00 = state[0]
        var a10 = state[1]
        var a20 = state[2]
        var a30 = state[3]
        var a40 = state[4]
        var a01 = state[5]
        var a11 = state[6]
        var a21 = state[7]
        var a31 = state[8]
        var a41 = state[9]
        var a02 = state[10]
        var a12 = state[11]
        var a22 = state[12]
        var a32 = state[13]
        var a42 = state[14]
        var a03 = state[15]
        var a13 = state[16]
        var a23 = state[17]
        var a33 = state[18]
        var a43 = state[19]
        var a04 = state[20]
        var a14 = state[21]
        var a24 = state[22]
        var a34 = state[23]
        var a44 = state[24]
        for round in 0..<24 {
            let c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04
            let c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14
            let c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24
            let c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34
            let c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            let b00 = (a00 ^ d0)
            let b13 = rotl((a01 ^ d0), 36)
            let b21 = rotl((a02 ^ d0), 3)
            let b34 = rotl((a03 ^ d0), 41)
            let b42 = rotl((a04 ^ d0), 18)
            let b02 = rotl((a10 ^ d1), 1)
            let b10 = rotl((a11 ^ d1), 44)
            let b23 = rotl((a12 ^ d1), 10)
            let b31 = rotl((a13 ^ d1), 45)
            let b44 = rotl((a14 ^ d1), 2)
            let b04 = rotl((a20 ^ d2), 62)
            let b12 = rotl((a21 ^ d2), 6)
            let b20 = rotl((a22 ^ d2), 43)
            let b33 = rotl((a23 ^ d2), 15)
            let b41 = rotl((a24 ^ d2), 61)
            let b01 = rotl((a30 ^ d3), 28)
            let b14 = rotl((a31 ^ d3), 55)
            let b22 = rotl((a32 ^ d3), 25)
            let b30 = rotl((a33 ^ d3), 21)
            let b43 = rotl((a34 ^ d3), 56)
            let b03 = rotl((a40 ^ d4), 27)
            let b11 = rotl((a41 ^ d4), 20)
            let b24 = rotl((a42 ^ d4), 39)
            let b32 = rotl((a43 ^ d4), 8)
            let b40 = rotl((a44 ^ d4), 14)
            a00 = b00 ^ (~b10 & b20)
            a10 = b10 ^ (~b20 & b30)
            a20 = b20 ^ (~b30 & b40)
            a30 = b30 ^ (~b40 & b00)
            a40 = b40 ^ (~b00 & b10)
            a01 = b01 ^ (~b11 & b21)
            a11 = b11 ^ (~b21 & b31)
            a21 = b21 ^ (~b31 & b41)
            a31 = b31 ^ (~b41 & b01)
            a41 = b41 ^ (~b01 & b11)
            a02 = b02 ^ (~b12 & b22)
            a12 = b12 ^ (~b22 & b32)
            a22 = b22 ^ (~b32 & b42)
            a32 = b32 ^ (~b42 & b02)
            a42 = b42 ^ (~b02 & b12)
            a03 = b03 ^ (~b13 & b23)
            a13 = b13 ^ (~b23 & b33)
            a23 = b23 ^ (~b33 & b43)
            a33 = b33 ^ (~b43 & b03)
            a43 = b43 ^ (~b03 & b13)
            a04 = b04 ^ (~b14 & b24)
            a14 = b14 ^ (~b24 & b34)
            a24 = b24 ^ (~b34 & b44)
            a34 = b34 ^ (~b44 & b04)
            a44 = b44 ^ (~b04 & b14)
            a00 ^= roundConstants[round]
        }
        state[0] = a00
        state[1] = a10
        state[2] = a20
        state[3] = a30
        state[4] = a40
        state[5] = a01
        state[6] = a11
        state[7] = a21
        state[8] = a31
        state[9] = a41
        state[10] = a02
        state[11] = a12
        state[12] = a22
        state[13] = a32
        state[14] = a42
        state[15] = a03
        state[16] = a13
        state[17] = a23
        state[18] = a33
        state[19] = a43
        state[20] = a04
        state[21] = a14
        state[22] = a24
        state[23] = a34
        state[24] = a44
    }
}
