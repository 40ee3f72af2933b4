import Foundation
import Testing
import WardenCore
import WardenDefaults

@testable import WardenGit

/// The AI share of real throw-away repositories, from git history to bounds and labels.
@Suite("AI share of a local repository")
struct LocalAIShareTests {
    static let engine: Engine? = try? Engine(
        rulePack: WardenDefaults.rulePackFiles, policyLayers: [WardenDefaults.policy], aiSignals: WardenDefaults.aiSignals,
        summaryTemplate: WardenDefaults.summaryTemplate)

    static let claudeTrailers = "\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"

    /// Scores `main..HEAD` of a scratch repository as `warden check --repo` does.
    static func score(_ scratch: ScratchRepository, hints: MergeRequestHints = MergeRequestHints(), configure: (inout LocalAIShare) -> Void = { _ in }) throws -> AIShare {
        let engine = try #require(Self.engine)
        let repository = try GitRepository(at: scratch.path)
        let head = try repository.resolve("HEAD")
        let base = try repository.mergeBase(try repository.resolve("main"), head)
        var bytes: [UInt8] = []
        try repository.streamDiff(from: base, to: head) { bytes.append(contentsOf: $0) }
        var collector = MeasuredLinesCollector(isMeasured: engine.isMeasuredForAI)
        DiffParser.parse(bytes, into: &collector)
        var local = LocalAIShare(repository: repository)
        configure(&local)
        let input = try local.input(base: base, head: head, measured: collector.files, isMeasured: engine.isMeasuredForAI, hints: hints)
        return engine.aiSignals.score(input)
    }

    static func feature() throws -> ScratchRepository {
        let scratch = try ScratchRepository()
        try scratch.write("README.md", "# app\n")
        try scratch.commit("base")
        try scratch.git("checkout", "-q", "-b", "feature")
        return scratch
    }

