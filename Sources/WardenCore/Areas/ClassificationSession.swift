import Foundation

/// One piece of evidence that a change touches an area.
public struct Finding: Sendable, Hashable {
    public var area: Area
    public var file: String
    /// The line in the new file (added lines) or the old file (removed lines); `nil` for a
    /// path signal on a file with no changed text lines (binary, pure rename).
    public var line: Int?
    public var side: Side
    public var rule: String
    /// Why it matters, for a reviewer. Secret values in it are masked.
    public var reason: String
    public var role: FileRole
    /// For removed lines, the new-file line at the place of removal (for SARIF locations).
    public var anchorLine: Int?
    /// A credential value matched by a secret rule (masked in ``reason``).
    public var isCredential: Bool

    public init(
        area: Area, file: String, line: Int?, side: Side, rule: String, reason: String, role: FileRole = .source,
        anchorLine: Int? = nil, isCredential: Bool = false
    ) {
        self.isCredential = isCredential
        self.area = area
        self.file = file
        self.line = line
        self.side = side
        self.rule = rule
        self.reason = reason
        self.role = role
        self.anchorLine = anchorLine
    }
}

/// Everything found for one area.
public struct AreaReport: Sendable, Hashable {
    public var area: Area
    /// Sum of rule weights, each rule counted once per file. At 1.0 the area is flagged.
    public var score: Double
    /// Findings kept (see ``FindingLimits``).
    public var findings: [Finding]
    /// All findings, including those not kept — up to ``FindingLimits/perRuleAndFile`` per
    /// rule and file: once a rule has that many in a file (and so already counts in full),
    /// it is not run again there.
    public var totalFindings: Int
    /// Enough evidence to label the change and route reviewers (see ``FlagThresholds``).
    public var flagged: Bool
}

/// When an area's evidence is enough to act on.
///
/// An area is flagged when its score reaches ``minimum`` and either reaches ``strong`` or is
/// at least ``dominance`` times the score of the change's strongest area. An area with a
/// credential finding is always flagged. A change that is
/// clearly about authentication should not also route a network senior because one line
/// sends a redirect; two areas with solid evidence are both flagged.
public struct FlagThresholds: Sendable, Hashable {
    public var minimum: Double
    public var strong: Double
    public var dominance: Double

    public init(minimum: Double = 0.5, strong: Double = 2.0, dominance: Double = 0.5) {
        self.minimum = minimum
        self.strong = strong
        self.dominance = dominance
    }

    func flags(_ score: Double, top: Double) -> Bool {
        let epsilon = 1e-9
        guard score >= minimum - epsilon else { return false }
        return score >= strong - epsilon || score >= dominance * top - epsilon
    }
}

/// Line and file counts of a diff.
public struct DiffStats: Sendable, Hashable, Codable {
    public var files = 0
    public var added = 0
    public var removed = 0
    public var binaryFiles = 0
    /// Files left out by the policy's `paths.ignore`.
    public var ignoredFiles = 0
    /// Files whose patch text was missing (a forge omitted it).
    public var filesWithoutPatch = 0
    /// Lines longer than the parser keeps, cut.
    public var truncatedLines = 0

    public init() {}
}

/// The result of classifying a diff.
public struct Classification: Sendable, Hashable {
    /// Every area with any signal, flagged or not, in canonical order.
    public var reports: [AreaReport]
    public var stats: DiffStats
    /// Per file path, what Warden made of it.
    public var files: [FileSummary]

    /// The areas with enough evidence to act on.
    public var areas: [Area] { reports.filter(\.flagged).map(\.area) }
    public func report(for area: Area) -> AreaReport? { reports.first { $0.area == area } }
}

/// How a file was read.
public struct FileSummary: Sendable, Hashable {
    public var path: String
    public var language: String?
    public var role: FileRole
    public var change: FileChange
    public var ignored: Bool
}

/// Bounds on what is kept, so a huge diff cannot exhaust memory and a file full of one
/// construct is not evaluated line after line. Scores are unaffected: a rule counts once per
/// file, so its first finding there already counts in full.
public struct FindingLimits: Sendable {
    public var perRuleAndFile: Int
    public var perArea: Int
    /// File summaries kept (a 200 MB diff may hold hundreds of thousands of files).
    public var fileSummaries: Int

