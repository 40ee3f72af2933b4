import Crypto
import Foundation
import Logging
import WardenCore
import WardenDefaults

/// The server's configuration texts, and engines built from them: one per distinct
/// repository policy, kept because building one (rule pack, policy, template) takes about a
/// tenth of a second.
public final class EngineCache: @unchecked Sendable {
    public let rulePack: [(path: String, text: String)]
    public let defaultPolicy: (path: String, text: String)
    public let aiSignals: (path: String, text: String)
    public let template: (path: String, text: String)
    private let lock = NSLock()
    private var engines: [String: Result<Engine, ConfigError>] = [:]
    private var order: [String] = []
    private let capacity = 64

    /// Reads the default policy and the template from the configured paths when they exist,
    /// else uses the built-in ones. Throws when the server's own configuration is invalid.
    public init(config: ServerConfig) throws(ConfigError) {
        rulePack = WardenDefaults.rulePackFiles
        aiSignals = WardenDefaults.aiSignals
        if let data = FileManager.default.contents(atPath: config.policyDefault) {
            defaultPolicy = (config.policyDefault, String(decoding: data, as: UTF8.self))
        } else {
            defaultPolicy = WardenDefaults.policy
        }
        let templatePath = config.templates + "/summary.md.mustache"
        if let data = FileManager.default.contents(atPath: templatePath) {
            template = (templatePath, String(decoding: data, as: UTF8.self))
        } else {
            template = WardenDefaults.summaryTemplate
        }
        _ = try engine(repositoryPolicy: nil).get()
    }

    /// The engine for a repository policy (`nil`: none). A policy with errors gives the
    /// errors; the caller falls back to the default engine and says so.
    public func engine(repositoryPolicy: (path: String, text: String)?) -> Result<Engine, ConfigError> {
        let key = repositoryPolicy.map { Data(SHA256.hash(data: Data($0.text.utf8))).hexString } ?? ""
        if let cached = lock.withLock({ engines[key] }) { return cached }
        var layers = [defaultPolicy]
        if let repositoryPolicy { layers.append(repositoryPolicy) }
        let result: Result<Engine, ConfigError>
        do {
            result = .success(try Engine(rulePack: rulePack, policyLayers: layers, aiSignals: aiSignals, summaryTemplate: template))
        } catch {
            result = .failure(error)
        }
        lock.withLock {
            if engines[key] == nil {
                order.append(key)
                if order.count > capacity { engines[order.removeFirst()] = nil }
            }
            engines[key] = result
        }
        return result
    }
}

/// What one evaluation decided and did.
public struct EvaluationOutcome: Sendable {
    public var report: ChangeReport?
    /// The write calls made (or, in a dry run, that would have been made).
    public var writes: [String]
    public var closed: Bool
}

/// Reads a merge request from its forge, decides with the pure core, reconciles the forge
/// with the decision in the fewest writes, and records the decision in the audit trail.
public struct Evaluator: Sendable {
    public let engines: EngineCache
    public let store: Store
    public let config: ServerConfig
    public let logger: Logger

    public init(engines: EngineCache, store: Store, config: ServerConfig, logger: Logger) {
        self.engines = engines
        self.store = store
        self.config = config
        self.logger = logger
    }

