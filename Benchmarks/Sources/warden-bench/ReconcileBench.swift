import Foundation
import Logging
import WardenCore
import WardenServer

/// Decision and reconciliation of one merge request, beyond forge round trips: the
/// evaluator and reconciler run as in `warden serve` (real SQLite store, audit record, the
/// built-in rule pack, policy and template) against a forge kept in memory that answers at
/// once. What is timed is Warden's own work: classification, AI share, reviewer choice,
/// comment rendering, deciding the writes, and the store reads and writes of a job.
func reconcileBenchmark(lines: Int, runs: Int, open: Int) async {
    do {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = ServerConfig()
        config.storeURL = "sqlite:\(folder)/warden.sqlite"
        config.server.publicURL = "https://warden.example.com"
        config.policyDefault = "/nonexistent/policy.yml"  // the built-in default policy
        config.templates = "/nonexistent"  // the built-in template
        let store = try Store(path: "\(folder)/warden.sqlite")
        var logger = Logger(label: "warden-bench")
        logger.logLevel = .error
        let evaluator = Evaluator(engines: try EngineCache(config: config), store: store, config: config, logger: logger)

        // Other open merge requests with Warden's review requests on them: the load reviewer
        // choice balances is read across all of them.
        for n in 0..<open {
            var other = MergeRequestRecord(key: "github:acme/other#\(n)", forge: "github", repository: "acme/other", number: n)
            other.requestedUsers = [["alice", "bob", "carol", "dave"][n % 4], "reviewer\(n % 50)"]
            try await store.record(other, audit: nil)
        }
        let diff = pullRequestDiff(lines: lines)
        let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }.count
        var newTimes: [Double] = []
        var noopTimes: [Double] = []
        var newWrites = 0
        var noopWrites = 0
        for run in 0...runs {
            // A new pull request each run (its own number), then the same one again unchanged.
            let forge = MemoryForge(diff: Data(diff.utf8))
            let ref = MergeRequestRef(forge: .github, repository: "acme/app", number: 1000 + run, installationID: 1)
            let t0 = ContinuousClock.now
            let first = try await evaluator.evaluate(ref, forge: forge)
            let t1 = ContinuousClock.now
            let second = try await evaluator.evaluate(ref, forge: forge)
            let t2 = ContinuousClock.now
            if run == 0 {  // warm-up; says what the decision was
                let areas = first.report?.decision.areas.map(\.rawValue) ?? []
                print("  decided: areas \(areas.joined(separator: ", ")); writes: \(first.writes.joined(separator: "; "))")
                continue
            }
            newTimes.append(seconds(t1 - t0) * 1000)
            noopTimes.append(seconds(t2 - t1) * 1000)
            newWrites = first.writes.count
            noopWrites = second.writes.count
        }
        newTimes.sort()
        noopTimes.sort()
        print("decision + reconciliation: a \(changed)-line pull request (\(diff.utf8.count / 1024) KiB diff, 6 commits), \(open) other open merge requests, forge in memory, release build")
        print(String(format: "  new pull request (%d writes): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d runs", newWrites,
                     percentile(newTimes, 0.5), percentile(newTimes, 0.99), newTimes.last ?? 0, newTimes.count))
        print(String(format: "  unchanged re-delivery (%d writes): p50 %.2f ms, p99 %.2f ms, max %.2f ms", noopWrites,
                     percentile(noopTimes, 0.5), percentile(noopTimes, 0.99), noopTimes.last ?? 0))
    } catch {
        fail("reconcile: \(error)")
    }
}

/// A pull request of about `lines` changed lines over several languages: a session check
/// in Python, string-built SQL in Go, and ordinary TypeScript around them.
func pullRequestDiff(lines: Int) -> String {
    var out = ""
    var written = 0
    func file(_ path: String, _ body: (Int) -> String, count: Int) {
        out += "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n@@ -1,0 +1,\(count) @@\n"
        for i in 0..<count { out += "+" + body(i) + "\n" }
        written += count
    }
    file("app/auth/session.py", { i in
        [
            "def check_session_\(i)(request):", "    token = request.cookies.get('session')", "    if not verify_jwt(token, key=settings.SECRET_KEY):",
            "        raise PermissionDenied('login required')", "    return request.user",
        ][i % 5]
    }, count: lines / 5)
    file("internal/store/users.go", { i in
        [
            "func FindUser\(i)(db *sql.DB, name string) (*User, error) {", "\trows, err := db.Query(\"SELECT id FROM users WHERE name = '\" + name + \"'\")",
            "\tif err != nil { return nil, err }", "\tdefer rows.Close()", "\treturn scanUser(rows)", "}",
        ][i % 6]
    }, count: lines / 5)
    file("web/src/components/table.ts", { i in
        [
            "export function renderRow\(i)(row: Row): string {", "  const cells = row.values.map((v) => `<td>${escape(v)}</td>`);",
            "  return `<tr>${cells.join('')}</tr>`;", "}", "",
        ][i % 5]
    }, count: lines - written)
    return out
}

