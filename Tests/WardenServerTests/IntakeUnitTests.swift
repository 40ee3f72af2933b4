import Foundation
import Testing
import WardenCore
import WardenHTTP

@testable import WardenServer

@Suite("Webhook verification")
struct WebhookVerifierTests {
    @Test func githubsDocumentedTestVector() {
        // docs.github.com, "Validating webhook deliveries": this secret and payload give this
        // signature.
        let secret = Secret("It's a Secret to Everybody")
        let body = Data("Hello, World!".utf8)
        let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(WebhookVerifier.github(body: body, signatureHeader: signature, secret: secret))
        #expect(!WebhookVerifier.github(body: Data("Hello, World?".utf8), signatureHeader: signature, secret: secret))
        #expect(!WebhookVerifier.github(body: body, signatureHeader: signature, secret: Secret("another secret")))
        #expect(!WebhookVerifier.github(body: body, signatureHeader: nil, secret: secret))
        #expect(!WebhookVerifier.github(body: body, signatureHeader: "sha1=757107ea0eb2509fc211221cce984b8a37570b6d", secret: secret))
        #expect(!WebhookVerifier.github(body: body, signatureHeader: "sha256=zz", secret: secret))
        // Upper-case hex is the same signature.
        #expect(WebhookVerifier.github(body: body, signatureHeader: signature.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), secret: secret))
    }

    @Test func gitlabToken() {
        #expect(WebhookVerifier.gitlabToken("s3cret-token", secret: Secret("s3cret-token")))
        #expect(!WebhookVerifier.gitlabToken("s3cret-tokeN", secret: Secret("s3cret-token")))
        #expect(!WebhookVerifier.gitlabToken("s3cret", secret: Secret("s3cret-token")))
        #expect(!WebhookVerifier.gitlabToken(nil, secret: Secret("s3cret-token")))
    }

    @Test func standardWebhooksTestVector() {
        // The Standard Webhooks specification's example.
        let secret = Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let at = Date(timeIntervalSince1970: 1_614_265_330)
        let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        #expect(WebhookVerifier.standardWebhooks(body: body, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: good, secret: secret, now: at))
        // Several signatures (key rotation): any one valid is enough.
        #expect(WebhookVerifier.standardWebhooks(body: body, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: "v1,AAAA \(good)", secret: secret, now: at))
        // A replay an hour later, another id, a changed body: refused.
        #expect(!WebhookVerifier.standardWebhooks(body: body, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: good, secret: secret, now: at + 3600))
        #expect(!WebhookVerifier.standardWebhooks(body: body, id: "msg_other", timestamp: "1614265330", signatures: good, secret: secret, now: at))
        #expect(!WebhookVerifier.standardWebhooks(body: Data(#"{"test": 1}"#.utf8), id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: good, secret: secret, now: at))
        #expect(!WebhookVerifier.standardWebhooks(body: body, id: nil, timestamp: "1614265330", signatures: good, secret: secret, now: at))
    }
}

