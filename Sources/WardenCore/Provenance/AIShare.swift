/// How much of a merge request came from AI assistants, with the evidence (SPEC, AI share).
///
/// `lower` counts only lines from strong evidence, `upper` lines from any evidence. With no
/// evidence at all the share is unknown — never "human".
public struct AIShare: Sendable, Hashable {
    public var lower: Double
    public var upper: Double
    public var evidence: [AIEvidence]
    /// Tools and models seen (the merge request's AI bill of materials).
    public var tools: [String]
    /// Net added lines the share is measured over.
    public var measuredLines: Int

    public init(lower: Double = 0, upper: Double = 0, evidence: [AIEvidence] = [], tools: [String] = [], measuredLines: Int = 0) {
        self.lower = lower
        self.upper = upper
        self.evidence = evidence
        self.tools = tools
        self.measuredLines = measuredLines
    }

    /// No AI evidence was found: the share is unknown, not zero.
    public static let unknown = AIShare()

    public var isKnown: Bool { !evidence.isEmpty }

    /// The label the policy's threshold gives this share.
    public func level(heavyThreshold: Double) -> AILevel {
        guard isKnown else { return .unknown }
        return lower + 1e-9 >= heavyThreshold ? .heavy : .assisted
    }
}

/// How AI-heavy a change is under the policy.
public enum AILevel: String, Sendable, Hashable {
    case heavy
    case assisted
    case unknown
}

/// One piece of AI evidence: where it was seen and how strong it is.
public struct AIEvidence: Sendable, Hashable {
    public enum Strength: String, Sendable, Hashable, Codable, Comparable {
        case weak
        case medium
        case strong

        private var rank: Int { self == .weak ? 0 : self == .medium ? 1 : 2 }
        public static func < (lhs: Strength, rhs: Strength) -> Bool { lhs.rank < rhs.rank }
    }

    /// The signal's id in `Config/ai-signals.yml`.
    public var signal: String
    public var tool: String
    public var model: String?
    public var strength: Strength
    /// A commit sha, or `nil` for merge-request-level evidence.
    public var commit: String?
    /// Where it was seen: "trailer", "author", "branch", "description", "notes", "declaration".
    public var source: String
    /// What was seen, shortened (never a secret: commit metadata and branch names).
    public var detail: String
    /// Net added lines this evidence covers.
    public var lines: Int

    public init(signal: String, tool: String, model: String? = nil, strength: Strength, commit: String? = nil, source: String, detail: String, lines: Int = 0) {
        self.signal = signal
        self.tool = tool
        self.model = model
        self.strength = strength
        self.commit = commit
        self.source = source
        self.detail = detail
        self.lines = lines
    }
}
