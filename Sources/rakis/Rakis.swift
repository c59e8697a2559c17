import ArgumentParser

@main
struct Rakis: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rakis",
        abstract: "A node of the Rakis verifiable AI inference network.",
        discussion: """
            Create a node with `rakis init --data-dir DIR`, then run it with `rakis run --data-dir DIR`.
            The key file is encrypted with your password; give it through RAKIS_PASSWORD or type it when asked.
            """,
        subcommands: [InitCommand.self, IdCommand.self, RunCommand.self, SubmitCommand.self, StatusCommand.self, DevnetCommand.self, EmbedCommand.self, GenerateCommand.self, SimulateCommand.self, WalletCommand.self, ChainCommand.self]
    )
}
