import Foundation
import Testing

@testable import WardenCommandLine

/// Runs `warden` in-process and collects what it writes.
final class CapturedRun: @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""
    var status: Int32 = -1

    var standardOutput: String { lock.withLock { out } }
    var standardError: String { lock.withLock { err } }

    static func run(_ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:]) async -> CapturedRun {
        let captured = CapturedRun()
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("warden-stdin-\(UUID().uuidString)")
        try? stdin.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let handle = FileHandle(forReadingAtPath: input.path) ?? .nullDevice
        let console = Console(
            write: { text in captured.lock.withLock { captured.out += text } },
            writeError: { text in captured.lock.withLock { captured.err += text } },
            standardInput: handle, standardInputIsTerminal: false, standardOutputIsTerminal: false,
            environment: environment)
        captured.status = await WardenCLI.run(arguments, console: console)
        return captured
    }
}

/// A file in a fresh temporary folder.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

let sqlDiff = """
    diff --git a/app/db.py b/app/db.py
    --- a/app/db.py
    +++ b/app/db.py
    @@ -1 +1 @@
    -    cursor.execute("SELECT 1")
    +    cursor.execute(f"SELECT * FROM t WHERE id = {uid}")
    """

let cleanDiff = """
    diff --git a/app/math.py b/app/math.py
    --- a/app/math.py
    +++ b/app/math.py
    @@ -1 +1 @@
    -def add(a, b): return a - b
    +def add(a, b): return a + b
    """

@Suite("warden check")
struct CheckCommandTests {
    @Test func textFromAFile() async throws {
        let path = try temporaryFile("change.diff", sqlDiff)
        let run = await CapturedRun.run(["check", "--diff", path])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("security:sql"))
        #expect(run.standardOutput.contains("Status: pending — needs sign-off: sql 0/1"))
        #expect(!run.standardOutput.contains("\u{1B}["))
    }

    @Test func jsonFromStandardInput() async throws {
        let run = await CapturedRun.run(["check", "--diff", "-", "--format", "json"], stdin: Data(sqlDiff.utf8))
        #expect(run.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        #expect((object?["labels"] as? [String]) == ["security:sql", "needs-signoff"])
        // Without --diff, a piped standard input is read too.
        let piped = await CapturedRun.run(["check", "--format", "json"], stdin: Data(sqlDiff.utf8))
        #expect(piped.standardOutput == run.standardOutput)
    }

    @Test func sarifAndMarkdown() async throws {
        let path = try temporaryFile("change.diff", sqlDiff)
        let sarif = await CapturedRun.run(["check", "--diff", path, "--format", "sarif"])
        #expect(sarif.status == 0)
        #expect(sarif.standardOutput.contains("\"version\" : \"2.1.0\""))
        let markdown = await CapturedRun.run(["check", "--diff", path, "--format", "markdown"])
        #expect(markdown.standardOutput.hasPrefix("<!-- warden:summary -->"))
    }

    @Test func failOn() async throws {
        let path = try temporaryFile("change.diff", sqlDiff)
        #expect(await CapturedRun.run(["check", "--diff", path, "--fail-on", "sql"]).status == 1)
        #expect(await CapturedRun.run(["check", "--diff", path, "--fail-on", "auth,secrets"]).status == 0)
        #expect(await CapturedRun.run(["check", "--diff", path, "--fail-on", "any"]).status == 1)
        let clean = try temporaryFile("clean.diff", cleanDiff)
        #expect(await CapturedRun.run(["check", "--diff", clean, "--fail-on", "any"]).status == 0)
        let bogus = await CapturedRun.run(["check", "--diff", path, "--fail-on", "sqll"])
        #expect(bogus.status == 2)
        #expect(bogus.standardError.contains("unknown item 'sqll'"))
    }

    @Test func badInputExitsTwoWithOneClearMessage() async throws {
        let missing = await CapturedRun.run(["check", "--diff", "/no/such/file.diff"])
        #expect(missing.status == 2)
        #expect(missing.standardError == "warden: /no/such/file.diff: no such file\n")
        let directory = await CapturedRun.run(["check", "--diff", FileManager.default.temporaryDirectory.path])
        #expect(directory.status == 2)
        #expect(directory.standardError.contains("is a directory"))
        let both = await CapturedRun.run(["check", "--diff", "x", "--repo", "y", "--base", "main"])
        #expect(both.status == 2)
        let policy = try temporaryFile("policy.yml", "areas:\n  auth: { signofs: 1 }\n")
        let diff = try temporaryFile("change.diff", sqlDiff)
        let badPolicy = await CapturedRun.run(["check", "--diff", diff, "--policy", policy])
        #expect(badPolicy.status == 2)
        #expect(badPolicy.standardError.contains("\(policy):2:"))
        #expect(badPolicy.standardError.contains("did you mean 'signoffs'?"))
        #expect(!badPolicy.standardError.contains("Fatal error"))
        let notARepository = await CapturedRun.run(["check", "--repo", FileManager.default.temporaryDirectory.path, "--base", "main"])
        #expect(notARepository.status == 2)
        #expect(notARepository.standardError.contains("not a git repository"))
    }

    @Test func binaryAndInvalidUTF8InputDoNotCrash() async throws {
        var bytes = Data(sqlDiff.utf8)
        bytes.append(contentsOf: [0xFF, 0x00, 0xFE, 0x0A, 0xC3])
        let run = await CapturedRun.run(["check", "--diff", "-", "--format", "json"], stdin: bytes)
        #expect(run.status == 0)
    }

    @Test func repositoryRangeUsesThePolicyOfTheBase() async throws {
        let repo = try ScratchRepo()
        try repo.write(".warden.yml", "areas:\n  sql: false\n")
        try repo.write("app/db.py", "x = 1\n")
        try repo.commit("base")
        try repo.git("checkout", "-q", "-b", "feature")
        // The change tries to switch its own judge back on: ignored, the base's policy rules.
        try repo.write(".warden.yml", "areas:\n  sql: true\n")
        try repo.write("app/db.py", "cursor.execute(f\"SELECT * FROM t WHERE id = {uid}\")\n")
        try repo.commit("change")
        let run = await CapturedRun.run(["check", "--repo", repo.path, "--base", "main", "--head", "feature", "--format", "json"])
        #expect(run.status == 0, "\(run.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        #expect((object?["labels"] as? [String])?.contains("security:sql") == false)
        #expect(((object?["stats"] as? [String: Any])?["files"] as? Int) == 2)
        let badRevision = await CapturedRun.run(["check", "--repo", repo.path, "--base", "nope"])
        #expect(badRevision.status == 2)
        #expect(badRevision.standardError.contains("bad revision 'nope'"))
    }
}

