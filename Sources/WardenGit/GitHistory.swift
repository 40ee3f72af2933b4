import Foundation
import WardenCore

/// One run of lines of a file at the head revision and the commit that added them, as
/// `git blame --incremental` reports it.
public struct BlameRun: Sendable, Hashable {
    public var commit: String
    /// First line of the run in the commit's version of the file.
    public var sourceLine: Int
    /// First line of the run in the head version of the file.
    public var resultLine: Int
    public var count: Int
    /// The file's path in the commit that added the lines (it may have been renamed since).
    public var sourcePath: String
    /// The lines are older than the range: blamed on its boundary, not on one of its commits.
    public var isBoundary: Bool
}

extension GitRepository {
    /// The commits reachable from `head` and not from `base` (both resolved ids), newest
    /// first, at most `limit`.
    public func commits(from base: String, to head: String, limit: Int = AISignalSet.maximumCommits) throws -> [CommitInfo] {
        let format = "%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%B%x00"
        let output = try self.output([
            "-c", "i18n.logOutputEncoding=UTF-8", "log", "-z", "--no-color", "--no-show-signature", "--format=" + format,
            "--max-count=\(max(1, limit))", "--end-of-options", "\(base)..\(head)",
        ])
        return GitRepository.parseCommits(output)
    }

    /// Parses `git log -z` output of the format above. Fields are separated by NUL; a record
    /// starts at a commit id followed by its parent ids, so a message with a stray NUL cannot
    /// shift the fields of the next commit.
    static func parseCommits(_ output: Data) -> [CommitInfo] {
        let fields = output.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var commits: [CommitInfo] = []
        var index = 0
        func isObjectId(_ text: String) -> Bool { (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit) }
        func isParentList(_ text: String) -> Bool { text.split(separator: " ").allSatisfy { isObjectId(String($0)) } }
        while index < fields.count {
            var sha = fields[index]
            if sha.hasPrefix("\n") { sha.removeFirst() }
            guard isObjectId(sha), index + 6 < fields.count, isParentList(fields[index + 1]) else {
                index += 1
                continue
            }
            let parents = fields[index + 1].split(separator: " ").map(String.init)
            let author = GitIdentity(name: fields[index + 2], email: fields[index + 3])
            let committer = GitIdentity(name: fields[index + 4], email: fields[index + 5])
            commits.append(CommitInfo(sha: sha, parents: parents, author: author, committer: committer, message: fields[index + 6]))
            index += 7
        }
        return commits
    }

    /// The notes under `ref` attached to `commits`, by commit id. A missing ref is no notes.
    public func notes(ref: String, for commits: Set<String>) throws -> [String: String] {
        let list = try GitProcess.run(["notes", "--ref=\(ref)", "list"], in: directory)
        guard list.status == 0 else { return [:] }
        var blobs: [(blob: String, commit: String)] = []
        for line in String(decoding: list.output, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let commit = String(parts[1])
            if commits.contains(commit) { blobs.append((String(parts[0]), commit)) }
        }
        guard !blobs.isEmpty else { return [:] }
        let request = Data(blobs.map { $0.blob + "\n" }.joined().utf8)
        let output = try GitProcess.run(["cat-file", "--batch"], in: directory, input: request)
        guard output.status == 0 else { throw GitError("git cat-file failed in \(directory): \(output.errorSummary)") }
        // "<oid> blob <size>\n<content>\n" per object.
        var notes: [String: String] = [:]
        let bytes = [UInt8](output.output)
        var position = 0
        for (blob, commit) in blobs {
            guard let newline = bytes[position...].firstIndex(of: 0x0A) else { break }
            let header = String(decoding: bytes[position..<newline], as: UTF8.self).split(separator: " ")
            position = newline + 1
            guard header.count == 3, header[0] == blob, header[1] == "blob", let size = Int(header[2]), size >= 0,
                position + size <= bytes.count
            else { continue }
            notes[commit] = String(decoding: bytes[position..<position + size], as: UTF8.self)
            position += size + 1
        }
        return notes
    }

    /// Who added each line of `path` at `head`, within `base..head` (resolved ids).
    public func blame(_ path: String, from base: String, to head: String) throws -> [BlameRun] {
        // blame takes no --end-of-options; the range is two verified ids and the path comes
        // after "--".
        let output = try self.output(["-c", "core.quotePath=true", "blame", "--incremental", "\(base)..\(head)", "--", path])
        return GitRepository.parseBlame(output)
    }

    /// Parses `git blame --incremental`: a run header `<sha> <source> <result> <count>`,
    /// commit details the first time a commit appears (only `boundary` matters here), and a
    /// closing `filename <path>` line.
    static func parseBlame(_ output: Data) -> [BlameRun] {
        var runs: [BlameRun] = []
        var boundaries = Set<String>()
        var current: BlameRun?
        for raw in output.split(separator: 0x0A) {
            let line = String(decoding: raw, as: UTF8.self)
            if current == nil {
                let parts = line.split(separator: " ")
                guard parts.count == 4, parts[0].count >= 40, parts[0].allSatisfy(\.isHexDigit),
                    let source = Int(parts[1]), let result = Int(parts[2]), let count = Int(parts[3]), count > 0
                else { continue }
                current = BlameRun(commit: String(parts[0]), sourceLine: source, resultLine: result, count: count, sourcePath: "", isBoundary: false)
                continue
            }
            if line == "boundary", let commit = current?.commit {
                boundaries.insert(commit)
            } else if line.hasPrefix("filename "), var run = current {
                run.sourcePath = GitQuotedPath.unquote(String(line.dropFirst("filename ".count)))
                run.isBoundary = boundaries.contains(run.commit)
                runs.append(run)
                current = nil
            }
        }
        return runs
    }

    /// The branch a revision names (`codex/fix-login` for `codex/fix-login`, `HEAD` on that
    /// branch, or `origin/codex/fix-login`), or `nil` for a plain commit id.
    public func branchName(_ revision: String) -> String? {
        guard !revision.hasPrefix("-"),
            let result = try? GitProcess.run(["rev-parse", "--symbolic-full-name", "--end-of-options", revision], in: directory),
            result.status == 0
        else { return nil }
        // Older gits echo "--end-of-options" on a line of its own before the name.
        let name = String(decoding: result.output, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        if name.hasPrefix("refs/heads/") { return String(name.dropFirst("refs/heads/".count)) }
        if name.hasPrefix("refs/remotes/") {
            let rest = name.dropFirst("refs/remotes/".count)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            return String(rest[rest.index(after: slash)...])
        }
        return nil
    }
}
