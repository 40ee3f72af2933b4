import Foundation
import GRDB

/// A webhook delivery as it arrived, kept so nothing accepted is ever lost.
public struct StoredDelivery: Sendable, Hashable {
    public var id: Int64
    public var forge: String
    /// `X-GitHub-Delivery`, `X-Gitlab-Event-UUID` or `Idempotency-Key`.
    public var deliveryKey: String
    public var event: String
    public var receivedAt: Date
    /// The headers kept (event, delivery, hook ids; never secrets or signatures).
    public var headers: [String: String]
    public var body: Data
    public var outcome: String
}

/// A unit of work: evaluate one merge request after a delivery.
public struct Job: Sendable, Hashable {
    public enum State: String, Sendable {
        case queued, running, done, dead, superseded
    }

    public var id: Int64
    public var deliveryID: Int64
    /// `github:owner/repo#12`, `gitlab:group/project!7`.
    public var mergeRequestKey: String
    public var kind: String
    public var state: State
    public var attempts: Int
    public var runAfter: Date
    public var leaseOwner: String?
    public var leaseExpires: Date?
    public var lastError: String?
}

/// What the store says to an accepted delivery.
public enum IntakeResult: Sendable, Hashable {
    /// Stored and queued.
    case accepted(deliveryID: Int64)
    /// Seen before (same forge and delivery key): nothing done.
    case duplicate
}

/// One record of the audit trail.
public struct AuditRecord: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var forge: String
    public var repository: String
    public var number: Int
    public var headSHA: String
    public var actor: String
    public var action: String
    /// JSON: digests of the inputs (diff, commits, policy, metadata).
    public var inputs: String
    /// JSON: labels, reviewers, sign-offs, status.
    public var decision: String
    /// JSON: the write calls made (or that a dry run would have made).
    public var writes: String
    public var dryRun: Bool
    public var jobID: Int64?
}

/// What Warden remembers of a merge request between evaluations: what it wrote, so a
/// re-evaluation writes only differences and never removes what it did not set.
public struct MergeRequestRecord: Sendable, Hashable, Codable {
    public var key: String
    public var forge: String
    public var repository: String
    public var number: Int
    public var headSHA: String
    public var isOpen: Bool
    /// The summary comment (or note) Warden owns.
    public var commentID: String?
    /// Labels Warden added (and may therefore remove).
    public var wardenLabels: [String]
    /// Reviewers Warden requested (never requested twice).
    public var requestedUsers: [String]
    public var requestedTeams: [String]
    /// Reviewers a forge refused (not a collaborator, no such user), with the reason: never
    /// asked again, and said so in the comment.
    public var skippedReviewers: [String: String]
    public var decisionDigest: String?
    /// Per area needing sign-off (`auth`, `sql`, ...), the fingerprint of its sensitive hunks
    /// at `headSHA` (see `HunkDigests`): a sign-off given against a fingerprint holds while
    /// the area's fingerprint is the same. nil in records from before fingerprints.
    public var signoffFingerprints: [String: String]?
    public var updatedAt: Date

    public init(key: String, forge: String, repository: String, number: Int) {
        self.key = key
        self.forge = forge
        self.repository = repository
        self.number = number
        headSHA = ""
        isOpen = true
        wardenLabels = []
        requestedUsers = []
        requestedTeams = []
        skippedReviewers = [:]
        updatedAt = Date()
    }
}

/// Warden's durable state in SQLite (WAL), shared by the intake and every worker, in this
/// process or another one on the same file.
public final class Store: Sendable {
    let pool: DatabasePool
    private let batcher: IntakeBatcher
    let checkpointer: Checkpointer

