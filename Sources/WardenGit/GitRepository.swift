import Foundation

/// A problem with a local repository, said so a user can act on it.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A local git repository, read through the `git` command.
///
/// Revisions from users are verified and resolved to commit ids before use, and passed after
/// `--end-of-options`, so a "revision" such as `--output=/etc/x` can never become an option.
/// User git configuration that changes diff output (prefixes, colour, external diff tools,
/// text conversion) is overridden.
public struct GitRepository: Sendable {
    public let directory: String

    /// Opens the repository containing `path`. Throws when git is missing or `path` is not
    /// inside a repository.
    public init(at path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GitError("\(path): no such directory")
        }
        directory = path
        let result: GitProcess.Result
        do {
            result = try GitProcess.run(["rev-parse", "--git-dir"], in: path)
        } catch {
            throw error
        }
        guard result.status == 0 else {
            throw GitError("\(path) is not a git repository (git says: \(result.errorSummary))")
        }
    }

    /// The full commit id of a revision. Throws for a revision that does not name a commit.
    public func resolve(_ revision: String) throws -> String {
        guard !revision.isEmpty, !revision.contains("\0") else { throw GitError("empty revision") }
        let result = try GitProcess.run(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"], in: directory)
        let id = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, id.count >= 40, id.allSatisfy(\.isHexDigit) else {
            throw GitError("bad revision '\(revision)' in \(directory): no such commit")
        }
        return id
    }

    /// The merge base of two commits (the point a merge request's diff starts from).
    public func mergeBase(_ a: String, _ b: String) throws -> String {
        let result = try GitProcess.run(["merge-base", "--end-of-options", a, b], in: directory)
        let id = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !id.isEmpty else {
            throw GitError("\(a.prefix(12)) and \(b.prefix(12)) have no common ancestor in \(directory)")
        }
        return id
    }

    /// Streams the unified diff from `base` to `head` (both resolved commit ids) to `body`
    /// in chunks, as `git diff` writes it.
    public func streamDiff(from base: String, to head: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let arguments = [
            "-c", "core.quotePath=true", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
            "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", "--src-prefix=a/", "--dst-prefix=b/",
            "--end-of-options", base, head,
        ]
        let status = try GitProcess.stream(arguments, in: directory, body)
        guard status.code == 0 else {
            throw GitError("git diff failed in \(directory): \(status.errorSummary)")
        }
    }

    /// The text of a file at a revision, or `nil` when the file does not exist there.
    public func file(_ path: String, at revision: String) throws -> Data? {
        let result = try GitProcess.run(["cat-file", "-p", "--end-of-options", "\(revision):\(path)"], in: directory)
        return result.status == 0 ? result.output : nil
    }

    /// Runs a read-only git command and returns its standard output. Throws when it fails.
    public func output(_ arguments: [String]) throws -> Data {
        let result = try GitProcess.run(arguments, in: directory)
        guard result.status == 0 else {
            throw GitError("git \(arguments.first ?? "") failed in \(directory): \(result.errorSummary)")
        }
        return result.output
    }
}

/// Runs git as a child process without a shell.
enum GitProcess {
    struct Result {
        var status: Int32
        var output: Data
        var error: Data
        var errorSummary: String { GitProcess.summary(error) }
    }

    struct Status {
        var code: Int32
        var errorSummary: String
    }

    /// A git that exits before reading all of its input must not kill Warden with SIGPIPE.
    static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    static func locateGit() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("git")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw GitError("git is not installed (install it with: apt-get install -y git)")
    }

    static func run(_ arguments: [String], in directory: String, input: Data? = nil) throws -> Result {
        var output = Data()
        let status = try stream(arguments, in: directory, input: input) { chunk in output.append(contentsOf: chunk) }
        return Result(status: status.code, output: output, error: Data(status.errorSummary.utf8))
    }

    /// Runs git, handing standard output to `body` as it arrives; standard error is drained
    /// on another thread so a chatty git can never block on a full pipe.
    static func stream(_ arguments: [String], in directory: String, input: Data? = nil, _ body: (UnsafeRawBufferPointer) -> Void) throws -> Status {
        let process = Process()
        process.executableURL = try locateGit()
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        // No pager, no prompts, no locale-dependent messages, no system or user diff drivers.
        environment["GIT_PAGER"] = "cat"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["LC_ALL"] = "C"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let stdin = input.map { _ in Pipe() }
        process.standardInput = stdin ?? FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw GitError("cannot run git: \(error.localizedDescription)")
        }
        if let stdin, let input {
            GitProcess.ignoreBrokenPipes
            // Written from another thread: git may fill its output pipe before reading all
            // of its input.
            let feed = Thread {
                try? stdin.fileHandleForWriting.write(contentsOf: input)
                try? stdin.fileHandleForWriting.close()
            }
            feed.start()
        }
        let errorBox = ErrorBuffer()
        let drain = Thread {
            let data = stderr.fileHandleForReading.readDataToEndOfFile()
            errorBox.set(data)
        }
        drain.start()
        let reader = stdout.fileHandleForReading
        while true {
            let chunk = (try? reader.read(upToCount: 1 << 20)) ?? nil
            guard let chunk, !chunk.isEmpty else { break }
            chunk.withUnsafeBytes { body($0) }
        }
        process.waitUntilExit()
        let error = errorBox.wait()
        return Status(code: process.terminationStatus, errorSummary: summary(error))
    }

    static func summary(_ data: Data) -> String {
        let text = String(decoding: data.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let firstLines = text.split(separator: "\n").prefix(3).joined(separator: "; ")
        return firstLines.isEmpty ? "no message" : firstLines
    }
}

/// Standard error collected on the draining thread, handed back once it is complete.
final class ErrorBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
