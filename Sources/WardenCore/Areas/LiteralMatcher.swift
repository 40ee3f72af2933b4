/// Finds many literal keywords in one pass over bytes, case-insensitively for ASCII
/// (Aho–Corasick over UTF-8, as a dense automaton over byte classes).
///
/// This is the classifier's prefilter: only lines that contain a rule's keyword reach that
/// rule's regular expression. Regular expressions run at tens of MB/s here, this at hundreds.
/// Written here because no available package offers a byte-level multi-literal matcher.
public struct LiteralMatcher: Sendable {
    /// Byte → class. Bytes that occur in no keyword share class 0.
    private let classOf: [UInt8]
    private let classCount: Int
    /// `transitions[state * classCount + class]` is the next state.
    private let transitions: [Int32]
    /// Keyword ids ending at each state: `outputs[outputStart[s]..<outputStart[s + 1]]`.
    private let outputStart: [Int32]
    private let outputs: [Int32]
    public let keywordCount: Int

    /// Builds the automaton. Keywords are matched ignoring ASCII case; empty ones are ignored.
    public init(keywords: [[UInt8]]) {
        keywordCount = keywords.count
        let lowered = keywords.map { $0.map(LiteralMatcher.lower) }

        var classOf = [UInt8](repeating: 0, count: 256)
        var next: UInt8 = 1
        for keyword in lowered {
            for byte in keyword where classOf[Int(byte)] == 0 {
                // More than 255 distinct bytes cannot occur: class ids fit in a byte.
                classOf[Int(byte)] = next
                let upper = LiteralMatcher.upper(byte)
                if upper != byte { classOf[Int(upper)] = next }
                next &+= 1
            }
        }
        let classCount = Int(next)

        // Trie with dense rows; -1 is "no edge yet".
        var table: [Int32] = Array(repeating: -1, count: classCount)
        var stateOutputs: [[Int32]] = [[]]
        for (id, keyword) in lowered.enumerated() where !keyword.isEmpty {
            var state = 0
            for byte in keyword {
                let c = Int(classOf[Int(byte)])
                let target = table[state * classCount + c]
                if target >= 0 {
                    state = Int(target)
                } else {
                    let newState = stateOutputs.count
                    stateOutputs.append([])
                    table.append(contentsOf: repeatElement(-1, count: classCount))
                    table[state * classCount + c] = Int32(newState)
                    state = newState
                }
            }
            stateOutputs[state].append(Int32(id))
        }

        // Breadth-first: failure links folded into the table, outputs merged along them.
        let stateCount = stateOutputs.count
        var fail = [Int](repeating: 0, count: stateCount)
        var queue: [Int] = []
        queue.reserveCapacity(stateCount)
        for c in 0..<classCount {
            let target = table[c]
            if target >= 0 {
                fail[Int(target)] = 0
                queue.append(Int(target))
            } else {
                table[c] = 0
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            stateOutputs[state].append(contentsOf: stateOutputs[fail[state]])
            for c in 0..<classCount {
                let target = table[state * classCount + c]
                let viaFail = table[fail[state] * classCount + c]
                if target >= 0 {
                    fail[Int(target)] = Int(viaFail)
                    queue.append(Int(target))
                } else {
                    table[state * classCount + c] = viaFail
                }
            }
        }

        var outputStart: [Int32] = [0]
        var outputs: [Int32] = []
        for list in stateOutputs {
            outputs.append(contentsOf: Set(list).sorted())
            outputStart.append(Int32(outputs.count))
        }
        self.classOf = classOf
        self.classCount = classCount
        self.transitions = table
        self.outputStart = outputStart
        self.outputs = outputs
    }

    /// Calls `found(keywordId, endIndex)` for every keyword occurrence in `bytes`.
    @inlinable
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        withTables { classOf, transitions, outputStart, outputs, classCount in
            var state = 0
            for i in 0..<bytes.count {
                state = Int(transitions[state &* classCount &+ Int(classOf[Int(bytes[i])])])
                let begin = Int(outputStart[state]), end = Int(outputStart[state &+ 1])
                if begin != end {
                    for o in begin..<end { found(Int(outputs[o]), i &+ 1) }
                }
            }
        }
    }

    /// Whether any keyword occurs in `bytes`.
    public func containsAny(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var any = false
        scan(bytes) { _, _ in any = true }
        return any
    }

    @usableFromInline
    func withTables<R>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, Int) -> R
    ) -> R {
        classOf.withUnsafeBufferPointer { c in
            transitions.withUnsafeBufferPointer { t in
                outputStart.withUnsafeBufferPointer { s in
                    outputs.withUnsafeBufferPointer { o in body(c, t, s, o, classCount) }
                }
            }
        }
    }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }
    static func upper(_ b: UInt8) -> UInt8 { (b >= 97 && b <= 122) ? b - 32 : b }
}
