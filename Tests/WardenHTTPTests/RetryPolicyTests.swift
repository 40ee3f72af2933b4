import Foundation
import Testing
import WardenTestSupport

@testable import WardenHTTP

/// Response header sets as GitHub and GitLab send them (from their documentation and issue
/// reports), with the times shifted to a fixed "now".
enum RealHeaders {
    /// 2024-01-02 03:04:05 UTC.
    static let now = Date(timeIntervalSince1970: 1_704_164_645)
    static let serverDate = "Tue, 02 Jan 2024 03:04:05 GMT"

    /// GitHub, primary rate limit exhausted: a 403 whose reset is in 20 minutes... or less.
    static func githubPrimary(resetIn seconds: Int) -> HTTPHeaders {
        HTTPHeaders([
            ("Date", serverDate), ("Content-Type", "application/json; charset=utf-8"), ("x-github-media-type", "github.v3; format=json"),
            ("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", String(1_704_164_645 + seconds)),
            ("x-ratelimit-used", "5000"), ("x-ratelimit-resource", "core"), ("x-github-request-id", "CDE4:1A2B:3C4D5E:6F7A8B:65937C05"),
        ])
    }

    /// GitHub, secondary rate limit with a Retry-After.
    static let githubSecondary = HTTPHeaders([
        ("Date", serverDate), ("Content-Type", "application/json; charset=utf-8"), ("retry-after", "60"),
        ("x-ratelimit-limit", "5000"), ("x-ratelimit-remaining", "4987"), ("x-ratelimit-reset", "1704166000"), ("x-ratelimit-resource", "core"),
    ])
    static let githubSecondaryBody = Data(
        #"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID CDE4:1A2B.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}"#
            .utf8)

    /// GitLab, authenticated API throttle (documented example values, shifted).
    static let gitlab429 = HTTPHeaders([
        ("Date", serverDate), ("Content-Type", "text/plain"), ("RateLimit-Limit", "60"), ("RateLimit-Name", "throttle_authenticated_api"),
        ("RateLimit-Observed", "67"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "1704164675"),
        ("RateLimit-ResetTime", "Tue, 02 Jan 2024 03:04:35 GMT"), ("Retry-After", "30"),
    ])

    /// GitLab, a 429 without Retry-After (reported for some endpoints).
    static let gitlab429WithoutRetryAfter = HTTPHeaders([
        ("Server", "nginx"), ("Date", serverDate), ("Content-Type", "application/json"), ("RateLimit-Limit", "600"),
        ("RateLimit-Observed", "601"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", "1704164705"),
        ("RateLimit-ResetTime", "Tue, 02 Jan 2024 03:05:05 GMT"), ("GitLab-LB", "fe-15-lb-gprd"),
    ])
}

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy()

    func decide(_ status: Int, _ headers: HTTPHeaders, body: Data = Data(), method: String = "GET", attempt: Int = 1, now: Date = RealHeaders.now) -> RetryPolicy.Decision {
        policy.decide(method: method, response: HTTPResponse(status: status, headers: headers, body: body), attempt: attempt, now: now, jitter: 0.5)
    }

