/// One classification rule, as written in a rule pack (`Config/rules/*.yml`) or in a
/// policy's `rules:`.
///
/// A rule with `pattern` or `keywords` is a content rule: it looks at added and/or removed
/// lines of the files it applies to. `keywords` are literals (ASCII case ignored) the
/// prefilter finds in one pass over the line; with a `pattern` (one regular expression, or a
/// list that must all match), the pattern then confirms the match, without one the keyword
/// itself is the finding. A keyword written
/// `\bword` or `word\b` must start or end at an identifier boundary. A content rule
/// without keywords runs its pattern on every changed line (slow; `config validate` warns).
///
/// A rule with only `paths` is a path rule: a changed file whose path matches is the signal.
public struct Rule: Sendable, Hashable {
    public var id: String
    public var area: Area
    public var reason: String
    /// Language ids or group names; empty means any file.
    public var languages: [String] = []
    /// For a path rule, the paths that are the signal; for a content rule, the only paths
    /// it looks at.
    public var paths: [String] = []
    public var excludePaths: [String] = []
    public var keywords: [String] = []
    /// Regular expressions (ICU syntax) that must all match the line.
    public var patterns: [String] = []
    /// A line that also matches this is not a finding (e.g. a parameterised query).
    public var unless: String?
    /// `false`: comment lines (starting with `//`, `/*`, `*`, or `#` and a space) are not read.
    public var readsComments = true
    /// Which changed lines the rule reads.
    public var lines: Set<LineKind> = [.added, .removed]
    /// Which kinds of file the rule reads (``FileRole``).
    public var roles: Set<FileRole> = [.source]
    /// How much one finding counts towards flagging its area (an area is flagged at 1.0,
    /// counting each rule once per file).
    public var weight: Double = 1.0
    /// For path rules: only these kinds of change count (e.g. only new files).
    public var changes: Set<FileChange>?
    /// A secret rule: the pattern's `secret` group is a credential, checked against the
    /// entropy floor and the allowlist, and always masked.
    public var secret: SecretCheck?
    public var disabled = false
    /// Where the rule was written, for diagnostics.
    public var origin: String = ""

    public init(id: String, area: Area, reason: String) {
        self.id = id
        self.area = area
        self.reason = reason
    }

    public var isPathRule: Bool { patterns.isEmpty && keywords.isEmpty }
}

/// What a candidate secret must look like to count.
public struct SecretCheck: Sendable, Hashable {
    /// Shannon entropy floor in bits per character; 0 for tokens whose shape is proof enough.
    public var minEntropy: Double = 0
    public var minLength: Int = 8

    public init(minEntropy: Double = 0, minLength: Int = 8) {
        self.minEntropy = minEntropy
        self.minLength = minLength
    }
}

/// How files are recognised: languages by extension or name, roles by path.
public struct LanguageDefinition: Sendable, Hashable {
    public var id: String
    public var extensions: [String]
    /// File-name globs (`Dockerfile`, `Dockerfile.*`, `go.mod`).
    public var filenames: [String]
}

/// The built-in rule pack plus anything a policy adds: everything the classifier knows.
public struct RulePack: Sendable {
    public var languages: [LanguageDefinition] = []
    /// Named sets of languages (`code: [python, go, ...]`), usable in a rule's `languages`.
    public var groups: [String: [String]] = [:]
    /// Path globs that give a file its role; checked in ``FileRole`` order, first match wins.
    public var roles: [FileRole: [String]] = [:]
    /// Values that are never secrets (placeholders, templated values, examples): regexes.
    public var secretAllowlist: [String] = []
    public var rules: [Rule] = []

    public init() {}

    /// Adds or replaces rules by id (a policy's `rules:` over the built-in pack). A rule
    /// marked `disabled` removes the rule of that id.
    public mutating func merge(rules overrides: [Rule]) {
        for rule in overrides {
            if let index = rules.firstIndex(where: { $0.id == rule.id }) {
                rules[index] = rule
            } else {
                rules.append(rule)
            }
        }
    }
}
