import Foundation

/// A compiled regular expression. `NSRegularExpression` is immutable after creation and
/// documented as safe to use from several threads at once.
struct CompiledRegex: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ pattern: String) throws {
        regex = try NSRegularExpression(pattern: pattern)
    }

    func firstMatch(_ text: String, length: Int) -> NSTextCheckingResult? {
        regex.firstMatch(in: text, options: [], range: NSRange(location: 0, length: length))
    }

    func matches(_ text: String) -> Bool {
        firstMatch(text, length: text.utf16.count) != nil
    }
}

/// A rule ready to run.
struct CompiledRule: Sendable {
    let rule: Rule
    let index: Int
    /// All must match; the first one's match carries the `secret` group.
    let patterns: [CompiledRegex]
    let unless: CompiledRegex?
    /// `nil`: any language.
    let languages: Set<String>?
    let paths: [PathGlob]
    let excludePaths: [PathGlob]
    let readsAdded: Bool
    let readsRemoved: Bool
    /// The pattern names a `secret` group (only then is a value checked and masked).
    var hasSecretGroup: Bool { rule.patterns.first?.contains("(?<secret>") ?? false }

    func applies(path: String, language: String?, role: FileRole, change: FileChange) -> Bool {
        guard rule.roles.contains(role) else { return false }
        if let languages {
            guard let language, languages.contains(language) else { return false }
        }
        if !paths.isEmpty && !paths.contains(where: { $0.matches(path) }) { return false }
        if excludePaths.contains(where: { $0.matches(path) }) { return false }
        if let changes = rule.changes, !changes.contains(change) { return false }
        return true
    }
}

/// Maps a path to its language: file names first (`Dockerfile`, `go.mod`), then the extension.
struct LanguageTable: Sendable {
    private let byExtension: [String: String]
    private let byName: [(PathGlob, String)]

    init(_ definitions: [LanguageDefinition]) {
        var byExtension: [String: String] = [:]
        var byName: [(PathGlob, String)] = []
        for definition in definitions {
            for ext in definition.extensions { byExtension[ext.lowercased()] = definition.id }
            for name in definition.filenames { byName.append((PathGlob(name), definition.id)) }
        }
        self.byExtension = byExtension
        self.byName = byName
    }

    func language(of path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        for (glob, id) in byName where glob.matches(path) { return id }
        // The longest extension that is known: `blade.php` before `php`.
        var rest = Substring(name)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if let id = byExtension[rest.lowercased()] { return id }
        }
        return nil
    }
}

/// The rule pack compiled for classification: regexes built, keywords in one prefilter,
/// globs parsed. Build it once and share it; it is immutable.
public final class AreaClassifier: Sendable {
    let rules: [CompiledRule]
    let matcher: LiteralMatcher
    /// Keyword id → indices of the content rules that use it.
    let keywordRules: [[Int32]]
    /// Keyword id → its length and whether it must start/end at an identifier boundary.
    let keywordShapes: [Keyword.Shape]
    /// Content rules without keywords: they read every changed line.
    let unfilteredRules: [Int]
    let pathRules: [Int]
    let contentRules: [Int]
    let languages: LanguageTable
    let roleGlobs: [(FileRole, [PathGlob])]
    let secretAllowlist: [CompiledRegex]
    /// Paths the policy says to ignore entirely.
    let ignoredPaths: [PathGlob]
    /// When evidence is enough to flag an area.
    public let thresholds: FlagThresholds