    public init(perRuleAndFile: Int = 5, perArea: Int = 200, fileSummaries: Int = 5_000) {
        self.perRuleAndFile = perRuleAndFile
        self.perArea = perArea
        self.fileSummaries = fileSummaries
    }
}

/// Classifies a diff as it streams by: a ``DiffSink`` for ``DiffParser``.
public struct ClassificationSession: DiffSink {
    private let classifier: AreaClassifier
    private let limits: FindingLimits

    private var stats = DiffStats()
    private var files: [FileSummary] = []
    private var fileIndex = -1

    // Per file.
    private var path = ""
    private var role = FileRole.source
    private var readsContent = false
    private var applicable: [Bool]
    /// ``Applicability/pathIndependent(language:role:change:)`` by file kind: a diff's files
    /// come in few kinds, and this spares going through every rule for each file.
    private var applicableByKind: [Int: (applies: [Bool], readsContent: Bool)] = [:]
    private var pendingPathRules: [Int] = []
    private var globMatches: [Bool] = []
    private var oldGlobMatches: [Bool] = []
    private var firstAdded: Int?
    private var firstRemoved: (line: Int, anchor: Int)?
    private var perRuleCount: [Int]

    // Per line.
    private var lineStamp: [UInt32]
    private var currentStamp: UInt32 = 0
    private var candidates: [Int] = []
    private var hits: [LiteralMatcher.Hit] = []
    /// A file's changed lines (and hunk headings) are scanned in batches
    /// (``LiteralMatcher/scanLines(_:into:)``, several lines side by side): they wait here,
    /// copied since the parser's buffer moves on, until the batch is full or the file ends.
    /// They are then considered in diff order, so findings and limits come out as if each
    /// line had been scanned on arrival.
    private var batchText: [UInt8] = []
    private var batchLines: [BatchLine] = []

    // The classifier's per-line tables, held here so the hot path reads stored properties
    // instead of retaining them through the classifier on every line.
    private let matcher: LiteralMatcher
    private let keywordShapes: [Keyword.Shape]
    private let keywordStart: [Int32]
    private let keywordRules: [Int32]
    private let unfilteredRules: [Int]
    private let rules: [CompiledRule]
    /// Per rule, what lines it reads (``RuleReads``), so candidates are dropped without
    /// touching the rule object.
    private let ruleReads: [UInt8]

    /// How often each rule's patterns ran (index = rule order), for finding expensive rules.
    public private(set) var patternRuns: [Int]
    /// How often each keyword made a rule a candidate (index = keyword id), when
    /// ``measuresPatternTime`` is on.
    public private(set) var keywordCandidates: [Int] = []
    /// Time spent in each rule's patterns, when ``measuresPatternTime`` is on.
    public private(set) var patternTime: [Duration]
    /// Measure time per rule (for `warden-bench rule-costs`); off by default.
    public var measuresPatternTime = false

    // Results.
    private var findings: [Area: [Finding]] = [:]
    private var totals: [Area: Int] = [:]
    private var scores: [Area: Double] = [:]
    private var scoredRuleFiles: [Int64: Double] = [:]
    /// Per area, the weight path evidence already counts with (see ``endFile()``).
    private var pathWeight: [Area: Double] = [:]

    init(classifier: AreaClassifier, limits: FindingLimits) {
        self.classifier = classifier
        self.limits = limits
        self.matcher = classifier.matcher
        self.keywordShapes = classifier.keywordIndex.shapes
        self.keywordStart = classifier.keywordIndex.start
        self.keywordRules = classifier.keywordIndex.rules
        self.unfilteredRules = classifier.unfilteredRules
        self.rules = classifier.rules
        self.ruleReads = classifier.ruleReads
        self.applicable = Array(repeating: false, count: classifier.rules.count)
        self.lineStamp = Array(repeating: 0, count: classifier.rules.count)
        self.perRuleCount = Array(repeating: 0, count: classifier.rules.count)
        self.patternRuns = Array(repeating: 0, count: classifier.rules.count)
        self.patternTime = Array(repeating: .zero, count: classifier.rules.count)
    }

    /// Keywords with how often they made a rule a candidate, most first.
    public var keywordCosts: [(keyword: String, candidates: Int)] {
        keywordCandidates.indices.map { (classifier.keywordTexts[$0], keywordCandidates[$0]) }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
    }