    /// Opens (creating when needed) the database at `path` and migrates it.
    public init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        var configuration = Configuration()
        // Another process (a second server, the CLI) may hold the write lock for a moment.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL + FULL: a commit is on disk when it returns, so a 202 means stored.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Checkpoints run beside the writers (see Checkpointer), not inside a commit.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Store.migrator.migrate(pool)
        batcher = IntakeBatcher()
        checkpointer = try Checkpointer(path: path)
        batcher.store = self
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-deliveries-jobs-audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE delivery (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        forge TEXT NOT NULL,
                        delivery_key TEXT NOT NULL,
                        event TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        headers TEXT NOT NULL,
                        body BLOB NOT NULL,
                        outcome TEXT NOT NULL DEFAULT 'queued',
                        UNIQUE (forge, delivery_key)
                    );
                    CREATE TABLE job (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        delivery_id INTEGER NOT NULL REFERENCES delivery(id),
                        mr_key TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        run_after REAL NOT NULL,
                        lease_owner TEXT,
                        lease_expires REAL,
                        last_error TEXT,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    CREATE INDEX job_ready ON job (state, run_after);
                    CREATE INDEX job_mr ON job (mr_key, state);
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at REAL NOT NULL,
                        forge TEXT NOT NULL,
                        repository TEXT NOT NULL,
                        number INTEGER NOT NULL,
                        head_sha TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        inputs TEXT NOT NULL,
                        decision TEXT NOT NULL,
                        writes TEXT NOT NULL,
                        dry_run INTEGER NOT NULL,
                        job_id INTEGER
                    );
                    CREATE INDEX audit_mr ON audit (forge, repository, number);
                    CREATE TABLE merge_request (
                        mr_key TEXT PRIMARY KEY,
                        record TEXT NOT NULL,
                        is_open INTEGER NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("2-review-requests") { db in
            // Reviewer load read from an index instead of decoding every open record.
            try db.execute(
                sql: """
                    CREATE TABLE review_request (
                        mr_key TEXT NOT NULL,
                        forge TEXT NOT NULL,
                        login TEXT NOT NULL,
                        PRIMARY KEY (mr_key, login)
                    ) WITHOUT ROWID;
                    CREATE INDEX review_request_load ON review_request (forge, login);
                    """)
            for text in try String.fetchAll(db, sql: "SELECT record FROM merge_request WHERE is_open = 1") {
                guard let record = try? JSONDecoder().decode(MergeRequestRecord.self, from: Data(text.utf8)) else { continue }
                try Store.saveReviewRequests(record, db)
            }
        }
        return migrator
    }

    /// The review requests of an open merge request, for ``reviewLoad(forge:excluding:)``; a
    /// closed one has none.
    static func saveReviewRequests(_ record: MergeRequestRecord, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM review_request WHERE mr_key = ?", arguments: [record.key])
        guard record.isOpen else { return }
        for login in Set(record.requestedUsers.map { $0.lowercased() }) {
            try db.execute(sql: "INSERT INTO review_request (mr_key, forge, login) VALUES (?, ?, ?)", arguments: [record.key, record.forge, login])
        }
    }

    // MARK: - Intake

    /// A delivery to store and the job it asks for.
    public struct Intake: Sendable {
        public var forge: String
        public var deliveryKey: String
        public var event: String
        public var headers: [String: String]
        public var body: Data
        public var mergeRequestKey: String
        public var kind: String
        public var receivedAt: Date
    }

    /// Stores a delivery and queues its job; a delivery key seen before is a duplicate and
    /// changes nothing. Queued evaluations of the same merge request that have not started
    /// are superseded: the new one reads the newest state anyway.
    ///
    /// Deliveries arriving together are written in one transaction (group commit): one
    /// `fsync` for the batch instead of one per delivery, and each caller returns only once
    /// its delivery is on disk.
    public func accept(
        forge: String, deliveryKey: String, event: String, headers: [String: String], body: Data, mergeRequestKey: String, kind: String = "evaluate",
        now: Date = Date()
    ) async throws -> IntakeResult {
        try await batcher.submit(
            Intake(forge: forge, deliveryKey: deliveryKey, event: event, headers: headers, body: body, mergeRequestKey: mergeRequestKey, kind: kind, receivedAt: now))
    }

    /// Writes a batch of deliveries in one transaction (synchronously, on the caller's
    /// thread: the intake's writer thread).
    func write(_ batch: [Intake]) throws -> [IntakeResult] {
        try pool.write { db in
            let find = try db.cachedStatement(sql: "SELECT id FROM delivery WHERE forge = ? AND delivery_key = ?")
            let insertDelivery = try db.cachedStatement(sql: "INSERT INTO delivery (forge, delivery_key, event, received_at, headers, body) VALUES (?, ?, ?, ?, ?, ?)")
            let supersede = try db.cachedStatement(sql: "UPDATE job SET state = 'superseded', updated_at = ? WHERE mr_key = ? AND state = 'queued' AND kind = ?")
            let insertJob = try db.cachedStatement(
                sql: "INSERT INTO job (delivery_id, mr_key, kind, state, run_after, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)")
            var results: [IntakeResult] = []
            results.reserveCapacity(batch.count)
            var seen = Set<String>()
            for intake in batch {
                let t = intake.receivedAt.timeIntervalSince1970
                let identity = intake.forge + "\u{0}" + intake.deliveryKey
                let stored = try Int64.fetchOne(find, arguments: [intake.forge, intake.deliveryKey])
                if !seen.insert(identity).inserted || stored != nil {
                    results.append(.duplicate)
                    continue
                }
                try insertDelivery.execute(arguments: [intake.forge, intake.deliveryKey, intake.event, t, json(intake.headers), intake.body])
                let deliveryID = db.lastInsertedRowID
                try supersede.execute(arguments: [t, intake.mergeRequestKey, intake.kind])
                try insertJob.execute(arguments: [deliveryID, intake.mergeRequestKey, intake.kind, t, t, t])
                results.append(.accepted(deliveryID: deliveryID))
            }
            return results
        }
    }