extension CheckCommandTests {
    @Test func aiShareAppearsInEveryFormat() async throws {
        let repo = try ScratchRepo()
        try repo.write("README.md", "# app\n")
        try repo.commit("base")
        try repo.git("checkout", "-q", "-b", "claude/login")
        try repo.write("app/login.py", (1...6).map { "check_\($0) = True\n" }.joined())
        try repo.commit("Add login checks\n\nCo-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>")
        try repo.write("app/other.py", (1...4).map { "other_\($0) = 1\n" }.joined())
        try repo.commit("Hand-written part")
        let arguments = ["check", "--repo", repo.path, "--base", "main"]

        let json = await CapturedRun.run(arguments + ["--format", "json"])
        #expect(json.status == 0, "\(json.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let ai = try #require(object?["ai"] as? [String: Any])
        #expect(ai["lower"] as? Double == 0.6)
        #expect(ai["upper"] as? Double == 1.0)  // the claude/ branch may cover the rest
        #expect(ai["label"] as? String == "ai-heavy")
        #expect(ai["measured_lines"] as? Int == 10)
        let evidence = try #require(ai["evidence"] as? [[String: Any]])
        #expect(evidence.contains { $0["signal"] as? String == "claude-code.co-author" && $0["strength"] as? String == "strong" && ($0["commit"] as? String)?.count == 40 })
        #expect(evidence.contains { $0["signal"] as? String == "agent.branch" && $0["commit"] == nil })
        let tools = try #require(ai["tools"] as? [[String: Any]])
        #expect(tools.first?["name"] as? String == "Claude Code")
        #expect(tools.first?["models"] as? [String] == ["Claude Opus 4.6"])
        #expect((object?["labels"] as? [String])?.contains("ai-heavy") == true)

        let text = await CapturedRun.run(arguments)
        #expect(text.standardOutput.contains("AI share: 60%–100% of 10 net added lines (ai-heavy); tools: Claude Code (Claude Opus 4.6)"))
        #expect(text.standardOutput.contains("Claude Code (Claude Opus 4.6), strong, co-author in "))

        let markdown = await CapturedRun.run(arguments + ["--format", "markdown"])
        #expect(markdown.standardOutput.contains("**AI share:** 60%–100% of 10 net added lines"))
        // Addresses are shown, but never as @mentions.
        #expect(markdown.standardOutput.contains("`Claude Opus 4.6 <noreply@\u{200D}anthropic.com>`"))

        let sarif = await CapturedRun.run(arguments + ["--format", "sarif"])
        let log = try JSONSerialization.jsonObject(with: Data(sarif.standardOutput.utf8)) as? [String: Any]
        let run = (log?["runs"] as? [[String: Any]])?.first
        let properties = run?["properties"] as? [String: Any]
        #expect((properties?["ai"] as? [String: Any])?["label"] as? String == "ai-heavy")

        #expect(await CapturedRun.run(arguments + ["--fail-on", "ai-heavy"]).status == 1)
    }
}