    /// Rule ids with how often their patterns ran and the time it took, costliest first.
    public var patternCosts: [(rule: String, runs: Int, time: Duration)] {
        rules.indices.map { (rules[$0].rule.id, patternRuns[$0], patternTime[$0]) }
            .filter { $0.1 > 0 }.sorted { ($0.2, $0.1) > ($1.2, $1.1) }
    }

    public mutating func beginFile(_ header: FileHeader) {
        scanBatch()
        fileIndex += 1
        stats.files += 1
        if header.isBinary { stats.binaryFiles += 1 }
        if header.patchMissing { stats.filesWithoutPatch += 1 }
        path = header.path
        firstAdded = nil
        firstRemoved = nil
        pendingPathRules.removeAll(keepingCapacity: true)
        for i in perRuleCount.indices { perRuleCount[i] = 0 }

        classifier.globIndex.match(path, into: &globMatches)
        let languageId = classifier.languages.language(of: path)
        role = classifier.role(globs: globMatches)
        var ignored = classifier.ignoredGlobs.contains { globMatches[$0] }
        // A renamed file also counts under its old name for path rules (moving a file out
        // of `auth/` is an auth change); a deletion is ignored when its old path is.
        var oldLanguage: Int?
        var oldRole = FileRole.source
        let renamed = header.oldPath != nil && header.oldPath != path
        if renamed, let old = header.oldPath {
            classifier.globIndex.match(old, into: &oldGlobMatches)
            oldLanguage = classifier.languages.language(of: old)
            oldRole = classifier.role(globs: oldGlobMatches)
            if header.newPath == nil { ignored = ignored || classifier.ignoredGlobs.contains { oldGlobMatches[$0] } }
        }
        if files.count < limits.fileSummaries {
            files.append(
                FileSummary(
                    path: path, language: languageId.map { classifier.languages.names[$0] }, role: role, change: header.change, ignored: ignored))
        }
        if ignored {
            stats.ignoredFiles += 1
            readsContent = false
            for i in applicable.indices { applicable[i] = false }
            return
        }
        let table = classifier.applicability
        let kind = table.kind(language: languageId, role: role, change: header.change)
        let known: (applies: [Bool], readsContent: Bool)
        if let cached = applicableByKind[kind] {
            known = cached
        } else {
            known = table.pathIndependent(language: languageId, role: role, change: header.change)
            if applicableByKind.count < 4_096 { applicableByKind[kind] = known }
        }
        applicable.withUnsafeMutableBufferPointer { target in
            known.applies.withUnsafeBufferPointer { source in
                if let to = target.baseAddress, let from = source.baseAddress { to.update(from: from, count: source.count) }
            }
        }
        readsContent = known.readsContent
        for i in table.pathDependent {
            var applies = table.applies(i, language: languageId, role: role, change: header.change, globs: globMatches)
            if !applies, renamed, table.isPathRule[i] {
                applies = table.applies(i, language: oldLanguage, role: oldRole, change: header.change, globs: oldGlobMatches)
            }
            applicable[i] = applies
            if applies {
                if table.isPathRule[i] { pendingPathRules.append(i) } else { readsContent = true }
            }
        }
    }

    public mutating func beginHunk(_ header: HunkHeader) {
        // The hunk heading names the enclosing function or class: a change inside
        // `check_password` is an auth change even when its lines say nothing of passwords.
        // It counts at half weight, and never twice per rule and file with the lines.
        guard readsContent, !header.heading.isEmpty else { return }
        var heading = header.heading
        heading.withUTF8 { bytes in
            batch(bytes, kind: .added, number: header.newStart, anchor: nil, factor: 0.5)
        }
    }

    public mutating func line(_ line: LineView) {
        switch line.kind {
        case .context: return
        case .added:
            stats.added += 1
            if firstAdded == nil { firstAdded = line.newLine }
        case .removed:
            stats.removed += 1
            if firstRemoved == nil { firstRemoved = (line.oldLine, line.newLine) }
        }
        guard readsContent else { return }
        batch(line.content, kind: line.kind, number: line.number, anchor: line.kind == .removed ? line.newLine : nil, factor: 1)
    }

