/// What a changed line is in a unified diff.
public enum LineKind: UInt8, Sendable, Hashable {
    case context
    case added
    case removed
}

/// Which side of the diff a line number refers to: the new file (added lines) or the old
/// file (removed lines).
public enum Side: String, Sendable, Hashable, Codable {
    case new
    case old
}

/// How a file changed between the two sides of a diff.
public enum FileChange: String, Sendable, Hashable, Codable {
    case added
    case deleted
    case modified
    case renamed
    case copied

    /// One bit per kind of change, for masks.
    var bit: UInt8 {
        switch self {
        case .added: 1
        case .deleted: 2
        case .modified: 4
        case .renamed: 8
        case .copied: 16
        }
    }
}

/// Everything a diff says about one file before its hunks: names, kind of change, modes.
public struct FileHeader: Sendable, Hashable {
    /// Path on the old side, `nil` for a new file.
    public var oldPath: String?
    /// Path on the new side, `nil` for a deleted file.
    public var newPath: String?
    public var change: FileChange
    public var oldMode: String?
    public var newMode: String?
    /// Similarity of a rename or copy, in percent.
    public var similarity: Int?
    /// The diff says the file is binary (no text hunks).
    public var isBinary: Bool
    /// The source had no patch text for this file (a forge omitted it: too large, collapsed).
    public var patchMissing: Bool

    public init(
        oldPath: String?, newPath: String?, change: FileChange = .modified,
        oldMode: String? = nil, newMode: String? = nil, similarity: Int? = nil,
        isBinary: Bool = false, patchMissing: Bool = false
    ) {
        self.oldPath = oldPath
        self.newPath = newPath
        self.change = change
        self.oldMode = oldMode
        self.newMode = newMode
        self.similarity = similarity
        self.isBinary = isBinary
        self.patchMissing = patchMissing
    }

    /// The path a reviewer knows the file by: the new path, or the old one for a deletion.
    public var path: String { newPath ?? oldPath ?? "" }

    /// The mode changed (e.g. a file became executable).
    public var modeChanged: Bool {
        if let oldMode, let newMode { return oldMode != newMode }
        return false
    }
}

/// The `@@ -a,b +c,d @@ heading` line of a hunk.
public struct HunkHeader: Sendable, Hashable {
    public var oldStart: Int
    public var oldCount: Int
    public var newStart: Int
    public var newCount: Int
    /// The text after the closing `@@`: usually the enclosing function.
    public var heading: String

    public init(oldStart: Int, oldCount: Int, newStart: Int, newCount: Int, heading: String = "") {
        self.oldStart = oldStart
        self.oldCount = oldCount
        self.newStart = newStart
        self.newCount = newCount
        self.heading = heading
    }
}

/// A line of a hunk as the streaming parser hands it to a ``DiffSink``. The bytes are only
/// valid during the call; copy what you keep.
public struct LineView {
    public let kind: LineKind
    /// Old-file line number. For an added line: the old line it was inserted before.
    public let oldLine: Int
    /// New-file line number. For a removed line: the new line at the place it was removed.
    public let newLine: Int
    /// The line's content without the diff prefix and without the line terminator.
    public let content: UnsafeBufferPointer<UInt8>

    /// The line number in the file the line belongs to (new file for added and context lines).
    public var number: Int { kind == .removed ? oldLine : newLine }
    public var side: Side { kind == .removed ? .old : .new }
}

/// A line of a hunk, kept.
public struct DiffLine: Sendable, Hashable {
    public var kind: LineKind
    public var oldLine: Int
    public var newLine: Int
    public var bytes: [UInt8]
    /// Followed by `\ No newline at end of file`.
    public var missingNewline: Bool

    public init(kind: LineKind, oldLine: Int, newLine: Int, bytes: [UInt8], missingNewline: Bool = false) {
        self.kind = kind
        self.oldLine = oldLine
        self.newLine = newLine
        self.bytes = bytes
        self.missingNewline = missingNewline
    }

    /// The content as text; invalid UTF-8 is replaced, never fatal.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var number: Int { kind == .removed ? oldLine : newLine }
}

public struct Hunk: Sendable, Hashable {
    public var header: HunkHeader
    public var lines: [DiffLine]
}

public struct FileDiff: Sendable, Hashable {
    public var header: FileHeader
    public var hunks: [Hunk]

    public var path: String { header.path }
    public var addedLines: Int { hunks.reduce(0) { $0 + $1.lines.count(where: { $0.kind == .added }) } }
    public var removedLines: Int { hunks.reduce(0) { $0 + $1.lines.count(where: { $0.kind == .removed }) } }
}

/// A whole diff held in memory. For large inputs stream through ``DiffParser`` instead.
public struct Diff: Sendable, Hashable {
    public var files: [FileDiff]

    public init(files: [FileDiff] = []) { self.files = files }

    /// Parses any unified diff form (git, format-patch, GitHub's diff media type, plain `diff -u`).
    public init(parsing bytes: some Collection<UInt8>) {
        var collector = DiffCollector()
        DiffParser.parse(bytes, into: &collector)
        self.files = collector.files
    }

    public init(parsing text: String) { self.init(parsing: Array(text.utf8)) }
}
