import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A compiled regular expression (``RegexEngine``: ICU, safe to use from several threads).
///
/// A pattern that starts with `(?i)` is compiled case-sensitively in lower case and matched
/// against the line with ASCII letters lowered: ICU's case-insensitive matching is several
/// times slower, and lowering ASCII keeps every UTF-16 offset, so ranges (a secret's) still
/// point into the original line.
struct CompiledRegex: @unchecked Sendable {
    let engine: RegexEngine
    /// Match against the ASCII-lowercased line.
    let matchesLowercased: Bool

    init(_ pattern: String) throws {
        if let lowered = CompiledRegex.lowercasedPattern(pattern), let engine = try? RegexEngine(lowered) {
            self.engine = engine
            self.matchesLowercased = true
        } else {
            self.engine = try RegexEngine(pattern)
            self.matchesLowercased = false
        }
    }

    /// Matches against the right form of the line.
    func firstMatch(_ line: inout MatchText) -> RegexMatch? {
        line.withUTF16(lowercased: matchesLowercased) { engine.firstMatch($0) }
    }
}

/// A rule pattern ready to run: whole, or split into branches that each run only when their
/// required literal occurs in the line (see ``PatternSplitter``).
/// A class: a rule's patterns are handed to the per-line loop many times, and a struct of
/// regexes and arrays would be retained field by field on every copy.
final class CompiledPattern: @unchecked Sendable {
    /// One branch, as the per-line loop reads it: its engine and requirement referenced
    /// without reference counting. They are kept alive by `branchRegexes` and
    /// `branchRequirements`, which live as long as the pattern and never change.
    private struct BranchSlot {
        let engine: Unmanaged<RegexEngine>
        let required: Unmanaged<RequiredLiterals>
    }

    let whole: CompiledRegex
    private let branchRegexes: [CompiledRegex]
    private let branchRequirements: [RequiredLiterals]
    private let slots: UnsafeMutableBufferPointer<BranchSlot>
    /// What a line must contain for the whole pattern to match (checked before ICU runs).
    let requirement: RequiredLiterals

    init(_ pattern: String) throws {
        let pattern = PatternSplitter.boundingOpenRepeats(pattern)
        whole = try CompiledRegex(pattern)
        requirement = RequiredLiterals(PatternSplitter.wholeRequirement(pattern))
        var regexes: [CompiledRegex] = []
        var requirements: [RequiredLiterals] = []
        for part in PatternSplitter.split(pattern) ?? [] {
            guard let regex = try? CompiledRegex(part.pattern), regex.matchesLowercased == whole.matchesLowercased else {
                regexes = []
                requirements = []
                break
            }
            regexes.append(regex)
            requirements.append(RequiredLiterals(part.required))
        }
        branchRegexes = regexes
        branchRequirements = requirements
        slots = .allocate(capacity: regexes.count)
        for i in regexes.indices {
            slots.initializeElement(
                at: i, to: BranchSlot(engine: .passUnretained(regexes[i].engine), required: .passUnretained(requirements[i])))
        }
    }

    deinit {
        slots.deallocate()
    }

    /// The earliest match in the line, as the whole pattern would find it.
    func firstMatch(_ line: inout MatchText) -> RegexMatch? {
        let lowercased = whole.matchesLowercased
        guard !slots.isEmpty else {
            guard line.satisfies(requirement, lowercased: lowercased) else { return nil }
            return whole.firstMatch(&line)
        }
        var best: RegexMatch?
        for slot in slots {
            let met = slot.required._withUnsafeGuaranteedRef { line.satisfies($0, lowercased: lowercased) }
            if !met { continue }
            let found = slot.engine._withUnsafeGuaranteedRef { engine in line.withUTF16(lowercased: lowercased) { engine.firstMatch($0) } }
            guard let match = found else { continue }
            if best == nil || match.range.location < (best?.range.location ?? Int.max) { best = match }
        }
        return best
    }
}

/// A ``PatternSplitter/Requirement`` laid out for the per-line check: every literal's bytes
/// in one block, so that checking a line retains nothing (the nested arrays of the
/// requirement cost a retain and a release per literal looked at).
final class RequiredLiterals: @unchecked Sendable {
    /// Literal `i` is `bytes[bounds[i]..<bounds[i + 1]]`.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let bounds: UnsafeMutableBufferPointer<Int>
    /// Group `g` is literals `groups[g]..<groups[g + 1]`: the line must contain one literal of
    /// every group. `all` literals are groups of one, first, then the `anyOf` choices.
    private let groups: UnsafeMutableBufferPointer<Int>

