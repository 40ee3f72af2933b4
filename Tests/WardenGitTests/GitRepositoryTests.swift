import Foundation
import Testing
import WardenCore

@testable import WardenGit

/// A throw-away git repository in a temporary folder.
final class ScratchRepository {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("warden-git-\(UUID().uuidString)").path
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

    @discardableResult
    func commit(_ message: String) throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A commit made by someone else (author and committer).
    @discardableResult
    func commit(_ message: String, as name: String, _ email: String) throws -> String {
        try git("add", "-A")
        try git("-c", "user.name=\(name)", "-c", "user.email=\(email)", "commit", "-q", "-m", message)
        return try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `count` numbered lines: "line 1", "line 2", ...
    static func lines(_ count: Int, _ prefix: String = "line") -> String {
        (1...max(1, count)).map { "\(prefix) \($0)\n" }.joined()
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw GitError("git \(arguments.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("Git repository")
struct GitRepositoryTests {
    @Test func streamsTheDiffOfARange() throws {
        let scratch = try ScratchRepository()
        try scratch.write("app/db.py", "def q(db, x):\n    return db.execute('SELECT 1', (x,))\n")
        let base = try scratch.commit("base")
        try scratch.git("checkout", "-q", "-b", "feature")
        try scratch.write("app/db.py", "def q(db, x):\n    return db.execute(f\"SELECT * FROM t WHERE id = {x}\")\n")
        try scratch.write("with space.txt", "hello\n")
        let head = try scratch.commit("change")

        let repository = try GitRepository(at: scratch.path)
        #expect(try repository.resolve("main") == base)
        #expect(try repository.resolve("feature") == head)
        #expect(try repository.mergeBase(base, head) == base)
        var bytes: [UInt8] = []
        try repository.streamDiff(from: base, to: head) { bytes.append(contentsOf: $0) }
        let diff = Diff(parsing: bytes)
        #expect(diff.files.map(\.path).sorted() == ["app/db.py", "with space.txt"])
        #expect(diff.files.first { $0.path == "app/db.py" }?.addedLines == 1)
    }

    @Test func readsFilesAtARevision() throws {
        let scratch = try ScratchRepository()
        try scratch.write(".warden.yml", "paths: { ignore: [\"docs/**\"] }\n")
        let first = try scratch.commit("policy")
        try scratch.write(".warden.yml", "changed: true\n")
        try scratch.commit("change policy")
        let repository = try GitRepository(at: scratch.path)
        let text = try repository.file(".warden.yml", at: first).map { String(decoding: $0, as: UTF8.self) }
        #expect(text == "paths: { ignore: [\"docs/**\"] }\n")
        #expect(try repository.file("missing.yml", at: first) == nil)
    }

    @Test func badInputIsAClearError() throws {
        let scratch = try ScratchRepository()
        try scratch.write("a", "a\n")
        try scratch.commit("one")
        let repository = try GitRepository(at: scratch.path)
        #expect(throws: GitError.self) { try repository.resolve("no-such-branch") }
        // An "option" passed as a revision is only ever a revision.
        #expect(throws: GitError.self) { try repository.resolve("--output=/tmp/x") }

        let notARepository = FileManager.default.temporaryDirectory.appendingPathComponent("warden-plain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: notARepository, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: notARepository) }
        let error = #expect(throws: GitError.self) { try GitRepository(at: notARepository) }
        #expect(error?.description.contains("not a git repository") == true)
        #expect(throws: GitError.self) { try GitRepository(at: "/no/such/dir") }
    }
}
