import ArgumentParser
import Foundation
import WardenCore
import WardenDefaults
import WardenServer
import Yams

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with Warden's configuration files.",
        subcommands: [ValidateConfig.self])
}

struct ValidateConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate server configuration (Config/warden.yml), policy files (.warden.yml, Config/policy.yml), rule packs (Config/rules/*.yml) and AI signals (Config/ai-signals.yml).",
        discussion: """
            Reports every problem with file, line and a hint. Without files, validates the \
            built-in defaults and, when present in the current directory, Config/policy.yml, \
            Config/ai-signals.yml, Config/rules/*.yml and .warden.yml. Exit status: 0 valid, 1 problems found, \
            2 a file cannot be read.
            """)

    @Argument(help: ArgumentHelp("Files to validate.", valueName: "FILE"))
    var files: [String] = []

    func run() async throws {
        let console = Console.current
        var targets = files
        if targets.isEmpty {
            targets = ["Config/warden.yml", "Config/policy.yml", "Config/ai-signals.yml", ".warden.yml"].filter { FileManager.default.fileExists(atPath: $0) }
            let rules = (try? FileManager.default.contentsOfDirectory(atPath: "Config/rules")) ?? []
            targets += rules.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { "Config/rules/" + $0 }
        }
        var errors = 0, warnings = 0
        var reports: [String] = []

        if files.isEmpty {
            // The defaults compiled into this binary.
            let diagnostics = validate(policy: nil)
            errors += diagnostics.count(where: { $0.severity == .error })
            warnings += diagnostics.count(where: { $0.severity == .warning })
            reports += diagnostics.map(\.description)
            if diagnostics.allSatisfy({ $0.severity != .error }) { reports.append("ok: built-in defaults (\(WardenDefaults.rulePackFiles.count) rule pack files, policy, AI signals, template)") }
        }
        for path in targets {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UsageError("cannot read \(path)")
            }
            let text = String(decoding: data, as: UTF8.self)
            let kind = ConfigKind.detect(path: path, text: text)
            let diagnostics: [ConfigDiagnostic]
            switch kind {
            case .policy: diagnostics = validate(policy: (path, text))
            case .rulePack: diagnostics = validate(rulePack: (path, text))
            case .aiSignals: diagnostics = validate(aiSignals: (path, text))
            case .server: diagnostics = ServerConfig.load(file: path, text: text).1
            }
            errors += diagnostics.count(where: { $0.severity == .error })
            warnings += diagnostics.count(where: { $0.severity == .warning })
            reports += diagnostics.map(\.description)
            if diagnostics.allSatisfy({ $0.severity != .error }) { reports.append("ok: \(path) (\(kind.rawValue))") }
        }
        for line in reports { console.write(line + "\n") }
        console.write("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n")
        if errors > 0 { throw ExitCode(1) }
    }

    /// A policy over the built-in default policy and rule pack.
    private func validate(policy: (path: String, text: String)?) -> [ConfigDiagnostic] {
        var layers = [WardenDefaults.policy]
        if let policy { layers.append(policy) }
        do {
            let engine = try Engine(rulePack: WardenDefaults.rulePackFiles, policyLayers: layers, aiSignals: WardenDefaults.aiSignals, summaryTemplate: WardenDefaults.summaryTemplate)
            return engine.warnings.filter { diagnostic in policy == nil || diagnostic.file == policy?.path }
        } catch {
            return error.diagnostics
        }
    }

    /// An AI signals file in place of the built-in one.
    private func validate(aiSignals file: (path: String, text: String)) -> [ConfigDiagnostic] {
        do {
            _ = try AISignalSet(file: file.path, text: file.text)
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// A rule pack file in place of the built-in file of the same name.
    private func validate(rulePack file: (path: String, text: String)) -> [ConfigDiagnostic] {
        let name = URL(fileURLWithPath: file.path).lastPathComponent
        var pack = WardenDefaults.rulePackFiles.filter { URL(fileURLWithPath: $0.path).lastPathComponent != name }
        pack.append(file)
        do {
            let engine = try Engine(rulePack: pack, policyLayers: [WardenDefaults.policy], aiSignals: WardenDefaults.aiSignals, summaryTemplate: WardenDefaults.summaryTemplate)
            return engine.warnings.filter { $0.file == file.path }
        } catch {
            return error.diagnostics
        }
    }
}

/// What a configuration file is, from its keys.
enum ConfigKind: String {
    case policy = "policy"
    case rulePack = "rule pack"
    case aiSignals = "AI signals"
    case server = "server configuration"

    static func detect(path: String, text: String) -> ConfigKind {
        if path.contains("/rules/") || path.hasPrefix("rules/") { return .rulePack }
        if path.hasSuffix("ai-signals.yml") || path.hasSuffix("ai-signals.yaml") { return .aiSignals }
        if let node = try? Yams.compose(yaml: text), case .mapping(let mapping) = node {
            let keys = Set(mapping.keys.compactMap(\.string))
            if !keys.isDisjoint(with: ["languages", "groups", "roles", "secrets"]) { return .rulePack }
            if !keys.isDisjoint(with: ["signals", "bots", "tool_names"]) { return .aiSignals }
            if !keys.isDisjoint(with: ["server", "store", "github", "gitlab", "workers", "dry_run", "dashboard"]) { return .server }
        }
        return .policy
    }
}
