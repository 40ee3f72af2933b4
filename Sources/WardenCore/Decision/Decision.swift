/// What Warden knows about a merge request besides its diff.
public struct MergeRequestFacts: Sendable, Hashable {
    /// The author's login; never asked to review or allowed to sign off.
    public var author: String?
    /// Co-authors' logins (from commit trailers); treated like the author.
    public var coAuthors: [String]
    /// Open review requests per login, for balancing.
    public var reviewLoad: [String: Int]
    /// Sign-offs given so far: requirement key (area id or `ai`) → logins.
    public var signoffs: [String: [String]]
    /// Areas an admin waived (`/warden override`).
    public var overrides: Set<Area>

    public init(author: String? = nil, coAuthors: [String] = [], reviewLoad: [String: Int] = [:], signoffs: [String: [String]] = [:], overrides: Set<Area> = []) {
        self.author = author
        self.coAuthors = coAuthors
        self.reviewLoad = reviewLoad
        self.signoffs = signoffs
        self.overrides = overrides
    }

    func isAuthor(_ login: String) -> Bool {
        let lowered = login.lowercased()
        return author?.lowercased() == lowered || coAuthors.contains { $0.lowercased() == lowered }
    }
}

/// One sign-off the merge request needs.
public struct SignoffRequirement: Sendable, Hashable {
    /// `auth`, `crypto`, ... or `ai` for the extra sign-off of an AI-heavy change.
    public var key: String
    public var required: Int
    /// Logins that signed, among those allowed.
    public var givenBy: [String]
    /// Who may sign.
    public var signers: ReviewerPool

    public var given: Int { min(givenBy.count, required) }
    public var isMet: Bool { givenBy.count >= required }
}

/// The commit status Warden reports as `warden/sign-off`.
public struct StatusDecision: Sendable, Hashable {
    public enum State: String, Sendable, Hashable { case pending, success, failure }
    public var state: State
    /// At most 140 characters (GitHub's limit).
    public var description: String
}

/// What a merge request should carry, decided from its classification, AI share, policy
/// and facts. Pure: the same inputs give the same decision.
public struct Decision: Sendable, Hashable {
    /// Flagged areas the policy has enabled, in canonical order.
    public var areas: [Area]
    public var aiLevel: AILevel
    public var labels: [String]
    public var signoffs: [SignoffRequirement]
    /// Reviewers to request: users picked from the pools, teams when users cannot cover.
    public var reviewers: ReviewerPool
    public var status: StatusDecision
    /// Findings that block the merge (hard-coded credentials, blocking areas).
    public var blocking: [Finding]
    /// Things a reviewer should know about the decision itself.
    public var notes: [String]

