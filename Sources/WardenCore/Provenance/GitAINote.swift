import Foundation

/// A git-ai authorship log: the note git-ai attaches to a commit under `refs/notes/ai`
/// (Git AI Standard v3, schema `authorship/3.0.0`). It says which lines of each file, as the
/// file is in that commit, an AI session wrote, and which agent and model each session was.
///
/// ```
/// src/main.rs
///   abcd1234abcd1234 1-10,15-20
/// ---
/// {"schema_version": "authorship/3.0.0", "prompts": {"abcd1234abcd1234":
///   {"agent_id": {"tool": "cursor", "model": "claude-4.5-opus"}, ...}}}
/// ```
///
/// Notes are untrusted input: sizes are bounded and anything malformed is an error the
/// caller reports, never a crash.
public struct GitAINote: Sendable, Hashable {
    public struct Session: Sendable, Hashable {
        public var tool: String
        public var model: String?
    }

    /// Per file, the attributed line ranges (sorted by start) and their session hash.
    public private(set) var files: [String: [Span]] = [:]
    /// Sessions by hash, from the metadata section.
    public private(set) var sessions: [String: Session] = [:]
    public private(set) var schemaVersion: String?

    public struct Span: Sendable, Hashable {
        public var lines: ClosedRange<Int>
        public var session: String
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    static let maximumSize = 8 << 20
    static let maximumSpans = 200_000

    public init(parsing text: String) throws(ParseError) {
        guard text.utf8.count <= GitAINote.maximumSize else {
            throw ParseError(description: "note is larger than \(GitAINote.maximumSize >> 20) MiB")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        var currentFile: String?
        var spanCount = 0
        var sawDivider = false
        while let raw = lines.popFirst() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line == "---" {
                sawDivider = true
                break
            }
            if line.isEmpty { continue }
            if line.hasPrefix("  ") {
                guard let file = currentFile else { throw ParseError(description: "attestation entry before any file path") }
                let entry = line.dropFirst(2)
                guard let space = entry.firstIndex(of: " ") else { throw ParseError(description: "attestation entry without line ranges: '\(entry.prefix(40))'") }
                let hash = String(entry[..<space]).lowercased()
                guard (7...64).contains(hash.count), hash.allSatisfy(\.isHexDigit) else {
                    throw ParseError(description: "bad session hash '\(hash.prefix(20))'")
                }
                for part in entry[entry.index(after: space)...].split(separator: ",") {
                    guard let range = GitAINote.range(part) else { throw ParseError(description: "bad line range '\(part.prefix(30))' for \(file)") }
                    spanCount += 1
                    guard spanCount <= GitAINote.maximumSpans else { throw ParseError(description: "more than \(GitAINote.maximumSpans) line ranges") }
                    files[file, default: []].append(Span(lines: range, session: hash))
                }
            } else if line.first?.isWhitespace == true {
                throw ParseError(description: "attestation entries are indented by exactly two spaces")
            } else {
                currentFile = GitAINote.path(line)
            }
        }
        guard sawDivider else { throw ParseError(description: "no '---' line between attestations and metadata") }
        for key in files.keys { files[key]?.sort { $0.lines.lowerBound < $1.lines.lowerBound } }

        let json = lines.joined(separator: "\n")
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        } catch {
            throw ParseError(description: "metadata is not valid JSON")
        }
        guard let metadata = object as? [String: Any] else { throw ParseError(description: "metadata is not a JSON object") }
        schemaVersion = metadata["schema_version"] as? String
        if let schemaVersion, !schemaVersion.hasPrefix("authorship/") {
            throw ParseError(description: "unknown schema_version '\(schemaVersion.prefix(40))'")
        }
        for (hash, value) in (metadata["prompts"] as? [String: Any]) ?? [:] {
            guard let prompt = value as? [String: Any], let agent = prompt["agent_id"] as? [String: Any] else { continue }
            let tool = (agent["tool"] as? String).map(EvidenceText.clean) ?? ""
            let model = (agent["model"] as? String).map(EvidenceText.clean)
            sessions[hash.lowercased()] = Session(tool: tool.isEmpty ? "unknown agent" : tool, model: model?.isEmpty == false ? model : nil)
        }
    }

    /// The session that wrote `line` of `path`, if any.
    public func session(line: Int, in path: String) -> String? {
        guard let spans = files[path] else { return nil }
        // Ranges are sorted by start; they do not overlap in a well-formed log, but a
        // malformed one may, so look back from the last span starting at or before `line`.
        var low = 0, high = spans.count
        while low < high {
            let middle = (low + high) / 2
            if spans[middle].lines.lowerBound <= line { low = middle + 1 } else { high = middle }
        }
        var index = low - 1
        var steps = 0
        while index >= 0 && steps < 64 {
            if spans[index].lines.contains(line) { return spans[index].session }
            index -= 1
            steps += 1
        }
        return nil
    }

    /// The session record for a hash (7-character hashes of older logs match by prefix).
    public func sessionInfo(_ hash: String) -> Session {
        if let session = sessions[hash] { return session }
        if let match = sessions.first(where: { $0.key.hasPrefix(hash) || hash.hasPrefix($0.key) }) { return match.value }
        return Session(tool: "unknown agent", model: nil)
    }

    static func range(_ text: Substring) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let start = Int(parts[0]), start >= 1, start < 100_000_000 else { return nil }
        guard parts.count == 2 else { return start...start }
        guard let end = Int(parts[1]), end >= start, end < 100_000_000 else { return nil }
        return start...end
    }

    /// A file path line: plain, or in double quotes with `\"` and `\\` escapes.
    static func path(_ line: Substring) -> String {
        guard line.count >= 2, line.first == "\"", line.last == "\"" else { return String(line) }
        var out = ""
        var escaped = false
        for character in line.dropFirst().dropLast() {
            if escaped {
                out.append(character == "n" ? "\n" : character == "t" ? "\t" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
