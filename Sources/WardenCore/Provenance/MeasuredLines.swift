/// The lines of one file that the AI share is measured over: added, non-blank lines by their
/// new-file line number.
public struct MeasuredFile: Sendable, Hashable {
    public var path: String
    /// Sorted, non-overlapping runs of new-file line numbers.
    public var runs: [ClosedRange<Int>]
    public var count: Int

    public init(path: String, runs: [ClosedRange<Int>] = [], count: Int = 0) {
        self.path = path
        self.runs = runs
        self.count = count
    }

    public func contains(_ line: Int) -> Bool {
        var low = 0, high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].upperBound < line { low = middle + 1 } else { high = middle }
        }
        return low < runs.count && runs[low].contains(line)
    }

    /// How many measured lines fall in `lines`.
    public func count(in lines: ClosedRange<Int>) -> Int {
        var low = 0, high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].upperBound < lines.lowerBound { low = middle + 1 } else { high = middle }
        }
        var total = 0
        var index = low
        while index < runs.count, runs[index].lowerBound <= lines.upperBound {
            total += runs[index].clamped(to: lines).count
            index += 1
        }
        return total
    }

    mutating func add(_ line: Int) {
        count += 1
        if let last = runs.last, last.upperBound + 1 == line {
            runs[runs.count - 1] = last.lowerBound...line
        } else {
            runs.append(line...line)
        }
    }
}

/// Collects, as the diff streams by, the lines the AI share is measured over: net added
/// (added in the merge request's final diff), non-blank lines of files that `isMeasured`
/// accepts (not lockfiles, generated or vendored files).
public struct MeasuredLinesCollector: DiffSink {
    private let isMeasured: (String) -> Bool
    public private(set) var files: [MeasuredFile] = []
    public private(set) var total = 0
    private var current: MeasuredFile?

    public init(isMeasured: @escaping (String) -> Bool) {
        self.isMeasured = isMeasured
    }

    public mutating func beginFile(_ header: FileHeader) {
        current = nil
        guard let path = header.newPath, !header.isBinary, isMeasured(path) else { return }
        current = MeasuredFile(path: path)
    }

    public mutating func line(_ line: LineView) {
        guard line.kind == .added, current != nil else { return }
        guard line.content.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0B && $0 != 0x0C }) else { return }
        current?.add(line.newLine)
    }

    public mutating func endFile() {
        if let file = current, file.count > 0 {
            files.append(file)
            total += file.count
        }
        current = nil
    }
}

/// Feeds one diff to two sinks at once (e.g. the classifier and the measured-lines collector).
public struct DiffSinkPair<First: DiffSink, Second: DiffSink>: DiffSink {
    public var first: First
    public var second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public mutating func beginFile(_ header: FileHeader) {
        first.beginFile(header)
        second.beginFile(header)
    }

    public mutating func beginHunk(_ header: HunkHeader) {
        first.beginHunk(header)
        second.beginHunk(header)
    }

    public mutating func line(_ line: LineView) {
        first.line(line)
        second.line(line)
    }

    public mutating func missingNewline() {
        first.missingNewline()
        second.missingNewline()
    }

    public mutating func endFile() {
        first.endFile()
        second.endFile()
    }
}
