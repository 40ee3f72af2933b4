/// Receives a diff as the streaming parser reads it: one file header, then that file's
/// hunks and lines, then the end of the file.
public protocol DiffSink {
    mutating func beginFile(_ header: FileHeader)
    mutating func beginHunk(_ header: HunkHeader)
    mutating func line(_ line: LineView)
    /// The previous line had no newline at the end of the file.
    mutating func missingNewline()
    mutating func endFile()
}

extension DiffSink {
    public mutating func beginHunk(_ header: HunkHeader) {}
    public mutating func missingNewline() {}
}

/// A ``DiffSink`` that keeps everything: the in-memory ``Diff``.
public struct DiffCollector: DiffSink {
    public private(set) var files: [FileDiff] = []

    public init() {}

    public mutating func beginFile(_ header: FileHeader) {
        files.append(FileDiff(header: header, hunks: []))
    }

    public mutating func beginHunk(_ header: HunkHeader) {
        guard !files.isEmpty else { return }
        files[files.count - 1].hunks.append(Hunk(header: header, lines: []))
    }

    public mutating func line(_ line: LineView) {
        guard !files.isEmpty, !files[files.count - 1].hunks.isEmpty else { return }
        let f = files.count - 1, h = files[f].hunks.count - 1
        files[f].hunks[h].lines.append(
            DiffLine(kind: line.kind, oldLine: line.oldLine, newLine: line.newLine, bytes: Array(line.content)))
    }

    public mutating func missingNewline() {
        guard let f = files.indices.last, let h = files[f].hunks.indices.last,
            let l = files[f].hunks[h].lines.indices.last
        else { return }
        files[f].hunks[h].lines[l].missingNewline = true
    }

    public mutating func endFile() {}
}
