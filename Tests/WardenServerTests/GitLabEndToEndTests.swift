import Foundation
import Testing
import WardenHTTP
import WardenTestSupport

@testable import WardenServer

/// `warden serve` against a fake GitLab over real HTTP.
@Suite("GitLab end to end")
struct GitLabEndToEndTests {
    static let head = "3333333333333333333333333333333333333333"

    static func fakeGitLab() async throws -> FakeGitLab {
        let gitlab = FakeGitLab()
        try await gitlab.start()
        let sqlPatch = "@@ -1,3 +1,3 @@\n def find(cursor, uid):\n-    return cursor.execute(\"SELECT * FROM users WHERE id = %s\", (uid,))\n+    return cursor.execute(f\"SELECT * FROM users WHERE id = {uid}\")\n \n"
        var mr = FakeGitLab.MergeRequest(
            iid: 3, headSHA: head, diffs: [(path: "app/db.py", diff: sqlPatch, newFile: false), (path: "assets/huge.json", diff: nil, newFile: true)],
            commits: [FakeGitHub.Commit(sha: head, message: "Query users by id\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>")])
        mr.author = "dev"
        mr.reviewerIDs = [7]  // someone the author asked already
        gitlab.add(mr)
        gitlab.addUser("alice", id: 11)
        gitlab.addUser("bob", id: 12)
        gitlab.addUser("erin", id: 7)
        gitlab.setFile(".warden.yml", "areas:\n  sql: { reviewers: { users: [alice, bob] }, signoffs: 1 }\n", onBranch: "main")
        return gitlab
    }

    @Test func aNewMergeRequestAndAnUnchangedRedelivery() async throws {
        let gitlab = try await Self.fakeGitLab()
        let harness = try await ServerHarness.start(gitlab: gitlab)
        defer { Task { await harness.stop() } }

        let response = try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "open", projectID: 15, path: "acme/app", iid: 3, lastCommit: Self.head))
        #expect(response.status == 202)
        try await harness.settle()

        let mr = try #require(gitlab.mergeRequest(3))
        #expect(Set(mr.labels) == ["security:sql", "ai-heavy", "needs-signoff"])
        // Added to the reviewers already there, never replacing them.
        #expect(mr.reviewerIDs.contains(7))
        #expect(mr.reviewerIDs.contains(11))
        let notes = gitlab.notesOn(3)
        #expect(notes.count == 1)
        #expect(notes.first?.body.hasPrefix("<!-- warden:summary -->") == true)
        #expect(notes.first?.body.contains("Claude Code") == true)
        // The file GitLab would not show is still named: the analysis is partial.
        #expect(notes.first?.body.contains("Partial analysis") == true)
        let status = try #require(gitlab.statusesFor(Self.head).last)
        #expect(status.name == "warden/sign-off")
        #expect(status.state == "pending")
        #expect(status.targetURL == "https://warden.example.com/mr/gitlab/acme/app/3")
        // Labels and reviewers go in one PUT.
        #expect(gitlab.writes.filter { $0.description.hasPrefix("PUT ") }.count == 1, "\(gitlab.writes)")
        print("GitLab API calls for a new merge request: \(gitlab.calls.count) (\(gitlab.writes.count) writes): \(gitlab.calls.map(\.description))")

        // The same merge request delivered again (a push that changed nothing Warden sees).
        gitlab.resetCalls()
        let again = try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "update", projectID: 15, path: "acme/app", iid: 3, oldrev: String(repeating: "2", count: 40), lastCommit: Self.head))
        #expect(again.status == 202)
        try await harness.settle()
        #expect(gitlab.writes.isEmpty, "\(gitlab.writes)")
        print("GitLab API calls for an unchanged merge request: \(gitlab.calls.count) (0 writes)")
    }

    @Test func metadataOnlyUpdatesAreIgnoredAndTokensChecked() async throws {
        let gitlab = try await Self.fakeGitLab()
        let harness = try await ServerHarness.start(gitlab: gitlab)
        defer { Task { await harness.stop() } }
        #expect(try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "update", projectID: 15, iid: 3)).status == 204)
        #expect(try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "open", projectID: 15, iid: 3), token: "wrong").status == 401)
        let uuid = UUID().uuidString
        #expect(try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "open", projectID: 15, iid: 3), uuid: uuid).status == 202)
        #expect(try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "open", projectID: 15, iid: 3), uuid: uuid).status == 200)
        #expect(try await harness.store.deliveries().count == 1)
    }

    @Test func aPushThatRemovesTheSQLChange() async throws {
        let gitlab = try await Self.fakeGitLab()
        let harness = try await ServerHarness.start(gitlab: gitlab)
        defer { Task { await harness.stop() } }
        _ = try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "open", projectID: 15, iid: 3, lastCommit: Self.head))
        try await harness.settle()
        let newHead = "4444444444444444444444444444444444444444"
        gitlab.update(3) {
            $0.labels.append("frontend")
            $0.headSHA = newHead
            $0.diffs = [(path: "README.md", diff: "@@ -1 +1 @@\n-# app\n+# app!\n", newFile: false)]
            $0.commits = [FakeGitHub.Commit(sha: newHead, message: "Docs only")]
        }
        _ = try await harness.deliverGitLab(body: Fixtures.gitlabMergeRequest(action: "update", projectID: 15, iid: 3, oldrev: Self.head, lastCommit: newHead))
        try await harness.settle()
        #expect(gitlab.mergeRequest(3)?.labels == ["frontend"])
        #expect(gitlab.statusesFor(newHead).last?.state == "success")
        #expect(gitlab.notesOn(3).count == 1)
    }
}
