/// People and teams, as the forge knows them (logins and team slugs).
public struct ReviewerPool: Sendable, Hashable, Codable {
    public var users: [String]
    public var teams: [String]

    public init(users: [String] = [], teams: [String] = []) {
        self.users = users
        self.teams = teams
    }

    public var isEmpty: Bool { users.isEmpty && teams.isEmpty }

    /// Both pools, without repeats, first pool first.
    public func union(_ other: ReviewerPool) -> ReviewerPool {
        ReviewerPool(users: (users + other.users).uniqued(), teams: (teams + other.teams).uniqued())
    }
}

/// What the policy says about one area.
public struct AreaPolicy: Sendable, Hashable {
    /// Who is asked to review changes in the area (and may sign it off).
    public var reviewers = ReviewerPool()
    /// Sign-offs required before the status turns green.
    public var signoffs = 1
    /// A blocking finding turns the status to `failure` until an admin overrides it.
    public var blocking = false
    /// `false` turns the area off: no label, no reviewers, no sign-off.
    public var enabled = true
    /// The label for the area; `nil` means the labels' prefix plus the area id.
    public var label: String?

    public init() {}
}

/// What the policy says about AI-heavy changes.
public struct AIPolicy: Sendable, Hashable {
    /// Share of net added lines (lower bound) from which a change is AI-heavy.
    public var heavyThreshold = 0.30
    /// Extra sign-offs an AI-heavy change needs.
    public var heavyExtraSignoffs = 1
    /// Who is asked to review AI-heavy changes.
    public var heavyReviewers = ReviewerPool()

    public init() {}
}

/// Label names (all renameable).
public struct LabelNames: Sendable, Hashable {
    public var areaPrefix = "security:"
    public var aiHeavy = "ai-heavy"
    public var aiAssisted = "ai-assisted"
    public var needsSignoff = "needs-signoff"
    public var signedOff = "signed-off"

    public init() {}

    /// Every label Warden may set under this naming, for the given per-area overrides.
    public func all(areaLabels: [Area: String]) -> [String] {
        Area.allCases.map { areaLabels[$0] ?? areaPrefix + $0.rawValue } + [aiHeavy, aiAssisted, needsSignoff, signedOff]
    }
}

/// The rules a change is judged by: the server's default policy with the repository's
/// `.warden.yml` (from the target branch) merged over it.
public struct Policy: Sendable, Hashable {
    public var areas: [Area: AreaPolicy]
    public var ai = AIPolicy()
    /// Seniors may sign off any area.
    public var seniors = ReviewerPool()
    /// Admins may override areas (`/warden override`).
    public var admins = ReviewerPool()
    /// Paths left out of classification entirely.
    public var ignorePaths: [String] = []
    public var labels = LabelNames()
    /// A senior's approving review counts as sign-off.
    public var signoffViaReview = true
    /// When evidence is enough to flag an area.
    public var thresholds = FlagThresholds()
    /// Rules added to, or replacing, the built-in pack.
    public var rules: [Rule] = []

    public init() {
        var areas: [Area: AreaPolicy] = [:]
        for area in Area.allCases { areas[area] = AreaPolicy() }
        areas[.secrets]?.blocking = true
        self.areas = areas
    }

    public func area(_ area: Area) -> AreaPolicy { areas[area] ?? AreaPolicy() }

    /// The label for an area.
    public func label(for area: Area) -> String { self.area(area).label ?? labels.areaPrefix + area.rawValue }

    /// Every label this policy may set: Warden removes only these.
    public var managedLabels: Set<String> {
        var names = Set(Area.allCases.map { label(for: $0) })
        names.formUnion([labels.aiHeavy, labels.aiAssisted, labels.needsSignoff, labels.signedOff])
        return names
    }

    /// Who may sign off an area: its reviewers and the seniors.
    public func signers(for area: Area) -> ReviewerPool { self.area(area).reviewers.union(seniors) }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
