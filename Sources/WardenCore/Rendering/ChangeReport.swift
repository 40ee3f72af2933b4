import Foundation

/// Everything Warden concluded about one change, ready to render: as JSON (SPEC, Command
/// line), text for a terminal, SARIF for code scanning, or the Markdown of the summary comment.
public struct ChangeReport: Sendable {
    public var classification: Classification
    public var decision: Decision
    public var ai: AIShare
    public var policy: Policy

    public init(classification: Classification, decision: Decision, ai: AIShare, policy: Policy) {
        self.classification = classification
        self.decision = decision
        self.ai = ai
        self.policy = policy
    }

    /// Classifies nothing new: decides from a classification with the policy.
    public init(classification: Classification, ai: AIShare = .unknown, policy: Policy, facts: MergeRequestFacts = MergeRequestFacts()) {
        self.init(
            classification: classification,
            decision: Decision.make(classification: classification, ai: ai, policy: policy, facts: facts),
            ai: ai, policy: policy)
    }

    /// Reports of the flagged, enabled areas, in canonical order.
    public var flaggedReports: [AreaReport] {
        decision.areas.compactMap { classification.report(for: $0) }
    }

    /// Areas with some evidence that did not reach the threshold.
    public var weakReports: [AreaReport] {
        classification.reports.filter { !decision.areas.contains($0.area) }
    }

    /// The AI label under the policy's names, if any.
    public var aiLabel: String? {
        switch decision.aiLevel {
        case .heavy: policy.labels.aiHeavy
        case .assisted: policy.labels.aiAssisted
        case .unknown: nil
        }
    }
}

// MARK: - JSON

extension ChangeReport {
    /// The JSON object of `warden check --format json`.
    public func json(pretty: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys] : [.withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(JSONModel(self)) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The shape of the JSON output. Kept separate from the domain types so the public format
/// changes only on purpose.
struct JSONModel: Encodable {
    struct FindingJSON: Encodable {
        var file: String
        var line: Int?
        var side: String
        var rule: String
        var reason: String
        var role: String
    }

    struct AreaJSON: Encodable {
        var id: String
        var score: Double
        var findings: [FindingJSON]
        var findings_total: Int
    }

    struct SignalJSON: Encodable {
        var id: String
        var score: Double
    }

    struct EvidenceJSON: Encodable {
        var signal: String
        var tool: String
        var model: String?
        var strength: String
        var commit: String?
        var source: String
        var detail: String
        var lines: Int
    }

    struct ToolJSON: Encodable {
        var name: String
        var models: [String]
        var commits: Int
        var lines: Int
        var strongest: String
    }

    struct BotJSON: Encodable {
        var bot: String
        var commits: Int
        var lines: Int
    }

    struct AIJSON: Encodable {
        var lower: Double?
        var upper: Double?
        var label: String?
        var known: Bool
        var evidence: [EvidenceJSON]
        var tools: [ToolJSON]
        var bots: [BotJSON]
        var measured_lines: Int
        var attribution: String
        var notes: [String]

        init(_ ai: AIShare, label: String?) {
            known = ai.isKnown
            lower = known ? (ai.lower * 1000).rounded() / 1000 : nil
            upper = known ? (ai.upper * 1000).rounded() / 1000 : nil
            self.label = label
            evidence = ai.evidence.map {
                EvidenceJSON(
                    signal: $0.signal, tool: $0.tool, model: $0.model, strength: $0.strength.rawValue, commit: $0.commit,
                    source: $0.source, detail: $0.detail, lines: $0.lines)
            }
            tools = ai.tools.map { ToolJSON(name: $0.name, models: $0.models, commits: $0.commits, lines: $0.lines, strongest: $0.strongest.rawValue) }
            bots = ai.bots.map { BotJSON(bot: $0.bot, commits: $0.commits, lines: $0.lines) }
            measured_lines = ai.measuredLines
            attribution = ai.attribution.rawValue
            notes = ai.notes
        }

        enum CodingKeys: String, CodingKey { case lower, upper, label, known, evidence, tools, bots, measured_lines, attribution, notes }

        // An unknown share is `null`, not a missing key and never 0.
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lower, forKey: .lower)
            try container.encode(upper, forKey: .upper)
            try container.encode(label, forKey: .label)
            try container.encode(known, forKey: .known)
            try container.encode(evidence, forKey: .evidence)
            try container.encode(tools, forKey: .tools)
            try container.encode(bots, forKey: .bots)
            try container.encode(measured_lines, forKey: .measured_lines)
            try container.encode(attribution, forKey: .attribution)
            try container.encode(notes, forKey: .notes)
        }
    }

    struct SignoffJSON: Encodable {
        var area: String
        var required: Int
        var given: Int
        var signed_by: [String]
    }

    struct StatusJSON: Encodable {
        var state: String
        var description: String
    }

    struct StatsJSON: Encodable {
        var files: Int
        var added: Int
        var removed: Int
        var binary_files: Int
        var ignored_files: Int
        var files_without_patch: Int
    }

    var areas: [AreaJSON]
    var below_threshold: [SignalJSON]
    var ai: AIJSON
    var labels: [String]
    var signoffs: [SignoffJSON]
    var reviewers: ReviewerPool
    var status: StatusJSON
    var notes: [String]
    var stats: StatsJSON

    init(_ report: ChangeReport) {
        func finding(_ f: Finding) -> FindingJSON {
            FindingJSON(file: f.file, line: f.line, side: f.side.rawValue, rule: f.rule, reason: f.reason, role: f.role.rawValue)
        }
        areas = report.flaggedReports.map {
            AreaJSON(id: $0.area.rawValue, score: ($0.score * 100).rounded() / 100, findings: $0.findings.map(finding), findings_total: $0.totalFindings)
        }
        below_threshold = report.weakReports.map { SignalJSON(id: $0.area.rawValue, score: ($0.score * 100).rounded() / 100) }
        ai = AIJSON(report.ai, label: report.aiLabel)
        labels = report.decision.labels
        signoffs = report.decision.signoffs.map { SignoffJSON(area: $0.key, required: $0.required, given: $0.given, signed_by: $0.givenBy) }
        reviewers = report.decision.reviewers
        status = StatusJSON(state: report.decision.status.state.rawValue, description: report.decision.status.description)
        notes = report.decision.notes
        let s = report.classification.stats
        stats = StatsJSON(
            files: s.files, added: s.added, removed: s.removed, binary_files: s.binaryFiles, ignored_files: s.ignoredFiles,
            files_without_patch: s.filesWithoutPatch)
    }
}
