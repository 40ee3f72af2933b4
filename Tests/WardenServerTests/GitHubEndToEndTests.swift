import Foundation
import Testing
import WardenHTTP
import WardenTestSupport

@testable import WardenServer

/// `warden serve` against a fake GitHub over real HTTP: the scenarios of the webhook service.
@Suite("GitHub end to end")
struct GitHubEndToEndTests {
    static let head = "1111111111111111111111111111111111111111"
    static let baseSHA = "ba5e000000000000000000000000000000000000"

    /// A fake GitHub with pull request #7 touching auth and SQL, and a repository policy.
    static func fakeGitHub() async throws -> FakeGitHub {
        let github = FakeGitHub()
        try await github.start()
        var pull = FakeGitHub.PullRequest(
            number: 7, headSHA: head, diff: Scenario.sqlAndAuthDiff,
            commits: [FakeGitHub.Commit(sha: head, message: "Query users by id", login: "octocat")])
        pull.author = "octocat"
        github.add(pull)
        github.setFile(".warden.yml", Scenario.policy, at: baseSHA)
        github.setCollaborators(["alice", "bob", "carol", "dave"])
        return github
    }

    static func opened(_ action: String = "opened", head: String = GitHubEndToEndTests.head) -> Data {
        Fixtures.githubPullRequest(action: action, repository: "acme/app", number: 7, headSHA: head)
    }

