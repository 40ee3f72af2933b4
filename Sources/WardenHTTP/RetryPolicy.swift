import Foundation

/// Whether and when to send a request again, from GitHub's and GitLab's answers. Pure: the
/// time and the random jitter are inputs, so every rule is tested with real header sets.
///
/// - Rate limits get exact waits: `Retry-After` (seconds or an HTTP date); GitHub's
///   `x-ratelimit-remaining: 0` with `x-ratelimit-reset`; GitLab's `RateLimit-Remaining: 0`
///   with `RateLimit-Reset` (both Unix times, measured against the server's `Date` so a
///   skewed local clock does not matter). A GitHub secondary limit without either (a 403 or
///   429 whose message says so) waits a minute, doubling on each further refusal.
/// - 5xx (500, 502, 503, 504), 408 and transport failures that may pass (timeouts, refused or
///   dropped connections) get capped exponential backoff with jitter.
/// - A wait longer than `maxWait`, or more than `maxAttempts` attempts, gives up.
/// - POST and PATCH are not idempotent: they are sent again only when the server cannot have
///   acted on them (a rate limit, a failure to connect), never after a timeout or a 5xx.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxBackoff: Duration
    /// The longest single wait; a rate limit resetting later than this gives up.
    public var maxWait: Duration
    /// The first wait for a GitHub secondary rate limit that names no time.
    public var secondaryLimitWait: Duration

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), maxBackoff: Duration = .seconds(60), maxWait: Duration = .seconds(900),
        secondaryLimitWait: Duration = .seconds(60)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
        self.maxWait = maxWait
        self.secondaryLimitWait = secondaryLimitWait
    }

    public enum Decision: Sendable, Hashable {
        /// Hand the response to the caller (success, or an error retrying cannot fix).
        case accept
        case retry(after: Duration, reason: String)
        case giveUp(reason: String)
    }

    /// After attempt number `attempt` (1 for the first) of `method` got `response`.
    /// `jitter` is a random number in 0..<1.
    public func decide(method: String, response: HTTPResponse, attempt: Int, now: Date, jitter: Double) -> Decision {
        let headers = response.headers
        let reference = headers["date"].flatMap(HTTPDate.parse) ?? now

        if let wait = rateLimitWait(response, reference: reference, attempt: attempt) {
            return bounded(wait.duration, reason: wait.reason, attempt: attempt)
        }
        guard [408, 500, 502, 503, 504].contains(response.status) else { return .accept }
        guard isIdempotent(method) else { return .accept }
        if let retryAfter = headers["retry-after"].flatMap({ RetryPolicy.retryAfter($0, reference: reference) }) {
            return bounded(retryAfter, reason: "HTTP \(response.status) with Retry-After", attempt: attempt)
        }
        return bounded(backoff(attempt: attempt, jitter: jitter), reason: "HTTP \(response.status)", attempt: attempt)
    }

    /// After attempt number `attempt` of `method` failed without a response.
    public func decide(method: String, error: HTTPClientError, attempt: Int, jitter: Double) -> Decision {
        guard error.isRetryable else { return .giveUp(reason: "\(error.kind.rawValue) cannot be fixed by retrying") }
        // Without a response, a non-idempotent request may have been acted on; only a failure
        // to reach the server at all is safe to repeat.
        if !isIdempotent(method) && error.kind != .connectFailure && error.kind != .dnsFailure {
            return .giveUp(reason: "\(method) may have been applied before the \(error.kind.rawValue); not repeating it")
        }
        return bounded(backoff(attempt: attempt, jitter: jitter), reason: error.kind.rawValue, attempt: attempt)
    }

    /// Capped exponential backoff with "equal jitter": half the step fixed, half random.
    public func backoff(attempt: Int, jitter: Double) -> Duration {
        let step = min(seconds(baseDelay) * pow(2, Double(max(0, attempt - 1))), seconds(maxBackoff))
        return .milliseconds(Int((step / 2 + step / 2 * min(max(jitter, 0), 1)) * 1000))
    }

    // MARK: - Rate limits

    /// How long a rate-limited response (403 or 429) asks to wait, however long that is; nil
    /// when the response is not about a rate limit. For callers that wait elsewhere (a job
    /// queue) when ``decide(method:response:attempt:now:jitter:)`` gives up on a long wait.
    public func rateLimitWait(_ response: HTTPResponse, now: Date) -> Duration? {
        let reference = response.headers["date"].flatMap(HTTPDate.parse) ?? now
        return rateLimitWait(response, reference: reference, attempt: 1)?.duration
    }

    private func rateLimitWait(_ response: HTTPResponse, reference: Date, attempt: Int) -> (duration: Duration, reason: String)? {
        guard response.status == 429 || response.status == 403 else { return nil }
        let headers = response.headers
        if let retryAfter = headers["retry-after"].flatMap({ RetryPolicy.retryAfter($0, reference: reference) }) {
            return (retryAfter, "rate limited (Retry-After)")
        }
        // GitHub's primary limit, then GitLab's.
        for (remaining, reset, name) in [("x-ratelimit-remaining", "x-ratelimit-reset", "GitHub"), ("ratelimit-remaining", "ratelimit-reset", "GitLab")] {
            guard headers[remaining].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) == 0,
                let resetAt = headers[reset].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) })
            else { continue }
            let wait = max(0, resetAt - reference.timeIntervalSince1970) + 1
            return (.milliseconds(Int(wait * 1000)), "\(name) rate limit exhausted until \(HTTPDate.format(Date(timeIntervalSince1970: resetAt)))")
        }
        if let resetTime = headers["ratelimit-resettime"].flatMap(HTTPDate.parse), response.status == 429 {
            return (.milliseconds(Int(max(0, resetTime.timeIntervalSince(reference) + 1) * 1000)), "GitLab rate limit (RateLimit-ResetTime)")
        }
        let message = String(decoding: response.body.prefix(2048), as: UTF8.self).lowercased()
        if response.status == 429 || message.contains("secondary rate limit") || message.contains("abuse detection") {
            let factor = pow(2, Double(max(0, attempt - 1)))
            return (.milliseconds(Int(seconds(secondaryLimitWait) * factor * 1000)), "secondary rate limit")
        }
        return nil  // a 403 that is about permissions
    }

    /// `Retry-After`: delay-seconds or an HTTP date.
    static func retryAfter(_ value: String, reference: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        if let date = HTTPDate.parse(text) { return .milliseconds(Int(max(0, date.timeIntervalSince(reference)) * 1000)) }
        return nil
    }

    private func bounded(_ wait: Duration, reason: String, attempt: Int) -> Decision {
        if attempt >= maxAttempts { return .giveUp(reason: "\(reason); gave up after \(attempt) attempts") }
        if wait > maxWait {
            return .giveUp(reason: "\(reason); the wait of \(Int(seconds(wait))) s is longer than the \(Int(seconds(maxWait))) s allowed")
        }
        return .retry(after: wait, reason: reason)
    }

    private func isIdempotent(_ method: String) -> Bool {
        !["POST", "PATCH"].contains(method.uppercased())
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }
}

