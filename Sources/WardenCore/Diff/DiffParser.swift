import Foundation

/// A streaming parser for unified diffs, fed one line at a time.
///
/// It reads every form Warden meets: `git diff` and `git format-patch` output (mail headers,
/// commit message and signature are skipped), GitHub's `application/vnd.github.diff`, plain
/// `diff -u`, and bare hunks without file headers (GitHub's per-file `patch`, GitLab's
/// `/diffs` entries; see ``parsePatch(_:header:into:)``). Renames, copies, mode changes,
/// binary files, `\ No newline at end of file`, CRLF and invalid UTF-8 are handled; it works on
/// bytes and never fails: what it cannot read is skipped.
///
/// Hunk lines are counted against the hunk header, as git does, so text after the last
/// hunk (a format-patch signature `-- `) is never mistaken for a removed line.
public struct DiffParser {
    private enum State {
        /// Outside any file: mail headers, commit messages, diffstats, junk.
        case preamble
        /// After `diff --git`: extended header lines until the first hunk.
        case header
        /// Inside a hunk, with lines left on each side.
        case hunk
        /// Between the hunks of one file.
        case betweenHunks
        /// Inside a `GIT binary patch` or a combined diff: skipped until the next file.
        case skipping
    }

    private var state: State = .preamble
    private var fileOpen = false
    /// The header being assembled, emitted at the first hunk or when the next file starts.
    private var pending = FileHeader(oldPath: nil, newPath: nil)
    private var pendingIsGit = false
    private var pendingEmitted = false
    /// A `--- name` line seen outside a file, waiting for its `+++ name`.
    private var minusLine: [UInt8]?

    private var oldRemaining = 0
    private var newRemaining = 0
    private var oldLine = 0
    private var newLine = 0

    public init() {}

    /// Parses a whole diff held in memory.
    public static func parse<S: DiffSink>(_ bytes: some Collection<UInt8>, into sink: inout S) {
        var parser = DiffParser()
        parser.consumeAll(bytes, into: &sink)
        parser.finish(into: &sink)
    }