    @Test func githubPrimaryLimitWaitsUntilTheReset() {
        #expect(decide(403, RealHeaders.githubPrimary(resetIn: 300)) == .retry(after: .seconds(301), reason: "GitHub rate limit exhausted until 2024-01-02 03:09:05 UTC"))
        // Measured against the server's clock: a local clock 10 minutes fast changes nothing.
        #expect(decide(403, RealHeaders.githubPrimary(resetIn: 300), now: RealHeaders.now + 600) == .retry(after: .seconds(301), reason: "GitHub rate limit exhausted until 2024-01-02 03:09:05 UTC"))
        // GitHub may answer 429 for the same thing.
        if case .retry(let wait, _) = decide(429, RealHeaders.githubPrimary(resetIn: 5)) { #expect(wait == .seconds(6)) } else { Issue.record("expected a retry") }
        // A reset an hour away is longer than Warden waits.
        guard case .giveUp(let reason) = decide(403, RealHeaders.githubPrimary(resetIn: 3600)) else {
            Issue.record("expected to give up")
            return
        }
        #expect(reason.contains("longer than the 900 s allowed"))
    }

    @Test func githubSecondaryLimit() {
        #expect(decide(403, RealHeaders.githubSecondary, body: RealHeaders.githubSecondaryBody) == .retry(after: .seconds(60), reason: "rate limited (Retry-After)"))
        // Without any header: a minute, doubling each time it repeats.
        let bare = HTTPHeaders([("Date", RealHeaders.serverDate), ("Content-Type", "application/json")])
        #expect(decide(403, bare, body: RealHeaders.githubSecondaryBody, attempt: 1) == .retry(after: .seconds(60), reason: "secondary rate limit"))
        #expect(decide(403, bare, body: RealHeaders.githubSecondaryBody, attempt: 3) == .retry(after: .seconds(240), reason: "secondary rate limit"))
        // Rate limits are safe to retry even for POST: the server did nothing.
        #expect(decide(403, RealHeaders.githubSecondary, body: RealHeaders.githubSecondaryBody, method: "POST") == .retry(after: .seconds(60), reason: "rate limited (Retry-After)"))
    }

    @Test func aPermissionsForbiddenIsNotRetried() {
        let headers = HTTPHeaders([("Date", RealHeaders.serverDate), ("x-ratelimit-remaining", "4999"), ("x-ratelimit-reset", "1704166000")])
        let body = Data(#"{"message":"Resource not accessible by integration","status":"403"}"#.utf8)
        #expect(decide(403, headers, body: body) == .accept)
        #expect(decide(404, headers) == .accept)
        #expect(decide(422, headers) == .accept)
        #expect(decide(200, headers) == .accept)
        #expect(decide(302, headers) == .accept)
    }

    @Test func gitlabThrottle() {
        #expect(decide(429, RealHeaders.gitlab429) == .retry(after: .seconds(30), reason: "rate limited (Retry-After)"))
        // Without Retry-After, RateLimit-Reset (an absolute Unix time) tells the wait.
        #expect(decide(429, RealHeaders.gitlab429WithoutRetryAfter) == .retry(after: .seconds(61), reason: "GitLab rate limit exhausted until 2024-01-02 03:05:05 UTC"))
        let onlyResetTime = HTTPHeaders([("Date", RealHeaders.serverDate), ("RateLimit-ResetTime", "Tue, 02 Jan 2024 03:04:15 GMT")])
        #expect(decide(429, onlyResetTime) == .retry(after: .seconds(11), reason: "GitLab rate limit (RateLimit-ResetTime)"))
        // Retry-After as an HTTP date.
        let dated = HTTPHeaders([("Date", RealHeaders.serverDate), ("Retry-After", "Tue, 02 Jan 2024 03:04:25 GMT")])
        #expect(decide(429, dated) == .retry(after: .seconds(20), reason: "rate limited (Retry-After)"))
    }

    @Test func serverErrorsBackOffWithJitterUpToACap() {
        let headers = HTTPHeaders([("Date", RealHeaders.serverDate)])
        #expect(decide(502, headers, attempt: 1) == .retry(after: .milliseconds(750), reason: "HTTP 502"))
        #expect(decide(503, headers, attempt: 2) == .retry(after: .milliseconds(1500), reason: "HTTP 503"))
        #expect(decide(500, headers, attempt: 4) == .retry(after: .milliseconds(6000), reason: "HTTP 500"))
        #expect(policy.backoff(attempt: 20, jitter: 1) == .seconds(60))
        #expect(policy.backoff(attempt: 20, jitter: 0) == .seconds(30))
        #expect(policy.backoff(attempt: 1, jitter: 0) == .milliseconds(500))
        // A 503 that says when to come back is believed.
        #expect(decide(503, HTTPHeaders([("Retry-After", "7")])) == .retry(after: .seconds(7), reason: "HTTP 503 with Retry-After"))
        // Enough is enough.
        guard case .giveUp(let reason) = decide(502, headers, attempt: 5) else {
            Issue.record("expected to give up")
            return
        }
        #expect(reason.contains("gave up after 5 attempts"))
        // A POST that met a 5xx may have been applied: the caller decides.
        #expect(decide(502, headers, method: "POST") == .accept)
        #expect(decide(501, headers) == .accept)
    }

    @Test func transportFailures() {
        func error(_ kind: HTTPClientError.Kind, retryable: Bool) -> HTTPClientError {
            HTTPClientError(kind: kind, method: "GET", url: "https://api.github.com/x", detail: "", isRetryable: retryable)
        }
        #expect(policy.decide(method: "GET", error: error(.timeout, retryable: true), attempt: 1, jitter: 0) == .retry(after: .milliseconds(500), reason: "timeout"))
        #expect(policy.decide(method: "GET", error: error(.connectionLost, retryable: true), attempt: 2, jitter: 1) == .retry(after: .seconds(2), reason: "connectionLost"))
        #expect(policy.decide(method: "POST", error: error(.connectFailure, retryable: true), attempt: 1, jitter: 0) == .retry(after: .milliseconds(500), reason: "connectFailure"))
        if case .retry = policy.decide(method: "POST", error: error(.timeout, retryable: true), attempt: 1, jitter: 0) { Issue.record("a timed-out POST must not be repeated") }
        if case .retry = policy.decide(method: "GET", error: error(.tlsFailure, retryable: false), attempt: 1, jitter: 0) { Issue.record("a failed verification must not be repeated") }
    }

    @Test func httpDates() {
        #expect(HTTPDate.parse("Tue, 05 Jan 2021 11:00:00 GMT") == Date(timeIntervalSince1970: 1_609_844_400))
        #expect(HTTPDate.parse("Tue, 05 Jan 2021 11:00:00 PST") == nil)
        #expect(HTTPDate.parse("yesterday") == nil)
        #expect(RetryPolicy.retryAfter("  120 ", reference: RealHeaders.now) == .seconds(120))
        #expect(RetryPolicy.retryAfter("-5", reference: RealHeaders.now) == nil)
    }
}

/// A transport that answers from a script and records what it was asked.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [Result<HTTPResponse, HTTPClientError>]
    private(set) var sent: [HTTPRequest] = []

    init(_ script: [Result<HTTPResponse, HTTPClientError>]) { self.script = script }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let next: Result<HTTPResponse, HTTPClientError> = lock.withLock {
            sent.append(request)
            return script.isEmpty ? .success(HTTPResponse(status: 599)) : script.removeFirst()
        }
        return try next.get()
    }
}

