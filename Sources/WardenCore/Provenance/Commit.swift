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
        let tail = message.utf8.count > 65_536 ? String(decoding: message.utf8.suffix(65_536), as: UTF8.self) : message
        var lines = tail.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        guard let blank = lines.lastIndex(where: { $0.allSatisfy(\.isWhitespace) }) else { return [] }
        // The paragraph before the block must hold something: the subject is never a trailer.
        guard lines[..<blank].contains(where: { !$0.allSatisfy(\.isWhitespace) }) else { return [] }
        let paragraph = lines[(blank + 1)...]
        guard paragraph.count <= 200 else { return [] }

        var trailers: [Trailer] = []
        var otherLines = 0
        var gitGenerated = false
        for line in paragraph {
            if let first = line.first, first == " " || first == "\t" {
                if !trailers.isEmpty { trailers[trailers.count - 1].value += " " + line.trimmingWhitespace }
                continue
            }
            if line.hasPrefix("(cherry picked from commit ") {
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

    /// `Key: value` where the key is a token of letters, digits and dashes.
    init?(line: Substring) {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let key = line[..<colon].trimmingWhitespace
        guard !key.isEmpty, key.count <= 80, key.first?.isLetter == true || key.first?.isNumber == true,
            key.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" })
        else { return nil }
        let value = line[line.index(after: colon)...].trimmingWhitespace
        guard !value.isEmpty else { return nil }
        self.key = key
        self.value = value
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }

    var collapsingWhitespace: String {
        split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
