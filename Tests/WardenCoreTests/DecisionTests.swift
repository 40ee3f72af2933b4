import Testing

@testable import WardenCore

@Suite("Decision")
struct DecisionTests {
    func classification(_ areas: [Area], credential: Bool = false) -> Classification {
        Classification(
            reports: areas.map { area in
                AreaReport(
                    area: area, score: 2,
                    findings: [Finding(area: area, file: "f.go", line: 3, side: .new, rule: "r.\(area.rawValue)", reason: "x", isCredential: credential && area == .secrets)],
                    totalFindings: 1, flagged: true)
            }, stats: DiffStats(), files: [])
    }

    func policy(_ edit: (inout Policy) -> Void = { _ in }) -> Policy {
        var policy = Policy()
        edit(&policy)
        return policy
    }

    @Test func labelsSignoffsAndStatus() {
        let decision = Decision.make(classification: classification([.auth, .sql]), policy: policy())
        #expect(decision.labels == ["security:auth", "security:sql", "needs-signoff"])
        #expect(decision.signoffs.map(\.key) == ["auth", "sql"])
        #expect(decision.status.state == .pending)
        #expect(decision.status.description == "needs sign-off: auth 0/1, sql 0/1")
    }

    @Test func nothingFlaggedNeedsNothing() {
        let decision = Decision.make(classification: classification([]), policy: policy())
        #expect(decision.labels.isEmpty)
        #expect(decision.status == StatusDecision(state: .success, description: "no sign-off required"))
    }

    @Test func authorsAndCoAuthorsNeverReviewOrSign() {
        let p = policy { $0.areas[.auth]?.reviewers = ReviewerPool(users: ["alice", "bob", "carol"]) }
        let facts = MergeRequestFacts(author: "alice", coAuthors: ["Bob"], signoffs: ["auth": ["alice"]])
        let decision = Decision.make(classification: classification([.auth]), policy: p, facts: facts)
        #expect(decision.reviewers.users == ["carol"])
        #expect(decision.signoffs[0].given == 0)
    }

    @Test func reviewLoadIsBalanced() {
        let p = policy {
            $0.areas[.auth]?.reviewers = ReviewerPool(users: ["alice", "bob", "carol"])
            $0.areas[.sql]?.reviewers = ReviewerPool(users: ["alice", "bob", "carol"])
        }
        let decision = Decision.make(
            classification: classification([.auth, .crypto, .sql]), policy: p, facts: MergeRequestFacts(reviewLoad: ["alice": 3, "bob": 0, "carol": 1]))
        // bob is least loaded and, once asked for auth, covers sql as well.
        #expect(decision.reviewers.users == ["bob"])
    }

    @Test func teamsWhenUsersCannotCover() {
        let p = policy { $0.areas[.crypto]?.reviewers = ReviewerPool(users: ["dave"], teams: ["crypto-owners"]); $0.areas[.crypto]?.signoffs = 2 }
        let decision = Decision.make(classification: classification([.crypto]), policy: p)
        #expect(decision.reviewers.users == ["dave"])
        #expect(decision.reviewers.teams == ["crypto-owners"])
        let seniorsOnly = Decision.make(classification: classification([.sql]), policy: policy { $0.seniors = ReviewerPool(users: ["erin"]) })
        #expect(seniorsOnly.reviewers.users == ["erin"])
        let nobody = Decision.make(classification: classification([.sql]), policy: policy())
        #expect(nobody.notes.contains { $0.contains("No eligible reviewer for sql") })
    }

    @Test func aiHeavyNeedsAnExtraSignoff() {
        let p = policy { $0.ai.heavyReviewers = ReviewerPool(users: ["senior"]) }
        let heavy = AIShare(lower: 0.5, upper: 0.8, evidence: [AIEvidence(signal: "s", tool: "Claude Code", strength: .strong, source: "trailer", detail: "")])
        let decision = Decision.make(classification: classification([.auth]), ai: heavy, policy: p)
        #expect(decision.labels.contains("ai-heavy"))
        #expect(decision.signoffs.map(\.key) == ["auth", "ai"])
        #expect(decision.reviewers.users.contains("senior"))
        let assisted = AIShare(lower: 0.1, upper: 0.5, evidence: heavy.evidence)
        let other = Decision.make(classification: classification([]), ai: assisted, policy: p)
        #expect(other.labels == ["ai-assisted"])
        #expect(other.signoffs.isEmpty)
        #expect(Decision.make(classification: classification([]), ai: .unknown, policy: p).labels.isEmpty)
    }

    @Test func signedOffWhenEveryRequirementIsMet() {
        let p = policy { $0.seniors = ReviewerPool(users: ["sam"]) }
        let decision = Decision.make(classification: classification([.auth]), policy: p, facts: MergeRequestFacts(author: "ann", signoffs: ["auth": ["sam"]]))
        #expect(decision.labels == ["security:auth", "signed-off"])
        #expect(decision.status == StatusDecision(state: .success, description: "signed off: auth 1/1"))
        #expect(decision.reviewers.isEmpty)
    }

    @Test func credentialsBlockUntilOverridden() {
        let blocked = Decision.make(classification: classification([.secrets], credential: true), policy: policy())
        #expect(blocked.status.state == .failure)
        #expect(blocked.status.description.hasPrefix("blocked: hard-coded credential in f.go:3"))
        let waived = Decision.make(classification: classification([.secrets], credential: true), policy: policy(), facts: MergeRequestFacts(overrides: [.secrets]))
        #expect(waived.blocking.isEmpty)
        #expect(waived.status.state == .success)
        #expect(!waived.labels.contains("security:secrets") || waived.signoffs.isEmpty)
    }

    @Test func disabledAreasAreIgnored() {
        let decision = Decision.make(classification: classification([.config, .auth]), policy: policy { $0.areas[.config]?.enabled = false })
        #expect(decision.areas == [.auth])
        #expect(!decision.labels.contains("security:config"))
    }

    @Test func statusDescriptionFitsGitHubsLimit() {
        let p = policy { for area in Area.allCases { $0.areas[area]?.signoffs = 10 } }
        let decision = Decision.make(classification: classification(Area.allCases), policy: p)
        #expect(decision.status.description.count <= 140)
        #expect(decision.status.description.hasPrefix("needs sign-off: auth 0/10"))
    }
}
