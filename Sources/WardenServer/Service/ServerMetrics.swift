import Foundation
import Prometheus

/// The counters `GET /metrics` shows, in Prometheus text format. Created per service (not
/// through a process-wide bootstrap) so tests can run several services side by side.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    /// The delivery counters, made once: the intake counts every request.
    private let deliveryCounters: [String: Counter]
    static let deliveryOutcomes = ["accepted", "duplicate", "ignored", "ping", "unauthorized", "too_large", "malformed"]

    public init() {
        var counters: [String: Counter] = [:]
        for forge in ["github", "gitlab"] {
            for outcome in ServerMetrics.deliveryOutcomes {
                counters[forge + "/" + outcome] = registry.makeCounter(name: "warden_deliveries_total", labels: [("forge", forge), ("outcome", outcome)])
            }
        }
        deliveryCounters = counters
    }

    /// A delivery answered: forge, and what happened (accepted, duplicate, ignored, ping,
    /// unauthorized, too_large, malformed).
    public func delivery(_ forge: String, _ outcome: String) {
        if let counter = deliveryCounters[forge + "/" + outcome] {
            counter.increment()
        } else {
            registry.makeCounter(name: "warden_deliveries_total", labels: [("forge", forge), ("outcome", outcome)]).increment()
        }
    }

    /// A job finished: done, retried, dead.
    public func job(_ outcome: String) {
        registry.makeCounter(name: "warden_jobs_total", labels: [("outcome", outcome)]).increment()
    }

    public func writes(_ forge: String, _ count: Int) {
        registry.makeCounter(name: "warden_forge_writes_total", labels: [("forge", forge)]).increment(by: Int64(count))
    }

    public func evaluation(seconds: Double) {
        registry.makeValueHistogram(name: "warden_evaluation_seconds", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]).record(seconds)
    }

    public var text: String { registry.emitToString() }
}
