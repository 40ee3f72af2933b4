import Foundation
import Prometheus

/// The counters `GET /metrics` shows, in Prometheus text format. Created per service (not
/// through a process-wide bootstrap) so tests can run several services side by side.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    static var deliveries: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "warden", metricName: "deliveries", unitName: "total", helpText: "Webhook deliveries answered, by forge and outcome")
    }
    static var jobs: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "warden", metricName: "jobs", unitName: "total", helpText: "Jobs finished: done, retried, dead")
    }
    static var writes: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "warden", metricName: "forge_writes", unitName: "total", helpText: "Write calls made to forges")
    }
    static var evaluations: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "warden", metricName: "evaluation", unitName: "seconds", helpText: "Time to evaluate and reconcile one merge request")
    }
    static let deliveryOutcomes = ["accepted", "duplicate", "ignored", "ping", "unauthorized", "too_large", "malformed"]

    /// The delivery counters, made once: the intake counts every request.
    private let deliveryCounters: [String: Counter]

    public init() {
        var counters: [String: Counter] = [:]
        for forge in ["github", "gitlab"] {
            for outcome in ServerMetrics.deliveryOutcomes {
                counters[forge + "/" + outcome] = registry.makeCounter(descriptor: ServerMetrics.deliveries, labels: [("forge", forge), ("outcome", outcome)])
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
            registry.makeCounter(descriptor: ServerMetrics.deliveries, labels: [("forge", forge), ("outcome", outcome)]).increment()
        }
    }

    /// A job finished: done, retried, dead.
    public func job(_ outcome: String) {
        registry.makeCounter(descriptor: ServerMetrics.jobs, labels: [("outcome", outcome)]).increment()
    }

    public func writes(_ forge: String, _ count: Int) {
        registry.makeCounter(descriptor: ServerMetrics.writes, labels: [("forge", forge)]).increment(by: Int64(count))
    }

    public func evaluation(seconds: Double) {
        registry.makeValueHistogram(descriptor: ServerMetrics.evaluations, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]).record(seconds)
    }

    public var text: String { registry.emitToString() }
}
