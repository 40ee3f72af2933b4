import Foundation
import Testing
import WardenDefaults

@testable import WardenCore

@Suite("Policy")
struct PolicyTests {
    func load(_ text: String, file: String = ".warden.yml") throws(ConfigError) -> Policy {
        try PolicyLoader.load([WardenDefaults.policy, (file, text)])
    }

    @Test func defaults() throws {
        let policy = try PolicyLoader.load([WardenDefaults.policy])
        #expect(policy.ai.heavyThreshold == 0.30)
        #expect(policy.area(.secrets).blocking)
        #expect(!policy.area(.auth).blocking)
        #expect(policy.label(for: .fileIO) == "security:file-io")
        #expect(policy.signoffViaReview)
    }

    @Test func repositoryFileLayersOverTheDefault() throws {
        let policy = try load("""
            areas:
              auth:   { reviewers: { users: [alice], teams: [security-leads] }, signoffs: 2 }
              config: false
            ai:
              heavy_threshold: 40%
              heavy: { extra_signoffs: 1, reviewers: { teams: [senior-reviewers] } }
            seniors: { users: [alice, bob] }
            paths:
              ignore: ["docs/**", "**/*.md"]
            labels: { prefix: "sec/" }
            """)
        #expect(policy.area(.auth).reviewers == ReviewerPool(users: ["alice"], teams: ["security-leads"]))
        #expect(policy.area(.auth).signoffs == 2)
        #expect(policy.area(.crypto).signoffs == 1)
        #expect(!policy.area(.config).enabled)
        #expect(abs(policy.ai.heavyThreshold - 0.40) < 1e-9)
        #expect(policy.ai.heavyReviewers.teams == ["senior-reviewers"])
        #expect(policy.seniors.users == ["alice", "bob"])
        #expect(policy.ignorePaths == ["docs/**", "**/*.md"])
        #expect(policy.label(for: .auth) == "sec/auth")
        #expect(policy.signers(for: .auth).users == ["alice", "bob"])
    }

    @Test func everyProblemIsReportedWithItsLineAndAHint() {
        let text = """
            areas:
              auth: { reviewer: { users: [alice] } }
              cryptoo: { signoffs: 1 }
              sql: { signoffs: many }
            seniors: { users: ["@bob"] }
            labels: { needs_signoff: "needs,signoff" }
            ai: { heavy_threshold: 1.5 }
            """
        var thrown: ConfigError?
        do { _ = try load(text) } catch { thrown = error }
        let diagnostics = thrown?.diagnostics ?? []
        #expect(diagnostics.count >= 6)
        #expect(diagnostics.allSatisfy { $0.file == ".warden.yml" && $0.line != nil })
        let reviewer = diagnostics.first { $0.message.contains("unknown key 'reviewer'") }
        #expect(reviewer?.line == 2)
        #expect(reviewer?.hint == "did you mean 'reviewers'?")
        #expect(diagnostics.contains { $0.message.contains("'cryptoo'") && $0.hint == "did you mean 'crypto'?" && $0.line == 3 })
        #expect(diagnostics.contains { $0.message.contains("whole number") && $0.line == 4 })
        #expect(diagnostics.contains { $0.message.contains("without the @") && $0.line == 5 })
        #expect(diagnostics.contains { $0.message.contains("usable label") && $0.line == 6 })
        #expect(diagnostics.contains { $0.message.contains("between 0.0 and 1.0") && $0.line == 7 })
    }

    @Test func syntaxErrorsNameTheLine() {
        var thrown: ConfigError?
        do { _ = try load("areas:\n  auth: { signoffs: 1\nseniors: [\n") } catch { thrown = error }
        let first = thrown?.diagnostics.first
        #expect(first?.message.hasPrefix("YAML syntax error") == true)
        #expect(first?.line != nil)
    }

    /// The built-in pack and policy with a repository's `.warden.yml` over them.
    private func makeEngine(repositoryPolicy: String) throws -> Engine {
        try Engine(
            rulePack: WardenDefaults.rulePackFiles, policyLayers: [WardenDefaults.policy, (".warden.yml", repositoryPolicy)],
            aiSignals: WardenDefaults.aiSignals, summaryTemplate: WardenDefaults.summaryTemplate)
    }

    /// A one-line change to `path`.
    private func change(_ path: String, from old: String = "a", to new: String = "b") -> String {
        "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n@@ -1 +1 @@\n-\(old)\n+\(new)\n"
    }