    init(_ requirement: PatternSplitter.Requirement) {
        var flat: [UInt8] = []
        var bounds: [Int] = [0]
        var groups: [Int] = [0]
        for choices in requirement.all.map({ [$0] }) + requirement.anyOf {
            for literal in choices {
                flat += literal
                bounds.append(flat.count)
            }
            groups.append(bounds.count - 1)
        }
        self.bytes = .allocate(capacity: flat.count)
        _ = self.bytes.initialize(from: flat)
        self.bounds = .allocate(capacity: bounds.count)
        _ = self.bounds.initialize(from: bounds)
        self.groups = .allocate(capacity: groups.count)
        _ = self.groups.initialize(from: groups)
    }

    deinit {
        bytes.deallocate()
        bounds.deallocate()
        groups.deallocate()
    }

    var isEmpty: Bool { groups.count == 1 }

    /// Whether `haystack` contains one literal of every group.
    func isMet(by haystack: UnsafeRawBufferPointer) -> Bool {
        for g in 0..<(groups.count - 1) {
            var found = false
            for i in groups[g]..<groups[g + 1] where RequiredLiterals.find(bytes.baseAddress! + bounds[i], count: bounds[i + 1] - bounds[i], in: haystack) {
                found = true
                break
            }
            if !found { return false }
        }
        return true
    }

    private static func find(_ needle: UnsafePointer<UInt8>, count: Int, in h: UnsafeRawBufferPointer) -> Bool {
        guard count > 0 else { return true }
        guard let hb = h.baseAddress, h.count >= count else { return false }
        // memchr for the first byte, then compare (memmem is a GNU extension).
        let first = Int32(needle.pointee)
        var start = hb
        let last = hb + (h.count - count)
        while start <= last {
            guard let hit = memchr(start, first, last - start + 1) else { return false }
            if memcmp(hit, needle, count) == 0 { return true }
            start = UnsafeRawPointer(hit) + 1
        }
        return false
    }
}

extension CompiledRegex {
    func matches(_ text: String) -> Bool {
        var line = MatchText(text)
        return firstMatch(&line) != nil
    }

