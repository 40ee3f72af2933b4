import AsyncHTTPClient
import Foundation
import NIOCore
import WardenHTTP

/// The clients compared: Warden's libcurl client and AsyncHTTPClient, on the same server.
protocol BenchClient: Sendable {
    var name: String { get }
    func get(_ url: String) async throws -> Int
}

struct CurlBenchClient: BenchClient {
    let client: CurlClient
    var name: String { "Warden CurlClient" }
    func get(_ url: String) async throws -> Int {
        let response = try await client.send(HTTPRequest(url: url))
        guard response.status == 200 else { throw BenchError("status \(response.status)") }
        return response.body.count
    }
}

struct AHCBenchClient: BenchClient {
    let client: HTTPClient
    var name: String { "AsyncHTTPClient" }
    func get(_ url: String) async throws -> Int {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        guard response.status.code == 200 else { throw BenchError("status \(response.status)") }
        let body = try await response.body.collect(upTo: 64 << 20)
        return body.readableBytes
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `requests` GETs of `url`, `concurrency` at a time; returns (seconds, sorted latencies ms).
func drive(_ client: some BenchClient, url: String, requests: Int, concurrency: Int) async throws -> (Double, [Double]) {
    let start = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        let perWorker = requests / concurrency
        for _ in 0..<concurrency {
            group.addTask {
                var own: [Double] = []
                own.reserveCapacity(perWorker)
                for _ in 0..<perWorker {
                    let t0 = ContinuousClock.now
                    _ = try await client.get(url)
                    own.append(seconds(ContinuousClock.now - t0) * 1000)
                }
                return own
            }
        }
        var all: [Double] = []
        for try await part in group { all += part }
        return all
    }
    return (seconds(ContinuousClock.now - start), latencies.sorted())
}

/// Side by side, alternating clients round by round so both see the same machine.
func httpBenchmark(url: String, requests: Int, rounds: Int, only: String?) async {
    do {
        let curl = try CurlClient(configuration: CurlClient.Configuration(maxConnectionsPerHost: 32))
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        let ahc = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let clients: [any BenchClient] = [CurlBenchClient(client: curl), AHCBenchClient(client: ahc)].filter {
            only == nil || $0.name.lowercased().contains(only?.lowercased() ?? "")
        }
        print("http: GET \(url), \(requests) requests per round, \(rounds) rounds, clients alternating (release)")
        for concurrency in [1, 32] {
            var results: [String: [(rps: Double, p50: Double, p99: Double)]] = [:]
            for client in clients { _ = try await drive(client, url: url, requests: min(requests, 2_000), concurrency: concurrency) }  // warm-up
            for _ in 0..<rounds {
                for client in clients {
                    let (elapsed, latencies) = try await drive(client, url: url, requests: requests, concurrency: concurrency)
                    results[client.name, default: []].append((Double(latencies.count) / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99)))
                }
            }
            for client in clients {
                let runs = results[client.name] ?? []
                let rps = runs.map(\.rps).sorted()
                let p50 = runs.map(\.p50).sorted()
                let p99 = runs.map(\.p99).sorted()
                print(String(format: "  concurrency %2d  %-18@ median %8.0f req/s (best %8.0f)  p50 %6.3f ms  p99 %6.3f ms",
                             concurrency, client.name as NSString, percentile(rps, 0.5), rps.last ?? 0, percentile(p50, 0.5), percentile(p99, 0.5)))
            }
        }
        curl.shutdown()
        try await ahc.shutdown()
    } catch {
        fail("http benchmark: \(error)")
    }
}
