import Foundation
import WardenCore

/// A merge request's history as agents and people write it today: a mix of agent commits
/// (Claude Code, Copilot coding agent, Cursor, Aider), self-declared trailers, git-ai notes,
/// bot bumps, reverts and plain human commits with multi-paragraph messages.
func syntheticHistory(commits count: Int, lines total: Int) -> AIShareInput {
    let body = """
        The previous implementation re-read the configuration on every request and did not
        handle a missing file. This moves the read to start-up, validates the values once and
        keeps the parsed result; callers get a clear error instead of a nil dereference.

        Also adds tests for the empty file and for unknown keys.
        """
    let human = GitIdentity(name: "Dana Developer", email: "dana@example.com")
    let bot = GitIdentity(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com")
    let copilot = GitIdentity(name: "copilot-swe-agent[bot]", email: "198982749+Copilot@users.noreply.github.com")
    let perCommit = max(1, total / max(1, count))
    var commits: [CommitInfo] = []
    var lines: [String: CommitLines] = [:]
    for index in 0..<count {
        let sha = String(format: "%040x", index + 1)
        let parent = index == 0 ? String(repeating: "f", count: 40) : String(format: "%040x", index)
        var author = human
        var message = "Refactor configuration loading, part \(index)\n\n\(body)\n\nSigned-off-by: Dana Developer <dana@example.com>"
        var noted: [NotedLines]?
        switch index % 20 {
        case 0...6:
            message += "\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>"
            message = message.replacingOccurrences(of: "\n\nSigned-off-by", with: "\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nSigned-off-by")
        case 7, 8:
            author = copilot
            message += "\nCo-authored-by: dana <dana@example.com>\nAgent-Logs-Url: https://github.com/acme/app/agent-sessions/\(index)"
        case 9:
            message += "\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>"
        case 10:
            message += "\nAssisted-by: Claude:claude-opus-4-6 coccinelle"
        case 11:
            noted = [NotedLines(tool: "cursor", model: "gpt-5", lines: perCommit / 2)]
        case 12:
            author = bot
            message = "Bump lodash from 4.17.20 to 4.17.21\n\nBumps [lodash](https://github.com/lodash/lodash) from 4.17.20 to 4.17.21.\n\nSigned-off-by: dependabot[bot] <support@github.com>"
        case 13 where index >= 20:
            message = "Revert \"Refactor configuration loading, part \(index - 13)\"\n\nThis reverts commit \(String(format: "%040x", index - 12)).\n"
        default:
            break
        }
        commits.append(CommitInfo(sha: sha, parents: [parent], author: author, message: message))
        lines[sha] = CommitLines(lines: perCommit, noted: noted)
    }
    let description = (1...60).map { "- step \($0): adjust the loader and its tests for case \($0)" }.joined(separator: "\n")
        + "\n\n- [x] This contribution was assisted or created by Generative AI tools."
    return AIShareInput(
        commits: commits, lines: lines, measuredLines: perCommit * count, attribution: .exact,
        mergeRequest: MergeRequestHints(sourceBranch: "claude/config-loading", title: "Load configuration once", description: description, author: "dana"))
}

/// Scoring only (git excluded): the pure function the server and `warden check` call.
func aiShareBenchmark(commits: Int, lines: Int, runs: Int) {
    let signals = loadEngine().aiSignals
    let input = syntheticHistory(commits: commits, lines: lines)
    var share = signals.score(input)  // warm-up
    var times: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        share = signals.score(input)
        times.append(seconds(ContinuousClock.now - start) * 1000)
    }
    times.sort()
    print("ai-share: \(commits) commits, \(input.measuredLines) lines, \(runs) runs (release, one core)")
    print(String(format: "  score: p50 %.2f ms, p99 %.2f ms, best %.2f ms", percentile(times, 0.5), percentile(times, 0.99), times.first ?? 0))
    print(String(format: "  result: lower %.3f, upper %.3f, %d pieces of evidence, %d tools, %d bot commits", share.lower, share.upper, share.evidence.count, share.tools.count, share.bots.reduce(0) { $0 + $1.commits }))
}
