import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import WardenCore
import WardenDefaults
import WardenHTTP

/// `warden serve`: the webhook intake, the workers and the health and metrics endpoints, on
/// one store.
public final class WardenService: @unchecked Sendable {
    public let config: ServerConfig
    public let store: Store
    public let metrics = ServerMetrics()
    public let workers: WorkerPool
    public let logger: Logger
    let githubSecret: Secret?
    let gitlabToken: Secret?
    let gitlabSigningToken: Secret?
    private let clients: [CurlClient]
    private let lock = NSLock()
    private var boundPort: Int?
    private var serviceGroup: ServiceGroup?

    /// Resolves secrets, opens the store, builds the forge clients. What cannot work is said
    /// in `warnings` (a forge without a webhook secret is switched off).
    public private(set) var warnings: [String] = []

    public init(config: ServerConfig, environment: [String: String], logger: Logger, retryBase: Double = 2) throws {
        self.config = config
        self.logger = logger
        guard let path = config.sqlitePath else { throw ConfigError([ConfigDiagnostic(file: "store.url", message: "only sqlite: stores are supported")]) }
        store = try Store(path: path)
        let engines = try EngineCache(config: config)
        var forges: [ForgeKind: any ForgeAPI] = [:]
        var clients: [CurlClient] = []
        var warnings: [String] = []
        let userAgent = "Warden/\(WardenDefaults.version) (libcurl/\(CurlClient.libcurlVersion))"

        var githubSecret: Secret?
        if let github = config.github {
            githubSecret = try github.webhookSecret?.resolve(environment: environment)
            let client = try CurlClient(configuration: .init(userAgent: userAgent, caBundlePath: github.caBundle))
            clients.append(client)
            let transport = RetryingTransport(client)
            if let appID = github.appID, let key = try github.appPrivateKey?.resolve(environment: environment) {
                forges[.github] = try GitHubClient(apiURL: github.apiURL, credentials: .app(id: appID, privateKeyPEM: key), transport: transport)
            } else if let token = try github.token?.resolve(environment: environment) {
                forges[.github] = try GitHubClient(apiURL: github.apiURL, credentials: .token(token), transport: transport)
            } else {
                warnings.append("GitHub: no token and no App private key (\(github.token?.description ?? "token not configured")); deliveries are stored but cannot be evaluated")
            }
            if githubSecret == nil {
                warnings.append("GitHub: the webhook secret (\(github.webhookSecret?.description ?? "not configured")) is not set; /webhooks/github answers 404")
            }
        }
        var gitlabToken: Secret?
        var gitlabSigning: Secret?
        if let gitlab = config.gitlab {
            gitlabToken = try gitlab.webhookToken?.resolve(environment: environment)
            gitlabSigning = try gitlab.signingToken?.resolve(environment: environment)
            let client = try CurlClient(configuration: .init(userAgent: userAgent, caBundlePath: gitlab.caBundle))
            clients.append(client)
            if let token = try gitlab.token?.resolve(environment: environment) {
                forges[.gitlab] = GitLabClient(apiURL: gitlab.apiURL, token: token, transport: RetryingTransport(client))
            } else {
                warnings.append("GitLab: no API token (\(gitlab.token?.description ?? "not configured")); deliveries are stored but cannot be evaluated")
            }
            if gitlabToken == nil && gitlabSigning == nil {
                warnings.append("GitLab: neither the webhook token nor a signing token is set; /webhooks/gitlab answers 404")
            }
        }
        self.githubSecret = githubSecret
        self.gitlabToken = gitlabToken
        self.gitlabSigningToken = gitlabSigning
        self.clients = clients
        self.warnings = warnings
        let evaluator = Evaluator(engines: engines, store: store, config: config, logger: logger)
        workers = WorkerPool(store: store, evaluator: evaluator, forges: forges, config: config, logger: logger, metrics: metrics, retryBase: retryBase)
    }

    deinit { for client in clients { client.shutdown() } }

    /// The port the server listens on, once it runs (useful with port 0).
    public var port: Int? { lock.withLock { boundPort } }

