import Foundation
import Yams

/// Reads rule pack files (YAML) into a ``RulePack``, reporting every problem with its file,
/// line and a hint.
///
/// A pack file may hold any of the top-level keys `languages`, `groups`, `roles`, `secrets`
/// and `rules`; the built-in pack is split over several files in `Config/rules/`.
public enum RulePackLoader {
    static let topLevelKeys = ["version", "languages", "groups", "roles", "secrets", "rules"]
    static let ruleKeys = [
        "id", "area", "reason", "languages", "paths", "exclude_paths", "keywords", "pattern", "unless",
        "lines", "roles", "weight", "changes", "secret", "disabled", "comments",
    ]

    /// Loads and merges pack files in order. Throws ``ConfigError`` with every error found;
    /// warnings are returned beside the pack.
    public static func load(files: [(path: String, text: String)]) throws(ConfigError) -> (RulePack, [ConfigDiagnostic]) {
        var pack = RulePack()
        var diagnostics: [ConfigDiagnostic] = []
        var seen: [String: String] = [:]
        for (path, text) in files {
            var reader = YAMLReader(file: path)
            if let root = reader.parse(text) {
                read(root, into: &pack, reader: &reader, seenRuleIds: &seen)
            }
            diagnostics += reader.diagnostics
        }
        diagnostics += validateReferences(pack)
        if diagnostics.contains(where: { $0.severity == .error }) { throw ConfigError(diagnostics) }
        return (pack, diagnostics)
    }

