/// Warden's judgement, assembled from configuration text: the rule pack, the policy layers
/// (server default first, then the repository's `.warden.yml`), the AI signals and the
/// summary template.
/// Building it validates everything; using it is pure and thread-safe.
public struct Engine: Sendable {
    public let policy: Policy
    public let classifier: AreaClassifier
    public let summary: SummaryComment
    public let aiSignals: AISignalSet
    /// Warnings met while loading (e.g. rules without keywords).
    public let warnings: [ConfigDiagnostic]

    /// Loads and validates. Throws ``ConfigError`` listing every problem found.
    public init(
        rulePack: [(path: String, text: String)],
        policyLayers: [(path: String, text: String)],
        aiSignals: (path: String, text: String),
        summaryTemplate: (path: String, text: String)
    ) throws(ConfigError) {
        var diagnostics: [ConfigDiagnostic] = []
        var warnings: [ConfigDiagnostic] = []
        var pack = RulePack()
        do {
            let loaded = try RulePackLoader.load(files: rulePack)
            pack = loaded.0
            warnings += loaded.1
        } catch {
            diagnostics += error.diagnostics
        }
        var policy = Policy()
        for (path, text) in policyLayers {
            diagnostics += PolicyLoader.apply(text, file: path, to: &policy)
        }
        pack.merge(rules: policy.rules.filter { !$0.disabled })
        pack.rules.removeAll { rule in policy.rules.contains { $0.disabled && $0.id == rule.id } }
        diagnostics += RulePackLoader.validateReferences(pack)
        var signals: AISignalSet?
        do { signals = try AISignalSet(file: aiSignals.path, text: aiSignals.text) } catch { diagnostics += error.diagnostics }
        var template: SummaryComment?
        do { template = try SummaryComment(template: summaryTemplate.text, file: summaryTemplate.path) } catch { diagnostics += error.diagnostics }
        var classifier: AreaClassifier?
        if !diagnostics.contains(where: { $0.severity == .error }) {
            do { classifier = try AreaClassifier(pack: pack, ignoring: policy.ignorePaths, thresholds: policy.thresholds) } catch {
                diagnostics += error.diagnostics
            }
        }
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty, let classifier, let template, let signals else { throw ConfigError(diagnostics) }
        self.policy = policy
        self.classifier = classifier
        self.summary = template
        self.aiSignals = signals
        self.warnings = warnings + diagnostics
    }

    /// Whether a file's added lines count towards the AI share: not ignored by the policy,
    /// not generated or vendored, not a lockfile.
    public func isMeasuredForAI(_ path: String) -> Bool {
        if classifier.isIgnored(path) || aiSignals.isExcluded(path) { return false }
        let role = classifier.role(of: path)
        return role != .generated && role != .vendored
    }

    /// Decides and reports a classified change.
    public func report(_ classification: Classification, ai: AIShare = .unknown, facts: MergeRequestFacts = MergeRequestFacts()) -> ChangeReport {
        ChangeReport(classification: classification, ai: ai, policy: policy, facts: facts)
    }
}