    /// Adds a line to the batch; scans the batch when it is full.
    private mutating func batch(_ content: UnsafeBufferPointer<UInt8>, kind: LineKind, number: Int, anchor: Int?, factor: Double) {
        // A line is copied only up to the length it is evaluated in (see `evaluate`); a
        // longer one is scanned in place on its own, after the lines before it.
        if content.count > ClassificationSession.evaluatedLength {
            scanBatch()
            var found: [LiteralMatcher.Hit] = []
            swap(&found, &hits)
            found.removeAll(keepingCapacity: true)
            matcher.scan(content, into: &found)
            found.withUnsafeBufferPointer { found in
                consider(content, hits: found, kind: kind, number: number, anchor: anchor, factor: factor)
            }
            swap(&found, &hits)
            return
        }
        let start = batchText.count
        batchText.append(contentsOf: content)
        batchText.append(10)
        batchLines.append(BatchLine(start: start, end: start + content.count, kind: kind, number: number, anchor: anchor, factor: factor))
        if batchText.count >= ClassificationSession.batchBytes { scanBatch() }
    }

    /// How many bytes of lines are scanned together: enough for the parts scanned side by
    /// side to be long (short parts leave unequal tails), small enough to stay in cache.
    /// Public for `warden-bench`, which cuts its batches the same way.
    public static let batchBytes = 16_384

    /// Scans the waiting lines and runs the rules their keywords select, line by line.
    private mutating func scanBatch() {
        guard !batchLines.isEmpty else { return }
        // The buffers are moved out while they are read (and back after, for their
        // capacity): read through `self`, each would be retained and released per line.
        var text: [UInt8] = [], lines: [BatchLine] = [], found: [LiteralMatcher.Hit] = []
        swap(&text, &batchText)
        swap(&lines, &batchLines)
        swap(&found, &hits)
        found.removeAll(keepingCapacity: true)
        text.withUnsafeBufferPointer { text in
            matcher.scanLines(text, into: &found)
            found.withUnsafeMutableBufferPointer { found in
                var next = 0
                for line in lines {
                    let first = next
                    while next < found.count && found[next].end <= line.end {
                        found[next].end -= line.start
                        next += 1
                    }
                    consider(
                        UnsafeBufferPointer(rebasing: text[line.start..<line.end]), hits: UnsafeBufferPointer(rebasing: found[first..<next]),
                        kind: line.kind, number: line.number, anchor: line.anchor, factor: line.factor)
                }
            }
        }
        text.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        swap(&text, &batchText)
        swap(&lines, &batchLines)
        swap(&found, &hits)
    }

    /// Turns the keyword hits of `content` (their ends counted from its start) into
    /// candidate rules and runs them.
    private mutating func consider(
        _ content: UnsafeBufferPointer<UInt8>, hits: UnsafeBufferPointer<LiteralMatcher.Hit>, kind: LineKind, number: Int, anchor: Int?,
        factor: Double
    ) {
        if !candidates.isEmpty { candidates.removeAll(keepingCapacity: true) }
        if !hits.isEmpty {
            currentStamp &+= 1
            if currentStamp == 0 {
                for i in lineStamp.indices { lineStamp[i] = 0 }
                currentStamp = 1
            }
            let stamp = currentStamp
            for hit in hits {
                guard Keyword.fits(keywordShapes[hit.keyword], in: content, end: hit.end) else { continue }
                for slot in Int(keywordStart[hit.keyword])..<Int(keywordStart[hit.keyword + 1]) {
                    let rule = Int(keywordRules[slot])
                    if applicable[rule] && lineStamp[rule] != stamp && perRuleCount[rule] < limits.perRuleAndFile {
                        lineStamp[rule] = stamp
                        candidates.append(rule)
                        if measuresPatternTime {
                            if keywordCandidates.isEmpty { keywordCandidates = Array(repeating: 0, count: keywordShapes.count) }
                            keywordCandidates[hit.keyword] += 1
                        }
                    }
                }
            }
        }
        for rule in unfilteredRules where applicable[rule] && perRuleCount[rule] < limits.perRuleAndFile { candidates.append(rule) }
        guard !candidates.isEmpty else { return }
        evaluate(content, kind: kind, number: number, anchor: anchor, factor: factor)
    }