    public func evaluate(_ ref: MergeRequestRef, forge: any ForgeAPI, jobID: Int64? = nil) async throws -> EvaluationOutcome {
        let snapshot = try await forge.snapshot(ref, policyFile: config.policyRepoFile)
        var record = try await store.mergeRequest(ref.key) ?? MergeRequestRecord(key: ref.key, forge: ref.forge.rawValue, repository: ref.repository, number: ref.number)
        guard snapshot.isOpen else {
            record.isOpen = false
            record.updatedAt = Date()
            try await store.record(record, audit: nil)
            return EvaluationOutcome(report: nil, writes: [], closed: true)
        }

        // The target branch's policy; one with errors is reported and the default applies.
        var policyNotes: [String] = []
        var engine: Engine
        let repositoryPolicy = snapshot.policyText.map { ("\(config.policyRepoFile)@\(snapshot.targetBranch)", $0) }
        switch engines.engine(repositoryPolicy: repositoryPolicy) {
        case .success(let found):
            engine = found
        case .failure(let error):
            engine = try engines.engine(repositoryPolicy: nil).get()
            let first = error.diagnostics.first.map { "line \($0.line ?? 0): \($0.message)" } ?? "invalid"
            policyNotes.append("The repository's \(config.policyRepoFile) has \(error.diagnostics.count) error(s) (\(first)); the server's default policy applies until it is fixed.")
        }

        let (classification, measured, fingerprints) = classify(snapshot, engine: engine)
        let aiInput = AIShareInput(
            commits: snapshot.commits, lines: [:], measuredLines: measured, attribution: .approximate,
            mergeRequest: MergeRequestHints(sourceBranch: snapshot.sourceBranch, title: snapshot.title, description: snapshot.description, author: snapshot.author))
        let ai = engine.aiSignals.score(aiInput)

        // Reviewers Warden already asked on this merge request come first, so an unchanged
        // merge request keeps its reviewers (and is not written to).
        var load = try await store.reviewLoad(forge: ref.forge.rawValue, excluding: ref.key)
        for user in record.requestedUsers { load[user] = -1 }
        let coAuthors = snapshot.commitAuthorLogins.filter { $0.lowercased() != snapshot.author.lowercased() }
        let facts = MergeRequestFacts(author: snapshot.author, coAuthors: Array(Set(coAuthors)).sorted(), reviewLoad: load)
        var report = engine.report(classification, ai: ai, facts: facts)
        report.decision.notes = policyNotes + report.decision.notes
        if snapshot.diffTruncated {
            report.decision.notes.append("The forge listed only the first \(GitHubClient.fileCap) files; files beyond them were not read.")
        }

        // Sign-offs (a later change) are given against these; only areas that need one.
        let needing = Set(report.decision.signoffs.map(\.key))
        record.signoffFingerprints = fingerprints.filter { needing.contains($0.key) }

        let reconciler = Reconciler(forge: forge, config: config, logger: logger)
        let result = try await reconciler.reconcile(ref: ref, snapshot: snapshot, report: report, engine: engine, record: &record, store: store)
        let audit = AuditRecord(
            id: 0, at: Date(), forge: ref.forge.rawValue, repository: ref.repository, number: ref.number, headSHA: snapshot.headSHA, actor: "warden",
            action: "evaluate", inputs: inputsDigest(snapshot, engine: engine), decision: decisionJSON(result.report, fingerprints: record.signoffFingerprints ?? [:]), writes: json(result.writes),
            dryRun: config.dryRun, jobID: jobID)
        try await store.record(record, audit: audit)
        logger.info(
            "evaluated", metadata: ["mr": "\(ref.key)", "head": "\(snapshot.headSHA.prefix(12))", "writes": "\(result.writes.count)", "dry_run": "\(config.dryRun)"])
        return EvaluationOutcome(report: result.report, writes: result.writes, closed: false)
    }

    /// Classifies the diff and counts the lines the AI share is measured over, in one pass.
    func classify(_ snapshot: MergeRequestSnapshot, engine: Engine) -> (Classification, Int, [String: String]) {
        var sink = DiffSinkPair(DiffSinkPair(engine.classifier.session(), MeasuredLinesCollector(isMeasured: engine.isMeasuredForAI)), HunkDigests())
        switch snapshot.diff {
        case .unified(let data):
            DiffParser.parse(data, into: &sink)
        case .files(let files):
            for file in files {
                DiffParser.parsePatch(Array((file.patch ?? "").utf8), header: file.header, into: &sink)
            }
        }
        let classification = sink.first.first.result()
        return (classification, sink.first.second.total, sink.second.fingerprints(classification))
    }

    /// Digests of what the decision was made from, for the audit trail.
    func inputsDigest(_ snapshot: MergeRequestSnapshot, engine: Engine) -> String {
        func digest(_ text: String) -> String { String(Data(SHA256.hash(data: Data(text.utf8))).hexString.prefix(16)) }
        var diffText = ""
        switch snapshot.diff {
        case .unified(let data): diffText = String(decoding: data, as: UTF8.self)
        case .files(let files): diffText = files.map { "\($0.header.path)\n\($0.patch ?? "<no patch>")" }.joined(separator: "\n")
        }
        let inputs: [String: String] = [
            "head_sha": snapshot.headSHA, "base_sha": snapshot.baseSHA, "diff": digest(diffText),
            "commits": digest(snapshot.commits.map { $0.sha }.joined(separator: ",")),
            "policy": digest(snapshot.policyText ?? ""), "metadata": digest([snapshot.title, snapshot.description, snapshot.sourceBranch, snapshot.author].joined(separator: "\n")),
        ]
        return json(inputs)
    }

    func decisionJSON(_ report: ChangeReport, fingerprints: [String: String]) -> String {
        let decision = report.decision
        let object: [String: Any] = [
            "fingerprints": fingerprints,
            "areas": decision.areas.map(\.rawValue), "labels": decision.labels, "reviewers": ["users": decision.reviewers.users, "teams": decision.reviewers.teams],
            "signoffs": decision.signoffs.map { ["key": $0.key, "required": $0.required, "given": $0.given] },
            "status": ["state": decision.status.state.rawValue, "description": decision.status.description],
            "ai": ["lower": report.ai.lower, "upper": report.ai.upper, "known": report.ai.isKnown],
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

func json(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
}

extension Data {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
