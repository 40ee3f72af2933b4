import Foundation

/// The defaults shipped inside the `warden` binary: the files of the repository's `Config/`
/// and `Templates/` folders at build time, keyed by their relative path
/// (`Config/policy.yml`, `Templates/summary.md.mustache`, ...).
public enum WardenDefaults {
    /// Every embedded file, keyed by its path relative to the repository root.
    public static var files: [String: String] { EmbeddedFiles.all }

    /// The text of one embedded file, or `nil` when no such file was embedded.
    public static func file(_ path: String) -> String? { EmbeddedFiles.all[path] }

    /// The built-in rule pack: every `Config/rules/*.yml` file, in path order.
    public static var rulePackFiles: [(path: String, text: String)] {
        EmbeddedFiles.all
            .filter { $0.key.hasPrefix("Config/rules/") && ($0.key.hasSuffix(".yml") || $0.key.hasSuffix(".yaml")) }
            .sorted { $0.key < $1.key }
            .map { (path: $0.key, text: $0.value) }
    }

    /// A rule pack read from a directory at run time instead (`*.yml` and `*.yaml`, in name
    /// order), for trying rules without a rebuild in `warden-eval` and `warden-bench`.
    /// Unreadable files are left out; `nil` when the directory cannot be listed.
    public static func rulePackFiles(inDirectory directory: String) -> [(path: String, text: String)]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().compactMap { name in
            let path = directory + "/" + name
            return (try? String(contentsOfFile: path, encoding: .utf8)).map { (path: path, text: $0) }
        }
    }
}

extension WardenDefaults {
    /// The default policy, `Config/policy.yml`.
    public static var policy: (path: String, text: String) {
        ("Config/policy.yml", file("Config/policy.yml") ?? "")
    }

    /// The summary comment template, `Templates/summary.md.mustache`.
    public static var summaryTemplate: (path: String, text: String) {
        ("Templates/summary.md.mustache", file("Templates/summary.md.mustache") ?? "")
    }

    /// The AI signals and non-AI bots, `Config/ai-signals.yml`.
    public static var aiSignals: (path: String, text: String) {
        ("Config/ai-signals.yml", file("Config/ai-signals.yml") ?? "")
    }

    /// The version of this build of Warden.
    public static let version = "0.1.0"
}