    /// Feeds a whole buffer, line by line; the last line needs no `\n`.
    private mutating func consumeAll<S: DiffSink>(_ bytes: some Collection<UInt8>, into sink: inout S) {
        var splitter = LineSplitter()
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            splitter.feed(UnsafeRawBufferPointer(buffer)) { consume(line: $0, into: &sink) }
        }
        if contiguous == nil {
            Array(bytes).withUnsafeBytes { raw in
                splitter.feed(raw) { consume(line: $0, into: &sink) }
            }
        }
        splitter.finish { consume(line: $0, into: &sink) }
    }

    /// Parses the hunks of one file whose header is known from elsewhere: GitHub's per-file
    /// `patch` field or a GitLab `/diffs` entry's `diff`. Headers in the text, if any, are
    /// read as usual.
    public static func parsePatch<S: DiffSink>(_ patch: some Collection<UInt8>, header: FileHeader, into sink: inout S) {
        var parser = DiffParser()
        parser.pending = header
        parser.openPending(into: &sink)
        parser.state = .betweenHunks
        parser.consumeAll(patch, into: &sink)
        parser.finish(into: &sink)
    }

    /// Consumes one line, without its `\n`. A trailing `\r` (CRLF) is ignored.
    public mutating func consume<S: DiffSink>(line raw: UnsafeBufferPointer<UInt8>, into sink: inout S) {
        var line = raw
        if let last = line.last, last == UInt8(ascii: "\r") {
            line = UnsafeBufferPointer(rebasing: line.dropLast())
        }
        process(line, into: &sink)
    }

    /// Ends the input: closes the open file, if any.
    public mutating func finish<S: DiffSink>(into sink: inout S) {
        closeFile(into: &sink)
        state = .preamble
    }

    // MARK: - States

    private mutating func process<S: DiffSink>(_ line: UnsafeBufferPointer<UInt8>, into sink: inout S) {
        switch state {
        case .hunk:
            if hunkLine(line, into: &sink) { return }
            state = .betweenHunks
            process(line, into: &sink)
        case .header:
            headerLine(line, into: &sink)
        case .betweenHunks:
            if line.starts(with: ByteLiterals.hunkStart) {
                if startHunk(line, into: &sink) { return }
            } else if line.first == UInt8(ascii: "\\") {
                sink.missingNewline()
                return
            }
            outsideLine(line, into: &sink)
        case .preamble:
            outsideLine(line, into: &sink)
        case .skipping:
            if line.starts(with: ByteLiterals.diffGit) || line.starts(with: ByteLiterals.diffCombined) {
                outsideLine(line, into: &sink)
            }
        }
    }

    /// A line inside a hunk. Returns false when the line does not belong to the hunk.
    private mutating func hunkLine<S: DiffSink>(_ line: UnsafeBufferPointer<UInt8>, into sink: inout S) -> Bool {
        guard let first = line.first else {
            // Some tools strip the space of an empty context line.
            guard oldRemaining > 0, newRemaining > 0 else { return false }
            emit(.context, content: line, into: &sink)
            return true
        }
        switch first {
        case UInt8(ascii: " ") where oldRemaining > 0 && newRemaining > 0:
            emit(.context, content: UnsafeBufferPointer(rebasing: line.dropFirst()), into: &sink)
        case UInt8(ascii: "+") where newRemaining > 0:
            emit(.added, content: UnsafeBufferPointer(rebasing: line.dropFirst()), into: &sink)
        case UInt8(ascii: "-") where oldRemaining > 0:
            emit(.removed, content: UnsafeBufferPointer(rebasing: line.dropFirst()), into: &sink)
        case UInt8(ascii: "\\"):
            sink.missingNewline()
            return true
        default:
            return false
        }
        if oldRemaining == 0 && newRemaining == 0 { state = .betweenHunks }
        return true
    }

    private mutating func emit<S: DiffSink>(_ kind: LineKind, content: UnsafeBufferPointer<UInt8>, into sink: inout S) {
        sink.line(LineView(kind: kind, oldLine: oldLine, newLine: newLine, content: content))
        switch kind {
        case .context:
            oldLine += 1; newLine += 1
            oldRemaining -= 1; newRemaining -= 1
        case .added:
            newLine += 1; newRemaining -= 1
        case .removed:
            oldLine += 1; oldRemaining -= 1
        }
    }

    /// A line in the extended header of a `diff --git` file.
    private mutating func headerLine<S: DiffSink>(_ line: UnsafeBufferPointer<UInt8>, into sink: inout S) {
        if line.starts(with: ByteLiterals.hunkStart) {
            openPending(into: &sink)
            state = .betweenHunks
            if !startHunk(line, into: &sink) { state = .betweenHunks }
            return
        }
        if line.starts(with: ByteLiterals.diffGit) || line.starts(with: ByteLiterals.diffCombined) {
            outsideLine(line, into: &sink)
            return
        }
        if let value = line.value(after: "old mode ") {
            pending.oldMode = value.trimmedString
        } else if let value = line.value(after: "new mode ") {
            pending.newMode = value.trimmedString
        } else if let value = line.value(after: "deleted file mode ") {
            pending.change = .deleted
            pending.oldMode = value.trimmedString
        } else if let value = line.value(after: "new file mode ") {
            pending.change = .added
            pending.newMode = value.trimmedString
        } else if let value = line.value(after: "rename from ") ?? line.value(after: "rename old ") {
            pending.change = .renamed
            pending.oldPath = GitPath.name(value)
        } else if let value = line.value(after: "rename to ") ?? line.value(after: "rename new ") {
            pending.change = .renamed
            pending.newPath = GitPath.name(value)
        } else if let value = line.value(after: "copy from ") {
            pending.change = .copied
            pending.oldPath = GitPath.name(value)
        } else if let value = line.value(after: "copy to ") {
            pending.change = .copied
            pending.newPath = GitPath.name(value)
        } else if let value = line.value(after: "similarity index ") ?? line.value(after: "dissimilarity index ") {
            pending.similarity = Int(value.trimmedString.filter(\.isNumber))
        } else if line.value(after: "index ") != nil {
            // Blob ids; nothing a reviewer needs.
        } else if let value = line.value(after: "--- ") {
            let name = GitPath.fileName(value, prefix: pendingIsGit ? "a/" : nil)
            if name == nil { pending.change = .added; pending.oldPath = nil }
            else if pending.change != .renamed && pending.change != .copied { pending.oldPath = name }
        } else if let value = line.value(after: "+++ ") {
            let name = GitPath.fileName(value, prefix: pendingIsGit ? "b/" : nil)
            if name == nil { pending.change = .deleted; pending.newPath = nil }
            else if pending.change != .renamed && pending.change != .copied { pending.newPath = name }
            openPending(into: &sink)
            state = .betweenHunks
        } else if line.starts(with: ByteLiterals.binaryFiles) {
            pending.isBinary = true
            openPending(into: &sink)
            state = .betweenHunks
        } else if line.starts(with: ByteLiterals.gitBinaryPatch) {
            pending.isBinary = true
            openPending(into: &sink)
            state = .skipping
        } else {
            // Not a header line: the file had headers only (mode change, empty file, pure
            // rename). Close it and read the line as text outside any file.
            openPending(into: &sink)
            closeFile(into: &sink)
            state = .preamble
            outsideLine(line, into: &sink)
        }
    }

    /// A line outside any hunk: looks for the start of the next file.
    private mutating func outsideLine<S: DiffSink>(_ line: UnsafeBufferPointer<UInt8>, into sink: inout S) {
        defer {
            if !(line.starts(with: ByteLiterals.minus3)) { minusLine = nil }
        }
        if let rest = line.value(after: "diff --git ") {
            closeFile(into: &sink)
            let (old, new) = GitPath.diffGitNames(rest)
            pending = FileHeader(oldPath: old, newPath: new)
            pendingIsGit = true
            pendingEmitted = false
            state = .header
            return
        }
        if line.starts(with: ByteLiterals.diffCombined) {
            // Combined diffs of merge commits: not a change of its own, skipped.
            closeFile(into: &sink)
            state = .skipping
            return
        }
        if line.starts(with: ByteLiterals.minus3) {
            minusLine = Array(line)
            return
        }
        if let plus = line.value(after: "+++ "), let minus = minusLine {
            // A plain `diff -u` file: `--- old` then `+++ new`.
            closeFile(into: &sink)
            let oldRaw = Array(minus.dropFirst(4))
            let oldName = oldRaw.withUnsafeBufferPointer { GitPath.fileName($0, prefix: nil) }
            let newName = GitPath.fileName(plus, prefix: nil)
            var old = oldName, new = newName
            if let o = old, let n = new, o.hasPrefix("a/"), n.hasPrefix("b/") {
                old = String(o.dropFirst(2)); new = String(n.dropFirst(2))
            }
            let change: FileChange = old == nil ? .added : (new == nil ? .deleted : .modified)
            pending = FileHeader(oldPath: old, newPath: new, change: change)
            pendingIsGit = false
            pendingEmitted = false
            openPending(into: &sink)
            state = .betweenHunks
            return
        }
        if line.starts(with: ByteLiterals.hunkStart), startHunk(line, into: &sink) {
            // Bare hunks with no file header at all open an unnamed file (in startHunk).
            return
        }
        if state == .preamble, line.starts(with: ByteLiterals.binaryFiles), !fileOpen {
            // `diff -r` on binary files: "Binary files a/x and b/x differ".
            let text = String(decoding: line, as: UTF8.self)
            if let andRange = text.range(of: " and "), text.hasSuffix(" differ") {
                let old = String(text[text.index(text.startIndex, offsetBy: 13)..<andRange.lowerBound])
                let new = String(text[andRange.upperBound..<text.index(text.endIndex, offsetBy: -7)])
                pending = FileHeader(
                    oldPath: old == "/dev/null" ? nil : old, newPath: new == "/dev/null" ? nil : new,
                    isBinary: true)
                pendingEmitted = false
                openPending(into: &sink)
                closeFile(into: &sink)
            }
        }
    }

    /// Reads `@@ -a,b +c,d @@ heading`. Returns false for a malformed header.
    private mutating func startHunk<S: DiffSink>(_ line: UnsafeBufferPointer<UInt8>, into sink: inout S) -> Bool {
        guard let header = HunkHeaderParser.parse(line) else { return false }
        if !fileOpen {
            pending = FileHeader(oldPath: nil, newPath: nil)
            pendingEmitted = false
            openPending(into: &sink)
        }
        sink.beginHunk(header)
        oldLine = header.oldStart
        newLine = header.newStart
        oldRemaining = header.oldCount
        newRemaining = header.newCount
        state = (oldRemaining > 0 || newRemaining > 0) ? .hunk : .betweenHunks
        return true
    }

    private mutating func openPending<S: DiffSink>(into sink: inout S) {
        guard !pendingEmitted else { return }
        sink.beginFile(pending)
        pendingEmitted = true
        fileOpen = true
    }

    private mutating func closeFile<S: DiffSink>(into sink: inout S) {
        if state == .header { openPending(into: &sink) }
        if fileOpen { sink.endFile() }
        fileOpen = false
        pendingEmitted = true
        oldRemaining = 0
        newRemaining = 0
    }
}

