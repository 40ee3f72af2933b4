import Yams

/// Reads policy files (`Config/policy.yml`, a repository's `.warden.yml`) and layers them:
/// each file's settings replace the same settings of the files before it, key by key; lists
/// are replaced whole, except `rules`, which add to or replace rules by id.
public enum PolicyLoader {
    static let topLevelKeys = ["version", "areas", "ai", "seniors", "admins", "paths", "labels", "signoff", "classification", "rules"]

    /// Applies policy files in order over the built-in defaults. Throws ``ConfigError`` with
    /// every error of every file.
    public static func load(_ files: [(path: String, text: String)], base: Policy = Policy()) throws(ConfigError) -> Policy {
        var policy = base
        var diagnostics: [ConfigDiagnostic] = []
        for (path, text) in files {
            diagnostics += apply(text, file: path, to: &policy)
        }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ConfigError(diagnostics) }
        return policy
    }

    /// Applies one file; returns its diagnostics (errors leave the affected settings as they were).
    public static func apply(_ text: String, file: String, to policy: inout Policy) -> [ConfigDiagnostic] {
        var reader = YAMLReader(file: file)
        guard let root = reader.parse(text) else { return reader.diagnostics }
        guard let entries = reader.mapping(root, "a policy", allowed: topLevelKeys) else { return reader.diagnostics }
        for (key, _, value) in entries {
            switch key {
            case "version": _ = reader.int(value, "version", range: 1...1)
            case "areas": readAreas(value, into: &policy, reader: &reader)
            case "ai": readAI(value, into: &policy, reader: &reader)
            case "seniors": if let pool = pool(value, "seniors", reader: &reader) { policy.seniors = pool }
            case "admins": if let pool = pool(value, "admins", reader: &reader) { policy.admins = pool }
            case "paths":
                guard let fields = reader.mapping(value, "paths", allowed: ["ignore"]) else { continue }
                for (_, _, node) in fields { policy.ignorePaths = reader.strings(node, "paths.ignore") ?? policy.ignorePaths }
            case "labels": readLabels(value, into: &policy, reader: &reader)
            case "signoff":
                guard let fields = reader.mapping(value, "signoff", allowed: ["via_review"]) else { continue }
                for (_, _, node) in fields { policy.signoffViaReview = reader.bool(node, "signoff.via_review") ?? policy.signoffViaReview }
            case "classification": readThresholds(value, into: &policy, reader: &reader)
            case "rules":
                var merged = RulePack()
                merged.rules = policy.rules
                merged.merge(rules: RulePackLoader.rules(value, reader: &reader, defaultReason: true))
                policy.rules = merged.rules
            default: break
            }
        }
        return reader.diagnostics
    }

    private static func readAreas(_ node: Node, into policy: inout Policy, reader: inout YAMLReader) {
        let ids = Area.allCases.map(\.rawValue)
        guard let areas = reader.mapping(node, "areas", allowed: ids) else { return }
        for (id, _, value) in areas {
            guard let area = Area(rawValue: id) else { continue }
            var settings = policy.area(area)
            // `auth: false` turns an area off; `auth: {}` keeps the defaults.
            if case .scalar = value, let enabled = reader.bool(value, "areas.\(id)") {
                settings.enabled = enabled
                policy.areas[area] = settings
                continue
            }
            guard let fields = reader.mapping(value, "areas.\(id)", allowed: ["reviewers", "signoffs", "blocking", "enabled", "label"]) else { continue }
            for (key, _, field) in fields {
                switch key {
                case "reviewers": if let pool = pool(field, "areas.\(id).reviewers", reader: &reader) { settings.reviewers = pool }
                case "signoffs": settings.signoffs = reader.int(field, "areas.\(id).signoffs", range: 0...10) ?? settings.signoffs
                case "blocking": settings.blocking = reader.bool(field, "areas.\(id).blocking") ?? settings.blocking
                case "enabled": settings.enabled = reader.bool(field, "areas.\(id).enabled") ?? settings.enabled
                case "label":
                    if let label = reader.string(field, "areas.\(id).label") {
                        if validLabel(label) { settings.label = label } else { reader.error(field, "areas.\(id).label: '\(label)' is not a usable label", hint: labelHint) }
                    }
                default: break
                }
            }
            policy.areas[area] = settings
        }
    }

    private static func readAI(_ node: Node, into policy: inout Policy, reader: inout YAMLReader) {
        guard let fields = reader.mapping(node, "ai", allowed: ["heavy_threshold", "heavy"]) else { return }
        for (key, _, value) in fields {
            if key == "heavy_threshold" {
                policy.ai.heavyThreshold = reader.double(value, "ai.heavy_threshold", range: 0...1) ?? policy.ai.heavyThreshold
                continue
            }
            guard let heavy = reader.mapping(value, "ai.heavy", allowed: ["extra_signoffs", "reviewers"]) else { continue }
            for (heavyKey, _, heavyValue) in heavy {
                if heavyKey == "extra_signoffs" {
                    policy.ai.heavyExtraSignoffs = reader.int(heavyValue, "ai.heavy.extra_signoffs", range: 0...10) ?? policy.ai.heavyExtraSignoffs
                } else if let pool = pool(heavyValue, "ai.heavy.reviewers", reader: &reader) {
                    policy.ai.heavyReviewers = pool
                }
            }
        }
    }

    private static func readLabels(_ node: Node, into policy: inout Policy, reader: inout YAMLReader) {
        let keys = ["prefix", "ai_heavy", "ai_assisted", "needs_signoff", "signed_off"]
        guard let fields = reader.mapping(node, "labels", allowed: keys) else { return }
        for (key, _, value) in fields {
            guard let name = reader.string(value, "labels.\(key)") else { continue }
            guard key == "prefix" || validLabel(name) else {
                reader.error(value, "labels.\(key): '\(name)' is not a usable label", hint: labelHint)
                continue
            }
            switch key {
            case "prefix": policy.labels.areaPrefix = name
            case "ai_heavy": policy.labels.aiHeavy = name
            case "ai_assisted": policy.labels.aiAssisted = name
            case "needs_signoff": policy.labels.needsSignoff = name
            default: policy.labels.signedOff = name
            }
        }
    }

    private static func readThresholds(_ node: Node, into policy: inout Policy, reader: inout YAMLReader) {
        guard let fields = reader.mapping(node, "classification", allowed: ["min_score", "strong_score", "dominance"]) else { return }
        for (key, _, value) in fields {
            switch key {
            case "min_score": policy.thresholds.minimum = reader.double(value, "classification.min_score", range: 0.1...100) ?? policy.thresholds.minimum
            case "strong_score": policy.thresholds.strong = reader.double(value, "classification.strong_score", range: 0.1...100) ?? policy.thresholds.strong
            default: policy.thresholds.dominance = reader.double(value, "classification.dominance", range: 0...1) ?? policy.thresholds.dominance
            }
        }
    }

    /// `{ users: [...], teams: [...] }`.
    private static func pool(_ node: Node, _ what: String, reader: inout YAMLReader) -> ReviewerPool? {
        guard let fields = reader.mapping(node, what, allowed: ["users", "teams"]) else { return nil }
        var pool = ReviewerPool()
        for (key, _, value) in fields {
            guard let names = reader.strings(value, "\(what).\(key)") else { continue }
            var valid: [String] = []
            for name in names {
                if name.hasPrefix("@") {
                    reader.error(value, "\(what).\(key): write '\(name.dropFirst())' without the @", hint: "names are logins or team slugs, not mentions")
                } else if name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "," }) {
                    reader.error(value, "\(what).\(key): '\(name)' is not a login or team slug", hint: "one name per list item, no spaces or commas")
                } else {
                    valid.append(name)
                }
            }
            if key == "users" { pool.users = valid.uniqued() } else { pool.teams = valid.uniqued() }
        }
        return pool
    }

    static let labelHint = "labels are 1–50 characters without commas (GitLab splits label lists on commas)"

    static func validLabel(_ label: String) -> Bool {
        !label.isEmpty && label.count <= 50 && !label.contains(",") && !label.contains(where: \.isNewline)
    }
}
