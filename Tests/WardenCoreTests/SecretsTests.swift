import Testing

@testable import WardenCore

@Suite("Secrets")
struct SecretsTests {
    @Test func masking() {
        #expect(SecretValue.mask("AKIAIOSFODNN7EXAMPLE") == "AKIA************MPLE")
        #expect(SecretValue.mask("abcdefghijkl") == "ab********kl")
        #expect(SecretValue.mask("short") == "*****")
        #expect(SecretValue.mask("ab") == "****")
    }

    @Test func entropy() {
        #expect(SecretValue.entropy("aaaaaaaa") == 0)
        #expect(SecretValue.entropy("abcdabcd") == 2)
        #expect(SecretValue.entropy("q8Zr4XkW2pLm9sVt") > 3.5)
    }

    @Test func secretValuesNeverAppearInAnyOutput() throws {
        let token = "ghp_R8x2mVq7LpZ3kT9wYc4NbH6sJd1FgE0aUoXi"
        let password = "Sup3rS3cretPa55w0rd!"
        let diff = """
            diff --git a/app/settings.py b/app/settings.py
            --- a/app/settings.py
            +++ b/app/settings.py
            @@ -1 +1,3 @@
            -old = 1
            +GITHUB_TOKEN = "\(token)"
            +DB_PASSWORD = "\(password)"
            +ghp = f"{x}"
            """
        let report = BuiltIn.engine.report(BuiltIn.classify(diff))
        #expect(report.decision.areas.contains(.secrets))
        #expect(report.decision.status.state == .failure)
        let outputs = [report.json(), report.text(color: false), report.sarif(toolVersion: "t"), BuiltIn.engine.summary.render(report)]
        for output in outputs {
            #expect(!output.contains(token))
            #expect(!output.contains(password))
            #expect(!output.contains(String(token.dropFirst(4).prefix(12))))
        }
        #expect(report.json().contains("ghp_" + String(repeating: "*", count: token.count - 8) + "UoXi"))
    }

    @Test func removingASecretIsFlaggedButDoesNotBlock() {
        let diff = """
            diff --git a/app/settings.py b/app/settings.py
            --- a/app/settings.py
            +++ b/app/settings.py
            @@ -1 +1 @@
            -TOKEN = "ghp_R8x2mVq7LpZ3kT9wYc4NbH6sJd1FgE0aUoXi"
            +TOKEN = os.environ["TOKEN"]
            """
        let report = BuiltIn.engine.report(BuiltIn.classify(diff))
        #expect(report.decision.areas.contains(.secrets))
        #expect(report.decision.blocking.isEmpty)
        #expect(report.decision.status.state == .pending)
    }
}