    public func delivery(_ id: Int64) async throws -> StoredDelivery? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [id]).map(Store.delivery)
        }
    }

    public func deliveries(limit: Int = 50, failedOnly: Bool = false) async throws -> [StoredDelivery] {
        try await pool.read { db in
            let filter = failedOnly ? "WHERE outcome = 'failed'" : ""
            return try Row.fetchAll(db, sql: "SELECT * FROM delivery \(filter) ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Store.delivery)
        }
    }

    static func delivery(_ row: Row) -> StoredDelivery {
        let headers = (try? JSONDecoder().decode([String: String].self, from: Data((row["headers"] as String? ?? "{}").utf8))) ?? [:]
        return StoredDelivery(
            id: row["id"], forge: row["forge"], deliveryKey: row["delivery_key"], event: row["event"],
            receivedAt: Date(timeIntervalSince1970: row["received_at"]), headers: headers, body: row["body"] ?? Data(), outcome: row["outcome"])
    }

    // MARK: - Jobs

    /// Claims the next job that may run: queued and due, or running with an expired lease
    /// (its worker died), and not behind another job of the same merge request. Jobs that
    /// have used up their attempts are dead-lettered instead.
    public func claim(owner: String, lease: TimeInterval, maxAttempts: Int, now: Date = Date()) async throws -> Job? {
        try await pool.write { db in
            let t = now.timeIntervalSince1970
            while true {
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT * FROM job AS j
                            WHERE ((j.state = 'queued' AND j.run_after <= :now) OR (j.state = 'running' AND j.lease_expires < :now))
                              AND NOT EXISTS (
                                SELECT 1 FROM job AS r WHERE r.mr_key = j.mr_key AND r.id != j.id
                                  AND ((r.state = 'running' AND r.lease_expires >= :now) OR (r.state = 'queued' AND r.id < j.id)))
                            ORDER BY j.id LIMIT 1
                            """, arguments: ["now": t])
                else { return nil }
                var job = Store.job(row)
                if job.attempts >= maxAttempts {
                    try db.execute(
                        sql: "UPDATE job SET state = 'dead', lease_owner = NULL, updated_at = ?, last_error = coalesce(last_error, 'lease expired') WHERE id = ?",
                        arguments: [t, job.id])
                    try db.execute(sql: "UPDATE delivery SET outcome = 'failed' WHERE id = ?", arguments: [job.deliveryID])
                    continue
                }
                try db.execute(
                    sql: "UPDATE job SET state = 'running', lease_owner = ?, lease_expires = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
                    arguments: [owner, t + lease, t, job.id])
                job.state = .running
                job.leaseOwner = owner
                job.leaseExpires = Date(timeIntervalSince1970: t + lease)
                job.attempts += 1
                return job
            }
        }
    }

    /// Extends a lease; false when the job is no longer this owner's.
    public func renew(_ job: Job, owner: String, lease: TimeInterval, now: Date = Date()) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE job SET lease_expires = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
                arguments: [now.timeIntervalSince1970 + lease, job.id, owner])
            return db.changesCount == 1
        }
    }

    /// Marks a job done. Only its lease owner can: a worker whose lease expired and was
    /// taken over does not finish the job twice. Returns false in that case.
    public func complete(_ job: Job, owner: String, now: Date = Date()) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE job SET state = 'done', lease_owner = NULL, updated_at = ? WHERE id = ? AND lease_owner = ? AND state = 'running'",
                arguments: [now.timeIntervalSince1970, job.id, owner])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "UPDATE delivery SET outcome = 'done' WHERE id = ?", arguments: [job.deliveryID])
            return true
        }
    }

    /// Puts a failed job back with a delay, or dead-letters it when `retryAfter` is nil or
    /// its attempts are used up.
    public func fail(_ job: Job, owner: String, error: String, retryAfter: TimeInterval?, maxAttempts: Int, now: Date = Date()) async throws {
        try await pool.write { db in
            let t = now.timeIntervalSince1970
            let message = String(error.prefix(2000))
            if let retryAfter, job.attempts < maxAttempts {
                try db.execute(
                    sql: """
                        UPDATE job SET state = 'queued', lease_owner = NULL, lease_expires = NULL, run_after = ?, last_error = ?, updated_at = ?
                        WHERE id = ? AND lease_owner = ?
                        """,
                    arguments: [t + retryAfter, message, t, job.id, owner])
            } else {
                try db.execute(
                    sql: "UPDATE job SET state = 'dead', lease_owner = NULL, last_error = ?, updated_at = ? WHERE id = ? AND lease_owner = ?",
                    arguments: [message, t, job.id, owner])
                try db.execute(sql: "UPDATE delivery SET outcome = 'failed' WHERE id = ?", arguments: [job.deliveryID])
            }
        }
    }

    /// Queues a stored delivery again (`warden deliveries replay`).
    public func replay(deliveryID: Int64, mergeRequestKey: String, kind: String = "evaluate", now: Date = Date()) async throws {
        try await pool.write { db in
            let t = now.timeIntervalSince1970
            try db.execute(sql: "UPDATE delivery SET outcome = 'queued' WHERE id = ?", arguments: [deliveryID])
            try db.execute(
                sql: "INSERT INTO job (delivery_id, mr_key, kind, state, run_after, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
                arguments: [deliveryID, mergeRequestKey, kind, t, t, t])
        }
    }

    public func jobs(state: Job.State? = nil) async throws -> [Job] {
        try await pool.read { db in
            if let state {
                return try Row.fetchAll(db, sql: "SELECT * FROM job WHERE state = ? ORDER BY id", arguments: [state.rawValue]).map(Store.job)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM job ORDER BY id").map(Store.job)
        }
    }

    static func job(_ row: Row) -> Job {
        Job(
            id: row["id"], deliveryID: row["delivery_id"], mergeRequestKey: row["mr_key"], kind: row["kind"],
            state: Job.State(rawValue: row["state"]) ?? .dead, attempts: row["attempts"],
            runAfter: Date(timeIntervalSince1970: row["run_after"]), leaseOwner: row["lease_owner"],
            leaseExpires: (row["lease_expires"] as Double?).map(Date.init(timeIntervalSince1970:)), lastError: row["last_error"])
    }

    // MARK: - Merge requests and audit

    public func mergeRequest(_ key: String) async throws -> MergeRequestRecord? {
        try await pool.read { db in
            guard let text = try String.fetchOne(db, sql: "SELECT record FROM merge_request WHERE mr_key = ?", arguments: [key]) else { return nil }
            return try JSONDecoder().decode(MergeRequestRecord.self, from: Data(text.utf8))
        }
    }

    /// Saves what Warden now knows of a merge request and appends the decision to the audit
    /// trail, in one transaction.
    public func record(_ mergeRequest: MergeRequestRecord, audit: AuditRecord?) async throws {
        let text = String(decoding: try JSONEncoder().encode(mergeRequest), as: UTF8.self)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO merge_request (mr_key, record, is_open, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (mr_key) DO UPDATE SET record = excluded.record, is_open = excluded.is_open, updated_at = excluded.updated_at
                    """,
                arguments: [mergeRequest.key, text, mergeRequest.isOpen, mergeRequest.updatedAt.timeIntervalSince1970])
            try Store.saveReviewRequests(mergeRequest, db)
            if let audit {
                try db.execute(
                    sql: """
                        INSERT INTO audit (at, forge, repository, number, head_sha, actor, action, inputs, decision, writes, dry_run, job_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        audit.at.timeIntervalSince1970, audit.forge, audit.repository, audit.number, audit.headSHA, audit.actor, audit.action,
                        audit.inputs, audit.decision, audit.writes, audit.dryRun, audit.jobID,
                    ])
            }
        }
    }

    /// Open review requests Warden made, per login, across open merge requests of a forge
    /// (the load reviewer selection balances).
    public func reviewLoad(forge: String, excluding key: String? = nil) async throws -> [String: Int] {
        try await pool.read { db in
            var load: [String: Int] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT login, count(*) FROM review_request WHERE forge = ? AND mr_key != ? GROUP BY login", arguments: [forge, key ?? ""])
            while let row = try rows.next() { load[row[0]] = row[1] }
            return load
        }
    }

    public func audit(forge: String? = nil, repository: String? = nil, number: Int? = nil) async throws -> [AuditRecord] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let forge { conditions.append("forge = ?"); arguments.append(forge) }
            if let repository { conditions.append("repository = ?"); arguments.append(repository) }
            if let number { conditions.append("number = ?"); arguments.append(number) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM audit \(filter) ORDER BY id", arguments: StatementArguments(arguments)).map { row in
                AuditRecord(
                    id: row["id"], at: Date(timeIntervalSince1970: row["at"]), forge: row["forge"], repository: row["repository"], number: row["number"],
                    headSHA: row["head_sha"], actor: row["actor"], action: row["action"], inputs: row["inputs"], decision: row["decision"],
                    writes: row["writes"], dryRun: row["dry_run"], jobID: row["job_id"])
            }
        }
    }
}

/// Collects deliveries that arrive while a write is in progress and writes them together,
/// on a thread of its own: the commit (and its fsync) never occupies a task of the
/// cooperative pool, and a batch costs one hop, not one per delivery.
final class IntakeBatcher: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [(Store.Intake, CheckedContinuation<IntakeResult, any Error>)] = []
    private var started = false
    weak var store: Store?
    /// A bound on one transaction, so one slow batch cannot hold every caller.
    let maximumBatch = 256

    func submit(_ intake: Store.Intake) async throws -> IntakeResult {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            pending.append((intake, continuation))
            if !started {
                started = true
                let thread = Thread { [weak self] in self?.run() }
                thread.name = "warden-intake-writer"
                thread.start()
            }
            condition.signal()
            condition.unlock()
        }
    }

    private func run() {
        while true {
            condition.lock()
            while pending.isEmpty {
                // Wakes now and then to notice the store is gone.
                if !condition.wait(until: Date().addingTimeInterval(1)), store == nil {
                    condition.unlock()
                    return
                }
            }
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            condition.unlock()
            guard let store else {
                for (_, continuation) in batch { continuation.resume(throwing: CancellationError()) }
                return
            }
            do {
                let results = try store.write(batch.map(\.0))
                for ((_, continuation), result) in zip(batch, results) { continuation.resume(returning: result) }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
            store.checkpointer.finishIfLong(store.pool)
            store.checkpointer.commitHappened()
        }
    }
}

/// Copies the write-ahead log into the database file from its own connection, right after
/// each batch of deliveries is committed, so commits never wait for a checkpoint (SQLite's
/// automatic one runs inside the commit that crosses its threshold, and that delivery waits
/// for the whole copy). Measured at 2,000 deliveries/s (docs/PERFORMANCE.md): small copies
/// right away keep the acknowledgement tail near 5 ms; copies every 100 ms, 15 ms; every
/// second, 33 ms — a large copy and its `fsync` hold up the commits behind it.
final class Checkpointer: @unchecked Sendable {
    private let queue: DatabaseQueue
    private let condition = NSCondition()
    private var stop = false
    private var committed = false

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [weak self] in
            Checkpointer.lowerPriority()
            while let self, self.waitForCommit() { self.round() }
        }
        thread.name = "warden-checkpoint"
        thread.start()
    }

    /// The copying yields the processor to request handling: the thread runs at the lowest
    /// scheduling priority. On Linux the nice value belongs to the thread, and `who = 0`
    /// names the calling thread, so only this one is lowered.
    static func lowerPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #endif
    }

    /// Past this many frames (4 KiB each) the writer finishes the copy itself.
    static let resetAfterFrames = 256
    private let lock = NSLock()
    private var frames = 0

    /// Frames in the log after the last round.
    var walFrames: Int { lock.withLock { frames } }

    /// A batch was committed: copy it soon. Commits arriving during a round make one more.
    func commitHappened() {
        condition.lock()
        committed = true
        condition.signal()
        condition.unlock()
    }

    /// PASSIVE copies what it can without blocking anyone.
    private func round() {
        guard let (total, _) = try? queue.writeWithoutTransaction({ try $0.checkpoint(.passive) }) else { return }
        lock.withLock { frames = total }
    }

    /// With writes arriving all the time the background rounds never catch up completely,
    /// and SQLite starts the log over only once a checkpoint has; so when the log is long,
    /// the writer copies the few frames the last round left (between two of its own
    /// commits) and its next commit starts the log over.
    func finishIfLong(_ pool: DatabasePool) {
        guard walFrames > Checkpointer.resetAfterFrames else { return }
        if let (total, copied) = try? pool.writeWithoutTransaction({ try $0.checkpoint(.passive) }) {
            lock.withLock { frames = total - copied }
        }
    }

    /// Waits for a commit (or a second, to notice the store is gone); false once stopped.
    private func waitForCommit() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !committed && !stop {
            if !condition.wait(until: Date().addingTimeInterval(1)) { break }
        }
        committed = false
        return !stop
    }

    deinit {
        condition.lock()
        stop = true
        condition.signal()
        condition.unlock()
    }
}
