/// Many path globs matched against one path at a time, fast: one pass of a literal
/// prefilter over the path selects the globs that could match (their required literal
/// occurs), and only those run the full glob match.
struct GlobIndex: Sendable {
    private let globs: [PathGlob]
    private let matcher: LiteralMatcher
    /// Literal id → globs that require it.
    private let literalGlobs: [[Int32]]
    /// Globs without a usable literal: always tried.
    private let unfiltered: [Int]

    init(_ globs: [PathGlob]) {
        self.globs = globs
        var literals: [[UInt8]] = []
        var literalIds: [[UInt8]: Int] = [:]
        var literalGlobs: [[Int32]] = []
        var unfiltered: [Int] = []
        for (index, glob) in globs.enumerated() {
            guard let required = glob.requiredLiterals else { unfiltered.append(index); continue }
            for literal in Set(required) {
                let id: Int
                if let existing = literalIds[literal] { id = existing } else {
                    id = literals.count
                    literalIds[literal] = id
                    literals.append(literal)
                    literalGlobs.append([])
                }
                literalGlobs[id].append(Int32(index))
            }
        }
        self.matcher = LiteralMatcher(keywords: literals)
        self.literalGlobs = literalGlobs
        self.unfiltered = unfiltered
    }

    var count: Int { globs.count }

    /// Sets `matched[i]` for every glob `i` that matches `path` (the array is reset first).
    func match(_ path: String, into matched: inout [Bool]) {
        if matched.count != globs.count { matched = Array(repeating: false, count: globs.count) }
        for i in matched.indices { matched[i] = false }
        var tried = Array(repeating: false, count: globs.count)
        var candidates = unfiltered
        var path = path
        path.withUTF8 { bytes in
            matcher.scan(bytes) { literal, _ in
                for g in literalGlobs[literal] where !tried[Int(g)] {
                    tried[Int(g)] = true
                    candidates.append(Int(g))
                }
            }
        }
        for index in candidates where globs[index].matches(path) { matched[index] = true }
    }
}