@Suite("warden config validate")
struct ConfigValidateTests {
    @Test func builtInsAreValid() async {
        let run = await CapturedRun.run(["config", "validate"])
        #expect(run.status == 0, "\(run.standardOutput)")
        #expect(run.standardOutput.contains("ok: built-in defaults"))
    }

    @Test func reportsEveryProblemWithFileLineAndHint() async throws {
        let path = try temporaryFile(".warden.yml", "areas:\n  auth: { reviewer: { users: [alice] } }\nai: { heavy_threshold: 2 }\nrules:\n  - id: bad\n    area: sqll\n")
        let run = await CapturedRun.run(["config", "validate", path])
        #expect(run.status == 1)
        #expect(run.standardOutput.contains("\(path):2:"))
        #expect(run.standardOutput.contains("hint: did you mean 'reviewers'?"))
        #expect(run.standardOutput.contains("\(path):3:"))
        #expect(run.standardOutput.contains("hint: did you mean 'sql'?"))
        #expect(run.standardOutput.contains("3 errors"))
    }

    @Test func rulePackFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-rules-\(UUID().uuidString)/rules")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("99-local.yml").path
        try Data("rules:\n  - id: local.x\n    area: auth\n    reason: test\n    pattern: 'abc'\n".utf8).write(to: URL(fileURLWithPath: path))
        let run = await CapturedRun.run(["config", "validate", path])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("warning: rule 'local.x' has no keywords"))
        #expect(run.standardOutput.contains("ok: \(path) (rule pack)"))
        // A numbered backreference breaks when the engine runs alternation branches alone.
        try Data("rules:\n  - id: local.y\n    area: injection\n    reason: test\n    keywords: [preg]\n    pattern: 'preg([/#])x\\1e|other'\n".utf8).write(to: URL(fileURLWithPath: path))
        let backreference = await CapturedRun.run(["config", "validate", path])
        #expect(backreference.status == 0)
        #expect(backreference.standardOutput.contains("refers back to a group by number"))
        #expect(backreference.standardOutput.contains("\\k<name>"))
        let unreadable = await CapturedRun.run(["config", "validate", "/no/such.yml"])
        #expect(unreadable.status == 2)
    }

    @Test func aiSignalFiles() async throws {
        let good = try temporaryFile("ai-signals.yml", "version: 1\nsignals:\n  - id: acme.bot\n    tool: Acme Agent\n    in: author\n    pattern: '<agent@acme\\.example>$'\n    strength: strong\n")
        let ok = await CapturedRun.run(["config", "validate", good])
        #expect(ok.status == 0, "\(ok.standardOutput)")
        #expect(ok.standardOutput.contains("ok: \(good) (AI signals)"))
        let bad = try temporaryFile("ai-signals.yml", "signals:\n  - id: acme.branch\n    tool: Acme\n    in: branch\n    pattern: '^acme/'\n    strength: strong\n")
        let run = await CapturedRun.run(["config", "validate", bad])
        #expect(run.status == 1)
        #expect(run.standardOutput.contains("\(bad):2:"))
        #expect(run.standardOutput.contains("strong but reads the merge request"))
    }

    @Test func helpAndUnknownCommands() async {
        let help = await CapturedRun.run(["--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("check"))
        #expect(await CapturedRun.run(["frobnicate"]).status == 2)
    }
}

/// A throw-away git repository.
final class ScratchRepo {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("warden-cli-repo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
        try git("config", "user.email", "dev@example.com")
        try git("config", "user.name", "Dev")
        try git("config", "commit.gpgsign", "false")
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ file: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func commit(_ message: String) throws {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
    }

    func git(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw CocoaError(.fileWriteUnknown) }
    }
}