enum ByteLiterals {
    static let hunkStart: [UInt8] = Array("@@ -".utf8)
    static let diffGit: [UInt8] = Array("diff --git ".utf8)
    static let diffCombined: [UInt8] = Array("diff --cc ".utf8)
    static let minus3: [UInt8] = Array("--- ".utf8)
    static let binaryFiles: [UInt8] = Array("Binary files ".utf8)
    static let gitBinaryPatch: [UInt8] = Array("GIT binary patch".utf8)
}

/// Reads the numbers of a hunk header.
enum HunkHeaderParser {
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> HunkHeader? {
        var i = 4  // after "@@ -"
        guard let (oldStart, oldCount) = range(line, &i) else { return nil }
        guard i < line.count, line[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard i < line.count, line[i] == UInt8(ascii: "+") else { return nil }
        i += 1
        guard let (newStart, newCount) = range(line, &i) else { return nil }
        guard i + 2 < line.count, line[i] == UInt8(ascii: " "),
            line[i + 1] == UInt8(ascii: "@"), line[i + 2] == UInt8(ascii: "@")
        else { return nil }
        // Skip "@@" and one space before the heading.
        var h = i + 1
        while h < line.count, line[h] == UInt8(ascii: "@") { h += 1 }
        if h < line.count, line[h] == UInt8(ascii: " ") { h += 1 }
        let heading = h < line.count ? String(decoding: UnsafeBufferPointer(rebasing: line[h...]), as: UTF8.self) : ""
        return HunkHeader(oldStart: oldStart, oldCount: oldCount, newStart: newStart, newCount: newCount, heading: heading)
    }

    /// `start[,count]`; a missing count means 1.
    private static func range(_ line: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> (Int, Int)? {
        guard let start = number(line, &i) else { return nil }
        var count = 1
        if i < line.count, line[i] == UInt8(ascii: ",") {
            i += 1
            guard let c = number(line, &i) else { return nil }
            count = c
        }
        return (start, count)
    }

    private static func number(_ line: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int? {
        var value = 0
        let begin = i
        while i < line.count, line[i] >= UInt8(ascii: "0"), line[i] <= UInt8(ascii: "9") {
            // Counts beyond a billion lines are not real diffs; refuse rather than overflow.
            guard value < 1_000_000_000 else { return nil }
            value = value * 10 + Int(line[i] - UInt8(ascii: "0"))
            i += 1
        }
        return i > begin ? value : nil
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes after `prefix` when the line starts with it.
    func value(after prefix: StaticString) -> UnsafeBufferPointer<UInt8>? {
        let count = prefix.utf8CodeUnitCount
        guard self.count >= count else { return nil }
        let p = prefix.utf8Start
        for i in 0..<count where self[i] != p[i] { return nil }
        return UnsafeBufferPointer(rebasing: self[count...])
    }

    var trimmedString: String {
        String(decoding: self, as: UTF8.self).trimmingWhitespace
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
