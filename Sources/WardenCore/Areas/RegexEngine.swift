import Foundation

#if canImport(_FoundationICU)
import _FoundationICU
import Synchronization
#endif

/// Where a pattern matched in a line: the whole match and the named groups the pattern
/// declares, as UTF-16 ranges of the line (`NSNotFound` when a group took no part).
struct RegexMatch {
    let range: NSRange
    private let named: [(name: String, range: NSRange)]

    init(range: NSRange, named: [(name: String, range: NSRange)]) {
        self.range = range
        self.named = named
    }

    func range(withName name: String) -> NSRange {
        named.first { $0.name == name }?.range ?? NSRange(location: NSNotFound, length: 0)
    }
}

/// One compiled ICU regular expression, run over a line's UTF-16 code units.
///
/// On Linux the rule patterns run through the C API of the ICU that Foundation itself uses
/// (the toolchain's `_FoundationICU`, symbols prefixed `swift_`): `NSRegularExpression` is a
/// wrapper over the same matcher, and on this machine its per-call cost — bridging the Swift
/// string to an `NSString`, reading its characters back through a callback, allocating a
/// result object — was three times the match itself on a typical 80-character line (2.3 µs
/// against 0.7 µs per call, measured with a scratch benchmark; see docs/PERFORMANCE.md).
/// Elsewhere (`_FoundationICU` is not a public module on Apple platforms) it falls back to
/// `NSRegularExpression` with the same patterns and results.
///
/// An ICU matcher holds the text it was last given, so one matcher cannot serve two threads:
/// matchers are cloned from the compiled pattern on demand and kept in a small pool.
final class RegexEngine: @unchecked Sendable {
    /// Named groups of the pattern, with their group numbers.
    private let groupNames: [(name: String, number: Int32)]

    #if canImport(_FoundationICU)
    private let compiled: OpaquePointer
    /// One idle matcher, taken and put back without a lock: the classifier runs a pattern on
    /// one thread at a time in the common case, and a lock and an array per run cost more
    /// than the run of a short pattern. The address, or 0 when empty.
    private let ready = Atomic<Int>(0)
    /// Further idle matchers (addresses), when several threads ran the pattern at once.
    private let idle = Mutex<[Int]>([])

    init(_ pattern: String) throws {
        let units = Array(pattern.utf16)
        var status = U_ZERO_ERROR
        var parseError = UParseError()
        let opened = units.withUnsafeBufferPointer {
            swift_uregex_open($0.baseAddress, Int32($0.count), 0, &parseError, &status)
        }
        guard let opened, status.rawValue <= U_ZERO_ERROR.rawValue else {
            if let opened { swift_uregex_close(opened) }
            throw RegexEngineError.invalidPattern(offset: Int(parseError.offset))
        }
        compiled = opened
        var names: [(String, Int32)] = []
        for name in RegexEngine.declaredGroupNames(pattern) {
            let nameUnits = Array(name.utf16)
            var lookup = U_ZERO_ERROR
            let number = nameUnits.withUnsafeBufferPointer {
                swift_uregex_groupNumberFromName(opened, $0.baseAddress, Int32($0.count), &lookup)
            }
            if lookup.rawValue <= U_ZERO_ERROR.rawValue { names.append((name, number)) }
        }
        groupNames = names
    }

    deinit {
        if let matcher = OpaquePointer(bitPattern: ready.load(ordering: .acquiring)) { swift_uregex_close(matcher) }
        for address in idle.withLock({ $0 }) { swift_uregex_close(OpaquePointer(bitPattern: address)) }
        swift_uregex_close(compiled)
    }

    /// The first match in `text` (UTF-16 code units), or `nil`.
    func firstMatch(_ text: UnsafeBufferPointer<UInt16>) -> RegexMatch? {
        guard let matcher = checkOut() else { return nil }
        defer { checkIn(matcher) }
        var status = U_ZERO_ERROR
        // A zero-length text still needs a valid pointer.
        var empty: UInt16 = 0
        if let base = text.baseAddress {
            swift_uregex_setText(matcher, base, Int32(text.count), &status)
        } else {
            swift_uregex_setText(matcher, &empty, 0, &status)
        }
        guard status.rawValue <= U_ZERO_ERROR.rawValue, swift_uregex_find(matcher, 0, &status) != 0,
            status.rawValue <= U_ZERO_ERROR.rawValue
        else { return nil }
        func range(_ group: Int32) -> NSRange {
            var groupStatus = U_ZERO_ERROR
            let start = swift_uregex_start(matcher, group, &groupStatus)
            let end = swift_uregex_end(matcher, group, &groupStatus)
            guard groupStatus.rawValue <= U_ZERO_ERROR.rawValue, start >= 0, end >= start else {
                return NSRange(location: NSNotFound, length: 0)
            }
            return NSRange(location: Int(start), length: Int(end - start))
        }
        return RegexMatch(range: range(0), named: groupNames.map { ($0.name, range($0.number)) })
    }

    private func checkOut() -> OpaquePointer? {
        if let matcher = OpaquePointer(bitPattern: ready.exchange(0, ordering: .acquiring)) { return matcher }
        if let matcher = OpaquePointer(bitPattern: idle.withLock({ $0.popLast() ?? 0 })) { return matcher }
        var status = U_ZERO_ERROR
        let clone = swift_uregex_clone(compiled, &status)
        return status.rawValue <= U_ZERO_ERROR.rawValue ? clone : nil
    }

    private func checkIn(_ matcher: OpaquePointer) {
        let address = Int(bitPattern: UnsafeRawPointer(matcher))
        if ready.compareExchange(expected: 0, desired: address, ordering: .releasing).exchanged { return }
        idle.withLock { $0.append(address) }
    }
    #else
    private let regex: NSRegularExpression

    init(_ pattern: String) throws {
        regex = try NSRegularExpression(pattern: pattern)
        groupNames = RegexEngine.declaredGroupNames(pattern).map { ($0, 0) }
    }

    func firstMatch(_ text: UnsafeBufferPointer<UInt16>) -> RegexMatch? {
        let string = String(decoding: text, as: UTF16.self)
        guard let result = regex.firstMatch(in: string, options: [], range: NSRange(location: 0, length: text.count)) else {
            return nil
        }
        return RegexMatch(range: result.range, named: groupNames.map { ($0.name, result.range(withName: $0.name)) })
    }
    #endif

    /// Names of the named groups a pattern declares (`(?<name>…)`), in order.
    static func declaredGroupNames(_ pattern: String) -> [String] {
        var names: [String] = []
        let scalars = Array(pattern.unicodeScalars)
        var i = 0
        while i + 3 < scalars.count {
            if scalars[i] == "\\" {
                i += 2
                continue
            }
            if scalars[i] == "(", scalars[i + 1] == "?", scalars[i + 2] == "<",
                scalars[i + 3].properties.isAlphabetic
            {
                var j = i + 3
                var name = String.UnicodeScalarView()
                while j < scalars.count, scalars[j] != ">" {
                    name.append(scalars[j])
                    j += 1
                }
                names.append(String(name))
                i = j
                continue
            }
            i += 1
        }
        return names
    }
}

enum RegexEngineError: Error, CustomStringConvertible {
    case invalidPattern(offset: Int)

    var description: String {
        switch self {
        case .invalidPattern(let offset): "invalid regular expression (near character \(offset + 1))"
        }
    }
}