    /// Compiles a pack. Patterns were validated when the pack was loaded; one that still
    /// fails to compile is reported here.
    public init(pack: RulePack, ignoring ignoredPaths: [String] = [], thresholds: FlagThresholds = FlagThresholds()) throws(ConfigError) {
        self.thresholds = thresholds
        var compiled: [CompiledRule] = []
        var diagnostics: [ConfigDiagnostic] = []
        let groups = pack.groups
        func expand(_ names: [String]) -> Set<String> {
            var out: Set<String> = []
            for name in names {
                if let members = groups[name] { out.formUnion(expand(members)) } else { out.insert(name) }
            }
            return out
        }
        for rule in pack.rules where !rule.disabled {
            do {
                compiled.append(
                    CompiledRule(
                        rule: rule, index: compiled.count,
                        patterns: try rule.patterns.map(CompiledRegex.init),
                        unless: try rule.unless.map(CompiledRegex.init),
                        languages: rule.languages.isEmpty ? nil : expand(rule.languages),
                        paths: rule.paths.map(PathGlob.init),
                        excludePaths: rule.excludePaths.map(PathGlob.init),
                        readsAdded: rule.lines.contains(.added),
                        readsRemoved: rule.lines.contains(.removed)))
            } catch {
                let (file, line) = RulePackLoader.splitOrigin(rule.origin)
                diagnostics.append(ConfigDiagnostic(file: file, line: line, message: "rule '\(rule.id)': pattern does not compile: \(error)"))
            }
        }
        var allowlist: [CompiledRegex] = []
        for pattern in pack.secretAllowlist {
            do { allowlist.append(try CompiledRegex("(?i)" + pattern)) } catch {
                diagnostics.append(ConfigDiagnostic(file: "rule pack", message: "secrets.allowlist: '\(pattern)' does not compile"))
            }
        }
        if !diagnostics.isEmpty { throw ConfigError(diagnostics) }

        var keywordIds: [Keyword: Int] = [:]
        var keywords: [[UInt8]] = []
        var keywordRules: [[Int32]] = []
        var shapes: [Keyword.Shape] = []
        var unfiltered: [Int] = []
        for rule in compiled where !rule.rule.isPathRule {
            if rule.rule.keywords.isEmpty { unfiltered.append(rule.index); continue }
            for keyword in Set(rule.rule.keywords.map(Keyword.init)) {
                let id: Int
                if let existing = keywordIds[keyword] {
                    id = existing
                } else {
                    id = keywords.count
                    keywordIds[keyword] = id
                    keywords.append(Array(keyword.text.utf8))
                    keywordRules.append([])
                    shapes.append(keyword.shape)
                }
                keywordRules[id].append(Int32(rule.index))
            }
        }
        self.rules = compiled
        self.matcher = LiteralMatcher(keywords: keywords)
        self.keywordRules = keywordRules
        self.keywordShapes = shapes
        self.unfilteredRules = unfiltered
        self.pathRules = compiled.filter { $0.rule.isPathRule }.map(\.index)
        self.contentRules = compiled.filter { !$0.rule.isPathRule }.map(\.index)
        self.languages = LanguageTable(pack.languages)
        self.roleGlobs = FileRole.resolutionOrder.compactMap { role in
            pack.roles[role].map { (role, $0.map(PathGlob.init)) }
        }
        self.secretAllowlist = allowlist
        self.ignoredPaths = ignoredPaths.map(PathGlob.init)
    }

    /// The role of a file from the pack's `roles:` globs, checked in
    /// ``FileRole/resolutionOrder``; `source` when none matches.
    public func role(of path: String) -> FileRole {
        for (role, globs) in roleGlobs where globs.contains(where: { $0.matches(path) }) { return role }
        return .source
    }

    public func language(of path: String) -> String? { languages.language(of: path) }

    public func isIgnored(_ path: String) -> Bool { ignoredPaths.contains { $0.matches(path) } }

    /// A value that is a placeholder, a template or an example rather than a credential.
    func isAllowlistedSecret(_ value: String) -> Bool {
        secretAllowlist.contains { $0.matches(value) }
    }

    /// Starts classifying a diff; feed it to ``DiffParser`` as its sink.
    public func session(limits: FindingLimits = FindingLimits()) -> ClassificationSession {
        ClassificationSession(classifier: self, limits: limits)
    }

    /// Classifies a diff held in memory.
    public func classify(_ diff: some Collection<UInt8>) -> Classification {
        var session = self.session()
        DiffParser.parse(diff, into: &session)
        return session.result()
    }

    public func classify(_ diff: String) -> Classification { classify(Array(diff.utf8)) }
}

/// A prefilter literal as rules write it: `token`, `\\bmd5\\b` (identifier boundaries).
struct Keyword: Hashable, Sendable {
    struct Shape: Sendable {
        let length: Int
        let boundaryBefore: Bool
        let boundaryAfter: Bool
    }

    let text: String
    let boundaryBefore: Bool
    let boundaryAfter: Bool

    init(_ written: String) {
        var text = written.lowercased()
        boundaryBefore = text.hasPrefix("\\b")
        if boundaryBefore { text.removeFirst(2) }
        boundaryAfter = text.hasSuffix("\\b")
        if boundaryAfter { text.removeLast(2) }
        self.text = text
    }

    var shape: Shape { Shape(length: text.utf8.count, boundaryBefore: boundaryBefore, boundaryAfter: boundaryAfter) }

    /// Letters, digits and `_`: what continues an identifier.
    @inline(__always)
    static func isIdentifier(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 95
    }

    /// Whether an occurrence ending at `end` in `line` respects the boundaries.
    @inline(__always)
    static func fits(_ shape: Shape, in line: UnsafeBufferPointer<UInt8>, end: Int) -> Bool {
        if shape.boundaryBefore {
            let start = end - shape.length
            if start > 0 && isIdentifier(line[start - 1]) { return false }
        }
        if shape.boundaryAfter {
            if end < line.count && isIdentifier(line[end]) { return false }
        }
        return true
    }
}
