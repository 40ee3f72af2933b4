import Crypto
import Foundation
import WardenCore

/// A digest of each hunk's changed lines, collected while the classifier reads the diff, so
/// that each area can be given a fingerprint of its sensitive hunks.
///
/// A sign-off is recorded against an area and that area's fingerprint: it stays valid while
/// the hunks carrying the area's findings are unchanged (a rebase that only moves them, or a
/// push that touches other code, keeps it) and lapses when any of them changes. Hunks are
/// digested from their added and removed lines only — not line numbers, not context.
struct HunkDigests: DiffSink {
    struct Entry {
        var path: String
        var oldLines: Range<Int>
        var newLines: Range<Int>
        var digest: String
    }

    private(set) var entries: [Entry] = []
    /// Every changed line of the diff, for an area whose findings were cut by the limits.
    private var whole = SHA256()
    private var path = ""
    private var header: HunkHeader?
    private var hunk = SHA256()

    mutating func beginFile(_ header: FileHeader) {
        finishHunk()
        path = header.path
        whole.update(data: Data("\u{0}file \(header.path)\n".utf8))
    }

    mutating func beginHunk(_ header: HunkHeader) {
        finishHunk()
        self.header = header
        hunk = SHA256()
    }

    mutating func line(_ line: LineView) {
        guard line.kind != .context, header != nil else { return }
        let prefix: [UInt8] = line.kind == .added ? [0x2B] : [0x2D]
        hunk.update(data: prefix)
        hunk.update(bufferPointer: UnsafeRawBufferPointer(line.content))
        hunk.update(data: [0x0A])
        whole.update(data: prefix)
        whole.update(bufferPointer: UnsafeRawBufferPointer(line.content))
        whole.update(data: [0x0A])
    }

    mutating func endFile() { finishHunk() }

    private mutating func finishHunk() {
        guard let header else { return }
        entries.append(
            Entry(
                path: path, oldLines: header.oldStart..<(header.oldStart + max(0, header.oldCount)),
                newLines: header.newStart..<(header.newStart + max(0, header.newCount)), digest: Data(hunk.finalize()).hexString))
        self.header = nil
    }

    /// Per flagged area (`auth`, `sql`, ...), the fingerprint of the hunks holding its
    /// findings. A finding on a path rather than a line covers every hunk of that file; an
    /// area whose findings were cut by the classifier's limits is fingerprinted over the
    /// whole diff (any change then asks for its sign-off again — the safe side).
    func fingerprints(_ classification: Classification) -> [String: String] {
        var result: [String: String] = [:]
        let wholeDigest = Data(whole.finalize()).hexString
        for report in classification.reports where report.flagged {
            if report.totalFindings > report.findings.count {
                result[report.area.rawValue] = "diff:" + String(wholeDigest.prefix(32))
                continue
            }
            var parts = Set<String>()
            for finding in report.findings {
                let hunks = entries.filter { entry in
                    guard entry.path == finding.file else { return false }
                    guard let line = finding.line else { return true }
                    return finding.side == .new ? entry.newLines.contains(line) : entry.oldLines.contains(line)
                }
                if hunks.isEmpty {
                    parts.insert("file \(finding.file)")  // a file without hunks (binary, no patch)
                } else {
                    for entry in hunks { parts.insert("hunk \(entry.path)\u{0}\(entry.digest)") }
                }
            }
            let digest = SHA256.hash(data: Data(parts.sorted().joined(separator: "\n").utf8))
            result[report.area.rawValue] = String(Data(digest).hexString.prefix(32))
        }
        return result
    }
}
