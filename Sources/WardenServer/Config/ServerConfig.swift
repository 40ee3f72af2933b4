import Foundation
import WardenCore
import WardenHTTP
import Yams

/// Where a secret comes from: an environment variable or a file, never the config itself.
public enum SecretSource: Sendable, Hashable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        }
    }

    /// The secret's value, or `nil` when the variable is unset or empty. Throws when a named
    /// file cannot be read (a mistake worth stopping for).
    public func resolve(environment: [String: String]) throws(ConfigError) -> Secret? {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else { return nil }
            return Secret(value)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError([ConfigDiagnostic(file: path, message: "cannot read the secret file \(path)", hint: "check the path and its permissions")])
            }
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : Secret(value)
        }
    }
}

/// A secret value. It prints as `<redacted>` so it cannot reach a log by accident.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// `Config/warden.yml` (SPEC, Server).
public struct ServerConfig: Sendable {
    public struct Server: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var publicURL = "http://localhost:8080"
        public var maxBodyBytes = 26_214_400
    }

    public struct Workers: Sendable {
        public var count = 2
        public var leaseSeconds = 120
        public var maxAttempts = 6
    }

    public struct GitHub: Sendable {
        public var apiURL = "https://api.github.com"
        public var webhookSecret: SecretSource?
        public var token: SecretSource?
        public var appID: Int?
        public var appPrivateKey: SecretSource?
        public var caBundle: String?
    }

    public struct GitLab: Sendable {
        public var apiURL = "https://gitlab.com/api/v4"
        public var webhookToken: SecretSource?
        /// Standard Webhooks signing token (`whsec_...`), when the hook is set up with one.
        public var signingToken: SecretSource?
        public var token: SecretSource?
        public var caBundle: String?
    }

    public var server = Server()
    /// `sqlite:PATH` (the default: `sqlite:data/warden.sqlite`) or `postgres://...`.
    public var storeURL = "sqlite:data/warden.sqlite"
    public var workers = Workers()
    public var github: GitHub?
    public var gitlab: GitLab?
    public var dashboardToken: SecretSource?
    public var policyDefault = "Config/policy.yml"
    public var policyRepoFile = ".warden.yml"
    public var templates = "Templates"
    public var dryRun = false

    public init() {}

    static let topLevelKeys = ["server", "store", "workers", "github", "gitlab", "dashboard", "policy", "templates", "dry_run"]

    /// Reads a config file; every problem is reported with its line and a hint.
    public static func load(file: String, text: String) -> (ServerConfig?, [ConfigDiagnostic]) {
        var reader = YAMLReader(file: file)
        var config = ServerConfig()
        guard let root = reader.parse(text) else {
            if reader.diagnostics.isEmpty { return (config, []) }
            return (nil, reader.diagnostics)
        }
        for (key, _, value) in reader.mapping(root, "the server configuration", allowed: topLevelKeys) ?? [] {
            switch key {
            case "server":
                for (field, node, value) in reader.mapping(value, "server", allowed: ["host", "port", "public_url", "max_body_bytes"]) ?? [] {
                    switch field {
                    case "host": config.server.host = reader.string(value, "server.host") ?? config.server.host
                    case "port": config.server.port = reader.int(value, "server.port", range: 0...65535) ?? config.server.port
                    case "public_url":
                        if let url = reader.string(value, "server.public_url") {
                            if url.hasPrefix("http://") || url.hasPrefix("https://") {
                                config.server.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
                            } else {
                                reader.error(node, "server.public_url must start with http:// or https://", hint: "the address people and forges reach Warden at, e.g. https://warden.example.com")
                            }
                        }
                    default: config.server.maxBodyBytes = reader.int(value, "server.max_body_bytes", range: 1024...(1 << 30)) ?? config.server.maxBodyBytes
                    }
                }
            case "store":
                for (_, node, value) in reader.mapping(value, "store", allowed: ["url"]) ?? [] {
                    guard let url = reader.string(value, "store.url") else { continue }
                    if url.hasPrefix("sqlite:") {
                        config.storeURL = url
                    } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                        reader.error(node, "store.url: PostgreSQL is not supported by this build yet", hint: "use the embedded store: sqlite:data/warden.sqlite")
                    } else {
                        reader.error(node, "store.url must be sqlite:PATH or postgres://...", hint: "e.g. sqlite:data/warden.sqlite")
                    }
                }
            case "workers":
                for (field, _, value) in reader.mapping(value, "workers", allowed: ["count", "lease_seconds", "max_attempts"]) ?? [] {
                    switch field {
                    case "count": config.workers.count = reader.int(value, "workers.count", range: 0...64) ?? config.workers.count
                    case "lease_seconds": config.workers.leaseSeconds = reader.int(value, "workers.lease_seconds", range: 5...3600) ?? config.workers.leaseSeconds
                    default: config.workers.maxAttempts = reader.int(value, "workers.max_attempts", range: 1...100) ?? config.workers.maxAttempts
                    }
                }
            case "github":
                var github = GitHub()
                for (field, node, value) in reader.mapping(value, "github", allowed: ["api_url", "webhook_secret", "token", "app", "ca_bundle"]) ?? [] {
                    switch field {
                    case "api_url": github.apiURL = apiURL(value, "github.api_url", reader: &reader) ?? github.apiURL
                    case "webhook_secret": github.webhookSecret = secret(value, "github.webhook_secret", reader: &reader)
                    case "token": github.token = secret(value, "github.token", reader: &reader)
                    case "ca_bundle": github.caBundle = reader.string(value, "github.ca_bundle")
                    default:
                        for (appField, _, appValue) in reader.mapping(value, "github.app", allowed: ["id", "private_key"]) ?? [] {
                            if appField == "id" {
                                github.appID = reader.int(appValue, "github.app.id", range: 1...Int(Int32.max))
                            } else {
                                github.appPrivateKey = secret(appValue, "github.app.private_key", reader: &reader)
                            }
                        }
                        if (github.appID == nil) != (github.appPrivateKey == nil) {
                            reader.error(node, "github.app needs both id and private_key", hint: "app: { id: 12345, private_key: { file: /run/secrets/github-app.pem } }")
                        }
                    }
                }
                config.github = github
            case "gitlab":
                var gitlab = GitLab()
                for (field, _, value) in reader.mapping(value, "gitlab", allowed: ["api_url", "webhook_token", "signing_token", "token", "ca_bundle"]) ?? [] {
                    switch field {
                    case "api_url": gitlab.apiURL = apiURL(value, "gitlab.api_url", reader: &reader) ?? gitlab.apiURL
                    case "webhook_token": gitlab.webhookToken = secret(value, "gitlab.webhook_token", reader: &reader)
                    case "signing_token": gitlab.signingToken = secret(value, "gitlab.signing_token", reader: &reader)
                    case "token": gitlab.token = secret(value, "gitlab.token", reader: &reader)
                    default: gitlab.caBundle = reader.string(value, "gitlab.ca_bundle")
                    }
                }
                config.gitlab = gitlab
            case "dashboard":
                for (_, _, value) in reader.mapping(value, "dashboard", allowed: ["token"]) ?? [] {
                    config.dashboardToken = secret(value, "dashboard.token", reader: &reader)
                }
            case "policy":
                for (field, _, value) in reader.mapping(value, "policy", allowed: ["default", "repo_file"]) ?? [] {
                    if field == "default" {
                        config.policyDefault = reader.string(value, "policy.default") ?? config.policyDefault
                    } else {
                        config.policyRepoFile = reader.string(value, "policy.repo_file") ?? config.policyRepoFile
                    }
                }
            case "templates":
                config.templates = reader.string(value, "templates") ?? config.templates
            case "dry_run":
                config.dryRun = reader.bool(value, "dry_run") ?? config.dryRun
            default:
                break
            }
        }
        return reader.hasErrors ? (nil, reader.diagnostics) : (config, reader.diagnostics)
    }

    /// `{ env: NAME }` or `{ file: PATH }`; an inline value is refused.
    private static func secret(_ node: Node, _ what: String, reader: inout YAMLReader) -> SecretSource? {
        if case .scalar = node {
            reader.error(node, "\(what) must not be written in the config", hint: "name where it comes from: { env: NAME } or { file: /run/secrets/NAME }")
            return nil
        }
        guard let fields = reader.mapping(node, what, allowed: ["env", "file"]), fields.count == 1, let field = fields.first,
            let name = reader.string(field.value, "\(what).\(field.key)"), !name.isEmpty
        else {
            reader.error(node, "\(what) needs exactly one of env or file", hint: "{ env: NAME } or { file: PATH }")
            return nil
        }
        return field.key == "env" ? .environment(name) : .file(name)
    }

    private static func apiURL(_ node: Node, _ what: String, reader: inout YAMLReader) -> String? {
        guard let url = reader.string(node, what) else { return nil }
        do {
            try CurlClient.checkURL(url)
        } catch {
            reader.error(node, "\(what) must be an https URL", hint: "\(error.detail) (plain http is accepted only for loopback addresses, for local testing)")
            return nil
        }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The SQLite file of a `sqlite:PATH` store URL.
    public var sqlitePath: String? {
        storeURL.hasPrefix("sqlite:") ? String(storeURL.dropFirst("sqlite:".count)) : nil
    }
}