    /// Runs the candidate rules' patterns on one line.
    private mutating func evaluate(_ content: UnsafeBufferPointer<UInt8>, kind: LineKind, number: Int, anchor: Int?, factor: Double) {
        // Very long lines (minified code, data blobs) are read in their first 64 KiB: enough
        // for any code construct, and it bounds the regex cost per line.
        let content =
            content.count > ClassificationSession.evaluatedLength
            ? UnsafeBufferPointer(rebasing: content[..<ClassificationSession.evaluatedLength]) : content
        // The text is made only when a rule has a pattern to run: keyword-only rules need
        // nothing but the keyword hit. It is kept in one optional and matched in place: a
        // copy per rule would retain its strings and arrays each time.
        var line: MatchText?
        let comment = CommentLine.isComment(content)
        let side = kind == .added ? RuleReads.added : RuleReads.removed
        candidates.sort()
        for index in candidates {
            let reads = ruleReads[index]
            guard reads & side != 0 else { continue }
            if comment && reads & RuleReads.comments == 0 { continue }
            let rule = rules[index]
            var match: RegexMatch?
            let patterns = rule.patterns
            if !patterns.isEmpty {
                patternRuns[index] += 1
                let clock = ContinuousClock()
                let started = measuresPatternTime ? clock.now : nil
                if line == nil { line = MatchText(String(decoding: content, as: UTF8.self)) }
                match = patterns[0].firstMatch(&line!)
                var all = match != nil
                var next = 1
                while all && next < patterns.count {
                    all = patterns[next].firstMatch(&line!) != nil
                    next += 1
                }
                if let started { patternTime[index] += clock.now - started }
                if !all { continue }
            }
            if let unless = rule.unless {
                if line == nil { line = MatchText(String(decoding: content, as: UTF8.self)) }
                if unless.firstMatch(&line!) != nil { continue }
            }
            var reason = rule.rule.reason
            if let check = rule.rule.secret, let match, rule.hasSecretGroup {
                guard let original = line?.original else { continue }
                let range = match.range(withName: "secret")
                guard range.location != NSNotFound, let swiftRange = Range(range, in: original) else { continue }
                let value = String(original[swiftRange])
                guard value.count >= check.minLength, SecretValue.entropy(value) >= check.minEntropy,
                    !classifier.isAllowlistedSecret(value)
                else { continue }
                reason += ": \(SecretValue.mask(value))"
            }
            if factor < 1 { reason += " (in the enclosing code)" }
            record(rule, line: number, side: kind == .removed ? .old : .new, reason: reason, anchor: anchor, factor: factor)
        }
    }

    /// How much of a line rules read.
    static let evaluatedLength = 65_536

    private mutating func record(_ rule: CompiledRule, line: Int?, side: Side, reason: String, anchor: Int?, factor: Double = 1, weight: Double? = nil) {
        let area = rule.rule.area
        totals[area, default: 0] += 1
        // Each rule counts once per file, with its strongest evidence there.
        let key = Int64(rule.index) << 32 | Int64(fileIndex & 0xFFFF_FFFF)
        let previous = scoredRuleFiles[key] ?? 0
        if factor > previous {
            scoredRuleFiles[key] = factor
            scores[area, default: 0] += (weight ?? rule.rule.weight) * (factor - previous)
        }
        perRuleCount[rule.index] += 1
        guard perRuleCount[rule.index] <= limits.perRuleAndFile, findings[area, default: []].count < limits.perArea else { return }
        findings[area, default: []].append(
            Finding(
                area: area, file: path, line: line, side: side, rule: rule.rule.id, reason: reason, role: role,
                anchorLine: anchor, isCredential: rule.rule.secret != nil))
    }