    @Test func aNewPullRequestTouchingAuthAndSQL() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }

        let response = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        #expect(response.status == 202)
        try await harness.settle()

        let pull = try #require(github.pull(7))
        #expect(Set(pull.labels) == ["security:sql", "security:auth", "needs-signoff"])
        #expect(pull.requestedReviewers.contains("carol"))
        #expect(pull.requestedReviewers.contains("alice") != pull.requestedReviewers.contains("bob"))
        #expect(!pull.requestedReviewers.contains("octocat"))
        let comments = github.commentsOn(7)
        #expect(comments.count == 1)
        #expect(comments.first?.body.hasPrefix("<!-- warden:summary -->") == true)
        #expect(comments.first?.body.contains("security:sql") == true)
        let status = try #require(github.statusesFor(Self.head).last)
        #expect(status.context == "warden/sign-off")
        #expect(status.state == "pending")
        #expect(status.description == "needs sign-off: auth 0/1, sql 0/1")
        #expect(status.targetURL == "https://warden.example.com/mr/github/acme/app/7")
        #expect(github.label("security:sql")?.description.contains("Warden") == true)

        let audit = try await harness.store.audit(forge: "github", repository: "acme/app", number: 7)
        #expect(audit.count == 1)
        #expect(audit.first?.headSHA == Self.head)
        #expect(audit.first?.writes.contains("labels.add") == true)
        #expect(audit.first?.inputs.contains("\"diff\"") == true)
        // Sign-offs will be given against a fingerprint of each area's sensitive hunks.
        let record = try #require(try await harness.store.mergeRequest("github:acme/app#7"))
        let fingerprints = try #require(record.signoffFingerprints)
        #expect(Set(fingerprints.keys) == ["auth", "sql"])
        #expect(audit.first?.decision.contains(fingerprints["sql"] ?? "-") == true)
        print("API calls for a new pull request: \(github.calls.count) (\(github.writes.count) writes): \(github.calls.map(\.description))")
    }

    @Test func theSameDeliveryTwiceWritesOnce() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        let first = try await harness.deliverGitHub(event: "pull_request", body: Self.opened(), delivery: "delivery-1")
        let second = try await harness.deliverGitHub(event: "pull_request", body: Self.opened(), delivery: "delivery-1")
        #expect(first.status == 202)
        #expect(second.status == 200)
        try await harness.settle()
        #expect(try await harness.store.deliveries().count == 1)
        #expect(github.commentsOn(7).count == 1)
        #expect(github.writes.filter { $0.path.hasSuffix("/comments") }.count == 1)
    }

    @Test func aRedeliveryOfAnUnchangedPullRequestWritesNothing() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        try await harness.settle()
        github.resetCalls()
        let again = try await harness.deliverGitHub(event: "pull_request", body: Self.opened("synchronize"))
        #expect(again.status == 202)
        try await harness.settle()
        #expect(github.writes.isEmpty, "\(github.writes)")
        print("API calls for an unchanged pull request: \(github.calls.count) (0 writes): \(github.calls.map(\.description))")
        let audit = try await harness.store.audit(forge: "github", repository: "acme/app", number: 7)
        #expect(audit.count == 2)
        #expect(audit.last?.writes == "[]")
    }

    @Test func aPushThatRemovesTheSensitiveCode() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        try await harness.settle()
        // Someone adds their own label; then a push drops the sensitive change.
        let newHead = "2222222222222222222222222222222222222222"
        github.update(7) {
            $0.labels.append("bug")
            $0.headSHA = newHead
            $0.diff = Scenario.harmlessDiff
            $0.commits.append(FakeGitHub.Commit(sha: newHead, message: "Only the README after all"))
        }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened("synchronize", head: newHead))
        try await harness.settle()
        let pull = try #require(github.pull(7))
        #expect(pull.labels == ["bug"])
        #expect(github.statusesFor(newHead).last?.state == "success")
        #expect(github.statusesFor(newHead).last?.description == "no sign-off required")
        #expect(github.commentsOn(7).count == 1)
        #expect(github.commentsOn(7).first?.body.contains("No security-sensitive area") == true)
    }

    @Test func aBadSignatureIsRefusedAndNothingStored() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        let response = try await harness.deliverGitHub(event: "pull_request", body: Self.opened(), secret: "not-the-secret")
        #expect(response.status == 401)
        #expect(try await harness.store.deliveries().isEmpty)
        #expect(try await harness.store.jobs().isEmpty)
        #expect(github.calls.isEmpty)
    }

    @Test func aServerErrorThenSuccessPostsOneComment() async throws {
        let github = try await Self.fakeGitHub()
        github.inject(InjectedFailure(method: "POST", pathPrefix: "/repos/acme/app/issues/7/comments", status: 500, body: #"{"message":"Server Error"}"#))
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        try await harness.settle()
        #expect(github.commentsOn(7).count == 1)
        #expect(github.writes.filter { $0.method == "POST" && $0.path.hasSuffix("/comments") }.count == 2)
        let jobs = try await harness.store.jobs()
        #expect(jobs.map(\.state) == [.done])
        #expect(jobs.first?.attempts == 2)
    }

    @Test func aRateLimitIsWaitedOut() async throws {
        let github = try await Self.fakeGitHub()
        github.inject(
            InjectedFailure(
                method: "POST", pathPrefix: "/repos/acme/app/statuses/", status: 429, headers: [("Retry-After", "1")],
                body: #"{"message":"You have exceeded a secondary rate limit."}"#))
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        let start = ContinuousClock.now
        try await harness.settle()
        #expect(ContinuousClock.now - start >= .seconds(1))
        #expect(github.statusesFor(Self.head).count == 1)
        #expect(try await harness.store.jobs().first?.attempts == 1)
    }

    @Test func aWorkerKilledBetweenClaimAndCompletion() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github, leaseSeconds: 1)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        // Another process claims the job over the same database file and is killed.
        let otherProcess = try Store(path: harness.folder + "/warden.sqlite")
        let orphan = try #require(try await otherProcess.claim(owner: "killed-worker", lease: 1, maxAttempts: 6))
        try await harness.settle()
        #expect(github.commentsOn(7).count == 1)
        let jobs = try await harness.store.jobs()
        #expect(jobs.map(\.state) == [.done])
        #expect(jobs.first?.attempts == 2)
        // The killed worker's late completion does nothing.
        #expect(try await otherProcess.complete(orphan, owner: "killed-worker") == false)
    }

    @Test func aReviewerWhoIsNotACollaboratorIsSkippedAndNamed() async throws {
        let github = try await Self.fakeGitHub()
        github.setCollaborators(["alice", "bob"])  // carol may not review here
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        try await harness.settle()
        let pull = try #require(github.pull(7))
        #expect(!pull.requestedReviewers.contains("carol"))
        #expect(pull.requestedReviewers.contains("alice"))
        #expect(github.commentsOn(7).first?.body.contains("Could not request a review from carol") == true)
        // Not asked again on the next evaluation.
        github.resetCalls()
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened("synchronize"))
        try await harness.settle()
        #expect(github.writes.isEmpty, "\(github.writes)")
    }

    @Test func aDiffTooLargeForTheDiffMediaTypeIsReadFileByFile() async throws {
        let github = try await Self.fakeGitHub()
        github.update(7) { $0.diffTooLarge = true }
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        try await harness.settle()
        #expect(github.calls.contains { $0.path.hasSuffix("/pulls/7/files") })
        #expect(Set(github.pull(7)?.labels ?? []) == ["security:sql", "security:auth", "needs-signoff"])
    }

    @Test func dryRunDecidesAndRecordsButPostsNothing() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github, dryRun: true)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitHub(event: "pull_request", body: Self.opened())
        try await harness.settle()
        #expect(github.writes.isEmpty)
        let audit = try #require(try await harness.store.audit().first)
        #expect(audit.dryRun)
        #expect(audit.writes.contains("comment.create"))
        #expect(audit.decision.contains("security:sql"))
    }

    @Test func pingsUnknownEventsLimitsAndHealth() async throws {
        let github = try await Self.fakeGitHub()
        let harness = try await ServerHarness.start(github: github)
        defer { Task { await harness.stop() } }
        #expect(try await harness.deliverGitHub(event: "ping", body: Data(#"{"zen":"Keep it logically awesome.","hook_id":1}"#.utf8)).status == 200)
        #expect(try await harness.deliverGitHub(event: "watch", body: Data(#"{"action":"started"}"#.utf8)).status == 204)
        #expect(try await harness.deliverGitHub(event: "pull_request", body: Self.opened("labeled")).status == 204)
        #expect(try await harness.deliverGitHub(event: "pull_request", body: Data("{not json".utf8)).status == 400)
        let big = Data(repeating: 0x20, count: 26_214_401)
        #expect(try await harness.deliverGitHub(event: "pull_request", body: big).status == 413)
        // Header fields over NIO's limit (80 KiB) are refused before any route runs; the
        // connection may be closed while the client is still sending.
        let hugeHeader = try? await harness.deliverGitHub(event: "pull_request", body: Self.opened("opened"), delivery: String(repeating: "d", count: 200_000))
        #expect(hugeHeader == nil || hugeHeader?.status == 400 || hugeHeader?.status == 431)
        #expect(try await harness.store.deliveries().isEmpty)
        #expect(try await harness.get("/healthz").status == 200)
        #expect(try await harness.get("/readyz").status == 200)
        let metrics = try await harness.get("/metrics")
        #expect(String(decoding: metrics.body, as: UTF8.self).contains(#"warden_deliveries_total{forge="github",outcome="ping"} 1"#))
        // GitLab is not configured here.
        #expect(try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "open")).status == 404)
    }
}
