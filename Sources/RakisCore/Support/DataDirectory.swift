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

    /// The API token `rakis init` wrote, or nil when there is none.
    public func apiToken() -> String? {
        guard let text = try? String(contentsOf: apiTokenFile, encoding: .utf8) else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    public var exists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Creates the directory (and parents) readable by the owner only.
    public func create() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
