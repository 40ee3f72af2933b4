import Foundation
import GRDB
import Testing

@testable import WardenServer

/// A store in a temporary folder, removed afterwards.
final class TemporaryStore {
    let folder: String
    let path: String
    let store: Store

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-store-\(UUID().uuidString)").path
        path = folder + "/warden.sqlite"
        store = try Store(path: path)
    }

    /// Another connection to the same file, as a second process would have.
    func reopen() throws -> Store { try Store(path: path) }

    /// Removes the files; call it from a `defer`, which also keeps the store alive to the end
    /// of the test.
    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

@Suite("Store")
struct StoreTests {
    let body = Data(#"{"action":"opened"}"#.utf8)

    @Test func deliveriesAreDeduplicated() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        let first = try await store.accept(forge: "github", deliveryKey: "d-1", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#1")
        guard case .accepted(let id) = first else {
            Issue.record("expected accepted")
            return
        }
        #expect(try await store.accept(forge: "github", deliveryKey: "d-1", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#1") == .duplicate)
        // The same key from the other forge is another delivery.
        if case .duplicate = try await store.accept(forge: "gitlab", deliveryKey: "d-1", event: "Merge Request Hook", headers: [:], body: body, mergeRequestKey: "gitlab:1!1") {
            Issue.record("keys are per forge")
        }
        let stored = try #require(try await store.delivery(id))
        #expect(stored.body == body)
        #expect(stored.event == "pull_request")
        #expect(try await store.jobs().count == 2)
    }

    @Test func aNewerDeliverySupersedesQueuedWorkForTheSameMergeRequest() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        _ = try await store.accept(forge: "github", deliveryKey: "a", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#1")
        _ = try await store.accept(forge: "github", deliveryKey: "b", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#2")
        _ = try await store.accept(forge: "github", deliveryKey: "c", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#1")
        let jobs = try await store.jobs()
        #expect(jobs.map(\.state) == [.superseded, .queued, .queued])
        #expect(jobs.map(\.mergeRequestKey) == ["github:a/b#1", "github:a/b#2", "github:a/b#1"])
    }

    @Test func jobsOfOneMergeRequestRunOneAtATime() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        _ = try await store.accept(forge: "github", deliveryKey: "a", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#1")
        let first = try #require(try await store.claim(owner: "w1", lease: 60, maxAttempts: 3))
        _ = try await store.accept(forge: "github", deliveryKey: "b", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#1")
        _ = try await store.accept(forge: "github", deliveryKey: "c", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#2")
        // #1 is running: the next claim takes #2, not the newer #1.
        let second = try #require(try await store.claim(owner: "w2", lease: 60, maxAttempts: 3))
        #expect(second.mergeRequestKey == "github:a/b#2")
        #expect(try await store.claim(owner: "w3", lease: 60, maxAttempts: 3) == nil)
        #expect(try await store.complete(first, owner: "w1"))
        let third = try #require(try await store.claim(owner: "w3", lease: 60, maxAttempts: 3))
        #expect(third.mergeRequestKey == "github:a/b#1")
    }

    @Test func anExpiredLeaseIsTakenOverAndTheFirstWorkerCannotFinish() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        _ = try await temporary.store.accept(forge: "github", deliveryKey: "a", event: "pull_request", headers: [:], body: body, mergeRequestKey: "github:a/b#1")
        let start = Date()
        // Worker A (this "process") claims and dies.
        let claimed = try #require(try await temporary.store.claim(owner: "A", lease: 30, maxAttempts: 5, now: start))
        // Worker B, another connection to the same file, sees nothing until the lease expires.
        let other = try temporary.reopen()
        #expect(try await other.claim(owner: "B", lease: 30, maxAttempts: 5, now: start + 10) == nil)
        let takenOver = try #require(try await other.claim(owner: "B", lease: 30, maxAttempts: 5, now: start + 31))
        #expect(takenOver.id == claimed.id)
        #expect(takenOver.attempts == 2)
        #expect(try await other.complete(takenOver, owner: "B"))
        // A comes back: its completion is refused, the job stays done once.
        #expect(try await temporary.store.complete(claimed, owner: "A") == false)
        #expect(try await other.jobs().map(\.state) == [.done])
        #expect(try await other.delivery(claimed.deliveryID)?.outcome == "done")
    }

    @Test func failuresRetryThenDeadLetter() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        _ = try await store.accept(forge: "gitlab", deliveryKey: "a", event: "Merge Request Hook", headers: [:], body: body, mergeRequestKey: "gitlab:1!1")
        let now = Date()
        var job = try #require(try await store.claim(owner: "w", lease: 30, maxAttempts: 2, now: now))
        try await store.fail(job, owner: "w", error: "HTTP 502", retryAfter: 5, maxAttempts: 2, now: now)
        #expect(try await store.claim(owner: "w", lease: 30, maxAttempts: 2, now: now + 1) == nil)  // not yet due
        job = try #require(try await store.claim(owner: "w", lease: 30, maxAttempts: 2, now: now + 6))
        #expect(job.attempts == 2)
        try await store.fail(job, owner: "w", error: "HTTP 502 again", retryAfter: 5, maxAttempts: 2, now: now + 6)
        let dead = try await store.jobs(state: .dead)
        #expect(dead.count == 1 && dead.first?.lastError == "HTTP 502 again")
        #expect(try await store.deliveries(failedOnly: true).count == 1)
        // Replay queues it again.
        try await store.replay(deliveryID: job.deliveryID, mergeRequestKey: job.mergeRequestKey, now: now + 7)
        #expect(try await store.claim(owner: "w", lease: 30, maxAttempts: 2, now: now + 8) != nil)
    }

    @Test func mergeRequestRecordsAndTheAuditTrail() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        var record = MergeRequestRecord(key: "github:a/b#1", forge: "github", repository: "a/b", number: 1)
        record.requestedUsers = ["alice"]
        record.wardenLabels = ["security:sql"]
        let audit = AuditRecord(
            id: 0, at: Date(), forge: "github", repository: "a/b", number: 1, headSHA: "abc", actor: "warden", action: "evaluate", inputs: "{}",
            decision: "{}", writes: "[]", dryRun: false, jobID: nil)
        try await store.record(record, audit: audit)
        #expect(try await store.mergeRequest("github:a/b#1")?.wardenLabels == ["security:sql"])
        #expect(try await store.reviewLoad(forge: "github") == ["alice": 1])
        #expect(try await store.reviewLoad(forge: "github", excluding: "github:a/b#1").isEmpty)
        // Load counts open merge requests of the same forge, logins case-insensitively.
        var second = MergeRequestRecord(key: "github:a/b#2", forge: "github", repository: "a/b", number: 2)
        second.requestedUsers = ["Alice", "bob"]
        try await store.record(second, audit: nil)
        var elsewhere = MergeRequestRecord(key: "gitlab:7!1", forge: "gitlab", repository: "g/p", number: 1)
        elsewhere.requestedUsers = ["alice"]
        try await store.record(elsewhere, audit: nil)
        #expect(try await store.reviewLoad(forge: "github") == ["alice": 2, "bob": 1])
        #expect(try await store.reviewLoad(forge: "gitlab") == ["alice": 1])
        record.isOpen = false
        try await store.record(record, audit: nil)
        #expect(try await store.reviewLoad(forge: "github") == ["alice": 1, "bob": 1])
        second.requestedUsers = ["bob"]
        try await store.record(second, audit: nil)
        #expect(try await store.reviewLoad(forge: "github") == ["bob": 1])
        #expect(try await store.audit(forge: "github", repository: "a/b", number: 1).count == 1)
    }

    @Test func reviewLoadOfADatabaseFromBeforeTheIndexIsBackfilled() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-migrate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/warden.sqlite"
        do {
            let old = try DatabaseQueue(path: path)
            try Store.migrator.migrate(old, upTo: "1-deliveries-jobs-audit")
            var record = MergeRequestRecord(key: "github:a/b#1", forge: "github", repository: "a/b", number: 1)
            record.requestedUsers = ["carol"]
            let text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
            let key = record.key
            try await old.write { db in
                try db.execute(sql: "INSERT INTO merge_request (mr_key, record, is_open, updated_at) VALUES (?, ?, 1, 0)", arguments: [key, text])
            }
        }
        let store = try Store(path: path)
        #expect(try await store.reviewLoad(forge: "github") == ["carol": 1])
    }
}
