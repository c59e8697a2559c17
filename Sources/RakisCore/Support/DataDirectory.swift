public import Foundation

/// The files of one node, all under one directory:
/// `identity.key` (encrypted keystore), `config.json` (settings), `api-token` (bearer token for
/// the HTTP API) and one SQLite file per layer.
public struct DataDirectory: Sendable {
    public let url: URL

    public init(_ path: String) {
        self.url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true).standardizedFileURL
    }

    public var keyFile: URL { url.appendingPathComponent(Keystore.fileName) }
    public var configFile: URL { url.appendingPathComponent(SettingsLoader.configFileName) }
    public var apiTokenFile: URL { url.appendingPathComponent("api-token") }

    public var exists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Creates the directory (and parents) readable by the owner only.
    public func create() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
