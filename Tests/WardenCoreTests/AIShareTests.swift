import Foundation
import Testing
import WardenDefaults

@testable import WardenCore

/// Builds commits for scoring tests.
struct History {
    var commits: [CommitInfo] = []
    var lines: [String: CommitLines] = [:]

    static let dev = GitIdentity(name: "Dev", email: "dev@example.com")

    @discardableResult
    mutating func commit(
        _ message: String, lines count: Int, author: GitIdentity = History.dev, parents: [String]? = nil, noted: [NotedLines]? = nil
    ) -> String {
        let sha = String(format: "%040x", commits.count + 1)
        commits.append(CommitInfo(sha: sha, parents: parents ?? [commits.last?.sha ?? String(repeating: "0", count: 40)], author: author, message: message))
        lines[sha] = CommitLines(lines: count, noted: noted)
        return sha
    }

    func input(_ attribution: LineAttribution = .exact, measured: Int? = nil, hints: MergeRequestHints = MergeRequestHints()) -> AIShareInput {
        let total = measured ?? lines.values.reduce(0) { $0 + $1.lines }
        return AIShareInput(commits: commits, lines: lines, measuredLines: total, attribution: attribution, mergeRequest: hints)
    }
}

@Suite("AI share scoring")
struct AIShareTests {
    var signals: AISignalSet { BuiltIn.engine.aiSignals }
    static let claude = "\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
    static let dependabot = GitIdentity(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com")

    @Test func strongEvidenceCountsInBothBounds() {
        var history = History()
        history.commit("Add login" + Self.claude, lines: 60)
        history.commit("Tidy up", lines: 40)
        let share = signals.score(history.input())
        #expect(share.lower == 0.6)
        #expect(share.upper == 0.6)
        #expect(share.level(heavyThreshold: 0.30) == .heavy)
        #expect(share.tools == [AITool(name: "Claude Code", models: ["Claude Opus 4.6"], commits: 1, lines: 60, strongest: .strong)])
        #expect(share.evidence.first?.commit == history.commits[0].sha)
        #expect(share.evidence.first?.lines == 60)
    }

    @Test func selfDeclaredTrailersOnlyRaiseTheUpperBound() {
        var history = History()
        history.commit("Add cache\n\nAssisted-by: Claude:claude-opus-4", lines: 50)
        history.commit("Docs", lines: 50)
        let share = signals.score(history.input())
        #expect(share.lower == 0)
        #expect(share.upper == 0.5)
        #expect(share.level(heavyThreshold: 0.30) == .assisted)
        #expect(share.tools.first?.name == "Claude Code")
        #expect(share.tools.first?.models == ["claude-opus-4"])
    }

    @Test func noEvidenceIsUnknownNotHuman() {
        var history = History()
        history.commit("Hand-written change", lines: 80)
        let share = signals.score(history.input())
        #expect(!share.isKnown)
        #expect(share.level(heavyThreshold: 0.30) == .unknown)
        #expect(share.evidence.isEmpty)
    }

    @Test func aSquashWithSeveralCoAuthorsIsMixed() {
        var history = History()
        history.commit(
            "Feature (#42)\n\n* part one\n\n* part two\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Bob <bob@example.com>\nCo-authored-by: Carol <carol@example.com>",
            lines: 100)
        let share = signals.score(history.input())
        #expect(share.lower == 0)
        #expect(share.upper == 1)
        #expect(share.evidence.count == 1)
        #expect(share.evidence.first?.strength == .medium)
        #expect(share.evidence.first?.detail.contains("with 2 other co-authors") == true)
    }

    @Test func anAgentAuthorStaysStrongWithTheRequesterAsCoAuthor() {
        var history = History()
        let agent = GitIdentity(name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com")
        history.commit("Fix flaky test\n\nCo-authored-by: alice <alice@example.com>", lines: 30, author: agent)
        history.commit("Human follow-up", lines: 70)
        let share = signals.score(history.input())
        #expect(share.lower == 0.3)
        #expect(share.tools.first?.name == "GitHub Copilot coding agent")
    }

    @Test func botsAreReportedAndLeftOut() {
        var history = History()
        history.commit("Bump lodash", lines: 50, author: Self.dependabot)
        history.commit("Add parser" + Self.claude, lines: 50)
        history.commit("Human part", lines: 50)
        let share = signals.score(history.input())
        #expect(share.bots == [BotContribution(bot: "Dependabot", commits: 1, lines: 50)])
        #expect(share.lower == 0.5)
        #expect(share.upper == 0.5)
        // A "bot" commit carrying AI evidence is AI's.
        var spoofed = History()
        spoofed.commit("Sneaky" + Self.claude, lines: 50, author: Self.dependabot)
        spoofed.commit("Human", lines: 50)
        let second = signals.score(spoofed.input())
        #expect(second.bots.isEmpty)
        #expect(second.lower == 0.5)
    }

    @Test func revertedAgentCommitsDoNotCount() {
        // Per-commit counts: the reverted commit and its revert both leave the share.
        var history = History()
        let agent = history.commit("Add cache" + Self.claude, lines: 100)
        history.commit("Revert \"Add cache\"\n\nThis reverts commit \(agent).", lines: 100)
        history.commit("Human fix", lines: 50)
        let approximate = signals.score(history.input(.approximate))
        #expect(!approximate.isKnown)
        #expect(approximate.notes.contains { $0.contains("was reverted by") })

        // Blame: the reverted lines are gone from the diff, so the commit has none.
        var exact = History()
        let gone = exact.commit("Add cache" + Self.claude, lines: 0)
        exact.commit("Revert \"Add cache\"\n\nThis reverts commit \(gone.prefix(12)).", lines: 0)
        exact.commit("Human fix", lines: 50)
        let share = signals.score(exact.input())
        #expect(!share.isKnown)
        #expect(share.lower == 0 && share.upper == 0)
    }

    @Test func gitAINotesAreExactPerLine() {
        var history = History()
        history.commit("Mixed commit" + Self.claude, lines: 50, noted: [NotedLines(tool: "claude", model: "claude-opus-4-6", lines: 30)])
        history.commit("Human", lines: 50)
        let share = signals.score(history.input())
        // The note says 30 of the commit's 50 lines; its trailer would have said all 50.
        #expect(share.lower == 0.3)
        #expect(share.upper == 0.3)
        #expect(share.evidence.first?.source == "notes")
        #expect(share.tools.first?.name == "Claude Code")
        #expect(share.tools.first?.lines == 30)

        // Lines a note leaves out are known human: a branch hint cannot claim them.
        let hinted = signals.score(history.input(hints: MergeRequestHints(sourceBranch: "claude/refactor")))
        #expect(hinted.lower == 0.3)
        #expect(hinted.upper == 0.8)
    }

    @Test func mergeRequestHintsRaiseOnlyTheUpperBound() {
        var history = History()
        history.commit("Change", lines: 40)
        history.commit("More", lines: 60)
        let share = signals.score(history.input(hints: MergeRequestHints(sourceBranch: "codex/add-retries", description: "Codex task: https://chatgpt.com/codex/tasks/task_e_1")))
        #expect(share.lower == 0)
        #expect(share.upper == 1)
        #expect(Set(share.evidence.map(\.signal)) == ["codex.branch", "codex.task-link"])
        #expect(share.evidence.allSatisfy { $0.commit == nil })
        #expect(share.level(heavyThreshold: 0.30) == .assisted)
    }

    @Test func aDeclarationRaisesButNeverLowers() {
        var history = History()
        history.commit("Add login" + Self.claude, lines: 20)
        history.commit("Human", lines: 80)
        let declared = signals.score(history.input(hints: MergeRequestHints(declaration: AIDeclaration(share: 0.5, by: "alice"))))
        #expect(declared.lower == 0.5)
        #expect(declared.upper == 0.5)
        #expect(declared.evidence.contains { $0.source == "declaration" && $0.detail == "alice declared 50% AI-written" })

        let denied = signals.score(history.input(hints: MergeRequestHints(declaration: AIDeclaration(share: 0, by: "alice"))))
        #expect(denied.lower == 0.2)
        #expect(denied.notes.contains { $0.contains("declared no AI help") })

        var none = History()
        none.commit("Human", lines: 10)
        #expect(!signals.score(none.input(hints: MergeRequestHints(declaration: AIDeclaration(share: 0, by: "bob")))).isKnown)
    }

    @Test func approximateAttributionWeighsCommitsByAddedLines() {
        var history = History()
        history.commit("Agent" + Self.claude, lines: 300)
        history.commit("Human", lines: 100)
        // The merge of the target branch brings other people's lines: not this change's.
        history.commit("Merge branch 'main'", lines: 5_000, parents: ["a", "b"])
        let share = signals.score(history.input(.approximate, measured: 350))
        #expect(share.lower == 0.75)
        #expect(share.attribution == .approximate)
        #expect(share.measuredLines == 350)

        var uncounted = History()
        uncounted.commit("Agent" + Self.claude, lines: 0)
        uncounted.commit("Human", lines: 0)
        let equal = signals.score(uncounted.input(.approximate, measured: 100))
        #expect(equal.lower == 0.5)
        #expect(equal.notes.contains { $0.contains("weighed equally") })
    }

    @Test func unattributedLinesStayUnknown() {
        // 100 measured lines, 40 tied to an agent commit, 60 to nothing (older than the range).
        var history = History()
        history.commit("Agent" + Self.claude, lines: 40)
        let share = signals.score(history.input(measured: 100))
        #expect(share.lower == 0.4)
        #expect(share.upper == 0.4)
    }

    @Test func hostileCommitTextIsCleanedInEvidence() {
        var history = History()
        history.commit("Change\n\nAssisted-by: Evil\u{202E}Tool:model-<!--x-->\u{0007}", lines: 10)
        let share = signals.score(history.input())
        let detail = share.evidence.first?.detail ?? ""
        #expect(!detail.contains("\u{202E}"))
        #expect(!detail.contains("\u{0007}"))
        #expect(share.tools.first?.name == "EvilTool")
    }
}