/// HTTP dates (IMF-fixdate, RFC 9110: "Tue, 05 Jan 2021 11:00:00 GMT"), parsed without a
/// locale-dependent formatter.
enum HTTPDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: parts[2].lowercased()),
            let year = Int(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (1...31).contains(day), (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(time[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar.date(from: DateComponents(year: year, month: month + 1, day: day, hour: time[0], minute: time[1], second: time[2]))
    }

    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}

/// A transport that sends again when the ``RetryPolicy`` says so, sleeping in between (the
/// task sleeps; no thread is held). After giving up it returns the last response, or throws
/// the last error.
public struct RetryingTransport: HTTPTransport {
    public let base: any HTTPTransport
    public let policy: RetryPolicy
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Date
    private let jitter: @Sendable () -> Double

    public init(
        _ base: any HTTPTransport, policy: RetryPolicy = RetryPolicy(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> Date = { Date() },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.base = base
        self.policy = policy
        self.sleep = sleep
        self.now = now
        self.jitter = jitter
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let decision: RetryPolicy.Decision
            do {
                let response = try await base.send(request)
                decision = policy.decide(method: request.method, response: response, attempt: attempt, now: now(), jitter: jitter())
                guard case .retry(let wait, _) = decision else { return response }
                try await sleep(wait)
            } catch let error as HTTPClientError {
                guard case .retry(let wait, _) = policy.decide(method: request.method, error: error, attempt: attempt, jitter: jitter()) else {
                    throw error
                }
                try await sleep(wait)
            }
        }
    }
}