    /// `(?i)pattern` as an equivalent case-sensitive pattern over lowercased ASCII input, or
    /// `nil` when the pattern cannot be lowered safely (other inline flags, `\Q`, POSIX
    /// classes, property escapes).
    static func lowercasedPattern(_ pattern: String) -> String? {
        guard pattern.hasPrefix("(?i)") else { return nil }
        let body = Array(pattern.unicodeScalars.dropFirst(4))
        var out = String.UnicodeScalarView()
        var i = 0
        var inClass = false
        while i < body.count {
            let c = body[i]
            if c == "\\" {
                guard i + 1 < body.count else { return nil }
                let next = body[i + 1]
                // Escapes keep their meaning (\S is not \s); ones that take arguments or
                // quote text are not lowered at all.
                if "pPQNxuEkg".unicodeScalars.contains(next) { return nil }
                out.append(c)
                out.append(next)
                i += 2
                continue
            }
            if c == "(" && i + 1 < body.count && body[i + 1] == "?" {
                // Groups: keep `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` (their bodies lowered) and named groups' names as written.
                guard i + 2 < body.count else { return nil }
                let kind = body[i + 2]
                if kind == "<", i + 3 < body.count, body[i + 3] == "=" || body[i + 3] == "!" {
                    // Lookbehind: its body is lowered like the rest.
                    out.append(contentsOf: body[i...(i + 3)])
                    i += 4
                    continue
                }
                if kind == "<" || kind == "P" {
                    var j = i
                    while j < body.count && body[j] != ">" { out.append(body[j]); j += 1 }
                    guard j < body.count else { return nil }
                    out.append(">")
                    i = j + 1
                    continue
                }
                guard ":=!".unicodeScalars.contains(kind) else { return nil }  // inline flags
                out.append(c)
                out.append("?")
                out.append(kind)
                i += 3
                continue
            }
            if c == "[" && inClass && i + 1 < body.count && body[i + 1] == ":" { return nil }
            if c == "[" { inClass = true }
            if c == "]" { inClass = false }
            if c.value >= 65 && c.value <= 90, let lower = Unicode.Scalar(c.value + 32) {
                out.append(lower)
            } else if c.value > 127 && c.properties.isUppercase {
                return nil
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(out)
    }
}

/// A line prepared for matching: the text, and (made on first use) its UTF-16 code units,
/// their ASCII-lowercased twin and the lowercased UTF-8 bytes.
///
/// The made forms are plain arrays with flags rather than optionals, and are read in place:
/// unwrapping or reassigning an optional array retains and releases it on every pattern run.
struct MatchText {
    let original: String
    private var loweredBytes: [UInt8] = []
    private var units: [UInt16] = []
    private var loweredUnits: [UInt16] = []
    private var made: UInt8 = 0
    private static let madeLoweredBytes: UInt8 = 1, madeUnits: UInt8 = 2, madeLoweredUnits: UInt8 = 4

    init(_ text: String) {
        original = text
    }

    /// Calls `body` with the line's UTF-16 code units (or its lowercased twin's), made on
    /// first use and read in place.
    mutating func withUTF16<T>(lowercased: Bool, _ body: (UnsafeBufferPointer<UInt16>) -> T) -> T {
        if lowercased {
            if made & MatchText.madeLoweredUnits == 0 {
                loweredUnits = original.utf16.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
                made |= MatchText.madeLoweredUnits
            }
            return loweredUnits.withUnsafeBufferPointer(body)
        }
        if made & MatchText.madeUnits == 0 {
            units = Array(original.utf16)
            made |= MatchText.madeUnits
        }
        return units.withUnsafeBufferPointer(body)
    }

    /// Whether the line contains what a pattern branch requires.
    mutating func satisfies(_ requirement: RequiredLiterals, lowercased: Bool) -> Bool {
        if requirement.isEmpty { return true }
        if lowercased {
            if made & MatchText.madeLoweredBytes == 0 {
                loweredBytes = Array(original.utf8)
                for i in loweredBytes.indices where loweredBytes[i] >= 65 && loweredBytes[i] <= 90 { loweredBytes[i] += 32 }
                made |= MatchText.madeLoweredBytes
            }
            return loweredBytes.withUnsafeBytes { requirement.isMet(by: $0) }
        }
        return original.utf8.withContiguousStorageIfAvailable { requirement.isMet(by: UnsafeRawBufferPointer($0)) }
            ?? Array(original.utf8).withUnsafeBytes { requirement.isMet(by: $0) }
    }
}

/// A rule ready to run. A class: rules are looked at many times per file and line, and
/// copying a struct of arrays and strings costs reference counting each time.
final class CompiledRule: Sendable {
    let rule: Rule
    let index: Int
    /// All must match; the first one's match carries the `secret` group.
    let patterns: [CompiledPattern]
    let unless: CompiledPattern?
    /// Language ids the rule reads (bit i = language id i); `nil`: any file.
    let languageMask: [UInt64]?
    /// Indices into the classifier's glob index.
    let paths: [Int]
    let excludePaths: [Int]
    let readsAdded: Bool
    let readsRemoved: Bool
    /// The pattern names a `secret` group (only then is a value checked and masked).
    let hasSecretGroup: Bool
    /// The roles the rule reads, as bits of ``FileRole/bit``.
    let roleMask: UInt8

    init(
        rule: Rule, index: Int, patterns: [CompiledPattern], unless: CompiledPattern?, languageMask: [UInt64]?, paths: [Int],
        excludePaths: [Int], readsAdded: Bool, readsRemoved: Bool
    ) {
        self.rule = rule
        self.index = index
        self.patterns = patterns
        self.unless = unless
        self.languageMask = languageMask
        self.paths = paths
        self.excludePaths = excludePaths
        self.readsAdded = readsAdded
        self.readsRemoved = readsRemoved
        self.hasSecretGroup = rule.patterns.first?.contains("(?<secret>") ?? false
        self.roleMask = rule.roles.reduce(0) { $0 | $1.bit }
    }

    /// Whether the rule reads a file, given the file's language id, role, change and the
    /// glob matches of its path (and of its old path, for renames).
    func applies(language: Int?, role: FileRole, change: FileChange, globs: [Bool]) -> Bool {
        guard roleMask & role.bit != 0 else { return false }
        if let languageMask {
            guard let language, language / 64 < languageMask.count, languageMask[language / 64] & (1 << UInt64(language % 64)) != 0 else { return false }
        }
        if !paths.isEmpty && !paths.contains(where: { globs[$0] }) { return false }
        if excludePaths.contains(where: { globs[$0] }) { return false }
        if let changes = rule.changes, !changes.contains(change) { return false }
        return true
    }
}

/// Maps a path to its language: file names first (`Dockerfile`, `go.mod`), then the extension.
struct LanguageTable: Sendable {
    /// Language names; a language's id is its index.
    let names: [String]
    private let byExtension: [String: Int]
    /// File-name globs, of which the first to match in definition order wins: exact names
    /// (`Dockerfile`) looked up in one step, the others (`Dockerfile.*`) matched in turn;
    /// `order` is the place in definition order.
    private let byExactName: [String: (language: Int, order: Int)]
    private let patternNames: [(glob: PathGlob, language: Int, order: Int)]

    init(_ definitions: [LanguageDefinition]) {
        var byExtension: [String: Int] = [:]
        var byName: [(glob: PathGlob, language: Int, order: Int)] = []
        for (id, definition) in definitions.enumerated() {
            for ext in definition.extensions { byExtension[ext.lowercased()] = id }
            for name in definition.filenames { byName.append((PathGlob(name), id, byName.count)) }
        }
        var byExactName: [String: (language: Int, order: Int)] = [:]
        for entry in byName {
            if let name = entry.glob.exactName, byExactName[name] == nil { byExactName[name] = (entry.language, entry.order) }
        }
        self.names = definitions.map(\.id)
        self.byExtension = byExtension
        self.byExactName = byExactName
        self.patternNames = byName.filter { $0.glob.exactName == nil }
    }

    func id(of name: String) -> Int? { names.firstIndex(of: name) }

    func language(of path: String) -> Int? {
        let name = path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path[...]
        let exact = byExactName[String(name)]
        for entry in patternNames {
            if let exact, exact.order < entry.order { return exact.language }
            if entry.glob.matches(path) { return entry.language }
        }
        if let exact { return exact.language }
        // The longest extension that is known: `blade.php` before `php`. Works on bytes:
        // this runs for every changed file.
        var bytes = Array(path.utf8)
        let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 }) ?? 0
        for i in nameStart..<bytes.count where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] += 32 }
        var i = nameStart
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "."), i + 1 < bytes.count,
                let id = byExtension[String(decoding: bytes[(i + 1)...], as: UTF8.self)]
            {
                return id
            }
            i += 1
        }
        return nil
    }
}

