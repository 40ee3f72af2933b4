import Crypto
import Foundation
import WardenHTTP

/// Sustained webhook intake: signed `pull_request` deliveries (unique delivery ids, spread
/// over 500 pull requests) posted to a running `warden serve`, `concurrency` at a time.
/// Reports deliveries per second and acknowledgement latency; the caller checks the store
/// for loss.
func intakeBenchmark(url: String, secret: String, requests: Int, concurrency: Int, payloadBytes: Int, rate: Int?) async {
    do {
        let client = try CurlClient(configuration: CurlClient.Configuration(maxConnectionsPerHost: concurrency))
        let key = SymmetricKey(data: Data(secret.utf8))
        let padding = String(repeating: "x", count: max(0, payloadBytes - 600))
        func delivery(_ index: Int, run: String) -> HTTPRequest {
            let number = index % 500 + 1
            let body = Data(
                #"{"action":"synchronize","number":\#(number),"pull_request":{"number":\#(number),"state":"open","title":"Change \#(index)","body":"\#(padding)","head":{"ref":"feature","sha":"\#(String(format: "%040x", index))"},"base":{"ref":"main","sha":"\#(String(repeating: "b", count: 40))"}},"repository":{"full_name":"acme/app"},"installation":{"id":1}}"#
                    .utf8)
            let signature = HMAC<SHA256>.authenticationCode(for: body, using: key).map { String(format: "%02x", $0) }.joined()
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/json")
            headers.add("X-GitHub-Event", "pull_request")
            headers.add("X-GitHub-Delivery", "\(run)-\(index)")
            headers.add("X-Hub-Signature-256", "sha256=" + signature)
            return HTTPRequest(method: "POST", url: url, headers: headers, body: body)
        }
        let run = UUID().uuidString.prefix(8)
        // Signed before timing: the generator's cost is not the server's.
        let warmup = (0..<500).map { delivery($0, run: "warmup-\(run)") }
        let prepared = (0..<requests).map { delivery($0, run: String(run)) }
        for request in warmup { _ = try await client.send(request) }

        let start = ContinuousClock.now
        let results: [(Double, Int)]
        if let rate {
            // Open loop: deliveries arrive at `rate` per second whatever the server does, as
            // forges send them; latency counts from the moment each was due.
            results = try await withThrowingTaskGroup(of: (Double, Int).self) { group in
                for (index, request) in prepared.enumerated() {
                    let due = start + .microseconds(Int64(index) * 1_000_000 / Int64(rate))
                    let now = ContinuousClock.now
                    if due > now { try await Task.sleep(until: due, clock: .continuous) }
                    group.addTask {
                        let response = try await client.send(request)
                        return (seconds(ContinuousClock.now - due) * 1000, response.status)
                    }
                }
                var all: [(Double, Int)] = []
                for try await result in group { all.append(result) }
                return all
            }
        } else {
            results = try await withThrowingTaskGroup(of: [(Double, Int)].self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        var own: [(Double, Int)] = []
                        var index = worker
                        while index < prepared.count {
                            let t0 = ContinuousClock.now
                            let response = try await client.send(prepared[index])
                            own.append((seconds(ContinuousClock.now - t0) * 1000, response.status))
                            index += concurrency
                        }
                        return own
                    }
                }
                var all: [(Double, Int)] = []
                for try await part in group { all += part }
                return all
            }
        }
        let elapsed = seconds(ContinuousClock.now - start)
        let latencies = results.map(\.0).sorted()
        var statuses: [Int: Int] = [:]
        for (_, status) in results { statuses[status, default: 0] += 1 }
        let mode = rate.map { "offered at \($0)/s (open loop)" } ?? "concurrency \(concurrency) (closed loop)"
        print("intake: \(requests) signed deliveries of \(prepared.first?.body?.count ?? 0) bytes, \(mode), release build")
        print(String(format: "  %.0f deliveries/s; acknowledgement p50 %.2f ms, p99 %.2f ms, max %.2f ms", Double(requests) / elapsed,
                     percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.last ?? 0))
        print("  statuses: \(statuses.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", "))")
        print("  run id: \(run) (deliveries \(run)-0 … \(run)-\(requests - 1))")
        client.shutdown()
    } catch {
        fail("intake: \(error)")
    }
}