    private static func read(_ root: Node, into pack: inout RulePack, reader: inout YAMLReader, seenRuleIds: inout [String: String]) {
        guard let entries = reader.mapping(root, "a rule pack", allowed: topLevelKeys) else { return }
        for (key, _, value) in entries {
            switch key {
            case "version":
                _ = reader.int(value, "version", range: 1...1)
            case "languages":
                guard let languages = reader.mapping(value, "languages", allowed: nil) else { continue }
                for (id, keyNode, definition) in languages {
                    guard let fields = reader.mapping(definition, "language '\(id)'", allowed: ["extensions", "filenames"]) else { continue }
                    var language = LanguageDefinition(id: id, extensions: [], filenames: [])
                    for (field, _, node) in fields {
                        let values = reader.strings(node, "languages.\(id).\(field)") ?? []
                        if field == "extensions" { language.extensions = values.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 } }
                        else { language.filenames = values }
                    }
                    if language.extensions.isEmpty && language.filenames.isEmpty {
                        reader.error(keyNode, "language '\(id)' has no extensions and no filenames", hint: "add `extensions: [ext]` or `filenames: [name]`")
                    }
                    pack.languages.removeAll { $0.id == id }
                    pack.languages.append(language)
                }
            case "groups":
                guard let groups = reader.mapping(value, "groups", allowed: nil) else { continue }
                for (id, _, members) in groups {
                    pack.groups[id] = reader.strings(members, "groups.\(id)") ?? []
                }
            case "roles":
                let names = FileRole.allCases.map(\.rawValue)
                guard let roles = reader.mapping(value, "roles", allowed: names) else { continue }
                for (name, _, globs) in roles {
                    guard let role = FileRole(rawValue: name) else { continue }
                    pack.roles[role, default: []] += reader.strings(globs, "roles.\(name)") ?? []
                }
            case "secrets":
                guard let fields = reader.mapping(value, "secrets", allowed: ["allowlist"]) else { continue }
                for (_, _, list) in fields {
                    let patterns = reader.strings(list, "secrets.allowlist") ?? []
                    for pattern in patterns where !compiles(pattern) {
                        reader.error(list, "secrets.allowlist: '\(pattern)' is not a valid regular expression")
                    }
                    pack.secretAllowlist += patterns
                }
            case "rules":
                for rule in rules(value, reader: &reader) {
                    if let previous = seenRuleIds[rule.id] {
                        reader.error(nil, "rule id '\(rule.id)' is defined twice (\(previous) and \(rule.origin))", hint: "give each rule its own id")
                        continue
                    }
                    seenRuleIds[rule.id] = rule.origin
                    pack.rules.append(rule)
                }
            default:
                break
            }
        }
    }

    /// Reads a list of rules (a pack's or a policy's `rules:`). Invalid rules are reported
    /// and left out.
    static func rules(_ node: Node, reader: inout YAMLReader, defaultReason: Bool = false) -> [Rule] {
        guard case .sequence(let sequence) = node else {
            reader.error(node, "rules must be a list", hint: "start each rule with '- id: ...'")
            return []
        }
        var rules: [Rule] = []
        for item in sequence {
            if let rule = rule(item, reader: &reader, defaultReason: defaultReason) { rules.append(rule) }
        }
        return rules
    }

    private static func rule(_ node: Node, reader: inout YAMLReader, defaultReason: Bool) -> Rule? {
        let errorsBefore = reader.diagnostics.count(where: { $0.severity == .error })
        guard let fields = reader.mapping(node, "a rule", allowed: ruleKeys) else { return nil }
        var values: [String: Node] = [:]
        for (key, _, value) in fields { values[key] = value }

        guard let idNode = values["id"], let id = reader.string(idNode, "rule id"), !id.isEmpty else {
            reader.error(node, "a rule has no id", hint: "add `id: area.language.what`, e.g. `id: sql.python.fstring-execute`")
            return nil
        }
        let validId = id.allSatisfy { $0.isLetter || $0.isNumber || "._-:".contains($0) }
        if !validId {
            reader.error(idNode, "rule id '\(id)' has characters other than letters, digits, '.', '_', '-', ':'")
        }
        if let disabledNode = values["disabled"], reader.bool(disabledNode, "disabled") == true {
            var rule = Rule(id: id, area: .config, reason: "")
            rule.disabled = true
            rule.origin = location(reader.file, node)
            return rule
        }
        guard let areaNode = values["area"] else {
            reader.error(node, "rule '\(id)' has no area", hint: "add `area:` with one of \(Area.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        guard let areaName = reader.string(areaNode, "area") else { return nil }
        guard let area = Area(rawValue: areaName) else {
            let hint = Spelling.closest(to: areaName, in: Area.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" }
                ?? "use one of \(Area.allCases.map(\.rawValue).joined(separator: ", "))"
            reader.error(areaNode, "rule '\(id)': unknown area '\(areaName)'", hint: hint)
            return nil
        }
        var reason = values["reason"].flatMap { reader.string($0, "reason") } ?? ""
        if reason.isEmpty {
            if defaultReason {
                reason = "matches rule \(id)"
            } else {
                reader.error(node, "rule '\(id)' has no reason", hint: "add `reason:` — one line a reviewer reads in the comment")
            }
        }
        var rule = Rule(id: id, area: area, reason: reason)
        rule.origin = location(reader.file, node)
        if let n = values["languages"] { rule.languages = reader.strings(n, "languages") ?? [] }
        if let n = values["paths"] { rule.paths = reader.strings(n, "paths") ?? [] }
        if let n = values["exclude_paths"] { rule.excludePaths = reader.strings(n, "exclude_paths") ?? [] }
        if let n = values["keywords"] {
            rule.keywords = reader.strings(n, "keywords") ?? []
            for keyword in rule.keywords where Keyword(keyword).text.utf8.count < 2 {
                reader.error(n, "rule '\(id)': keyword '\(keyword)' is too short", hint: "keywords need at least 2 characters to be a useful prefilter")
            }
            for keyword in rule.keywords where keyword.hasPrefix("\\\\b") || keyword.hasSuffix("\\\\b") {
                reader.warning(n, "rule '\(id)': keyword '\(keyword)' starts or ends with two backslashes", hint: "write the boundary marker as \\b with one backslash (in single quotes YAML keeps backslashes as they are)")
            }
        }
        if let n = values["pattern"], let texts = reader.strings(n, "pattern") {
            for text in texts {
                if compiles(text) {
                    rule.patterns.append(text)
                    if PatternSplitter.hasNumberedBackreference(text) {
                        reader.warning(n, "rule '\(id)': pattern '\(text.prefix(60))' refers back to a group by number", hint: "the engine runs the branches of a top-level alternation on their own, which renumbers groups: name the group and refer to it as \\k<name>")
                    }
                } else {
                    reader.error(n, "rule '\(id)': pattern '\(text.prefix(60))' is not a valid regular expression", hint: regexHint)
                }
            }
        }
        if let n = values["unless"], let text = reader.string(n, "unless") {
            if compiles(text) { rule.unless = text } else { reader.error(n, "rule '\(id)': unless is not a valid regular expression", hint: regexHint) }
        }
        if let n = values["comments"], let reads = reader.bool(n, "comments") { rule.readsComments = reads }
        if let n = values["lines"], let names = reader.strings(n, "lines") {
            var kinds: Set<LineKind> = []
            for name in names {
                switch name {
                case "added": kinds.insert(.added)
                case "removed": kinds.insert(.removed)
                default: reader.error(n, "rule '\(id)': lines must be 'added' and/or 'removed', not '\(name)'")
                }
            }
            if !kinds.isEmpty { rule.lines = kinds }
        }
        if let n = values["roles"], let names = reader.strings(n, "roles") {
            var roles: Set<FileRole> = []
            for name in names {
                if name == "all" { roles.formUnion(FileRole.allCases); continue }
                guard let role = FileRole(rawValue: name) else {
                    reader.error(n, "rule '\(id)': unknown role '\(name)'", hint: "roles are \(FileRole.allCases.map(\.rawValue).joined(separator: ", ")) or all")
                    continue
                }
                roles.insert(role)
            }
            rule.roles = roles
        }
        if let n = values["weight"], let weight = reader.double(n, "weight", range: 0...10) { rule.weight = weight }
        if let n = values["changes"], let names = reader.strings(n, "changes") {
            var changes: Set<FileChange> = []
            for name in names {
                guard let change = FileChange(rawValue: name) else {
                    reader.error(n, "rule '\(id)': unknown change '\(name)'", hint: "use added, deleted, modified, renamed or copied")
                    continue
                }
                changes.insert(change)
            }
            rule.changes = changes
        }
        if let n = values["secret"] {
            var check = SecretCheck()
            if let fields = reader.mapping(n, "secret", allowed: ["min_entropy", "min_length"]) {
                for (key, _, value) in fields {
                    if key == "min_entropy" { check.minEntropy = reader.double(value, "secret.min_entropy", range: 0...8) ?? 0 }
                    if key == "min_length" { check.minLength = reader.int(value, "secret.min_length", range: 1...4096) ?? 8 }
                }
            }
            rule.secret = check
            if rule.patterns.isEmpty {
                reader.error(n, "rule '\(id)': a secret rule needs a pattern", hint: "wrap the credential in (?<secret>...) so only it is checked and masked")
            }
        }
        if rule.patterns.isEmpty && rule.keywords.isEmpty && rule.paths.isEmpty {
            reader.error(node, "rule '\(id)' has no pattern, keywords or paths", hint: "add `keywords:` (and `pattern:`) for a content rule, or `paths:` for a path rule")
        }
        if !rule.patterns.isEmpty && rule.keywords.isEmpty {
            reader.warning(node, "rule '\(id)' has no keywords: its pattern runs on every changed line", hint: "add `keywords:` with literals every match contains")
        }
        let errorsAfter = reader.diagnostics.count(where: { $0.severity == .error })
        return errorsAfter == errorsBefore ? rule : nil
    }

    static let regexHint = "it is an ICU regular expression; escape ( ) [ ] . * + ? with a backslash to match them literally"

    /// Whether the engine that will run `pattern` accepts it.
    static func compiles(_ pattern: String) -> Bool { (try? RegexEngine(pattern)) != nil }

    /// Rules that name languages, groups or roles nobody defined.
    static func validateReferences(_ pack: RulePack) -> [ConfigDiagnostic] {
        let known = Set(pack.languages.map(\.id)).union(pack.groups.keys)
        var diagnostics: [ConfigDiagnostic] = []
        for (group, members) in pack.groups {
            for member in members where !known.contains(member) {
                diagnostics.append(ConfigDiagnostic(file: "rule pack", message: "group '\(group)' names unknown language '\(member)'"))
            }
        }
        for rule in pack.rules where !rule.disabled {
            for language in rule.languages where !known.contains(language) {
                let (file, line) = splitOrigin(rule.origin)
                let hint = Spelling.closest(to: language, in: Array(known)).map { "did you mean '\($0)'?" } ?? "define it under `languages:` or use a known language or group"
                diagnostics.append(ConfigDiagnostic(file: file, line: line, message: "rule '\(rule.id)' names unknown language '\(language)'", hint: hint))
            }
        }
        return diagnostics
    }

    static func location(_ file: String, _ node: Node) -> String {
        if let line = node.mark?.line { return "\(file):\(line)" }
        return file
    }

    static func splitOrigin(_ origin: String) -> (String, Int?) {
        guard let colon = origin.lastIndex(of: ":"), let line = Int(origin[origin.index(after: colon)...]) else { return (origin, nil) }
        return (String(origin[..<colon]), line)
    }
}
