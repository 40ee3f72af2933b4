/// How much of a merge request came from AI assistants, with the evidence (SPEC, AI share).
///
/// `lower` counts only lines from strong evidence, `upper` lines from any evidence. With no
/// evidence at all the share is unknown — never "human".
public struct AIShare: Sendable, Hashable {
    public var lower: Double
    public var upper: Double
    public var evidence: [AIEvidence]
    /// Tools and models seen (the merge request's AI bill of materials).
    public var tools: [AITool]
    /// Net added lines the share is measured over (non-blank, lockfiles, generated and
    /// vendored files left out).
    public var measuredLines: Int
    /// Commits by bots that are not AI, left out of the share.
    public var bots: [BotContribution]
    /// How lines were attributed to commits.
    public var attribution: LineAttribution
    /// What a reader should know about how the share was measured (reverted agent commits,
    /// notes that could not be read, commits weighed equally, ...).
    public var notes: [String]

    public init(
        lower: Double = 0, upper: Double = 0, evidence: [AIEvidence] = [], tools: [AITool] = [], measuredLines: Int = 0,
        bots: [BotContribution] = [], attribution: LineAttribution = .exact, notes: [String] = []
    ) {
        self.lower = lower
        self.upper = upper
        self.evidence = evidence
        self.tools = tools
        self.measuredLines = measuredLines
        self.bots = bots
        self.attribution = attribution
        self.notes = notes
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

/// How lines were tied to the commits that wrote them.
public enum LineAttribution: String, Sendable, Hashable {
    /// Each measured line of the final diff was attributed to the commit that added it (git
    /// blame, git-ai notes): the share is a share of lines.
    case exact
    /// Per-commit added-line counts (a forge's API): the share is each commit's part of all
    /// lines added, an estimate when later commits rewrote earlier ones.
    case approximate
}

/// How AI-heavy a change is under the policy.
public enum AILevel: String, Sendable, Hashable {
    case heavy
    case assisted
    case unknown
}

/// One assistant in a merge request's AI bill of materials.
public struct AITool: Sendable, Hashable {
    public var name: String
    public var models: [String]
    /// Commits with evidence of this tool.
    public var commits: Int
    /// Lines of those commits (per-line notes: the lines the notes attribute).
    public var lines: Int
    public var strongest: AIEvidence.Strength

    public init(name: String, models: [String] = [], commits: Int = 0, lines: Int = 0, strongest: AIEvidence.Strength = .weak) {
        self.name = name
        self.models = models
        self.commits = commits
        self.lines = lines
        self.strongest = strongest
    }

    /// "Claude Code (Claude Opus 4.6)".
    public var description: String {
        models.isEmpty ? name : "\(name) (\(models.joined(separator: ", ")))"
    }
}

/// Commits by a bot that is not AI (Dependabot, Renovate, ...).
public struct BotContribution: Sendable, Hashable {
    public var bot: String
    public var commits: Int
    public var lines: Int

    public init(bot: String, commits: Int, lines: Int) {
        self.bot = bot
        self.commits = commits
        self.lines = lines
    }
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

    /// The signal's id in `Config/ai-signals.yml`, `git-ai.notes` or `warden.declaration`.
    public var signal: String
    public var tool: String
    public var model: String?
    public var strength: Strength
    /// A commit sha, or `nil` for merge-request-level evidence.
    public var commit: String?
    /// Where it was seen: a ``SignalPlace`` (`co-author`, `trailer`, `author`, `branch`, ...),
    /// `notes` or `declaration`.
    public var source: String
    /// What was seen, cleaned and shortened (commit metadata is untrusted text).
    public var detail: String
    /// Lines this evidence covers: the commit's lines, the lines a note attributes, or for
    /// merge-request hints the lines they extend the upper bound to.
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
