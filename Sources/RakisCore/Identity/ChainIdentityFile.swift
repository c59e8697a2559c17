import Foundation

/// The chain identities bound to this node (`rakis chain bind`), kept as JSON in the data
/// directory: public, so not in the key file. The node announces them in `peerConnectedChain`.
public enum ChainIdentityFile {
    public static let fileName = "chain-identities.json"

    /// The identities stored, or none when there is no file.
    public static func read(_ directory: DataDirectory) throws -> [ChainIdentity] {
        let url = directory.url.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try JSONDecoder().decode([ChainIdentity].self, from: Data(contentsOf: url))
    }

    /// Stores `identity`, replacing one for the same chain.
    public static func save(_ identity: ChainIdentity, in directory: DataDirectory) throws {
        var identities = try read(directory).filter { $0.chain != identity.chain }
        identities.append(identity)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(identities).write(to: directory.url.appendingPathComponent(fileName), options: .atomic)
    }
}
