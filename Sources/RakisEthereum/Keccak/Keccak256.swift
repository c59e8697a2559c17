/// Keccak-256 as Ethereum uses it: the Keccak sponge (Keccak-f[1600], rate 136 bytes) with the
/// original padding `0x01 … 0x80`. Not SHA3-256, whose padding byte is `0x06`: the standard
/// libraries here (OpenSSL, swift-crypto) have only that one.
public struct Keccak256: Sendable {
    public static let rate = 136
    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer: [UInt8] = []

    public init() { buffer.reserveCapacity(Self.rate) }

    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            buffer.append(byte)
            if buffer.count == Self.rate {
                absorb(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        var offset = 0
        if !buffer.isEmpty {
            let take = min(Self.rate - buffer.count, bytes.count)
            buffer += bytes[0..<take]
            offset = take
            guard buffer.count == Self.rate else { return }
            absorb(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= Self.rate {
            absorb(bytes[offset..<(offset + Self.rate)])
            offset += Self.rate
        }
        buffer += bytes[offset...]
    }

    public consuming func finalize() -> [UInt8] {
        var block = buffer
        block.append(0x01)
        block += [UInt8](repeating: 0, count: Self.rate - block.count)
        block[Self.rate - 1] |= 0x80
        absorb(block)
        var digest = [UInt8](repeating: 0, count: 32)
        for lane in 0..<4 {
            let value = state[lane]
            for byte in 0..<8 { digest[lane * 8 + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte))) }
        }
        return digest
    }

    private mutating func absorb(_ block: some RandomAccessCollection<UInt8>) {
        var index = block.startIndex
        for lane in 0..<(Self.rate / 8) {
            var value: UInt64 = 0
            for byte in 0..<8 {
                value |= UInt64(block[index]) << (8 * UInt64(byte))
                index = block.index(after: index)
            }
            state[lane] ^= value
        }
        state.withUnsafeMutableBufferPointer { KeccakF1600.permute($0) }
    }
}

/// The Keccak-f[1600] permutation: 24 rounds of θ, ρ, π, χ and ι over 25 64-bit lanes.
enum KeccakF1600 {
    static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    /// ρ rotation offsets and π destinations, walking the lanes from (1, 0) as the reference does.
    static let rotations: [UInt64] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]
    static let piLanes: [Int] = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]

    @inline(__always)
    static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    static func permute(_ a: UnsafeMutableBufferPointer<UInt64>) {
        var c0: UInt64, c1: UInt64, c2: UInt64, c3: UInt64, c4: UInt64
        for round in 0..<24 {
            // θ
            c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
            c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
            c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
            c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
            c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
            let d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1), d3 = c2 ^ rotl(c4, 1), d4 = c3 ^ rotl(c0, 1)
            for row in stride(from: 0, to: 25, by: 5) {
                a[row] ^= d0
                a[row + 1] ^= d1
                a[row + 2] ^= d2
                a[row + 3] ^= d3
                a[row + 4] ^= d4
            }
            // ρ and π
            var current = a[1]
            for step in 0..<24 {
                let lane = piLanes[step]
                let next = a[lane]
                a[lane] = rotl(current, rotations[step])
                current = next
            }
            // χ
            for row in stride(from: 0, to: 25, by: 5) {
                let b0 = a[row], b1 = a[row + 1], b2 = a[row + 2], b3 = a[row + 3], b4 = a[row + 4]
                a[row] = b0 ^ (~b1 & b2)
                a[row + 1] = b1 ^ (~b2 & b3)
                a[row + 2] = b2 ^ (~b3 & b4)
                a[row + 3] = b3 ^ (~b4 & b0)
                a[row + 4] = b4 ^ (~b0 & b1)
            }
            // ι
            a[0] ^= roundConstants[round]
        }
    }
}
