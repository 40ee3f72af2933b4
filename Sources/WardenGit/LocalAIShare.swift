import Foundation
import WardenCore

/// Gathers the AI share's input from a local repository: the range's commits, their git-ai
/// notes (`refs/notes/ai`), and for each measured line the commit that added it (`git blame`).
public struct LocalAIShare {
    public var repository: GitRepository
    /// Above these, blame would take too long; per-commit line counts are used instead.
    public var blameFileLimit = 1_000
    public var blameLineLimit = 500_000
    /// Where git-ai keeps its authorship logs.
    public var notesRef = "refs/notes/ai"

    public init(repository: GitRepository) {
        self.repository = repository
    }

    /// The input for ``AISignalSet/score(_:)``. `measured` are the measured lines of the
    /// diff from `base` to `head` (resolved ids); `isMeasured` says which files count, for
    /// per-commit counts.
    public func input(
        base: String, head: String, measured: [MeasuredFile], isMeasured: (String) -> Bool, hints: MergeRequestHints
    ) throws -> AIShareInput {
        let commits = try repository.commits(from: base, to: head)
        let total = measured.reduce(0) { $0 + $1.count }
        var notes: [String] = []
        if commits.count >= AISignalSet.maximumCommits {
            notes.append("the range has more than \(AISignalSet.maximumCommits) commits; only the newest were read")
        }

        var parsedNotes: [String: GitAINote] = [:]
        for (commit, text) in try repository.notes(ref: notesRef, for: Set(commits.map(\.sha))) {
            do {
                parsedNotes[commit] = try GitAINote(parsing: text)
            } catch {
                notes.append("the git-ai note on \(commit.prefix(10)) cannot be read (\(error.description)); its commit is judged by its other marks")
            }
        }

        guard measured.count <= blameFileLimit, total <= blameLineLimit else {
            notes.append("\(measured.count) files and \(total) lines are too many to blame; lines are weighed by what each commit added")
            let lines = try addedLinesPerCommit(base: base, head: head, isMeasured: isMeasured)
            return AIShareInput(commits: commits, lines: lines, measuredLines: total, attribution: .approximate, mergeRequest: hints, notes: notes)
        }

        let inRange = Set(commits.map(\.sha))
        let results = blameAll(measured, base: base, head: head)
        var lines: [String: CommitLines] = [:]
        var noted: [String: [String: Int]] = [:]  // commit → session → lines
        var unattributed = 0
        var failed: [String] = []
        for (file, outcome) in zip(measured, results) {
            guard case .success(let runs) = outcome else {
                failed.append(file.path)
                unattributed += file.count
                continue
            }
            var attributed = 0
            for run in runs where run.count > 0 {
                let range = run.resultLine...(run.resultLine + run.count - 1)
                let count = file.count(in: range)
                guard count > 0, !run.isBoundary, inRange.contains(run.commit) else { continue }
                attributed += count
                lines[run.commit, default: CommitLines(lines: 0)].lines += count
                guard let note = parsedNotes[run.commit] else { continue }
                for line in range where file.contains(line) {
                    if let session = note.session(line: run.sourceLine + (line - run.resultLine), in: run.sourcePath) {
                        noted[run.commit, default: [:]][session, default: 0] += 1
                    }
                }
            }
            unattributed += file.count - attributed
        }
        for (commit, note) in parsedNotes {
            let sessions = noted[commit] ?? [:]
            lines[commit, default: CommitLines(lines: 0)].noted = sessions.sorted { $0.key < $1.key }.map { hash, count in
                let session = note.sessionInfo(hash)
                return NotedLines(tool: session.tool, model: session.model, lines: count)
            }
        }
        if !failed.isEmpty {
            notes.append("git blame failed for \(failed.count) file\(failed.count == 1 ? "" : "s") (\(failed.prefix(3).joined(separator: ", "))); their lines are unattributed")
        }
        if unattributed > 0 {
            notes.append("\(unattributed) of \(total) lines could not be tied to a commit of the range")
        }
        return AIShareInput(commits: commits, lines: lines, measuredLines: total, attribution: .exact, mergeRequest: hints, notes: notes)
    }

    /// Blames files a few at a time (each is a git process).
    private func blameAll(_ files: [MeasuredFile], base: String, head: String) -> [Result<[BlameRun], GitError>] {
        let results = BlameResults(count: files.count)
        let repository = self.repository
        DispatchQueue.concurrentPerform(iterations: min(4, max(1, files.count))) { worker in
            var index = worker
            while index < files.count {
                do {
                    results.set(index, .success(try repository.blame(files[index].path, from: base, to: head)))
                } catch let error as GitError {
                    results.set(index, .failure(error))
                } catch {
                    results.set(index, .failure(GitError("\(error)")))
                }
                index += 4
            }
        }
        return results.values
    }

    /// Lines each commit added to measured files (`git log --numstat`), for ranges too large
    /// to blame.
    func addedLinesPerCommit(base: String, head: String, isMeasured: (String) -> Bool) throws -> [String: CommitLines] {
        let output = try repository.output([
            "-c", "core.quotePath=true", "log", "--no-color", "--no-show-signature", "--numstat", "--no-renames", "--format=%H",
            "--max-count=\(AISignalSet.maximumCommits)", "--end-of-options", "\(base)..\(head)",
        ])
        var lines: [String: CommitLines] = [:]
        var current: String?
        for raw in output.split(separator: 0x0A) {
            let line = String(decoding: raw, as: UTF8.self)
            if line.count >= 40, line.allSatisfy(\.isHexDigit) {
                current = line
                lines[line] = CommitLines(lines: 0)
                continue
            }
            let parts = line.split(separator: "\t", maxSplits: 2)
            guard let commit = current, parts.count == 3, let added = Int(parts[0]) else { continue }
            if isMeasured(GitQuotedPath.unquote(String(parts[2]))) { lines[commit]?.lines += added }
        }
        return lines
    }
}

/// Blame results filled in by several threads, each writing its own slots.
private final class BlameResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[BlameRun], GitError>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<[BlameRun], GitError>) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Result<[BlameRun], GitError>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(GitError("not blamed")) }
    }
}
