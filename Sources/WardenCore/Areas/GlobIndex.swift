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
        var path = path
        path.withUTF8 { bytes in
            // Scratch space on the stack: this runs for every changed file.
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: globs.count) { tried in
                tried.initialize(repeating: false)
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { lowered in
                    for i in bytes.indices { lowered[i] = LiteralMatcher.lower(bytes[i]) }
                    let lowered = UnsafeBufferPointer(lowered)
                    for index in unfiltered where globs[index].matches(path: bytes, lowered: lowered) { matched[index] = true }
                    matcher.scan(bytes) { literal, _ in
                        for g in literalGlobs[literal] where !tried[Int(g)] {
                            tried[Int(g)] = true
                            if globs[Int(g)].matches(path: bytes, lowered: lowered) { matched[Int(g)] = true }
                        }
                    }
                }
            }
        }
    }
}
