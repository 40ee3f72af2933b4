import Crypto
import Foundation
import Logging
import Testing
import WardenHTTP
import WardenTestSupport

@testable import WardenServer

/// A running `warden serve` (in this process, on a random port, over a temporary store)
/// wired to fake forges. Workers do not run in the background: tests call `drain()` so
/// each step is deterministic.
final class ServerHarness: @unchecked Sendable {
    static let githubSecret = "gh-webhook-secret"
    static let gitlabToken = "gl-webhook-token"

    let github: FakeGitHub?
    let gitlab: FakeGitLab?
    let folder: String
    let service: WardenService
    let client: CurlClient
    private let task: Task<Void, any Error>
    let port: Int

    static func start(github: FakeGitHub? = nil, gitlab: FakeGitLab? = nil, dryRun: Bool = false, leaseSeconds: Int = 120) async throws -> ServerHarness {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var config = ServerConfig()
        config.server.port = 0
        config.server.publicURL = "https://warden.example.com"
        config.storeURL = "sqlite:\(folder)/warden.sqlite"
        config.dryRun = dryRun
        config.workers.leaseSeconds = leaseSeconds
        config.policyDefault = "/nonexistent/policy.yml"  // the built-in default policy
        config.templates = "/nonexistent"
        var environment: [String: String] = [:]
        if let github {
            config.github = ServerConfig.GitHub(apiURL: github.baseURL, webhookSecret: .environment("GH_SECRET"), token: .environment("GH_TOKEN"))
            environment["GH_SECRET"] = githubSecret
            environment["GH_TOKEN"] = github.token
        }
        if let gitlab {
            config.gitlab = ServerConfig.GitLab(apiURL: gitlab.apiURL, webhookToken: .environment("GL_HOOK"), token: .environment("GL_TOKEN"))
            environment["GL_HOOK"] = gitlabToken
            environment["GL_TOKEN"] = gitlab.token
        }
        var logger = Logger(label: "warden-test")
        logger.logLevel = .error
        let service = try WardenService(config: config, environment: environment, logger: logger, retryBase: 0.05)
        let ready = PortBox()
        let task = Task { try await service.run(withWorkers: false) { ready.set($0) } }
        var waited = 0
        while ready.value == nil && waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        guard let port = ready.value else { throw ForgeError(operation: "start", message: "the server did not start", isRetryable: false) }
        return ServerHarness(github: github, gitlab: gitlab, folder: folder, service: service, task: task, port: port)
    }

    private init(github: FakeGitHub?, gitlab: FakeGitLab?, folder: String, service: WardenService, task: Task<Void, any Error>, port: Int) {
        self.github = github
        self.gitlab = gitlab
        self.folder = folder
        self.service = service
        self.task = task
        self.port = port
        client = (try? CurlClient()) ?? { preconditionFailure("libcurl did not start") }()
    }

    func stop() async {
        await service.shutdown()
        _ = await task.result
        client.shutdown()
        await github?.server?.shutdown()
        await gitlab?.server?.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }

    var store: Store { service.store }

    /// Posts a GitHub delivery, signed unless told otherwise.
    func deliverGitHub(event: String, body: Data, delivery: String = UUID().uuidString, secret: String = ServerHarness.githubSecret) async throws -> HTTPResponse {
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("X-GitHub-Event", event)
        headers.add("X-GitHub-Delivery", delivery)
        headers.add("X-Hub-Signature-256", "sha256=" + signature.map { String(format: "%02x", $0) }.joined())
        return try await client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/webhooks/github", headers: headers, body: body))
    }

    func deliverGitLab(body: Data, event: String = "Merge Request Hook", uuid: String = UUID().uuidString, token: String = ServerHarness.gitlabToken) async throws -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("X-Gitlab-Event", event)
        headers.add("X-Gitlab-Event-UUID", uuid)
        headers.add("X-Gitlab-Token", token)
        return try await client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/webhooks/gitlab", headers: headers, body: body))
    }

    func get(_ path: String) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)\(path)"))
    }

    /// Runs every ready job.
    func drain() async throws { try await service.workers.drain() }
}

final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ value: Int) { lock.withLock { port = value } }
    var value: Int? { lock.withLock { port } }
}

/// Diffs and commits for scenarios.
enum Scenario {
    static let sqlAndAuthDiff = """
        diff --git a/app/db.py b/app/db.py
        index 3b18e51..a9c2d3f 100644
        --- a/app/db.py
        +++ b/app/db.py
        @@ -1,3 +1,3 @@
         def find(cursor, uid):
        -    return cursor.execute("SELECT * FROM users WHERE id = %s", (uid,))
        +    return cursor.execute(f"SELECT * FROM users WHERE id = {uid}")
         
        diff --git a/app/auth/login.py b/app/auth/login.py
        index 1111111..2222222 100644
        --- a/app/auth/login.py
        +++ b/app/auth/login.py
        @@ -1,4 +1,4 @@
         from flask_login import login_required
        -@login_required
        +
         def settings(request):
             return render(request)

        """

    static let harmlessDiff = """
        diff --git a/README.md b/README.md
        index 3b18e51..a9c2d3f 100644
        --- a/README.md
        +++ b/README.md
        @@ -1 +1 @@
        -# app
        +# app, with a better title

        """

    static let policy = """
        areas:
          sql: { reviewers: { users: [alice, bob] }, signoffs: 1 }
          auth: { reviewers: { users: [carol] }, signoffs: 1 }
        seniors: { users: [dave] }
        """
}

extension ServerHarness {
    /// Runs jobs until none is queued or running, waiting for retries that are due soon.
    ///
    /// The timeout only guards against a job that never finishes: settling takes milliseconds,
    /// but on a two-core machine also compiling something else the suite once ran for 105 s and
    /// 20 s was not enough.
    func settle(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await service.workers.runOne() { continue }
            let pending = try await store.jobs().filter { $0.state == .queued || $0.state == .running }
            if pending.isEmpty { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("jobs did not settle in time")
    }
}