@Suite("Webhook events")
struct WebhookEventTests {
    @Test func githubPullRequestActions() {
        for action in ["opened", "reopened", "synchronize", "ready_for_review"] {
            let decision = WebhookEvent.github(event: "pull_request", body: Fixtures.githubPullRequest(action: action))
            #expect(decision == .queue(ref: MergeRequestRef(forge: .github, repository: "acme/app", number: 7, installationID: 42), kind: .evaluate))
        }
        #expect(WebhookEvent.github(event: "pull_request", body: Fixtures.githubPullRequest(action: "closed"))
            == .queue(ref: MergeRequestRef(forge: .github, repository: "acme/app", number: 7, installationID: 42), kind: .close))
        if case .ignore = WebhookEvent.github(event: "pull_request", body: Fixtures.githubPullRequest(action: "labeled")) {} else { Issue.record("labeled must be ignored") }
        if case .ignore = WebhookEvent.github(event: "pull_request", body: Fixtures.githubPullRequest(action: "edited")) {} else { Issue.record("a title edit must be ignored") }
        if case .queue = WebhookEvent.github(event: "pull_request", body: Fixtures.githubPullRequest(action: "edited", baseChanged: true)) {} else {
            Issue.record("a base change must be evaluated")
        }
        #expect(WebhookEvent.github(event: "ping", body: Data("{}".utf8)) == .ping)
        if case .ignore = WebhookEvent.github(event: "installation", body: Data("{}".utf8)) {} else { Issue.record("installation needs no work") }
        if case .ignore = WebhookEvent.github(event: "star", body: Data("{}".utf8)) {} else { Issue.record("unknown events are ignored") }
        if case .malformed = WebhookEvent.github(event: "pull_request", body: Data("not json".utf8)) {} else { Issue.record("bad JSON is malformed") }
        if case .malformed = WebhookEvent.github(event: "pull_request", body: Data(#"{"action":"opened"}"#.utf8)) {} else { Issue.record("missing fields") }
    }

    @Test func gitlabMergeRequestActions() {
        let ref = MergeRequestRef(forge: .gitlab, repository: "acme/app", projectID: 15, number: 3)
        #expect(WebhookEvent.gitlab(event: "Merge Request Hook", body: Fixtures.gitlabMergeRequest(action: "open")) == .queue(ref: ref, kind: .evaluate))
        #expect(WebhookEvent.gitlab(event: "Merge Request Hook", body: Fixtures.gitlabMergeRequest(action: "update", oldrev: "a" + String(repeating: "0", count: 39))) == .queue(ref: ref, kind: .evaluate))
        if case .ignore = WebhookEvent.gitlab(event: "Merge Request Hook", body: Fixtures.gitlabMergeRequest(action: "update")) {} else { Issue.record("metadata-only updates are ignored") }
        #expect(WebhookEvent.gitlab(event: "Merge Request Hook", body: Fixtures.gitlabMergeRequest(action: "update", targetBranchChanged: true)) == .queue(ref: ref, kind: .evaluate))
        #expect(WebhookEvent.gitlab(event: "Merge Request Hook", body: Fixtures.gitlabMergeRequest(action: "merge")) == .queue(ref: ref, kind: .close))
        if case .ignore = WebhookEvent.gitlab(event: "Merge Request Hook", body: Fixtures.gitlabMergeRequest(action: "approved")) {} else { Issue.record("approvals come later") }
        if case .ignore = WebhookEvent.gitlab(event: "Push Hook", body: Data("{}".utf8)) {} else { Issue.record("pushes are ignored") }
    }

    @Test func deliveryKeys() {
        #expect(WebhookEvent.deliveryKey("72d3162e-cc78-11e3-81ab-4c9367dc0958", body: Data()) == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        let a = WebhookEvent.deliveryKey(nil, body: Data("x".utf8))
        #expect(a.hasPrefix("sha256:") && a == WebhookEvent.deliveryKey("  ", body: Data("x".utf8)))
    }
}

@Suite("Server configuration")
struct ServerConfigTests {
    @Test func theExampleConfigLoads() throws {
        let text = try #require(Fixtures.builtInServerConfig)
        let (config, diagnostics) = ServerConfig.load(file: "Config/warden.yml", text: text)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let loaded = try #require(config)
        #expect(loaded.server.port == 8080)
        #expect(loaded.sqlitePath == "data/warden.sqlite")
        #expect(loaded.github?.webhookSecret == .environment("WARDEN_GITHUB_WEBHOOK_SECRET"))
        #expect(loaded.gitlab?.token == .environment("WARDEN_GITLAB_TOKEN"))
        #expect(loaded.dryRun == false)
    }

