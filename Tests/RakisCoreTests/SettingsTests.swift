import Foundation
import Testing
@testable import RakisCore

@Suite struct SettingsTests {
    func configFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rakis-config-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func defaultsAreTheReferenceValues() throws {
        let settings = try SettingsLoader.load(configFile: nil, environment: [:])
        #expect(settings.maxPacketDBSize == 5000)
        #expect(settings.maxReceivedPacketQueueSize == 100)
        #expect(settings.receivePacketQueueDebounceMs == 100)
        #expect(settings.peerCommunicationCount == 40)
        #expect(settings.quorumRevealRequestIssueTimeoutMs == 15000)
        #expect(settings.quorumRevealTimeoutMs == 35000)
        #expect(settings.quorumConsensusWindowMs == 40000)
        #expect(settings.requestSimilarityTimeWindowMs == 2000)
        #expect(settings.bEmbeddingThreshold == 0)
        #expect(settings.topic == "rakis1")
    }

    @Test func laterSourcesWin() throws {
        let file = try configFile(#"{"maxPacketDBSize": 100, "topic": "from-file", "peerHeartLimit": 3}"#)
        let settings = try SettingsLoader.load(
            configFile: file,
            environment: ["RAKIS_MAX_PACKET_DB_SIZE": "200", "RAKIS_TOPIC": "from-env"],
            assignments: ["maxPacketDBSize=300"])
        #expect(settings.maxPacketDBSize == 300)
        #expect(settings.topic == "from-env")
        #expect(settings.peerHeartLimit == 3)
    }

    @Test func chainsComeFromObjectsInTheFileOrSpecsOnTheCommandLine() throws {
        let inbox = "0x" + String(repeating: "ab", count: 20)
        let file = try configFile(#"{"chains": [{"name": "sepolia", "rpcURL": "https://rpc.example", "inbox": "\#(inbox)", "confirmations": 5, "startBlock": 42}]}"#)
        let fromFile = try SettingsLoader.load(configFile: file, environment: [:])
        #expect(fromFile.chains == [ChainSetting(name: "sepolia", rpcURL: "https://rpc.example", inbox: inbox, confirmations: 5, startBlock: 42)])
        let fromFlags = try SettingsLoader.load(configFile: file, environment: [:], assignments: ["chains=a=http://127.0.0.1:8545@\(inbox), b=http://h:1@\(inbox)"])
        #expect(fromFlags.chains.map(\.name) == ["a", "b"], "later sources replace the list")
        #expect(fromFlags.chains[0].rpcURL == "http://127.0.0.1:8545" && fromFlags.chains[0].confirmations == 2)
        let fromEnvironment = try SettingsLoader.load(configFile: nil, environment: ["RAKIS_CHAINS": "[{\"name\": \"x\", \"rpcURL\": \"http://h\", \"inbox\": \"\(inbox)\"}]"])
        #expect(fromEnvironment.chains.map(\.name) == ["x"])
        let withId = try SettingsLoader.load(configFile: nil, environment: ["RAKIS_CHAINS": "[{\"name\": \"x\", \"rpcURL\": \"http://h\", \"inbox\": \"\(inbox)\", \"chainId\": 11155111}]"])
        #expect(withId.chains.first?.chainId == 11155111)
        #expect(throws: SettingsError.self) {
            _ = try SettingsLoader.load(configFile: nil, environment: ["RAKIS_CHAINS": "[{\"name\": \"x\", \"rpcURL\": \"http://h\", \"inbox\": \"\(inbox)\", \"chainId\": 0}]"])
        }
        for (bad, reason) in [("nonsense", "must be NAME=URL@INBOX"), ("a=ftp://h@\(inbox)", "http:// or https:// rpcURL"),
                              ("a=http://h@0x12", "0x and 40 hex digits"), ("a=http://h@\(inbox),a=http://g@\(inbox)", "chain names must differ")] {
            #expect(throws: SettingsError.self, "\(bad)") { _ = try SettingsLoader.load(configFile: nil, environment: [:], assignments: ["chains=\(bad)"]) }
            do { _ = try SettingsLoader.load(configFile: nil, environment: [:], assignments: ["chains=\(bad)"]) } catch {
                #expect("\(error)".contains(reason), "\(error)")
            }
        }
    }

    @Test func theDefaultConfigFileLoadsToTheDefaults() throws {
        let file = try configFile(String(decoding: SettingsLoader.defaultConfigFile(), as: UTF8.self))
        #expect(try SettingsLoader.load(configFile: file, environment: [:]) == Settings())
    }

    @Test func badValuesNameTheSettingAndTheSource() throws {
        let file = try configFile(#"{"maxPacketDBSize": "lots"}"#)
        #expect(throws: SettingsError.invalid(setting: "maxPacketDBSize", value: "lots", reason: "must be an integer", source: .configFile(file.path))) {
            try SettingsLoader.load(configFile: file, environment: [:])
        }
        #expect(throws: SettingsError.invalid(setting: "peerHeartLimit", value: "-1", reason: "must be between 0 and 10000", source: .environment("RAKIS_PEER_HEART_LIMIT"))) {
            try SettingsLoader.load(configFile: nil, environment: ["RAKIS_PEER_HEART_LIMIT": "-1"])
        }
        #expect(throws: SettingsError.invalid(setting: "topic", value: "two words", reason: "must be 1 to 64 characters without spaces", source: .flag)) {
            try SettingsLoader.load(configFile: nil, environment: [:], assignments: ["topic=two words"])
        }
        #expect(throws: SettingsError.malformedAssignment("maxPacketDBSize")) {
            try SettingsLoader.load(configFile: nil, environment: [:], assignments: ["maxPacketDBSize"])
        }
        #expect {
            try SettingsLoader.load(configFile: nil, environment: [:], assignments: ["quorumRevealTimeoutMs=1000"])
        } throws: { error in
            guard case .invalid(let setting, _, _, _) = error as? SettingsError else { return false }
            return setting == "quorumRevealTimeoutMs"
        }
    }

    @Test func unknownSettingsGetASuggestion() throws {
        let file = try configFile(#"{"maxPacketDbSize": 10}"#)
        #expect(throws: SettingsError.unknown(setting: "maxPacketDbSize", source: .configFile(file.path), suggestion: "maxPacketDBSize")) {
            try SettingsLoader.load(configFile: file, environment: [:])
        }
        let broken = try configFile(#"{"maxPacketDBSize": 10"#)
        #expect(throws: SettingsError.self) { try SettingsLoader.load(configFile: broken, environment: [:]) }
    }

    @Test func environmentVariableNames() {
        #expect(Settings.descriptor(named: "maxPacketDBSize")?.environmentVariable == "RAKIS_MAX_PACKET_DB_SIZE")
        #expect(Settings.descriptor(named: "waitForP2PBootupMs")?.environmentVariable == "RAKIS_WAIT_FOR_P2P_BOOTUP_MS")
        #expect(Settings.descriptor(named: "bEmbeddingThreshold")?.environmentVariable == "RAKIS_B_EMBEDDING_THRESHOLD")
        #expect(Set(Settings.descriptors.map(\.environmentVariable)).count == Settings.descriptors.count)
    }
}
