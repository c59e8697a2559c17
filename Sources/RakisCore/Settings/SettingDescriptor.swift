/// One named setting: how to read it from text or JSON, its allowed range, and what it does.
public struct SettingDescriptor: Sendable {
    public enum Kind: Sendable { case integer, string, boolean, chains }

    public let name: String
    public let kind: Kind
    public let summary: String
    let read: @Sendable (Settings) -> JSONValue
    let write: @Sendable (inout Settings, JSONValue, SettingsSource) throws(SettingsError) -> Void

    /// The environment variable that overrides this setting: `maxPacketDBSize` → `RAKIS_MAX_PACKET_DB_SIZE`.
    public var environmentVariable: String { "RAKIS_" + Self.upperSnakeCase(name) }

    public func value(in settings: Settings) -> JSONValue { read(settings) }

    /// Converts text from an environment variable or flag into the JSON value it stands for.
    func jsonValue(fromText text: String) -> JSONValue {
        switch kind {
        case .string: .string(text)
        case .integer: Double(text.trimmingCharacters(in: .whitespaces)).map(JSONValue.number) ?? .string(text)
        case .boolean:
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1", "yes", "on": .bool(true)
            case "false", "0", "no", "off": .bool(false)
            default: .string(text)
            }
        case .chains:
            // A JSON array as in config.json, or NAME=URL@INBOX specs separated by commas.
            if text.trimmingCharacters(in: .whitespaces).hasPrefix("["), let parsed = try? JSONParser().parse(text) {
                parsed
            } else {
                .array(text.split(separator: ",").map { spec in
                    ChainSetting(flag: spec.trimmingCharacters(in: .whitespaces)).map(\.json) ?? .string(String(spec))
                })
            }
        }
    }

    static func chains(_ summary: String) -> SettingDescriptor {
        SettingDescriptor(
            name: "chains", kind: .chains, summary: summary,
            read: { .array($0.chains.map(\.json)) },
            write: { settings, value, source throws(SettingsError) in
                guard case .array(let entries) = value else {
                    throw .invalid(setting: "chains", value: value.displayText, reason: "must be a list of chains", source: source)
                }
                var chains: [ChainSetting] = []
                for entry in entries {
                    if case .string(let spec) = entry {
                        throw .invalid(setting: "chains", value: spec, reason: "must be NAME=URL@INBOX", source: source)
                    }
                    switch ChainSetting.parse(entry) {
                    case .success(let chain): chains.append(chain)
                    case .failure(let problem): throw .invalid(setting: "chains", value: entry.displayText, reason: problem.reason, source: source)
                    }
                }
                guard Set(chains.map(\.name)).count == chains.count else {
                    throw .invalid(setting: "chains", value: value.displayText, reason: "chain names must differ", source: source)
                }
                settings.chains = chains
            })
    }

    static func integer(
        _ name: String, _ keyPath: any WritableKeyPath<Settings, Int> & Sendable, _ range: ClosedRange<Int>, _ summary: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            name: name, kind: .integer, summary: summary,
            read: { .number(Double($0[keyPath: keyPath])) },
            write: { settings, value, source throws(SettingsError) in
                guard case .number(let number) = value, number == number.rounded(), let int = Int(exactly: number) else {
                    throw .invalid(setting: name, value: value.displayText, reason: "must be an integer", source: source)
                }
                guard range.contains(int) else {
                    throw .invalid(setting: name, value: value.displayText, reason: "must be between \(range.lowerBound) and \(range.upperBound)", source: source)
                }
                settings[keyPath: keyPath] = int
            })
    }

    static func boolean(_ name: String, _ keyPath: any WritableKeyPath<Settings, Bool> & Sendable, _ summary: String) -> SettingDescriptor {
        SettingDescriptor(
            name: name, kind: .boolean, summary: summary,
            read: { .bool($0[keyPath: keyPath]) },
            write: { settings, value, source throws(SettingsError) in
                guard case .bool(let flag) = value else {
                    throw .invalid(setting: name, value: value.displayText, reason: "must be true or false", source: source)
                }
                settings[keyPath: keyPath] = flag
            })
    }

    static func string(
        _ name: String, _ keyPath: any WritableKeyPath<Settings, String> & Sendable, _ summary: String,
        isValid: @escaping @Sendable (String) -> Bool, requirement: String
    ) -> SettingDescriptor {
        SettingDescriptor(
            name: name, kind: .string, summary: summary,
            read: { .string($0[keyPath: keyPath]) },
            write: { settings, value, source throws(SettingsError) in
                guard case .string(let text) = value else {
                    throw .invalid(setting: name, value: value.displayText, reason: "must be a string", source: source)
                }
                guard isValid(text) else {
                    throw .invalid(setting: name, value: text, reason: requirement, source: source)
                }
                settings[keyPath: keyPath] = text
            })
    }

    static func upperSnakeCase(_ camel: String) -> String {
        let characters = Array(camel)
        var output = ""
        for (index, character) in characters.enumerated() {
            if index > 0, character.isUppercase {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || (previous.isUppercase && nextIsLower) { output.append("_") }
            }
            output.append(character.uppercased())
        }
        return output
    }
}

extension JSONValue {
    var displayText: String {
        switch self {
        case .string(let s): s
        default: CanonicalJSON.string(of: self)
        }
    }
}
