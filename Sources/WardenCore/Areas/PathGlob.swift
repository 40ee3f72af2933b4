/// A path pattern as rule packs and policies write them. Case-sensitive, like `.gitignore`
/// and CODEOWNERS; a pattern starting with `(?i)` ignores ASCII case.
///
/// - a pattern without `/` matches a file's name in any folder (`*.pem`, `Dockerfile*`);
/// - a pattern with `/` matches the whole path from the repository root (`src/auth/**`,
///   `**/migrations/*.sql`); a leading `/` is allowed and ignored;
/// - `*` matches within one path segment, `**` any number of segments, `?` one character,
///   `[abc]`/`[a-z]`/`[!x]` a class, and `{a,b}` alternatives.
public struct PathGlob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let alternatives: [[UInt8]]
    private let matchesBasename: Bool
    private let ignoresCase: Bool

    public init(_ pattern: String) {
        var p = pattern
        ignoresCase = p.hasPrefix("(?i)")
        if ignoresCase { p.removeFirst(4) }
        while p.hasPrefix("/") { p.removeFirst() }
        if p.hasPrefix("./") { p.removeFirst(2) }
        self.pattern = pattern
        self.matchesBasename = !p.contains("/")
        let expanded = PathGlob.expandBraces(Array(p.utf8))
        self.alternatives = ignoresCase ? expanded.map { $0.map(LiteralMatcher.lower) } : expanded
    }

    public var description: String { pattern }

    /// For each alternative, its longest literal run (lowercased). A path can only match if
    /// it contains one of them; `nil` when some alternative has no literal of 2+ characters
    /// (such a glob must always be tried).
    var requiredLiterals: [[UInt8]]? {
        var literals: [[UInt8]] = []
        for alternative in alternatives {
            var best: [UInt8] = [], run: [UInt8] = []
            var inClass = false
            for (i, byte) in alternative.enumerated() {
                switch byte {
                case UInt8(ascii: "["): inClass = true; run = []
                case UInt8(ascii: "]"): inClass = false
                case UInt8(ascii: "*"), UInt8(ascii: "?"): run = []
                // `**/` also matches no folder at all: its slash is not required.
                case UInt8(ascii: "/") where i >= 2 && alternative[i - 1] == UInt8(ascii: "*") && alternative[i - 2] == UInt8(ascii: "*"):
                    run = []
                default:
                    if inClass { continue }
                    run.append(LiteralMatcher.lower(byte))
                    if run.count > best.count { best = run }
                }
            }
            guard best.count >= 2 else { return nil }
            literals.append(best)
        }
        return literals
    }

    /// Whether the path matches. Hot: runs for the globs of every rule on every changed file.
    public func matches(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { full in
            guard ignoresCase else { return matches(path: full, lowered: full) }
            let lowered = full.map(LiteralMatcher.lower)
            return lowered.withUnsafeBufferPointer { matches(path: full, lowered: $0) }
        }
    }

    /// Whether the path matches, given its bytes and their ASCII-lowercased twin (the same
    /// buffer will do when no glob ignores case): for matching many globs against one path
    /// without lowering it for each.
    func matches(path: UnsafeBufferPointer<UInt8>, lowered: UnsafeBufferPointer<UInt8>) -> Bool {
        var subject = ignoresCase ? lowered : path
        if matchesBasename, let slash = subject.lastIndex(of: UInt8(ascii: "/")) {
            subject = UnsafeBufferPointer(rebasing: subject[(slash + 1)...])
        }
        for alternative in alternatives {
            let hit = alternative.withUnsafeBufferPointer { PathGlob.match($0, 0, subject, 0) }
            if hit { return true }
        }
        return false
    }

    /// The file name this glob stands for when it is one exact, case-sensitive name
    /// (`Dockerfile`, `go.mod`): no wildcard, class, alternative or folder.
    var exactName: String? {
        guard !ignoresCase, matchesBasename, alternatives.count == 1,
            !alternatives[0].contains(where: { "*?[{\\".utf8.contains($0) })
        else { return nil }
        return String(decoding: alternatives[0], as: UTF8.self)
    }

    /// `{a,b}` → two patterns (nested braces included).
    static func expandBraces(_ p: [UInt8]) -> [[UInt8]] {
        guard let open = p.firstIndex(of: UInt8(ascii: "{")) else { return [p] }
        var depth = 0
        var close: Int?
        var commas: [Int] = []
        for i in open..<p.count {
            if p[i] == UInt8(ascii: "{") { depth += 1 }
            if p[i] == UInt8(ascii: "}") { depth -= 1; if depth == 0 { close = i; break } }
            if p[i] == UInt8(ascii: ","), depth == 1 { commas.append(i) }
        }
        guard let close else { return [p] }
        var parts: [[UInt8]] = []
        var start = open + 1
        for c in commas + [close] {
            parts.append(Array(p[start..<c]))
            start = c + 1
        }
        let head = Array(p[..<open]), tail = Array(p[(close + 1)...])
        return parts.flatMap { expandBraces(head + $0 + tail) }
    }

    /// Matches `p[pi...]` against `s[si...]`. Works on raw buffers with indices: this runs
    /// for every rule glob on every changed file.
    private static func match(_ p: UnsafeBufferPointer<UInt8>, _ pi: Int, _ s: UnsafeBufferPointer<UInt8>, _ si: Int) -> Bool {
        var pi = pi, si = si
        let star = UInt8(ascii: "*"), slash = UInt8(ascii: "/")
        while pi < p.count {
            let c = p[pi]
            switch c {
            case star:
                if pi + 1 < p.count && p[pi + 1] == star {
                    // `**`: any characters including `/`; `**/` also matches no folder at all.
                    var rest = pi + 2
                    if rest < p.count && p[rest] == slash {
                        rest += 1
                        if match(p, rest, s, si) { return true }
                        var t = si
                        while t < s.count {
                            if s[t] == slash && match(p, rest, s, t + 1) { return true }
                            t += 1
                        }
                        return false
                    }
                    if rest == p.count { return true }
                    var t = si
                    while t <= s.count {
                        if match(p, rest, s, t) { return true }
                        t += 1
                    }
                    return false
                }
                let rest = pi + 1
                if rest == p.count {
                    // A trailing `*` matches the rest of the segment.
                    var t = si
                    while t < s.count { if s[t] == slash { return false }; t += 1 }
                    return true
                }
                var t = si
                while true {
                    if match(p, rest, s, t) { return true }
                    guard t < s.count, s[t] != slash else { return false }
                    t += 1
                }
            case UInt8(ascii: "?"):
                guard si < s.count, s[si] != slash else { return false }
                pi += 1; si += 1
            case UInt8(ascii: "["):
                var end = pi + 2
                while end < p.count && p[end] != UInt8(ascii: "]") { end += 1 }
                guard si < s.count, end < p.count else {
                    // An unclosed `[` is literal.
                    guard si < s.count, s[si] == c else { return false }
                    pi += 1; si += 1
                    continue
                }
                let f = s[si]
                var i = pi + 1
                let negate = p[i] == UInt8(ascii: "!") || p[i] == UInt8(ascii: "^")
                if negate { i += 1 }
                var hit = false
                while i < end {
                    if i + 2 < end, p[i + 1] == UInt8(ascii: "-") {
                        if f >= p[i] && f <= p[i + 2] { hit = true }
                        i += 3
                    } else {
                        if f == p[i] { hit = true }
                        i += 1
                    }
                }
                guard hit != negate, f != slash else { return false }
                pi = end + 1; si += 1
            default:
                guard si < s.count, s[si] == c else { return false }
                pi += 1; si += 1
            }
        }
        return si == s.count
    }
}
