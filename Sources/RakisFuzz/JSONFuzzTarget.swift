import RakisCore

extension FuzzTarget {
    /// The JSON parser every packet, relay message and mesh frame goes through, and the canonical
    /// encoder that signatures cover: whatever parses must survive parse → canonical → parse
    /// unchanged, and canonical bytes must be a fixed point.
    static let json = FuzzTarget(name: "json", summary: "JSONParser and CanonicalJSON (round trip)") { bytes throws(FuzzFinding) in
        guard let value = try? JSONParser().parse(bytes) else { return }
        let canonical = CanonicalJSON.bytes(of: value)
        let again: JSONValue
        do { again = try JSONParser().parse(canonical) } catch {
            throw FuzzFinding("canonical JSON does not parse: \(error); canonical: \(String(decoding: canonical, as: UTF8.self))")
        }
        try FuzzFinding.require(again == value, "parse → canonical → parse changed the value: \(value) became \(again)")
        try FuzzFinding.require(CanonicalJSON.bytes(of: again) == canonical, "canonical JSON is not a fixed point")
    }
}
