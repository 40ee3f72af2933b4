import ArgumentParser
import Foundation
import Logging
import WardenCore
import WardenDefaults
import WardenServer

/// Finds and reads the server configuration: `--config`, else `WARDEN_CONFIG`, else
/// `Config/warden.yml` in the current folder, else the built-in example.
enum ServerConfigFile {
    static func load(_ option: String?, console: Console) throws -> ServerConfig {
        let path = option ?? console.environment["WARDEN_CONFIG"] ?? (FileManager.default.fileExists(atPath: "Config/warden.yml") ? "Config/warden.yml" : nil)
        let file: (path: String, text: String)
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read the configuration file \(path)") }
            file = (path, String(decoding: data, as: UTF8.self))
        } else {
            file = ("Config/warden.yml (built in)", WardenDefaults.file("Config/warden.yml") ?? "")
        }
        let (config, diagnostics) = ServerConfig.load(file: file.path, text: file.text)
        guard let config else {
            throw UsageError("invalid configuration:\n" + diagnostics.map(\.description).joined(separator: "\n"))
        }
        return config
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the webhook listener and the workers.",
        discussion: """
            Listens for GitHub and GitLab webhooks (POST /webhooks/github, /webhooks/gitlab), \
            stores every accepted delivery before answering, and evaluates merge requests in \
            workers. GET /healthz, /readyz and /metrics report on it. Stops cleanly on SIGTERM \
            or SIGINT. Secrets come from the environment variables or files the configuration \
            names.
            """)

    @Option(help: ArgumentHelp("Server configuration (default: $WARDEN_CONFIG, else Config/warden.yml, else the built-in example).", valueName: "FILE"))
    var config: String?

    func run() async throws {
        let console = Console.current
        let serverConfig = try ServerConfigFile.load(config, console: console)
        var logger = Logger(label: "warden")
        logger.logLevel = console.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let service: WardenService
        do {
            service = try WardenService(config: serverConfig, environment: console.environment, logger: logger)
        } catch let error as ConfigError {
            throw UsageError(error.description)
        } catch {
            throw UsageError("cannot start: \(error)")
        }
        for warning in service.warnings { console.writeError("warden: \(warning)\n") }
        if serverConfig.dryRun { console.writeError("warden: dry run: decisions are recorded, nothing is posted\n") }
        try await service.run { port in
            console.writeError("warden: listening on http://\(serverConfig.server.host):\(port) (store \(serverConfig.storeURL))\n")
        }
    }
}

struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Inspect and replay stored webhook deliveries.",
        subcommands: [ListDeliveries.self, ReplayDelivery.self])
}

struct ListDeliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the newest stored deliveries.")

    @Option(help: ArgumentHelp("Server configuration.", valueName: "FILE"))
    var config: String?

    @Flag(help: "Only deliveries whose job failed (dead-lettered).")
    var failed = false

    @Option(help: "How many.")
    var limit = 50

    func run() async throws {
        let console = Console.current
        let store = try openStore(try ServerConfigFile.load(config, console: console))
        let deliveries = try await store.deliveries(limit: limit, failedOnly: failed)
        let jobs = try await store.jobs()
        let formatter = ISO8601DateFormatter()
        for delivery in deliveries {
            let job = jobs.last { $0.deliveryID == delivery.id }
            var line = "\(delivery.id)  \(formatter.string(from: delivery.receivedAt))  \(delivery.forge)  \(delivery.event)  \(delivery.outcome)"
            if let job { line += "  \(job.mergeRequestKey)  attempts \(job.attempts)" }
            if let error = job?.lastError, delivery.outcome == "failed" { line += "  — \(error.prefix(160))" }
            console.write(line + "\n")
        }
        if deliveries.isEmpty { console.write(failed ? "no failed deliveries\n" : "no deliveries stored\n") }
    }
}

struct ReplayDelivery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Queue a stored delivery again; a running server picks it up.")

    @Option(help: ArgumentHelp("Server configuration.", valueName: "FILE"))
    var config: String?

    @Argument(help: "The delivery id (from `warden deliveries list`).")
    var id: Int64

    func run() async throws {
        let console = Console.current
        let store = try openStore(try ServerConfigFile.load(config, console: console))
        guard let delivery = try await store.delivery(id) else { throw UsageError("no delivery \(id) in the store") }
        guard let forge = ForgeKind(rawValue: delivery.forge),
            case .queue(let ref, let kind) = WebhookEvent.action(forge: forge, event: delivery.event, body: delivery.body)
        else { throw UsageError("delivery \(id) (\(delivery.event)) asks for no work") }
        try await store.replay(deliveryID: id, mergeRequestKey: ref.key, kind: kind.rawValue)
        console.write("queued delivery \(id) for \(ref.key)\n")
    }
}

func openStore(_ config: ServerConfig) throws -> Store {
    guard let path = config.sqlitePath else { throw UsageError("store.url: only sqlite: stores are supported") }
    guard FileManager.default.fileExists(atPath: path) else { throw UsageError("no store at \(path) (has `warden serve` run here?)") }
    do {
        return try Store(path: path)
    } catch {
        throw UsageError("cannot open the store \(path): \(error)")
    }
}