    /// Decides. `classification` must come from a classifier built with `policy`'s rules.
    public static func make(classification: Classification, ai: AIShare = .unknown, policy: Policy, facts: MergeRequestFacts = MergeRequestFacts()) -> Decision {
        let areas = classification.areas.filter { policy.area($0).enabled }
        let aiLevel = ai.level(heavyThreshold: policy.ai.heavyThreshold)
        var notes: [String] = []

        var requirements: [SignoffRequirement] = []
        for area in areas where !facts.overrides.contains(area) {
            let settings = policy.area(area)
            guard settings.signoffs > 0 else { continue }
            let signers = policy.signers(for: area)
            requirements.append(requirement(key: area.rawValue, required: settings.signoffs, signers: signers, facts: facts))
        }
        if aiLevel == .heavy && policy.ai.heavyExtraSignoffs > 0 {
            let signers = policy.ai.heavyReviewers.union(policy.seniors)
            requirements.append(requirement(key: "ai", required: policy.ai.heavyExtraSignoffs, signers: signers, facts: facts))
        }

        var load = facts.reviewLoad
        var uncovered: [String] = []
        var users: [String] = []
        var teams: [String] = []
        for requirement in requirements where !requirement.isMet {
            var pool: ReviewerPool
            if requirement.key == "ai" {
                pool = policy.ai.heavyReviewers.isEmpty ? policy.seniors : policy.ai.heavyReviewers
            } else {
                let area = Area(rawValue: requirement.key) ?? .config
                pool = policy.area(area).reviewers.isEmpty ? policy.seniors : policy.area(area).reviewers
            }
            let needed = requirement.required - requirement.givenBy.count
            let eligible = pool.users.filter { !facts.isAuthor($0) && !requirement.givenBy.contains($0) }
            // Someone already asked for another area covers this one too when eligible.
            let alreadyAsked = eligible.filter { users.contains($0) }
            var picked = Array(alreadyAsked.prefix(needed))
            let candidates = eligible.filter { !picked.contains($0) }
                .sorted { (load[$0] ?? 0, $0.lowercased()) < (load[$1] ?? 0, $1.lowercased()) }
            for user in candidates where picked.count < needed {
                picked.append(user)
                load[user, default: 0] += 1
            }
            for user in picked where !users.contains(user) { users.append(user) }
            if picked.count < needed {
                for team in pool.teams where !teams.contains(team) { teams.append(team) }
                if pool.teams.isEmpty { uncovered.append(requirement.key) }
            }
        }

        if !uncovered.isEmpty {
            notes.append(
                "No eligible reviewer for \(uncovered.joined(separator: ", ")): add people to the policy's area reviewers or seniors (the author and co-authors cannot review their own change).")
        }
        let blocking = blockingFindings(classification, areas: areas, policy: policy, facts: facts)
        var labels = areas.map { policy.label(for: $0) }
        switch aiLevel {
        case .heavy: labels.append(policy.labels.aiHeavy)
        case .assisted: labels.append(policy.labels.aiAssisted)
        case .unknown: break
        }
        let unmet = requirements.contains { !$0.isMet }
        if unmet || !blocking.isEmpty {
            labels.append(policy.labels.needsSignoff)
        } else if !requirements.isEmpty {
            labels.append(policy.labels.signedOff)
        }

        return Decision(
            areas: areas, aiLevel: aiLevel, labels: labels.uniqued(), signoffs: requirements,
            reviewers: ReviewerPool(users: users, teams: teams),
            status: status(requirements: requirements, blocking: blocking), blocking: blocking, notes: notes)
    }

    private static func requirement(key: String, required: Int, signers: ReviewerPool, facts: MergeRequestFacts) -> SignoffRequirement {
        let given = (facts.signoffs[key] ?? []).filter { login in
            !facts.isAuthor(login)
        }
        return SignoffRequirement(key: key, required: required, givenBy: given.uniqued(), signers: signers)
    }

    /// Hard-coded credentials on added lines block in a blocking `secrets` area; any other
    /// area marked blocking blocks once flagged. Overridden areas never block.
    static func blockingFindings(_ classification: Classification, areas: [Area], policy: Policy, facts: MergeRequestFacts) -> [Finding] {
        var blocking: [Finding] = []
        for report in classification.reports where policy.area(report.area).enabled && policy.area(report.area).blocking {
            guard !facts.overrides.contains(report.area) else { continue }
            if report.area == .secrets {
                blocking += report.findings.filter { $0.isCredential && $0.side == .new }
            } else if areas.contains(report.area) {
                blocking += report.findings
            }
        }
        return blocking
    }

    static func status(requirements: [SignoffRequirement], blocking: [Finding]) -> StatusDecision {
        if let first = blocking.first {
            let what = first.isCredential ? "hard-coded credential" : "blocking \(first.area.rawValue) finding"
            var text = "blocked: \(what) in \(first.file)"
            if let line = first.line { text += ":\(line)" }
            if blocking.count > 1 { text += " (+\(blocking.count - 1) more)" }
            return StatusDecision(state: .failure, description: StatusText.fit(text))
        }
        guard !requirements.isEmpty else {
            return StatusDecision(state: .success, description: "no sign-off required")
        }
        let counts = requirements.map { "\($0.key) \($0.given)/\($0.required)" }.joined(separator: ", ")
        if requirements.allSatisfy(\.isMet) {
            return StatusDecision(state: .success, description: StatusText.fit("signed off: \(counts)"))
        }
        return StatusDecision(state: .pending, description: StatusText.fit("needs sign-off: \(counts)"))
    }
}

/// Commit status descriptions: GitHub refuses more than 140 characters.
enum StatusText {
    static let limit = 140

    static func fit(_ text: String) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}