/// The rule pack compiled for classification: regexes built, keywords in one prefilter,
/// globs parsed. Build it once and share it; it is immutable.
public final class AreaClassifier: Sendable {
    let rules: [CompiledRule]
    public let matcher: LiteralMatcher
    /// Keyword id → its shape and the content rules that use it.
    let keywordIndex: KeywordIndex
    /// Keyword id → the keyword as written (for diagnostics).
    public let keywordTexts: [String]
    /// Content rules without keywords: they read every changed line.
    let unfilteredRules: [Int]
    /// Per rule, the lines it reads, as ``RuleReads`` bits.
    let ruleReads: [UInt8]
    /// Which rules read a file, in flat form for the per-file loop.
    let applicability: Applicability
    let pathRules: [Int]
    let contentRules: [Int]
    let languages: LanguageTable
    /// Every glob of every rule, role and ignore pattern, matched in one pass per path.
    let globIndex: GlobIndex
    /// Role → its globs' indices in ``globIndex``, in resolution order.
    let roleGlobs: [(FileRole, [Int])]
    /// Indices in ``globIndex`` of the policy's ignored paths.
    let ignoredGlobs: [Int]
    let secretAllowlist: [CompiledRegex]
    /// When evidence is enough to flag an area.
    public let thresholds: FlagThresholds

