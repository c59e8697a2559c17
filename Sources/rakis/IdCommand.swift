import ArgumentParser
import RakisCore

struct IdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Print the node's synthientId (its Ed25519 public key, hex). Needs the key file's password.")

    @OptionGroup var dataDirectory: DataDirectoryOptions

    func run() async throws {
        let keystore = try Keystore.read(from: dataDirectory.directory.keyFile, password: try PasswordPrompt.existing())
        print(try keystore.identity().synthientId)
    }
}
