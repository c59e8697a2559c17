public import Foundation

/// Where a setting's value came from, so an error can say where to fix it.
public enum SettingsSource: Sendable, Equatable, CustomStringConvertible {
    case configFile(String)
    case environment(String)
    case flag
    case merged

    public var description: String {
        switch self {
        case .configFile(let path): "config file \(path)"
        case .environment(let variable): "environment variable \(variable)"
        case .flag: "command-line flag --set"
        case .merged: "the combined settings"
        }
    }
}

public enum SettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(setting: String, value: String, reason: String, source: SettingsSource)
    case unknown(setting: String, source: SettingsSource, suggestion: String?)
    case malformedAssignment(String)
    case unreadableConfig(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let setting, let value, let reason, let source):
            "setting \(setting) = \(value) (from \(source)) \(reason)"
        case .unknown(let setting, let source, let suggestion):
            "unknown setting \"\(setting)\" in \(source)" + (suggestion.map { "; did you mean \($0)?" } ?? "")
        case .malformedAssignment(let text):
            "--set takes NAME=VALUE, got \"\(text)\""
        case .unreadableConfig(let path, let reason):
            "cannot read the config file \(path): \(reason)"
        }
    }
}

/// Builds `Settings` from the defaults, then the data directory's config file, then
/// environment variables, then `--set NAME=VALUE` flags — each later source winning.
public enum SettingsLoader {
    public static let configFileName = "config.json"

    public static func load(
        configFile: URL?, environment: [String: String] = ProcessInfo.processInfo.environment, assignments: [String] = []
    ) throws(SettingsError) -> Settings {
        var settings = Settings()
        if let configFile, FileManager.default.fileExists(atPath: configFile.path) {
            try applyConfigFile(configFile, to: &settings)
        }
        for descriptor in Settings.descriptors {
            let variable = descriptor.environmentVariable
            if let text = environment[variable] {
                try descriptor.write(&settings, descriptor.jsonValue(fromText: text), .environment(variable))
            }
        }
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else { throw .malformedAssignment(assignment) }
            let name = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
            let text = String(assignment[assignment.index(after: equals)...])
            guard let descriptor = Settings.descriptor(named: name) else {
                throw .unknown(setting: name, source: .flag, suggestion: suggestion(for: name))
            }
            try descriptor.write(&settings, descriptor.jsonValue(fromText: text), .flag)
        }
        try settings.validate()
        return settings
    }

    static func applyConfigFile(_ url: URL, to settings: inout Settings) throws(SettingsError) {
        let path = url.path
        let json: JSONValue
        do {
            json = try JSONParser(maxDepth: 8, maxBytes: 1 << 20).parse(Array(try Data(contentsOf: url)))
        } catch let error as JSONParseError {
            throw .unreadableConfig(path: path, reason: error.description)
        } catch {
            throw .unreadableConfig(path: path, reason: error.localizedDescription)
        }
        guard case .object(let members) = json else {
            throw .unreadableConfig(path: path, reason: "the top level must be a JSON object of setting names to values")
        }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            guard let descriptor = Settings.descriptor(named: name) else {
                throw .unknown(setting: name, source: .configFile(path), suggestion: suggestion(for: name))
            }
            try descriptor.write(&settings, value, .configFile(path))
        }
    }

    /// The config file `rakis init` writes: every setting with its default, so an operator
    /// sees what can be changed.
    public static func defaultConfigFile() -> [UInt8] {
        let defaults = Settings()
        var text = "{\n"
        for (index, descriptor) in Settings.descriptors.enumerated() {
            let value = CanonicalJSON.string(of: descriptor.value(in: defaults))
            text += "  \"\(descriptor.name)\": \(value)" + (index + 1 < Settings.descriptors.count ? ",\n" : "\n")
        }
        return Array((text + "}\n").utf8)
    }

    static func suggestion(for name: String) -> String? {
        let lowered = name.lowercased()
        return Settings.descriptors.map(\.name).min { lhs, rhs in
            editDistance(lhs.lowercased(), lowered) < editDistance(rhs.lowercased(), lowered)
        }.flatMap { editDistance($0.lowercased(), lowered) <= max(2, lowered.count / 4) ? $0 : nil }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