    /// Runs until `shutdown()`, cancellation, or SIGTERM/SIGINT: a graceful shutdown lets
    /// requests in flight finish and stops the workers taking jobs (a job interrupted midway
    /// goes back to the queue).
    public func run(withWorkers: Bool = true, onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(config.server.host, port: config.server.port), serverName: "Warden", reuseAddress: true),
            onServerRunning: { [weak self] channel in
                let port = channel.localAddress?.port ?? 0
                self?.lock.withLock { self?.boundPort = port }
                onRunning(port)
            },
            logger: logger)
        let services: [any Service] = withWorkers ? [app, workers] : [app]
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        lock.withLock { serviceGroup = group }
        try await group.run()
    }

    /// Stops a running service gracefully.
    public func shutdown() async {
        let group = lock.withLock { serviceGroup }
        await group?.triggerGracefulShutdown()
    }

    // MARK: - Routes

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/webhooks/github") { request, _ in try await self.receive(.github, request) }
        router.post("/webhooks/gitlab") { request, _ in try await self.receive(.gitlab, request) }
        router.get("/healthz") { _, _ in Self.text("ok\n") }
        router.get("/readyz") { _, _ -> Response in
            do {
                _ = try await self.store.jobs(state: .running)
                return Self.text("ready\n")
            } catch {
                return Self.text("store unavailable\n", status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in Self.text(self.metrics.text, contentType: "text/plain; version=0.0.4") }
        return router
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Verify, then store, then answer: the body is read whole (up to the limit), its
    /// signature checked on those exact bytes, and only then parsed.
    func receive(_ forge: ForgeKind, _ request: Request) async throws -> Response {
        let headers = request.headers
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
        let limit = config.server.maxBodyBytes
        if let length = header("Content-Length").flatMap(Int.init), length > limit {
            metrics.delivery(forge.rawValue, "too_large")
            return Self.json(["error": "body larger than \(limit) bytes"], status: .contentTooLarge)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            metrics.delivery(forge.rawValue, "too_large")
            return Self.json(["error": "body larger than \(limit) bytes"], status: .contentTooLarge)
        }
        let body = Data(buffer.readableBytesView)

        // 1. Verify.
        let event: String
        let deliveryHeader: String?
        var kept: [String: String] = [:]
        switch forge {
        case .github:
            guard let secret = githubSecret else { return Self.json(["error": "GitHub is not configured on this server"], status: .notFound) }
            guard WebhookVerifier.github(body: body, signatureHeader: header("X-Hub-Signature-256"), secret: secret) else {
                metrics.delivery(forge.rawValue, "unauthorized")
                return Self.json(["error": "bad or missing X-Hub-Signature-256"], status: .unauthorized)
            }
            event = header("X-GitHub-Event") ?? ""
            deliveryHeader = header("X-GitHub-Delivery")
            kept["X-GitHub-Hook-ID"] = header("X-GitHub-Hook-ID")
        case .gitlab:
            guard gitlabToken != nil || gitlabSigningToken != nil else {
                return Self.json(["error": "GitLab is not configured on this server"], status: .notFound)
            }
            if let token = gitlabToken, !WebhookVerifier.gitlabToken(header("X-Gitlab-Token"), secret: token) {
                metrics.delivery(forge.rawValue, "unauthorized")
                return Self.json(["error": "bad or missing X-Gitlab-Token"], status: .unauthorized)
            }
            if let signing = gitlabSigningToken,
                !WebhookVerifier.standardWebhooks(
                    body: body, id: header("webhook-id"), timestamp: header("webhook-timestamp"), signatures: header("webhook-signature"), secret: signing)
            {
                metrics.delivery(forge.rawValue, "unauthorized")
                return Self.json(["error": "bad, missing or stale webhook-signature"], status: .unauthorized)
            }
            event = header("X-Gitlab-Event") ?? ""
            deliveryHeader = header("Idempotency-Key") ?? header("X-Gitlab-Event-UUID")
            kept["X-Gitlab-Webhook-UUID"] = header("X-Gitlab-Webhook-UUID")
        }
        guard !event.isEmpty else {
            metrics.delivery(forge.rawValue, "malformed")
            return Self.json(["error": "no event header"], status: .badRequest)
        }
        kept["event"] = event

        // 2. Decide what it asks for.
        let action = WebhookEvent.action(forge: forge, event: event, body: body)
        let ref: MergeRequestRef
        let kind: JobKind
        switch action {
        case .ping:
            metrics.delivery(forge.rawValue, "ping")
            return Self.json(["pong": true], status: .ok)
        case .ignore:
            metrics.delivery(forge.rawValue, "ignored")
            return Response(status: .noContent)
        case .malformed(let reason):
            metrics.delivery(forge.rawValue, "malformed")
            return Self.json(["error": reason], status: .badRequest)
        case .queue(let found, let foundKind):
            ref = found
            kind = foundKind
        }

        // 3. Store durably, then answer.
        let key = WebhookEvent.deliveryKey(deliveryHeader, body: body)
        kept["delivery"] = key
        let result = try await store.accept(
            forge: forge.rawValue, deliveryKey: key, event: event, headers: kept.compactMapValues { $0 }, body: body, mergeRequestKey: ref.key,
            kind: kind.rawValue)
        switch result {
        case .duplicate:
            metrics.delivery(forge.rawValue, "duplicate")
            return Self.text(#"{"duplicate":true}"#, status: .ok, contentType: "application/json")
        case .accepted(let id):
            metrics.delivery(forge.rawValue, "accepted")
            return Self.text(#"{"delivery":\#(id),"queued":true}"#, status: .accepted, contentType: "application/json")
        }
    }
}
