import RakisEthereum

extension FuzzTarget {
    /// The ABI type parser and decoder (event logs, call results from a chain node): the first
    /// byte is the length of a type name, the rest is data. A parsed type must print as itself;
    /// decoded values must encode to data that decodes to the same values.
    static let abi = FuzzTarget(name: "abi", summary: "ABIType parser and ABI decoder (round trip)") { bytes throws(FuzzFinding) in
        var input = FuzzInput(bytes)
        let name = String(decoding: input.shortPart(), as: UTF8.self)
        let data = input.rest()
        guard let type = try? ABIType(parsing: name) else { return }
        let reparsed = try? ABIType(parsing: type.description)
        try FuzzFinding.require(reparsed == type, "type \(name) prints as \(type.description), which parses to \(String(describing: reparsed))")
        guard let values = try? ABI.decode([type], from: data) else { return }
        let encoded: [UInt8]
        do { encoded = try ABI.encode(values, as: [type]) } catch {
            throw FuzzFinding("decoded \(type) values do not encode: \(error)")
        }
        let again: [ABIValue]
        do { again = try ABI.decode([type], from: encoded) } catch {
            throw FuzzFinding("re-encoded \(type) values do not decode: \(error)")
        }
        try FuzzFinding.require(again == values, "decode → encode → decode changed \(type) values")
    }
}