/// A GitHub-like forge kept in memory: it remembers labels, reviewers, the comment and the
/// status that were written, so an unchanged re-delivery finds the state Warden left.
actor MemoryForge: ForgeAPI {
    nonisolated let kind = ForgeKind.github
    let diff: Data
    var labels: [String] = ["bug"]
    var users: [String] = []
    var teams: [String] = []
    var comments: [ForgeComment] = []
    var statuses: [String: CommitStatus] = [:]

    init(diff: Data) { self.diff = diff }

    func snapshot(_ ref: MergeRequestRef, policyFile: String) async throws -> MergeRequestSnapshot {
        let human = GitIdentity(name: "Octo Cat", email: "octocat@example.com")
        let commits = (0..<6).map { i in
            CommitInfo(
                sha: String(format: "%040x", i + 1), author: human,
                message: i % 2 == 0 ? "Change \(i)\n\nCo-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>" : "Change \(i)")
        }
        return MergeRequestSnapshot(
            ref: ref, isOpen: true, isDraft: false, title: "Session checks and user lookup", description: "Moves the lookup.", author: "octocat",
            sourceBranch: "feature", targetBranch: "main", baseSHA: String(repeating: "b", count: 40), headSHA: String(repeating: "1", count: 40),
            labels: labels, requestedUsers: users, requestedTeams: teams, commits: commits, commitAuthorLogins: ["octocat"], diff: .unified(diff),
            policyText: """
                areas:
                  sql: { reviewers: { users: [alice, bob] }, signoffs: 1 }
                  auth: { reviewers: { users: [carol], teams: [security] }, signoffs: 1 }
                seniors: { users: [dave] }
                """)
    }

    func botLogin(_ ref: MergeRequestRef) async throws -> String { "warden[bot]" }

    func summaryComment(_ ref: MergeRequestRef, knownID: String?, marker: String) async throws -> ForgeComment? {
        comments.first { $0.id == knownID } ?? comments.first { $0.author == "warden[bot]" && $0.body.contains(marker) }
    }

    func createComment(_ ref: MergeRequestRef, body: String) async throws -> String {
        let id = String(comments.count + 1)
        comments.append(ForgeComment(id: id, body: body, author: "warden[bot]"))
        return id
    }

    func updateComment(_ ref: MergeRequestRef, id: String, body: String) async throws {
        if let i = comments.firstIndex(where: { $0.id == id }) { comments[i].body = body }
    }

    func status(_ ref: MergeRequestRef, sha: String, projectID: Int?) async throws -> CommitStatus? { statuses[sha] }

    func setStatus(_ ref: MergeRequestRef, sha: String, projectID: Int?, status: CommitStatus) async throws { statuses[sha] = status }

    func ensureLabels(_ ref: MergeRequestRef, _ labels: [String: (color: String, description: String)]) async throws {}

    func addLabels(_ ref: MergeRequestRef, _ added: [String], snapshot: MergeRequestSnapshot) async throws {
        labels += added.filter { !labels.contains($0) }
    }

    func removeLabels(_ ref: MergeRequestRef, _ removed: [String], snapshot: MergeRequestSnapshot) async throws {
        labels.removeAll { removed.contains($0) }
    }

    func requestReviewers(_ ref: MergeRequestRef, users: [String], teams: [String], snapshot: MergeRequestSnapshot) async throws -> ReviewerOutcome {
        self.users += users
        self.teams += teams
        var outcome = ReviewerOutcome()
        outcome.requestedUsers = users
        outcome.requestedTeams = teams
        return outcome
    }
}
