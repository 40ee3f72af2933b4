/// A person or tool as git records it: `Name <email>`.
public struct GitIdentity: Sendable, Hashable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// Parses `Name <email>` (a trailer value); `nil` without an `<email>` part.
    public init?(parsing text: some StringProtocol) {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        name = text[..<open].trimmingWhitespace
        email = text[text.index(after: open)..<close].trimmingWhitespace
    }

    /// `Name <email>` with runs of whitespace collapsed: the text identity signals match.
    public var text: String { "\(name.collapsingWhitespace) <\(email.trimmingWhitespace)>" }
}

/// One commit of a merge request, as git or a forge's API describes it. Every field is
/// untrusted text written by whoever made the commit.
public struct CommitInfo: Sendable, Hashable {
    public var sha: String
    public var parents: [String]
    public var author: GitIdentity
    public var committer: GitIdentity
    /// The full message: subject, body and trailers.
    public var message: String

    public init(sha: String, parents: [String] = [], author: GitIdentity, committer: GitIdentity? = nil, message: String) {
        self.sha = sha
        self.parents = parents
        self.author = author
        self.committer = committer ?? author
        self.message = message
    }

    public var isMerge: Bool { parents.count > 1 }

    /// The first line of the message.
    public var subject: Substring {
        message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    /// The trailers of the message's closing trailer block, in order.
    public var trailers: [Trailer] { Trailer.parse(message) }

    /// The commit this one reverts, from git's "This reverts commit <sha>." line.
    public var revertedCommit: String? {
        guard message.utf8.containsBytes("This reverts commit ") else { return nil }
        for line in message.split(separator: "\n").prefix(200) {
            guard let range = line.range(of: "This reverts commit ") else { continue }
            let id = line[range.upperBound...].prefix { $0.isHexDigit }
            if id.count >= 7 { return String(id).lowercased() }
        }
        return nil
    }
}

/// A `Key: value` line of a commit message's trailer block.
public struct Trailer: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// The trailer block of a message, read the way `git interpret-trailers` reads it: the
    /// last paragraph (never the subject) counts when all of its lines are trailers, or at
    /// least a quarter are and one is git's own (`Signed-off-by:`, `(cherry picked from`).
    /// Lines starting with whitespace continue the previous trailer. A `Key: value` line
    /// anywhere else is prose.
    public static func parse(_ message: String) -> [Trailer] {
        // Messages are untrusted and unbounded; a trailer block is at the end and short.
        // Bytes, not Characters: this runs for every commit of every merge request.
        let bytes = Array(message.utf8.suffix(65_536))
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        func isBlank(_ line: ArraySlice<UInt8>) -> Bool { line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
        while let last = lines.last, isBlank(last) { lines.removeLast() }
        guard let blank = lines.lastIndex(where: isBlank) else { return [] }
        // The paragraph before the block must hold something: the subject is never a trailer.
        guard lines[..<blank].contains(where: { !isBlank($0) }) else { return [] }
        let paragraph = lines[(blank + 1)...]
        guard paragraph.count <= 200 else { return [] }

        var trailers: [Trailer] = []
        var otherLines = 0
        var gitGenerated = false
        for line in paragraph {
            if let first = line.first, first == 0x20 || first == 0x09 {
                if !trailers.isEmpty { trailers[trailers.count - 1].value += " " + String(decoding: line, as: UTF8.self).trimmingWhitespace }
                continue
            }
            if line.starts(with: "(cherry picked from commit ".utf8) {
                gitGenerated = true
                continue
            }
            guard let trailer = Trailer(line: line) else {
                otherLines += 1
                continue
            }
            if trailer.key.lowercased() == "signed-off-by" { gitGenerated = true }
            trailers.append(trailer)
        }
        guard !trailers.isEmpty else { return [] }
        if otherLines == 0 || (gitGenerated && trailers.count * 3 >= otherLines) { return trailers }
        return []
    }

    /// `Key: value` where the key is a token of ASCII letters, digits and dashes.
    init?(line: ArraySlice<UInt8>) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        var keyBytes = line[..<colon]
        while let last = keyBytes.last, last == 0x20 || last == 0x09 { keyBytes.removeLast() }
        func isKeyByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "-")
        }
        guard let first = keyBytes.first, first != UInt8(ascii: "-"), keyBytes.count <= 80, keyBytes.allSatisfy(isKeyByte) else { return nil }
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhitespace
        guard !value.isEmpty else { return nil }
        self.key = String(decoding: keyBytes, as: UTF8.self)
        self.value = value
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.isSpace }), let end = scalars.lastIndex(where: { !$0.isSpace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }

    var collapsingWhitespace: String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar.isSpace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        return String(out)
    }
}

extension Unicode.Scalar {
    /// Whitespace, with ASCII answered without a Unicode property look-up.
    var isSpace: Bool {
        if isASCII { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }
}

extension String.UTF8View {
    /// Whether the bytes of `needle` occur, without Foundation's locale-aware search.
    func containsBytes(_ needle: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first, count >= pattern.count else { return false }
        var index = startIndex
        while let start = self[index...].firstIndex(of: first) {
            var a = start, matched = true
            for byte in pattern {
                guard a != endIndex, self[a] == byte else { matched = false; break }
                a = self.index(after: a)
            }
            if matched { return true }
            index = self.index(after: start)
        }
        return false
    }
}