    @Test func policyRulesAddOverrideAndDisable() throws {
        let engine = try makeEngine(
            repositoryPolicy: """
                    rules:
                      - id: acme-auth-client
                        area: auth
                        paths: ["services/identity/**"]
                      - id: config.ci-pipeline
                        disabled: true
                      - id: sql.concatenated-query
                        area: sql
                        reason: our own wording
                        keywords: [query]
                        pattern: 'QUERY_WITH_USER_INPUT'
                    """)
        let identity = engine.classifier.classify(change("services/identity/x.go"))
        #expect(identity.areas == [.auth])
        #expect(identity.report(for: .auth)?.findings.first?.reason == "matches rule acme-auth-client")
        let ci = engine.classifier.classify(change(".github/workflows/ci.yml", from: "a: 1", to: "a: 2"))
        #expect(!ci.areas.contains(.config))
        let sql = engine.classifier.classify(change("x.py", to: "run(QUERY_WITH_USER_INPUT)"))
        #expect(sql.report(for: .sql)?.findings.first?.reason == "our own wording")
    }

    @Test func pathEvidenceCountsOncePerAreaAndChange() throws {
        // Two path rules for auth both match services/identity/login.go: the path is one piece
        // of evidence for auth (the stronger rule's weight), not the sum of both.
        let engine = try makeEngine(
            repositoryPolicy: """
                    rules:
                      - id: acme-identity-dir
                        area: auth
                        paths: ["services/identity/**"]
                      - id: acme-login-file
                        area: auth
                        weight: 1.5
                        paths: ["**/login.go"]
                    """)
        let file = change("services/identity/login.go")
        let result = engine.classifier.classify(file)
        let auth = try #require(result.report(for: .auth))
        #expect(Set(auth.findings.map(\.rule)).isSuperset(of: ["acme-identity-dir", "acme-login-file"]))
        #expect(abs(auth.score - 1.5) < 1e-9, "score \(auth.score)")
        // In two files the path evidence still counts once, as its strongest rule: many files
        // in one module say no more than one does. Both files are reported.
        let both = try #require(engine.classifier.classify(file + change("services/identity/keys.go")).report(for: .auth))
        #expect(abs(both.score - 1.5) < 1e-9, "score \(both.score)")
        #expect(Set(both.findings.map(\.file)) == ["services/identity/login.go", "services/identity/keys.go"])
        // Content evidence still adds up across files.
        let content = try #require(
            engine.classifier.classify(file + change("services/identity/keys.go", to: "if !user.IsAdmin() {")).report(for: .auth))
        #expect(content.score > 1.5 + 0.5, "score \(content.score)")
    }

    @Test func badPolicyRulesAreReported() {
        var thrown: ConfigError?
        do {
            _ = try Engine(
                rulePack: WardenDefaults.rulePackFiles,
                policyLayers: [(".warden.yml", "rules:\n  - id: x\n    area: nope\n  - id: y\n    area: sql\n    pattern: '(unclosed'\n  - id: z\n    area: sql\n    languages: [pyton]\n    keywords: [a1]\n")],
                aiSignals: WardenDefaults.aiSignals, summaryTemplate: WardenDefaults.summaryTemplate)
        } catch { thrown = error }
        let messages = thrown?.diagnostics.map(\.description) ?? []
        #expect(messages.contains { $0.contains("unknown area 'nope'") })
        #expect(messages.contains { $0.contains("not a valid regular expression") })
        #expect(messages.contains { $0.contains("unknown language 'pyton'") && $0.contains("did you mean 'python'?") })
    }

    @Test func builtInPackHasKeywordsForEveryContentRule() throws {
        let (pack, warnings) = try RulePackLoader.load(files: WardenDefaults.rulePackFiles)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(pack.rules.count > 80)
        for area in Area.allCases {
            #expect(pack.rules.contains { $0.area == area }, "no rule for \(area)")
        }
    }

    @Test func aRuleDirectoryReadsItsYAMLFilesInNameOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in [("20-b.yaml", "rules: []\n"), ("10-a.yml", "rules: []\n"), ("notes.txt", "not a rule file")] {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }
        let files = try #require(WardenDefaults.rulePackFiles(inDirectory: directory.path))
        #expect(files.map { ($0.path as NSString).lastPathComponent } == ["10-a.yml", "20-b.yaml"])
        #expect(files.allSatisfy { $0.text == "rules: []\n" })
        #expect(WardenDefaults.rulePackFiles(inDirectory: directory.path + "/missing") == nil)
    }
}