    /// Compiles a pack. Patterns were validated when the pack was loaded; one that still
    /// fails to compile is reported here.
    public init(pack: RulePack, ignoring ignoredPaths: [String] = [], thresholds: FlagThresholds = FlagThresholds()) throws(ConfigError) {
        self.thresholds = thresholds
        var compiled: [CompiledRule] = []
        var diagnostics: [ConfigDiagnostic] = []
        let groups = pack.groups
        let languages = LanguageTable(pack.languages)
        var globs: [PathGlob] = []
        var globIds: [String: Int] = [:]
        func globId(_ pattern: String) -> Int {
            if let id = globIds[pattern] { return id }
            globIds[pattern] = globs.count
            globs.append(PathGlob(pattern))
            return globs.count - 1
        }
        func expand(_ names: [String]) -> Set<String> {
            var out: Set<String> = []
            for name in names {
                if let members = groups[name] { out.formUnion(expand(members)) } else { out.insert(name) }
            }
            return out
        }
        func mask(_ names: [String]) -> [UInt64]? {
            guard !names.isEmpty else { return nil }
            var bits = Array(repeating: UInt64(0), count: max(1, (languages.names.count + 63) / 64))
            for name in expand(names) {
                if let id = languages.id(of: name) { bits[id / 64] |= 1 << UInt64(id % 64) }
            }
            return bits
        }
        for rule in pack.rules where !rule.disabled {
            do {
                compiled.append(
                    CompiledRule(
                        rule: rule, index: compiled.count,
                        patterns: try rule.patterns.map(CompiledPattern.init),
                        unless: try rule.unless.map(CompiledPattern.init),
                        languageMask: mask(rule.languages),
                        paths: rule.paths.map(globId),
                        excludePaths: rule.excludePaths.map(globId),
                        readsAdded: rule.lines.contains(.added),
                        readsRemoved: rule.lines.contains(.removed)))
            } catch {
                let (file, line) = RulePackLoader.splitOrigin(rule.origin)
                diagnostics.append(ConfigDiagnostic(file: file, line: line, message: "rule '\(rule.id)': pattern does not compile: \(error)"))
            }
        }
        let roleGlobs = FileRole.resolutionOrder.compactMap { role in
            pack.roles[role].map { (role, $0.map(globId)) }
        }
        let ignoredGlobs = ignoredPaths.map(globId)
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
            // A keyword containing another keyword of the same rule (without boundaries)
            // finds nothing more: leave it out of the automaton.
            let ruleKeywords = Set(rule.rule.keywords.map(Keyword.init))
            let plain = ruleKeywords.filter { !$0.boundaryBefore && !$0.boundaryAfter }
            let needed = ruleKeywords.filter { keyword in
                let bytes = Array(keyword.text.utf8)
                return !plain.contains { $0 != keyword && Keyword.bytes(bytes, contain: Array($0.text.utf8)) }
            }
            for keyword in needed {
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
        var starts: [Int32] = [0]
        var flat: [Int32] = []
        for list in keywordRules {
            flat += list
            starts.append(Int32(flat.count))
        }
        self.keywordIndex = KeywordIndex(shapes: shapes, start: starts, rules: flat)
        self.applicability = Applicability(compiled, languageCount: languages.names.count)
        self.keywordTexts = keywords.map { String(decoding: $0, as: UTF8.self) }
        self.unfilteredRules = unfiltered
        self.ruleReads = rules.map { rule in
            (rule.readsAdded ? RuleReads.added : 0) | (rule.readsRemoved ? RuleReads.removed : 0) | (rule.rule.readsComments ? RuleReads.comments : 0)
        }
        self.pathRules = compiled.filter { $0.rule.isPathRule }.map(\.index)
        self.contentRules = compiled.filter { !$0.rule.isPathRule }.map(\.index)
        self.languages = languages
        self.globIndex = GlobIndex(globs)
        self.roleGlobs = roleGlobs
        self.ignoredGlobs = ignoredGlobs
        self.secretAllowlist = allowlist
    }

    /// The rules as loaded (built-in pack with policy additions and overrides), in order.
    public var ruleDefinitions: [Rule] { rules.map(\.rule) }

    /// The role of a file from the pack's `roles:` globs, checked in
    /// ``FileRole/resolutionOrder``; `source` when none matches.
    public func role(of path: String) -> FileRole {
        var matched: [Bool] = []
        globIndex.match(path, into: &matched)
        return role(globs: matched)
    }

    func role(globs matched: [Bool]) -> FileRole {
        for (role, globs) in roleGlobs where globs.contains(where: { matched[$0] }) { return role }
        return .source
    }

    public func language(of path: String) -> String? { languages.language(of: path).map { languages.names[$0] } }

    public func isIgnored(_ path: String) -> Bool {
        var matched: [Bool] = []
        globIndex.match(path, into: &matched)
        return ignoredGlobs.contains { matched[$0] }
    }

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

/// Each rule's conditions on a file (roles, languages, paths, kinds of change) in flat
/// arrays: the per-file loop over all rules reads plain values, no class instances.
struct Applicability: Sendable {
    let count: Int
    let roleMask: [UInt8]
    /// Words per language mask; a rule without languages has all bits set.
    let languageWords: Int
    let languageMasks: [UInt64]
    let pathStart: [Int32]
    let paths: [Int32]
    let excludeStart: [Int32]
    let excludes: [Int32]
    /// Bits of ``FileChange`` the rule reads; all bits when it says nothing.
    let changeMask: [UInt8]
    let isPathRule: [Bool]
    /// Rules whose reading depends on the file's path (path rules, and rules with `paths`
    /// or `exclude_paths`), in order. Whether any other rule reads a file depends only on
    /// its language, role and change (see ``kind(language:role:change:)``).
    let pathDependent: [Int]

    init(_ rules: [CompiledRule], languageCount: Int) {
        count = rules.count
        roleMask = rules.map(\.roleMask)
        languageWords = max(1, (languageCount + 64) / 64)
        var masks: [UInt64] = []
        var pathStart: [Int32] = [0], paths: [Int32] = []
        var excludeStart: [Int32] = [0], excludes: [Int32] = []
        var changeMask: [UInt8] = []
        for rule in rules {
            let words = languageWords
            if let mask = rule.languageMask {
                masks += (0..<words).map { $0 < mask.count ? mask[$0] : 0 }
            } else {
                masks += Array(repeating: UInt64.max, count: words)
            }
            paths += rule.paths.map(Int32.init)
            pathStart.append(Int32(paths.count))
            excludes += rule.excludePaths.map(Int32.init)
            excludeStart.append(Int32(excludes.count))
            changeMask.append(rule.rule.changes.map { $0.reduce(0) { $0 | $1.bit } } ?? 0xFF)
        }
        languageMasks = masks
        self.pathStart = pathStart
        self.paths = paths
        self.excludeStart = excludeStart
        self.excludes = excludes
        self.changeMask = changeMask
        isPathRule = rules.map(\.rule.isPathRule)
        pathDependent = rules.indices.filter { rules[$0].rule.isPathRule || !rules[$0].paths.isEmpty || !rules[$0].excludePaths.isEmpty }
    }

    /// A key for a file's language, role and change: files alike in these are read by the
    /// same rules, except the ``pathDependent`` ones.
    func kind(language: Int?, role: FileRole, change: FileChange) -> Int {
        ((language ?? -1) << 16) | (Int(role.bit) << 8) | Int(change.bit)
    }

    /// For a file of this language, role and change: which rules that do not depend on the
    /// path read it (false for the path-dependent ones), and whether any of them is a
    /// content rule.
    func pathIndependent(language: Int?, role: FileRole, change: FileChange) -> (applies: [Bool], readsContent: Bool) {
        var applies = Array(repeating: false, count: count)
        var readsContent = false
        var next = 0
        for i in 0..<count {
            if next < pathDependent.count && pathDependent[next] == i {
                next += 1
                continue
            }
            applies[i] = self.applies(i, language: language, role: role, change: change, globs: [])
            if applies[i] && !isPathRule[i] { readsContent = true }
        }
        return (applies, readsContent)
    }

    /// Whether rule `i` reads a file of this language (id; `nil` unknown), role and change,
    /// given which globs its path matched.
    @inline(__always)
    func applies(_ i: Int, language: Int?, role: FileRole, change: FileChange, globs: [Bool]) -> Bool {
        guard roleMask[i] & role.bit != 0, changeMask[i] & change.bit != 0 else { return false }
        let mask = languageMasks[i * languageWords + (language ?? (languageWords * 64 - 1)) / 64]
        if mask != UInt64.max {
            guard let language, mask & (1 << UInt64(language % 64)) != 0 else { return false }
        }
        let p0 = Int(pathStart[i]), p1 = Int(pathStart[i + 1])
        if p0 < p1 {
            var any = false
            for p in p0..<p1 where globs[Int(paths[p])] { any = true; break }
            if !any { return false }
        }
        for e in Int(excludeStart[i])..<Int(excludeStart[i + 1]) where globs[Int(excludes[e])] { return false }
        return true
    }
}

/// Keyword id → shape, and the rules using it as one flat list (`rules[start[k]..<start[k+1]]`).
struct KeywordIndex: Sendable {
    let shapes: [Keyword.Shape]
    let start: [Int32]
    let rules: [Int32]
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

    /// Whether `haystack` contains `needle` (plain byte search, for building the matcher).
    static func bytes(_ haystack: [UInt8], contain needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

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
