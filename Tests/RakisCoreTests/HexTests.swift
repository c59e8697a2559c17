import RakisCore
import Testing

/// Hex as ids, signatures and the packet store's identity key read it.
@Suite struct HexTests {
    @Test func roundTripsAndRefusesWhatIsNotHex() {
        let bytes: [UInt8] = [0x00, 0x7f, 0x80, 0xff, 0x12, 0xab]
        #expect(Hex.encode(bytes) == "007f80ff12ab")
        #expect(Hex.decode("007f80ff12ab") == bytes)
        #expect(Hex.decode("007F80FF12AB") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    /// The store's identity key was first read with `UInt64(_:radix:)`; stored keys stay valid
    /// only if the direct reading gives the same number for every signature.
    @Test func leadingDigitsReadAsTheStandardLibraryReadsThem() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let signature = Hex.encode((0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) })
            #expect(Hex.leadingUInt64(signature) == UInt64(signature.prefix(16), radix: 16))
        }
        #expect(Hex.leadingUInt64(String(repeating: "f", count: 128)) == .max)
        #expect(Hex.leadingUInt64("00000000000000010") == 1)
        #expect(Hex.leadingUInt64("1a") == 0x1a)
        #expect(Hex.leadingUInt64("12g4") == nil)
    }
}
