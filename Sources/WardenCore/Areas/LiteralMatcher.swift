#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds many literal keywords in one pass over bytes, case-insensitively for ASCII
/// (Aho–Corasick over UTF-8, as a dense automaton over byte classes).
///
/// This is the classifier's prefilter: only lines that contain a rule's keyword reach that
/// rule's regular expression. Regular expressions run at tens of MB/s here, this at
/// hundreds. Written here because no available package offers a byte-level multi-literal
/// matcher.
///
/// The tables live in raw memory owned by an immutable class (written only in `init`,
/// hence `@unchecked Sendable`): the inner loop is one table
/// load per byte, and the sign bit of a transition says whether the state it leads to ends
/// a keyword, so the common case (no keyword) never touches the output lists.
public final class LiteralMatcher: @unchecked Sendable {
    private let classOf: UnsafeMutablePointer<UInt8>
    /// No keyword starts with a space or tab: leading indentation can be skipped.
    private let skipsIndentation: Bool
    private let classCount: Int
    /// `transitions[state + class]` with states premultiplied by the class count: the next
    /// state, negative (bitwise not) when that state ends a keyword.
    private let transitions: UnsafeMutablePointer<Int32>
    private let transitionCount: Int
    /// Keyword ids ending at each state: `outputs[outputStart[s]..<outputStart[s + 1]]`.
    private let outputStart: UnsafeMutablePointer<Int32>
    private let outputs: UnsafeMutablePointer<Int32>
    public let keywordCount: Int
    /// Size of the automaton, for diagnostics and benchmarks.
    public let stateCount: Int
    public var byteClassCount: Int { classCount }

    /// Builds the automaton. Keywords are matched ignoring ASCII case; empty ones, and ones
    /// with a line break (which no line contains), are left out, so that a line break
    /// always returns the automaton to its start (what ``scanLines(_:into:)`` relies on).
    public init(keywords: [[UInt8]]) {
        keywordCount = keywords.count
        let lowered = keywords.map { $0.contains(10) ? [] : $0.map(LiteralMatcher.lower) }

        var classTable = [UInt8](repeating: 0, count: 256)
        var next: Int = 1
        for keyword in lowered {
            for byte in keyword where classTable[Int(byte)] == 0 && next < 256 {
                classTable[Int(byte)] = UInt8(next)
                let upper = LiteralMatcher.upper(byte)
                if upper != byte { classTable[Int(upper)] = UInt8(next) }
                next += 1
            }
        }
        let classCount = next

        // Trie with dense rows; -1 is "no edge yet".
        var table: [Int32] = Array(repeating: -1, count: classCount)
        var stateOutputs: [[Int32]] = [[]]
        for (id, keyword) in lowered.enumerated() where !keyword.isEmpty {
            var state = 0
            for byte in keyword {
                let c = Int(classTable[Int(byte)])
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

        // Renumber states breadth-first: the shallow states most bytes visit share cache lines.
        var order = [0] + queue
        var seen = Set(order)
        for s in 0..<stateCount where !seen.contains(s) { order.append(s); seen.insert(s) }
        var newId = [Int](repeating: 0, count: stateCount)
        for (position, s) in order.enumerated() { newId[s] = position }
        let endsKeyword = stateOutputs.map { !$0.isEmpty }
        var starts: [Int32] = [0]
        var flat: [Int32] = []
        for s in order {
            flat.append(contentsOf: Set(stateOutputs[s]).sorted())
            starts.append(Int32(flat.count))
        }
        stateOutputs = []

        // The final table in one pass, straight into its own memory (the automaton is
        // megabytes; intermediate copies would multiply the engine's peak memory at load):
        // renumbered, premultiplied by the class count so the per-byte chain is add and load
        // with no multiply, and negative (bitwise not) where the next state ends a keyword.
        let transitions = UnsafeMutablePointer<Int32>.allocate(capacity: max(table.count, 1))
        for (position, s) in order.enumerated() {
            for c in 0..<classCount {
                let old = Int(table[s * classCount + c])
                let next = Int32(newId[old] * classCount)
                transitions[position * classCount + c] = endsKeyword[old] ? ~next : next
            }
        }
        let transitionCount = table.count
        table = []

        self.classCount = classCount
        self.stateCount = stateCount
        self.classOf = LiteralMatcher.copy(classTable)
        self.skipsIndentation = !lowered.contains { $0.first == UInt8(ascii: " ") || $0.first == UInt8(ascii: "\t") }
        self.transitions = transitions
        self.transitionCount = transitionCount
        self.outputStart = LiteralMatcher.copy(starts)
        self.outputs = LiteralMatcher.copy(flat.isEmpty ? [0] : flat)
    }

    deinit {
        classOf.deallocate()
        transitions.deallocate()
        outputStart.deallocate()
        outputs.deallocate()
    }

    private static func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
        array.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { pointer.initialize(from: base, count: buffer.count) }
        }
        return pointer
    }