    @Test func signalsNearMissesBotsAndBlame() throws {
        let scratch = try Self.feature()
        // An agent commit: 10 lines.
        try scratch.write("app/auth.py", ScratchRepository.lines(10, "token_check"))
        let agent = try scratch.commit("Add token checks" + Self.claudeTrailers)
        // Near-misses: a person named Claude, a trailer quoted in the body, a bot's name on a
        // person's address. 5 lines each, none of them AI evidence.
        try scratch.write("app/art.py", ScratchRepository.lines(5, "paint"))
        try scratch.commit("Add palette", as: "Claude Monet", "claude@example.com")
        try scratch.write("app/notes.py", ScratchRepository.lines(5, "note"))
        try scratch.commit("Explain attribution\n\nAgents write\nCo-authored-by: Claude <noreply@anthropic.com>\nat the end.\n\nFixes #12")
        try scratch.write("app/spoof.py", ScratchRepository.lines(5, "spoof"))
        try scratch.commit("Quick fix", as: "copilot-swe-agent[bot]", "mallory@example.com")
        // A bot: a manifest line counts as its, the lockfile is not measured at all.
        try scratch.write("package.json", "{\n  \"dependencies\": {\"left-pad\": \"1.3.0\"}\n}\n")
        try scratch.write("package-lock.json", ScratchRepository.lines(100, "lock"))
        try scratch.commit("Bump left-pad", as: "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
        // A person rewrites two of the agent's lines: blame gives them to the person.
        try scratch.write("app/auth.py", ScratchRepository.lines(10, "token_check").replacingOccurrences(of: "token_check 3\n", with: "checked by hand 3\n").replacingOccurrences(of: "token_check 4\n", with: "checked by hand 4\n"))
        try scratch.commit("Fix two checks by hand")

        let share = try Self.score(scratch)
        // Measured: auth 10 + art 5 + notes 5 + spoof 5 + package.json 3 = 28; the bot's 3
        // leave the share: 25. The agent kept 8 lines.
        #expect(share.measuredLines == 28)
        #expect(share.bots == [BotContribution(bot: "Dependabot", commits: 1, lines: 3)])
        #expect(abs(share.lower - 8.0 / 25.0) < 1e-9)
        #expect(abs(share.upper - 8.0 / 25.0) < 1e-9)
        #expect(share.level(heavyThreshold: 0.30) == .heavy)
        #expect(Set(share.evidence.compactMap(\.commit)) == [agent])
        #expect(Set(share.evidence.map(\.signal)) == ["claude-code.co-author", "claude-code.footer"])
        #expect(share.tools.map(\.description) == ["Claude Code (Claude Opus 4.6)"])
        #expect(share.attribution == .exact)
        #expect(share.notes.isEmpty)
    }

    @Test func gitAINotesAttributeSingleLines() throws {
        let scratch = try Self.feature()
        try scratch.write("src/f.py", ScratchRepository.lines(10))
        let noted = try scratch.commit("Add f")
        let note = """
            src/f.py
              0123456789abcdef 1-6
            ---
            {"schema_version": "authorship/3.0.0", "base_commit_sha": "\(noted)",
             "prompts": {"0123456789abcdef": {"agent_id": {"tool": "cursor", "id": "s1", "model": "gpt-5"}, "messages": [],
              "total_additions": 6, "total_deletions": 0, "accepted_lines": 6, "overriden_lines": 0}}}
            """
        try scratch.git("notes", "--ref=refs/notes/ai", "add", "-m", note, noted)
        // Three lines inserted above move the noted lines down; blame maps them back.
        try scratch.write("src/f.py", ScratchRepository.lines(3, "header") + ScratchRepository.lines(10))
        try scratch.commit("Add header")

        let share = try Self.score(scratch)
        #expect(share.measuredLines == 13)
        #expect(abs(share.lower - 6.0 / 13.0) < 1e-9)
        #expect(abs(share.upper - 6.0 / 13.0) < 1e-9)
        #expect(share.tools == [AITool(name: "Cursor", models: ["gpt-5"], commits: 1, lines: 6, strongest: .strong)])
        #expect(share.evidence.first?.source == "notes")
    }

    @Test func anUnreadableNoteIsReportedAndTheCommitJudgedByItsMarks() throws {
        let scratch = try Self.feature()
        try scratch.write("src/g.py", ScratchRepository.lines(4))
        let commit = try scratch.commit("Add g" + Self.claudeTrailers)
        try scratch.git("notes", "--ref=refs/notes/ai", "add", "-m", "garbage without a divider", commit)
        let share = try Self.score(scratch)
        #expect(share.lower == 1)
        #expect(share.notes.contains { $0.contains("cannot be read") })
    }

    @Test func aRevertedAgentCommitLeavesNoShare() throws {
        let scratch = try Self.feature()
        try scratch.write("src/cache.py", ScratchRepository.lines(10, "cache"))
        try scratch.commit("Add cache" + Self.claudeTrailers)
        try scratch.git("revert", "--no-edit", "HEAD")
        try scratch.write("src/fix.py", ScratchRepository.lines(10, "fix"))
        try scratch.commit("Real fix")
        let share = try Self.score(scratch)
        #expect(share.measuredLines == 10)
        #expect(!share.isKnown)
        #expect(share.level(heavyThreshold: 0.30) == .unknown)
        #expect(share.notes.contains { $0.contains("was reverted by") })
    }

    @Test func aSquashWithAgentAndPeopleIsOnlyTheUpperBound() throws {
        let scratch = try Self.feature()
        try scratch.write("src/feature.py", ScratchRepository.lines(20))
        try scratch.commit("Feature (#7)\n\n* first\n\n* second\n\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Bob <bob@example.com>")
        let share = try Self.score(scratch)
        #expect(share.lower == 0)
        #expect(share.upper == 1)
        #expect(share.level(heavyThreshold: 0.30) == .assisted)
        #expect(share.evidence.first?.strength == .medium)
    }

    @Test func branchHintsComeFromTheMergeRequest() throws {
        let scratch = try Self.feature()
        try scratch.write("src/h.py", ScratchRepository.lines(10))
        try scratch.commit("Human-looking commit")
        let share = try Self.score(scratch, hints: MergeRequestHints(sourceBranch: "codex/retry"))
        #expect(share.lower == 0)
        #expect(share.upper == 1)
        #expect(share.evidence.map(\.signal) == ["codex.branch"])
        let repository = try GitRepository(at: scratch.path)
        #expect(repository.branchName("HEAD") == "feature")
        #expect(repository.branchName(try repository.resolve("HEAD")) == nil)
    }

    @Test func largeRangesFallBackToPerCommitCounts() throws {
        let scratch = try Self.feature()
        try scratch.write("src/a.py", ScratchRepository.lines(30))
        try scratch.commit("Agent work" + Self.claudeTrailers)
        try scratch.write("src/b.py", ScratchRepository.lines(10))
        try scratch.write("yarn.lock", ScratchRepository.lines(500))
        try scratch.commit("Human work")
        let share = try Self.score(scratch) { $0.blameFileLimit = 0 }
        #expect(share.attribution == .approximate)
        #expect(share.lower == 0.75)
        #expect(share.notes.contains { $0.contains("too many to blame") })
    }

    @Test func commitsWithHostileMessagesParse() throws {
        let scratch = try Self.feature()
        try scratch.write("x.py", "x = 1\n")
        try scratch.git("add", "-A")
        try scratch.git("commit", "-q", "--allow-empty-message", "-m", "")
        try scratch.write("y.py", "y = 1\n")
        try scratch.commit("Subject\n\nBody with \u{1B}[31m escape and a tab\there")
        let repository = try GitRepository(at: scratch.path)
        let commits = try repository.commits(from: try repository.resolve("main"), to: try repository.resolve("HEAD"))
        #expect(commits.count == 2)
        #expect(commits.allSatisfy { $0.sha.count == 40 && $0.author.email == "dev@example.com" })
        #expect(commits.first?.message.contains("escape") == true)
    }
}
