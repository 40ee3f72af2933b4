import Foundation
import Logging
import ServiceLifecycle
import WardenCore

/// Workers that take jobs from the store: a lease per job (renewed while it runs), retries
/// with backoff, a dead letter after the last attempt. A job whose worker died (even
/// `kill -9`) is taken again when its lease expires; jobs of one merge request run one at
/// a time, in order.
public final class WorkerPool: Service, @unchecked Sendable {
    let store: Store
    let evaluator: Evaluator
    let forges: [ForgeKind: any ForgeAPI]
    let config: ServerConfig
    let logger: Logger
    let metrics: ServerMetrics
    /// Who holds a lease: host, process and a random part.
    public let owner: String
    /// Seconds before the first retry (doubling, with jitter, up to five minutes).
    let retryBase: Double
    let idleWait: Duration

    public init(
        store: Store, evaluator: Evaluator, forges: [ForgeKind: any ForgeAPI], config: ServerConfig, logger: Logger, metrics: ServerMetrics,
        retryBase: Double = 2, idleWait: Duration = .milliseconds(100)
    ) {
        self.store = store
        self.evaluator = evaluator
        self.forges = forges
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.retryBase = retryBase
        self.idleWait = idleWait
        owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    public func run() async throws {
        // No workers: this process only takes deliveries (others work the same store).
        guard config.workers.count > 0 else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<self.config.workers.count {
                    group.addTask { await self.loop(index) }
                }
            }
        }
    }

    private func loop(_ index: Int) async {
        while !Task.isCancelled {
            do {
                if try await runOne() == false {
                    try? await Task.sleep(for: idleWait)
                }
            } catch {
                logger.error("worker \(index): the store failed: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Claims and runs one job; false when none was ready.
    @discardableResult
    public func runOne() async throws -> Bool {
        let lease = TimeInterval(config.workers.leaseSeconds)
        guard let job = try await store.claim(owner: owner, lease: lease, maxAttempts: config.workers.maxAttempts) else { return false }
        await process(job, lease: lease)
        return true
    }

    /// Runs jobs until none is ready (for tests and `warden deliveries replay`).
    public func drain() async throws {
        while try await runOne() {}
    }

    private func process(_ job: Job, lease: TimeInterval) async {
        let start = ContinuousClock.now
        // Keep the lease while the job runs.
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(max(1, lease / 3)))
                guard try await store.renew(job, owner: owner, lease: lease) else { return }
            }
        }
        defer { heartbeat.cancel() }
        do {
            try await execute(job)
            if try await store.complete(job, owner: owner) {
                metrics.job("done")
            } else {
                logger.warning("job \(job.id) finished after its lease was taken over; its result is dropped")
            }
        } catch {
            let (retryAfter, reason) = retryDecision(error, attempts: job.attempts)
            let dead = retryAfter == nil || job.attempts >= config.workers.maxAttempts
            metrics.job(dead ? "dead" : "retried")
            logger.log(
                level: dead ? .error : .warning, "job \(job.id) for \(job.mergeRequestKey) failed (attempt \(job.attempts)): \(reason)",
                metadata: ["retry_in": "\(retryAfter.map { String(format: "%.1fs", $0) } ?? "never")"])
            try? await store.fail(job, owner: owner, error: reason, retryAfter: retryAfter, maxAttempts: config.workers.maxAttempts)
        }
        let elapsed = ContinuousClock.now - start
        metrics.evaluation(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func execute(_ job: Job) async throws {
        guard let delivery = try await store.delivery(job.deliveryID) else {
            throw ForgeError(operation: "job \(job.id)", message: "its delivery \(job.deliveryID) is gone", isRetryable: false)
        }
        guard let forgeKind = ForgeKind(rawValue: delivery.forge),
            case .queue(let ref, let kind) = WebhookEvent.action(forge: forgeKind, event: delivery.event, body: delivery.body)
        else { return }
        switch kind {
        case .close:
            var record = try await store.mergeRequest(ref.key) ?? MergeRequestRecord(key: ref.key, forge: ref.forge.rawValue, repository: ref.repository, number: ref.number)
            record.isOpen = false
            record.updatedAt = Date()
            try await store.record(record, audit: nil)
        case .evaluate:
            guard let forge = forges[ref.forge] else {
                throw ForgeError(operation: "evaluate \(ref.key)", message: "\(ref.forge.rawValue) has no token or App configured", isRetryable: false)
            }
            let outcome = try await evaluator.evaluate(ref, forge: forge, jobID: job.id)
            metrics.writes(ref.forge.rawValue, config.dryRun ? 0 : outcome.writes.count)
        }
    }

    /// When to try a failed job again, and why it failed; nil: never (dead letter).
    func retryDecision(_ error: any Error, attempts: Int) -> (Double?, String) {
        let backoff = min(300, retryBase * pow(2, Double(max(0, attempts - 1)))) * Double.random(in: 0.75...1.0)
        switch error {
        case let forgeError as ForgeError:
            guard forgeError.isRetryable else { return (nil, forgeError.description) }
            if let wait = forgeError.retryAfter {
                let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
                return (max(seconds, 0.05), forgeError.description)
            }
            return (backoff, forgeError.description)
        case let configError as ConfigError:
            return (nil, configError.description)
        case is CancellationError:
            return (0, "interrupted (shutting down)")
        default:
            return (backoff, "\(error)")
        }
    }
}
