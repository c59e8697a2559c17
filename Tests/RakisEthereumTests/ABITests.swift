import BigInt
import Foundation
import RakisCore
import RakisEthereum
import RakisTestSupport
import Testing

/// The contract ABI against eth-abi, both ways, and against hostile data.
@Suite struct ABITests {
    func expectMatches(_ cases: [EthereumVectors.ABICase]) throws {
        for c in cases {
            let types = try c.types.map(ABIType.init(parsing:))
            #expect(types.map(\.description) == c.types)
            let values = try zip(types, c.values).map { try $1.value(as: $0) }
            #expect(Hex.encode(try ABI.encode(values, as: types)) == c.encoding, "\(c.types)")
            #expect(try ABI.decode(types, from: Hex.bytes(c.encoding)) == values, "\(c.types)")
        }
    }

    @Test func committedCasesMatchEthABI() throws {
        try expectMatches(try EthereumVectors.committed().abi)
    }

    @Test func fiveHundredFreshCasesMatchAndEthABIDecodesOurs() async throws {
        let seed = Int.random(in: 0..<1_000_000)
        try expectMatches(try await EthereumVectors.live(seed: seed, count: 500).abi)
        var generator = SeededRandom(seed: UInt64(seed))
        var cases: [[String: Any]] = []
        for _ in 0..<500 {
            let types = (0..<Int.random(in: 1...3, using: &generator)).map { _ in Self.randomType(&generator, depth: 0) }
            let values = types.map { Self.randomValue($0, &generator) }
            cases.append([
                "types": types.map(\.description), "values": values.map(ABIJSON.json), "encoding": Hex.encode(try ABI.encode(values, as: types)),
            ])
        }
        let verdict = try await EthereumReference.check(["abi": cases])
        #expect(verdict.status == 0 && verdict.stdout.hasPrefix("ok 500"), "seed \(seed): \(verdict.stdout)\(verdict.stderr)")
    }

    static func randomType(_ g: inout SeededRandom, depth: Int) -> ABIType {
        let roll = Double.random(in: 0..<1, using: &g)
        if depth < 3, roll < 0.15 { return .tuple((0..<Int.random(in: 1...3, using: &g)).map { _ in randomType(&g, depth: depth + 1) }) }
        if depth < 3, roll < 0.3 { return .array(randomType(&g, depth: depth + 1), length: [nil, 1, 2, 3].randomElement(using: &g)!) }
        switch Int.random(in: 0..<7, using: &g) {
        case 0: return .uint(bits: 8 * Int.random(in: 1...32, using: &g))
        case 1: return .int(bits: 8 * Int.random(in: 1...32, using: &g))
        case 2: return .address
        case 3: return .bool
        case 4: return .fixedBytes(Int.random(in: 1...32, using: &g))
        case 5: return .bytes
        default: return .string
        }
    }

    static func randomValue(_ type: ABIType, _ g: inout SeededRandom) -> ABIValue {
        func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) } }
        switch type {
        case .uint(let bits): return .uint(BigUInt(Data(bytes(bits / 8))))
        case .int(let bits):
            let magnitude = BigInt(BigUInt(Data(bytes(bits / 8))) >> 1)
            return .int(Bool.random(using: &g) ? magnitude : -magnitude - 1)
        case .address: return .address(try! EthereumAddress(bytes: bytes(20)))
        case .bool: return .bool(Bool.random(using: &g))
        case .fixedBytes(let n): return .fixedBytes(bytes(n))
        case .bytes: return .bytes(bytes([0, 1, 31, 32, 33, 100].randomElement(using: &g)!))
        case .string: return .string((0..<Int.random(in: 0..<30, using: &g)).map { _ in ["a", "Z", " ", "\"", "é", "日本", "🎨", "\n"].randomElement(using: &g)! }.joined())
        case .array(let element, let length):
            return .array((0..<(length ?? Int.random(in: 0...3, using: &g))).map { _ in randomValue(element, &g) })
        case .tuple(let members): return .tuple(members.map { randomValue($0, &g) })
        }
    }

    @Test func selectorsTopicsAndLogs() throws {
        #expect(Hex.encode(ABI.selector("transfer(address,uint256)")) == "a9059cbb")
        #expect(Hex.encode(ABI.eventTopic("Transfer(address,address,uint256)")) == "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
        let transfer = ABIEvent(name: "Transfer", parameters: [
            .init("from", .address, indexed: true), .init("to", .address, indexed: true), .init("value", .uint(bits: 256)),
        ])
        let from = try EthereumAddress("0x" + String(repeating: "11", count: 20)), to = try EthereumAddress("0x" + String(repeating: "22", count: 20))
        let topics = [transfer.topic, try ABI.encode([.address(from)], as: [.address]), try ABI.encode([.address(to)], as: [.address])]
        let data = try ABI.encode([.uint(BigUInt(10).power(18))], as: [.uint(bits: 256)])
        #expect(try transfer.decode(topics: topics, data: data) == [.address(from), .address(to), .uint(BigUInt(10).power(18))])
        #expect(throws: ABIError.wrongTopicCount(expected: 3, got: 2)) { try transfer.decode(topics: Array(topics.prefix(2)), data: data) }
        // An indexed string is only its hash in the topic.
        let named = ABIEvent(name: "Named", parameters: [.init("name", .string, indexed: true), .init("n", .uint(bits: 8))])
        let hash = Keccak256.hash(Array("rakis".utf8))
        #expect(try named.decode(topics: [named.topic, hash], data: try ABI.encode([.uint(7)], as: [.uint(bits: 8)])) == [.fixedBytes(hash), .uint(7)])
        for bad in ["uint7", "uint264", "bytes0", "bytes33", "int09", "(uint256", "uint256[0]", "uint256[", "foo", "", "uint256)"] {
            #expect(throws: ABIError.self, "\(bad)") { try ABIType(parsing: bad) }
        }
    }

    @Test func hostileDataEndsInATypedErrorTenThousandTimes() throws {
        let cases = try EthereumVectors.committed().abi
        var g = SeededRandom(seed: 15)
        var decoded = 0, refused = 0
        for n in 0..<10_000 {
            let c = cases[n % cases.count]
            let types = try c.types.map(ABIType.init(parsing:))
            var data = Hex.bytes(c.encoding)
            switch Int.random(in: 0..<5, using: &g) {
            case 0 where !data.isEmpty: data[Int.random(in: 0..<data.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
            case 1 where !data.isEmpty: data.removeLast(Int.random(in: 1...data.count, using: &g))
            case 2 where data.count >= 32:
                // An offset or length word pointed far away, or to the largest value.
                let word = Int.random(in: 0..<(data.count / 32), using: &g) * 32
                for i in 0..<32 { data[word + i] = Bool.random(using: &g) ? 0xFF : 0 }
            case 3: data += (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
            default: data = (0..<Int.random(in: 0...200, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            }
            if let values = try? ABI.decode(types, from: data) {
                // Whatever decodes fits its types: padding and ranges were checked, so it encodes again.
                #expect((try? ABI.encode(values, as: types)) != nil, "\(c.types)")
                decoded += 1
            } else {
                refused += 1
            }
        }
        #expect(decoded + refused == 10_000 && refused > 3_000)
        // Nested dynamic arrays whose offsets all point at one word cannot blow up.
        let nested = try ABIType(parsing: "uint256[][][][]")
        var bomb = [UInt8](repeating: 0, count: 32 * 8)
        bomb[31] = 32
        for word in 1..<8 { bomb[word * 32 + 31] = 3 }
        _ = try? ABI.decode([nested], from: bomb)
    }
}
