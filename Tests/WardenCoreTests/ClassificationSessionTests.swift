import Testing

@testable import WardenCore

/// The session scans a file's changed lines in batches, several lines side by side; these
/// tests hold it to what scanning each line on arrival would give.
@Suite("Classification session: lines scanned in batches")
struct ClassificationSessionTests {
    /// A deterministic generator (Knuth's MMIX linear congruential step, high bits), so a
    /// failure can be reproduced.
    struct Generator {
        var state: UInt64
        mutating func below(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    @Test func scanningLinesTogetherFindsWhatEachLineFindsAlone() {
        let keywords = ["pass", "password", "token", "sk_live_", "ab", "b(", "(", "word\nbreak", "eval(", "a"]
        let matcher = LiteralMatcher(keywords: keywords.map { Array($0.utf8) })
        // Pieces that make keywords, parts of keywords and their neighbours, and indentation.
        let pieces = ["pass", "Word", "TOKEN", "sk_", "live_", "a", "b", "(", " ", "\t", "ev", "al(", "x", "é", "\r", "\u{0}"]
        var generator = Generator(state: 42)
        for round in 0..<60 {
            let lineCount = 1 + generator.below(round < 10 ? 4 : 400)
            let lines: [[UInt8]] = (0..<lineCount).map { _ in
                let length = generator.below(5) == 0 ? 0 : generator.below(40)
                return Array((0..<length).map { _ in pieces[generator.below(pieces.count)] }.joined().utf8)
            }
            // Each line alone: (line, keyword, end within the line).
            var alone: [[Int]] = []
            for (index, line) in lines.enumerated() {
                var hits: [LiteralMatcher.Hit] = []
                line.withUnsafeBufferPointer { matcher.scan($0, into: &hits) }
                alone += hits.map { [index, $0.keyword, $0.end] }.sorted { ($0[2], $0[1]) < ($1[2], $1[1]) }
            }
            // All together, separated by line breaks.
            var text: [UInt8] = []
            var starts: [Int] = []
            for line in lines {
                starts.append(text.count)
                text += line
                text.append(10)
            }
            var hits: [LiteralMatcher.Hit] = []
            text.withUnsafeBufferPointer { matcher.scanLines($0, into: &hits) }
            #expect(hits.map(\.end) == hits.map(\.end).sorted(), "round \(round): hits out of order")
            var together: [[Int]] = []
            for hit in hits {
                let index = starts.lastIndex { $0 < hit.end } ?? 0
                together.append([index, hit.keyword, hit.end - starts[index]])
            }
            together.sort { ($0[0], $0[2], $0[1]) < ($1[0], $1[2], $1[1]) }
            let difference = zip(together, alone).first { $0 != $1 }.map { "together \($0.0), alone \($0.1)" } ?? "counts \(together.count) against \(alone.count)"
            #expect(together == alone, "round \(round): \(lineCount) lines, \(text.count) bytes; first difference (line, keyword, end): \(difference)")
        }
    }

    @Test func aKeywordWithALineBreakIsNeverFound() {
        let matcher = LiteralMatcher(keywords: [Array("a\nb".utf8), Array("ab".utf8)])
        var hits: [LiteralMatcher.Hit] = []
        Array("xa\nbx\nab\n".utf8).withUnsafeBufferPointer { matcher.scanLines($0, into: &hits) }
        #expect(hits == [LiteralMatcher.Hit(keyword: 1, end: 8)])
    }

    /// A Python file whose hunk has `count` lines, with `hashlib.md5` on the lines in `weak`
    /// (removed when in `removed`) and ordinary code elsewhere.
    func diff(count: Int, weak: Set<Int>, removed: Set<Int> = [], long: Int? = nil) -> String {
        var body = ""
        var old = 0, new = 0
        for number in 1...count {
            // Odd-numbered weak lines end with the keyword: its hit ends where the line does.
            let weakLine = number % 2 == 1 ? "digest_\(number) = hashlib.md5" : "digest_\(number) = hashlib.md5(data)"
            var line = weak.contains(number) ? weakLine : "value_\(number) = compute(\(number), items[\(number)])"
            if number == long { line += " + '" + String(repeating: "x", count: 70_000) + "'" }
            if removed.contains(number) {
                body += "-\(line)\n"
                old += 1
            } else {
                body += "+\(line)\n"
                new += 1
            }
        }
        return "diff --git a/app/report.py b/app/report.py\n--- a/app/report.py\n+++ b/app/report.py\n@@ -1,\(old) +1,\(new) @@\n" + body
    }

    func weakHashFindings(_ classification: Classification) -> [String] {
        (classification.report(for: .crypto)?.findings ?? []).filter { $0.rule == "crypto.weak-hash" }.map { "\($0.side == .old ? "-" : "+")\($0.line ?? 0)" }
    }

    @Test func findingsKeepTheirLinesAndOrderAcrossBatches() {
        // About 150 KB of changed lines: several batches, the weak hashes spread over them.
        let weak: Set<Int> = [3, 900, 1_701, 2_650, 3_333]
        let result = BuiltIn.classify(diff(count: 3_500, weak: weak, removed: [1_701]))
        // New-file numbers skip the removed line; the removed one has its old-file number
        // (the old file is that one line).
        #expect(weakHashFindings(result) == ["+3", "+900", "-1", "+2649", "+3332"])
        #expect(result.stats.added == 3_499 && result.stats.removed == 1)
    }

    @Test func theLimitPerRuleAndFileKeepsTheFirstLinesInDiffOrder() {
        let weak: Set<Int> = [10, 400, 800, 1_200, 1_600, 2_000, 2_400]
        let result = BuiltIn.classify(diff(count: 2_500, weak: weak))
        #expect(weakHashFindings(result) == ["+10", "+400", "+800", "+1200", "+1600"])
    }

    @Test func aVeryLongLineIsReadInItsPlace() {
        // A 70 KB line (scanned on its own, outside the batch) between ordinary ones.
        let result = BuiltIn.classify(diff(count: 40, weak: [5, 20, 30], long: 20))
        #expect(weakHashFindings(result) == ["+5", "+20", "+30"])
    }

    @Test func linesWaitingWhenTheCallerAsksCountToo() {
        // A caller that reads the result before the parser is told the input ended.
        let text = diff(count: 12, weak: [12])
        var session = BuiltIn.engine.classifier.session()
        var parser = DiffParser()
        var splitter = LineSplitter()
        Array(text.utf8).withUnsafeBytes { bytes in
            splitter.feed(bytes) { parser.consume(line: $0, into: &session) }
        }
        #expect(weakHashFindings(session.result()) == ["+12"])
    }

    /// One file of a diff: its `diff --git` section, with `lines` added (or removed, when the
    /// file is deleted).
    func file(_ path: String, deleted: Bool = false, _ lines: [String]) -> String {
        let sign = deleted ? "-" : "+"
        let body = lines.map { sign + $0 + "\n" }.joined()
        let range = deleted ? "@@ -1,\(lines.count) +0,0 @@" : "@@ -0,0 +1,\(lines.count) @@"
        let header = deleted ? "deleted file mode 100644\n--- a/\(path)\n+++ /dev/null" : "new file mode 100644\n--- /dev/null\n+++ b/\(path)"
        return "diff --git a/\(path) b/\(path)\n\(header)\n\(range)\n\(body)"
    }

    func findings(_ classification: Classification, in path: String) -> [String] {
        Area.allCases.flatMap { classification.report(for: $0)?.findings ?? [] }.filter { $0.file == path }
            .map { "\($0.rule) \($0.side == .old ? "-" : "+")\($0.line ?? 0)" }.sorted()
    }

    @Test func eachFileIsReadByTheRulesThatReadItAlone() {
        // Which rules read a file is worked out once per kind of file (language, role,
        // change) and then per file only for rules with paths: files of one kind alternate
        // here with files of other kinds, and two YAML files of one kind differ only in the
        // path a rule (CI hardening, `.github/**`) asks for.
        let weak = ["digest = hashlib.md5(data).hexdigest()"]
        let workflow = ["on: pull_request_target", "permissions: write-all"]
        let files = [
            ("app/report.py", file("app/report.py", weak)),
            (".github/workflows/ci.yml", file(".github/workflows/ci.yml", workflow)),
            ("deploy/values.yml", file("deploy/values.yml", workflow)),
            ("tests/test_report.py", file("tests/test_report.py", weak)),
            ("docs/notes.md", file("docs/notes.md", weak)),
            ("app/legacy.py", file("app/legacy.py", deleted: true, weak)),
            ("app/second.py", file("app/second.py", weak)),
            (".github/workflows/release.yml", file(".github/workflows/release.yml", workflow)),
            ("deploy/other.yml", file("deploy/other.yml", workflow)),
        ]
        let together = BuiltIn.classify(files.map(\.1).joined())
        for (path, text) in files {
            #expect(findings(together, in: path) == findings(BuiltIn.classify(text), in: path), "\(path)")
        }
        #expect(findings(together, in: "app/second.py").contains("crypto.weak-hash +1"))
        #expect(findings(together, in: "app/legacy.py").contains("crypto.weak-hash -1"))
        #expect(findings(together, in: ".github/workflows/release.yml").contains("config.ci-hardening +1"))
        #expect(!findings(together, in: "deploy/other.yml").contains { $0.hasPrefix("config.ci-hardening") })
    }
}