final class SleepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Duration] = []
    func record(_ wait: Duration) {
        lock.lock()
        waits.append(wait)
        lock.unlock()
    }
    var all: [Duration] {
        lock.lock()
        defer { lock.unlock() }
        return waits
    }
}

@Suite("Retrying transport")
struct RetryingTransportTests {
    @Test func waitsAsToldAndReturnsTheFinalResponse() async throws {
        let fake = ScriptedTransport([
            .success(HTTPResponse(status: 429, headers: RealHeaders.gitlab429)),
            .failure(HTTPClientError(kind: .connectionLost, method: "GET", url: "u", detail: "reset", isRetryable: true)),
            .success(HTTPResponse(status: 200, body: Data("done".utf8))),
        ])
        let sleeps = SleepLog()
        let transport = RetryingTransport(fake, sleep: { sleeps.record($0) }, now: { RealHeaders.now }, jitter: { 0 })
        let response = try await transport.send(HTTPRequest(url: "https://gitlab.example.com/api/v4/projects/1"))
        #expect(response.status == 200)
        #expect(fake.sent.count == 3)
        #expect(sleeps.all == [.seconds(30), .milliseconds(1000)])
    }

    @Test func givesUpWithTheLastAnswer() async throws {
        let fake = ScriptedTransport(Array(repeating: .success(HTTPResponse(status: 503)), count: 10))
        let transport = RetryingTransport(fake, policy: RetryPolicy(maxAttempts: 3), sleep: { _ in }, jitter: { 0 })
        let response = try await transport.send(HTTPRequest(url: "https://api.github.com/"))
        #expect(response.status == 503)
        #expect(fake.sent.count == 3)
        let failing = ScriptedTransport([.failure(HTTPClientError(kind: .tlsFailure, method: "GET", url: "u", detail: "", isRetryable: false))])
        await #expect(throws: HTTPClientError.self) { try await RetryingTransport(failing, sleep: { _ in }).send(HTTPRequest(url: "https://x.example/")) }
        #expect(failing.sent.count == 1)
    }

    @Test func overRealHTTP() async throws {
        // A 429 with Retry-After: 1 from a real server, then success; the wait really happens.
        let counter = SleepLog()
        let server = try await LoopbackServer { request in
            counter.record(.zero)
            return counter.all.count == 1 ? TestResponse(status: 429, headers: [("Retry-After", "1")]) : TestResponse(body: Array("ok".utf8))
        }
        let client = try CurlClient()
        defer { client.shutdown() }
        let start = ContinuousClock.now
        let response = try await RetryingTransport(client).send(HTTPRequest(url: server.baseURL + "/limited"))
        #expect(response.status == 200)
        #expect(ContinuousClock.now - start >= .seconds(1))
        #expect(server.requests.count == 2)
        await server.shutdown()
    }
}