    /// Appends `(keyword id, end index)` for every keyword occurrence in `bytes` to `hits`.
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, into hits: inout [Hit]) {
        guard let base = bytes.baseAddress else { return }
        let end = base + bytes.count
        advance(from: afterIndentation(base, end), to: end, base: base, state: 0, into: &hits)
    }

    /// Appends the hits of every line of `text` (lines separated by `\n`), their ends
    /// counted from the start of `text` and in increasing order: the same hits as scanning
    /// each line on its own, faster.
    ///
    /// Each byte's step waits for the table load of the step before it (the next state
    /// depends on it), so scanning one line at a time leaves the processor idle between
    /// loads. Here the text is cut at line starts into four parts scanned side by side: four
    /// independent chains fill that time. A line break resets the automaton to its start
    /// (no keyword contains one), so the parts need no overlap. On the benchmark corpus's
    /// changed lines, cut into the classifier's batches, this runs at 1.5–1.9 times the
    /// speed of a line at a time (`warden-bench prefilter`; in a C model of the loop, two
    /// parts gave about 1.3 and three or four 1.5).
    public func scanLines(_ text: UnsafeBufferPointer<UInt8>, into hits: inout [Hit]) {
        guard let base = text.baseAddress, !text.isEmpty else { return }
        let end = base + text.count
        let first = hits.count
        guard text.count >= 256 else {
            advance(from: base, to: end, base: base, state: 0, into: &hits)
            return
        }
        /// The first line start at or after `offset` (`end` when there is none).
        func lineStart(near offset: Int) -> UnsafePointer<UInt8> {
            let from = base + (offset - 1)
            guard let newline = memchr(from, 10, end - from) else { return end }
            return UnsafePointer(newline.assumingMemoryBound(to: UInt8.self)) + 1
        }
        let quarter = text.count / 4
        let start1 = lineStart(near: quarter)
        let start2 = max(start1, lineStart(near: 2 * quarter))
        let start3 = max(start2, lineStart(near: 3 * quarter))
        let classOf = self.classOf, transitions = self.transitions
        var p0 = base, p1 = start1, p2 = start2, p3 = start3
        var state0 = 0, state1 = 0, state2 = 0, state3 = 0
        while p0 < start1 && p1 < start2 && p2 < start3 && p3 < end {
            let next0 = transitions[state0 &+ Int(classOf[Int(p0.pointee)])]
            let next1 = transitions[state1 &+ Int(classOf[Int(p1.pointee)])]
            let next2 = transitions[state2 &+ Int(classOf[Int(p2.pointee)])]
            let next3 = transitions[state3 &+ Int(classOf[Int(p3.pointee)])]
            p0 += 1
            p1 += 1
            p2 += 1
            p3 += 1
            if (next0 | next1 | next2 | next3) >= 0 {
                state0 = Int(next0)
                state1 = Int(next1)
                state2 = Int(next2)
                state3 = Int(next3)
                continue
            }
            state0 = next0 >= 0 ? Int(next0) : report(~next0, end: p0 - base, into: &hits)
            state1 = next1 >= 0 ? Int(next1) : report(~next1, end: p1 - base, into: &hits)
            state2 = next2 >= 0 ? Int(next2) : report(~next2, end: p2 - base, into: &hits)
            state3 = next3 >= 0 ? Int(next3) : report(~next3, end: p3 - base, into: &hits)
        }
        advance(from: p0, to: start1, base: base, state: state0, into: &hits)
        advance(from: p1, to: start2, base: base, state: state1, into: &hits)
        advance(from: p2, to: start3, base: base, state: state2, into: &hits)
        advance(from: p3, to: end, base: base, state: state3, into: &hits)
        // The parts' hits were appended as they came: put them in order of their ends.
        if hits.count - first > 1 {
            hits[first...].sort { $0.end < $1.end }
        }
    }

    /// Where scanning starts: no keyword starts with a space or tab, so leading indentation
    /// (often a quarter of a code line) is skipped when that holds.
    @inline(__always)
    private func afterIndentation(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var p = start
        if skipsIndentation {
            while p < end && (p.pointee == 32 || p.pointee == 9) { p += 1 }
        }
        return p
    }

    /// Scans from `start` to `end` in `state` (the start state, or where a part stopped).
    @inline(__always)
    private func advance(from start: UnsafePointer<UInt8>, to end: UnsafePointer<UInt8>, base: UnsafePointer<UInt8>, state: Int, into hits: inout [Hit]) {
        var p = start, state = state
        let classOf = self.classOf, transitions = self.transitions
        while p < end {
            let next = transitions[state &+ Int(classOf[Int(p.pointee)])]
            p += 1
            state = next >= 0 ? Int(next) : report(~next, end: p - base, into: &hits)
        }
    }

    /// Appends the keywords ending at (premultiplied) `state` and returns the state.
    @inline(__always)
    private func report(_ state: Int32, end: Int, into hits: inout [Hit]) -> Int {
        let stateIndex = Int(state) / classCount
        for o in Int(outputStart[stateIndex])..<Int(outputStart[stateIndex &+ 1]) {
            hits.append(Hit(keyword: Int(outputs[o]), end: end))
        }
        return Int(state)
    }

    /// Calls `found(keywordId, endIndex)` for every keyword occurrence in `bytes`.
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        var hits: [Hit] = []
        scan(bytes, into: &hits)
        for hit in hits { found(hit.keyword, hit.end) }
    }

    /// Whether any keyword occurs in `bytes`.
    public func containsAny(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var hits: [Hit] = []
        scan(bytes, into: &hits)
        return !hits.isEmpty
    }

    /// A keyword occurrence: which keyword, and the index just after its last byte.
    public struct Hit: Sendable, Equatable {
        public var keyword: Int
        public var end: Int
    }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }
    static func upper(_ b: UInt8) -> UInt8 { (b >= 97 && b <= 122) ? b - 32 : b }
}