    @Test func apiURLsAreCheckedAsTheHTTPClientChecksThem() {
        func problems(_ url: String) -> [String] {
            let text = "github:\n  api_url: \(url)\n  webhook_secret: { env: S }\n"
            return ServerConfig.load(file: "warden.yml", text: text).1.map(\.description)
        }
        #expect(problems("https://ghe.example.com/api/v3").isEmpty)
        #expect(problems("http://127.0.0.1:8080").isEmpty)
        #expect(problems("http://localhost:9000/api").isEmpty)
        // A host that only starts like a loopback name is a remote host.
        #expect(problems("http://localhost.attacker.example/api").contains { $0.contains("github.api_url must be an https URL") })
        #expect(problems("http://127.0.0.1.nip.io/api").contains { $0.contains("github.api_url must be an https URL") })
        #expect(problems("ftp://ghe.example.com").contains { $0.contains("github.api_url must be an https URL") })
    }

    @Test func everyProblemIsReportedWithItsLine() {
        let text = """
            server: { host: 0.0.0.0, port: 99999, public_url: warden.example.com }
            store: { url: "mysql://db" }
            github:
              api_url: http://api.github.com
              webhook_secret: "plain-text-secret"
              token: { env: GH, file: /x }
              app: { id: 5 }
            workers: { count: 65, leses: 3 }
            """
        let (config, diagnostics) = ServerConfig.load(file: "warden.yml", text: text)
        #expect(config == nil)
        let messages = diagnostics.map(\.description)
        #expect(messages.contains { $0.contains("warden.yml:1") && $0.contains("server.port must be between 0 and 65535") })
        #expect(messages.contains { $0.contains("server.public_url must start with http:// or https://") })
        #expect(messages.contains { $0.contains("warden.yml:2") && $0.contains("store.url must be sqlite:PATH") })
        #expect(messages.contains { $0.contains("github.api_url must be an https URL") })
        #expect(messages.contains { $0.contains("warden.yml:5") && $0.contains("github.webhook_secret must not be written in the config") })
        #expect(messages.contains { $0.contains("github.token needs exactly one of env or file") })
        #expect(messages.contains { $0.contains("github.app needs both id and private_key") })
        #expect(messages.contains { $0.contains("workers.count must be between 0 and 64") })
        #expect(messages.contains { $0.contains("unknown key 'leses'") })
    }

    @Test func secretsComeFromTheEnvironmentOrFiles() throws {
        #expect(try SecretSource.environment("X").resolve(environment: ["X": "value"])?.value == "value")
        #expect(try SecretSource.environment("X").resolve(environment: [:]) == nil)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("warden-secret-\(UUID().uuidString)").path
        try Data("from-a-file\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SecretSource.file(path).resolve(environment: [:])?.value == "from-a-file")
        #expect(throws: ConfigError.self) { try SecretSource.file("/no/such/secret").resolve(environment: [:]) }
        // A secret never prints.
        #expect("\(Secret("hunter2"))" == "<redacted>")
        #expect(String(reflecting: Secret("hunter2")) == "<redacted>")
    }
}

@Suite("Forge errors")
struct ForgeErrorTests {
    @Test func aRateLimitLongerThanARequestMayWaitMakesTheJobWaitUntilTheReset() {
        var headers = HTTPHeaders()
        headers.add("x-ratelimit-remaining", "0")
        headers.add("x-ratelimit-reset", String(Int(Date().timeIntervalSince1970) + 3600))
        let error = ForgeHTTP.error(HTTPResponse(status: 403, headers: headers, body: Data(#"{"message":"API rate limit exceeded"}"#.utf8)), "list files")
        #expect(error.isRetryable)
        let wait = error.retryAfter.map { Double($0.components.seconds) } ?? 0
        #expect(wait > 3500 && wait <= 3602)
        #expect(error.description.contains("API rate limit exceeded"))
    }

    @Test func aForbiddenThatIsNotARateLimitIsFinal() {
        let error = ForgeHTTP.error(HTTPResponse(status: 403, body: Data(#"{"message":"Resource not accessible by integration"}"#.utf8)), "add labels")
        #expect(!error.isRetryable)
        #expect(error.retryAfter == nil)
    }
}