    public mutating func endFile() {
        scanBatch()
        // Paths are one piece of evidence per area for the whole change, as strong as the
        // strongest matching path rule: `auth/login.py` matching both a module rule and a
        // file-name rule weighs as the stronger of the two, and twelve files under
        // `migrations/` say no more about SQL than one does. Summed, paths alone outweighed
        // what the changed lines say about another area (a privilege fix in an app's
        // migration code read as SQL 4.0 against auth 0.5). Every matching rule is still
        // reported with its file.
        // A path finding points at the file's first changed line (added, else removed).
        let (line, side, anchor): (Int?, Side, Int?) =
            firstAdded.map { ($0, .new, nil) } ?? firstRemoved.map { ($0.line, .old, $0.anchor) } ?? (nil, .new, nil)
        for index in pendingPathRules {
            let rule = rules[index]
            let already = pathWeight[rule.rule.area] ?? 0
            pathWeight[rule.rule.area] = max(already, rule.rule.weight)
            record(rule, line: line, side: side, reason: rule.rule.reason, anchor: anchor, weight: max(0, rule.rule.weight - already))
        }
        pendingPathRules.removeAll(keepingCapacity: true)
        readsContent = false
    }

    /// Counts lines the splitter had to cut (reported in ``DiffStats``).
    public mutating func noteTruncatedLines(_ count: Int) { stats.truncatedLines += count }

    /// The classification so far.
    public func result() -> Classification {
        guard batchLines.isEmpty else {
            // A caller that stopped inside a file: its waiting lines still count.
            var finished = self
            finished.scanBatch()
            return finished.result()
        }
        var reports: [AreaReport] = []
        let thresholds = classifier.thresholds
        let top = scores.values.max() ?? 0
        for area in Area.allCases {
            let total = totals[area] ?? 0
            guard total > 0 else { continue }
            let score = scores[area] ?? 0
            // A credential is flagged whatever else the change does: added, it leaks; removed,
            // it leaked already and needs rotating.
            let credential = (findings[area] ?? []).contains { $0.isCredential }
            reports.append(
                AreaReport(
                    area: area, score: score, findings: findings[area] ?? [], totalFindings: total,
                    flagged: credential || thresholds.flags(score, top: top)))
        }
        return Classification(reports: reports, stats: stats, files: files)
    }
}

/// A line waiting in ``ClassificationSession``'s batch: where its bytes are, and what it is.
private struct BatchLine {
    let start: Int
    let end: Int
    let kind: LineKind
    let number: Int
    let anchor: Int?
    let factor: Double
}

/// Bits of ``ClassificationSession``'s per-rule table of what lines a rule reads.
enum RuleReads {
    static let added: UInt8 = 1
    static let removed: UInt8 = 2
    static let comments: UInt8 = 4
}

/// Secret values: how random they look, and how to show them without revealing them.
public enum SecretValue {
    /// Shannon entropy in bits per character.
    public static func entropy(_ value: String) -> Double {
        var counts: [UInt8: Int] = [:]
        for byte in value.utf8 { counts[byte, default: 0] += 1 }
        let n = Double(value.utf8.count)
        guard n > 0 else { return 0 }
        return counts.values.reduce(0) { sum, c in
            let p = Double(c) / n
            return sum - p * log2(p)
        }
    }

    /// Keeps enough of a value to recognise it and hides the rest: `AKIA************MPLE`.
    /// Short values show less; very short ones nothing.
    public static func mask(_ value: String) -> String {
        let characters = Array(value)
        let keep: Int
        switch characters.count {
        case 16...: keep = 4
        case 10..<16: keep = 2
        default: keep = 0
        }
        guard keep > 0 else { return String(repeating: "*", count: max(characters.count, 4)) }
        return String(characters.prefix(keep)) + String(repeating: "*", count: characters.count - 2 * keep) + String(characters.suffix(keep))
    }
}

/// Whether a line is a comment, by its first characters: `//`, `/*`, `*` (inside a block
/// comment), or `#` followed by a space, `#`, `!` or nothing (so `#include` and `#[derive]`
/// are code). A byte check instead of a regular expression: it runs on every candidate line.
enum CommentLine {
    static func isComment(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < line.count, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") { i += 1 }
        guard i < line.count else { return false }
        let next: UInt8? = i + 1 < line.count ? line[i + 1] : nil
        switch line[i] {
        case UInt8(ascii: "/"): return next == UInt8(ascii: "/") || next == UInt8(ascii: "*")
        case UInt8(ascii: "*"): return next == nil || next == UInt8(ascii: " ") || next == UInt8(ascii: "/") || next == UInt8(ascii: "*")
        case UInt8(ascii: "#"):
            return next == nil || next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "#") || next == UInt8(ascii: "!")
        default: return false
        }
    }
}
