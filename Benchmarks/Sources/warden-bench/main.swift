// warden-bench: the measurements behind docs/PERFORMANCE.md.
//
//   warden-bench corpus --out FILE --mb N DIR...     build a mixed-language diff from source trees
//   warden-bench classify FILE [--runs N]            parse + classify throughput, one core
//   warden-bench end-to-end FILE [--lines N] [--runs N]   a N-line diff from diff bytes to JSON + comment
//   warden-bench prefilter FILE                     the keyword automaton alone over the changed lines,
//                                                    a line at a time and in the classifier's batches
//   warden-bench hostile [--bytes N]                 worst cases: lines made of one rule's keywords, per rule and language
//   warden-bench ai-share [--commits N] [--lines N] [--runs N]   AI share scoring of a synthetic history
//   warden-bench http URL [--requests N] [--rounds N]   Warden's libcurl client beside AsyncHTTPClient
//   warden-bench reconcile [--lines N] [--runs N] [--open N]   decision + reconciliation of a PR, forge in memory
//   warden-bench intake URL --secret S [--requests N] [--concurrency N | --rate R] [--payload-bytes N]   webhook intake
//
//   any command: --rules DIR                        a rule directory instead of the built-in pack
//
// Times come from ContinuousClock around in-process work; inputs are read before timing.
import Foundation
import WardenCore
import WardenDefaults

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("warden-bench: \(message)\n".utf8))
    exit(2)
}

func option(_ name: String, in arguments: inout [String]) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    let value = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
    return value
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// `--rules DIR` (any command): a rule pack read from a directory instead of the built-in
/// one, so two packs can be compared with one binary (`git show REV:Config/rules/...`).
nonisolated(unsafe) var rulesDirectory: String?

func loadEngine() -> Engine {
    var pack = WardenDefaults.rulePackFiles
    if let rulesDirectory {
        guard let files = WardenDefaults.rulePackFiles(inDirectory: rulesDirectory), !files.isEmpty else { fail("no rule files in \(rulesDirectory)") }
        pack = files
    }
    do {
        return try Engine(rulePack: pack, policyLayers: [WardenDefaults.policy], aiSignals: WardenDefaults.aiSignals, summaryTemplate: WardenDefaults.summaryTemplate)
    } catch {
        fail("configuration: \(error)")
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))
    return sorted[index]
}

// MARK: - corpus

/// Turns source files into a realistic diff: per file, hunks of context, removed and added
/// lines (about half the lines changed), until the corpus reaches the asked size.
func buildCorpus(out: String, megabytes: Int, roots: [String]) {
    let extensions: Set<String> = ["py", "c", "h", "cc", "cpp", "hpp", "js", "mjs", "ts", "java", "swift", "go", "rb", "php", "rs", "sh", "yml", "yaml", "json", "toml", "sql"]
    var files: [String] = []
    for root in roots {
        guard let walker = FileManager.default.enumerator(atPath: root) else { fail("cannot read \(root)") }
        for case let path as String in walker where extensions.contains((path as NSString).pathExtension.lowercased()) {
            files.append(root + "/" + path)
        }
    }
    files.sort()
    guard !files.isEmpty else { fail("no source files under \(roots)") }
    // Interleave languages: take files round-robin by extension.
    var byExtension: [String: [String]] = [:]
    for file in files { byExtension[(file as NSString).pathExtension.lowercased(), default: []].append(file) }
    var queues = byExtension.keys.sorted().map { byExtension[$0] ?? [] }
    var ordered: [String] = []
    while queues.contains(where: { !$0.isEmpty }) {
        for i in queues.indices where !queues[i].isEmpty { ordered.append(queues[i].removeFirst()) }
    }
    let target = megabytes << 20
    guard let handle = FileHandle(forWritingAtPath: out) ?? {
        FileManager.default.createFile(atPath: out, contents: nil)
        return FileHandle(forWritingAtPath: out)
    }() else { fail("cannot write \(out)") }
    try? handle.truncate(atOffset: 0)
    var written = 0
    var round = 0
    while written < target {
        for file in ordered {
            guard written < target, let data = FileManager.default.contents(atPath: file) else { continue }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count >= 8 else { continue }
            let path = "r\(round)/" + file.split(separator: "/").suffix(4).joined(separator: "/")
            var text = "diff --git a/\(path) b/\(path)\nindex 1111111..2222222 100644\n--- a/\(path)\n+++ b/\(path)\n"
            var start = 0
            while start + 8 <= lines.count {
                let chunk = Array(lines[start..<min(start + 24, lines.count)])
                let third = chunk.count / 3
                let context = chunk[0..<third], removed = chunk[third..<(2 * third)], added = chunk[(2 * third)...]
                let oldCount = context.count + removed.count, newCount = context.count + added.count
                text += "@@ -\(start + 1),\(oldCount) +\(start + 1),\(newCount) @@\n"
                text += context.map { " " + $0 + "\n" }.joined()
                text += removed.map { "-" + $0 + "\n" }.joined()
                text += added.map { "+" + $0 + "\n" }.joined()
                start += 24
            }
            handle.write(Data(text.utf8))
            written += text.utf8.count
        }
        round += 1
    }
    try? handle.close()
    print("wrote \(written >> 20) MiB of diff from \(ordered.count) files (\(byExtension.count) languages) to \(out)")
}

// MARK: - measurements

func classifyThroughput(_ path: String, runs: Int) {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    let engine = loadEngine()
    let bytes = [UInt8](data)
    var results: [Double] = []
    var last: Classification?
    for run in 0...runs {
        let clock = ContinuousClock()
        let start = clock.now
        last = engine.classifier.classify(bytes)
        let elapsed = seconds(clock.now - start)
        if run > 0 { results.append(Double(bytes.count) / elapsed / 1_048_576) }  // run 0 warms up
    }
    results.sort()
    let stats = last?.stats ?? DiffStats()
    let m = engine.classifier.matcher
    print("prefilter: \(m.keywordCount) keywords, \(m.stateCount) states, \(m.byteClassCount) byte classes")
    print(String(format: "classify: %.1f MiB of diff, %d files, %d changed lines", Double(bytes.count) / 1_048_576, stats.files, stats.added + stats.removed))
    print(String(format: "  throughput MiB/s (one core): median %.0f, best %.0f, worst %.0f over %d runs", percentile(results, 0.5), results.last ?? 0, results.first ?? 0, results.count))
    let areas = last?.reports.map { "\($0.area.rawValue) \(Int($0.score))" }.joined(separator: ", ") ?? ""
    print("  areas with evidence: \(areas)")
}

func endToEnd(_ path: String, lines: Int, runs: Int) {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    let clock = ContinuousClock()
    var loads: [Double] = []
    for _ in 0..<5 {
        let start = clock.now
        _ = loadEngine()
        loads.append(seconds(clock.now - start) * 1000)
    }
    let engine = loadEngine()
    // The first `lines` lines of the corpus, cut at a file boundary after that.
    let all = String(decoding: data.prefix(8 << 20), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    var taken = Array(all.prefix(lines))
    var i = taken.count
    while i < all.count && !all[i].hasPrefix("diff --git ") && !all[i].hasPrefix("@@ ") { taken.append(all[i]); i += 1 }
    let diff = Array((taken.joined(separator: "\n") + "\n").utf8)
    var times: [Double] = []
    var jsonBytes = 0
    for run in 0...runs {
        let clock = ContinuousClock()
        let start = clock.now
        let classification = engine.classifier.classify(diff)
        let report = engine.report(classification)
        let json = report.json()
        let comment = engine.summary.render(report)
        let elapsed = seconds(clock.now - start)
        jsonBytes = json.utf8.count + comment.utf8.count
        if run > 0 { times.append(elapsed * 1000) }
    }
    times.sort()
    print(String(format: "end-to-end: %d-line diff (%d KiB) → classification, decision, JSON and comment (%d bytes out)", taken.count, diff.count / 1024, jsonBytes))
    print(String(format: "  ms: p50 %.2f, p99 %.2f, max %.2f over %d runs", percentile(times, 0.5), percentile(times, 0.99), times.last ?? 0, times.count))
    print(String(format: "  loading the engine (rule pack, policy, template): median %.0f ms", percentile(loads.sorted(), 0.5)))
}

/// The keyword automaton alone over the corpus's changed lines, two ways in alternating
/// runs: a line at a time (`scan`), and as the classifier reads them, in batches of lines
/// scanned side by side (`scanLines`). Both must find the same number of keywords.
func prefilter(_ data: Data, matcher: LiteralMatcher) {
    /// The changed lines, and the batches the classifier would cut them into: whole lines,
    /// up to ``ClassificationSession/batchBytes``, never across files.
    struct ChangedLines: DiffSink {
        var text: [UInt8] = []
        var ends: [Int] = []
        var batches: [Range<Int>] = []
        var batchStart = 0
        mutating func beginFile(_ header: FileHeader) {}
        mutating func line(_ line: LineView) {
            guard line.kind != .context else { return }
            text.append(contentsOf: line.content)
            ends.append(text.count)
            text.append(10)
            if text.count - batchStart >= ClassificationSession.batchBytes { endFile() }
        }
        mutating func endFile() {
            if batchStart < text.count { batches.append(batchStart..<text.count) }
            batchStart = text.count
        }
    }
    var lines = ChangedLines()
    DiffParser.parse([UInt8](data), into: &lines)
    let batches = lines.batches
    var hits: [LiteralMatcher.Hit] = []
    var counts = (alone: 0, batched: 0)
    var rates: (alone: [Double], batched: [Double]) = ([], [])
    let clock = ContinuousClock()
    lines.text.withUnsafeBufferPointer { text in
        for _ in 0..<9 {
            var start = clock.now
            counts.alone = 0
            var lineStart = 0
            for end in lines.ends {
                hits.removeAll(keepingCapacity: true)
                matcher.scan(UnsafeBufferPointer(rebasing: text[lineStart..<end]), into: &hits)
                counts.alone += hits.count
                lineStart = end + 1
            }
            rates.alone.append(Double(text.count) / seconds(clock.now - start) / 1_048_576)
            start = clock.now
            counts.batched = 0
            for batch in batches {
                hits.removeAll(keepingCapacity: true)
                matcher.scanLines(UnsafeBufferPointer(rebasing: text[batch]), into: &hits)
                counts.batched += hits.count
            }
            rates.batched.append(Double(text.count) / seconds(clock.now - start) / 1_048_576)
        }
    }
    guard counts.alone == counts.batched else { fail("the two ways found \(counts.alone) and \(counts.batched) keywords") }
    rates.alone.sort()
    rates.batched.sort()
    print(String(format: "prefilter: %d keywords, %d states, %d byte classes; %.1f MiB of changed lines, %d keyword hits", matcher.keywordCount, matcher.stateCount, matcher.byteClassCount, Double(lines.text.count) / 1_048_576, counts.alone))
    print(String(format: "  a line at a time:  median %.0f MiB/s, best %.0f", percentile(rates.alone, 0.5), rates.alone.last ?? 0))
    print(String(format: "  batches of lines:  median %.0f MiB/s, best %.0f (%d batches)", percentile(rates.batched, 0.5), rates.batched.last ?? 0, batches.count))
}

var arguments = Array(CommandLine.arguments.dropFirst())
rulesDirectory = option("--rules", in: &arguments)
guard let command = arguments.first else { fail("usage: warden-bench corpus|classify|end-to-end ...") }
arguments.removeFirst()
switch command {
case "corpus":
    guard let out = option("--out", in: &arguments) else { fail("corpus needs --out FILE") }
    let mb = Int(option("--mb", in: &arguments) ?? "200") ?? 200
    buildCorpus(out: out, megabytes: mb, roots: arguments)
case "classify":
    let runs = Int(option("--runs", in: &arguments) ?? "5") ?? 5
    guard let path = arguments.first else { fail("classify needs a corpus file") }
    classifyThroughput(path, runs: runs)
case "prefilter":
    guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else { fail("prefilter needs a corpus file") }
    prefilter(data, matcher: loadEngine().classifier.matcher)
case "stages":
    guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else { fail("stages needs a corpus file") }
    let engine = loadEngine()
    let bytes = [UInt8](data)
    struct Counter: DiffSink {
        var lines = 0
        mutating func beginFile(_ header: FileHeader) {}
        mutating func line(_ line: LineView) { lines &+= line.content.count }
        mutating func endFile() {}
    }
    /// The changed lines copied into batches and scanned as the classifier does.
    struct Prefilter: DiffSink {
        let matcher: LiteralMatcher
        var hits: [LiteralMatcher.Hit] = []
        var batch: [UInt8] = []
        var count = 0
        mutating func beginFile(_ header: FileHeader) {}
        mutating func line(_ line: LineView) {
            guard line.kind != .context else { return }
            batch.append(contentsOf: line.content)
            batch.append(10)
            if batch.count >= ClassificationSession.batchBytes { endFile() }
        }
        mutating func endFile() {
            hits.removeAll(keepingCapacity: true)
            batch.withUnsafeBufferPointer { matcher.scanLines($0, into: &hits) }
            count &+= hits.count
            batch.removeAll(keepingCapacity: true)
        }
    }
    func rate(_ body: () -> Void) -> Double {
        var rates: [Double] = []
        for _ in 0..<5 {
            let clock = ContinuousClock()
            let start = clock.now
            body()
            rates.append(Double(bytes.count) / seconds(clock.now - start) / 1_048_576)
        }
        return percentile(rates.sorted(), 0.5)
    }
    var counter = Counter()
    let parse = rate { counter = Counter(); DiffParser.parse(bytes, into: &counter) }
    var prefilter = Prefilter(matcher: engine.classifier.matcher)
    let scan = rate { prefilter.count = 0; DiffParser.parse(bytes, into: &prefilter) }
    let full = rate { _ = engine.classifier.classify(bytes) }
    print(String(format: "stages (median MiB/s): parse %.0f, parse + prefilter %.0f, full classification %.0f", parse, scan, full))
case "automaton-size":
    guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else { fail("automaton-size needs a corpus file") }
    let bytes = [UInt8](data.prefix(10 << 20))
    let words = loadEngine().classifier.keywordTexts.map { Array($0.utf8) }
    for count in [100, 500, 1000, 2000, words.count] {
        let matcher = LiteralMatcher(keywords: Array(words.prefix(count)))
        var hits: [LiteralMatcher.Hit] = []
        var rates: [Double] = []
        for _ in 0..<5 {
            let clock = ContinuousClock()
            let start = clock.now
            bytes.withUnsafeBufferPointer { buffer in
                var splitter = LineSplitter()
                splitter.feed(UnsafeRawBufferPointer(buffer)) { line in
                    hits.removeAll(keepingCapacity: true)
                    matcher.scan(line, into: &hits)
                }
            }
            rates.append(Double(bytes.count) / seconds(clock.now - start) / 1_048_576)
        }
        print("  \(count) keywords, \(matcher.stateCount) states, \(matcher.byteClassCount) classes: \(Int(percentile(rates.sorted(), 0.5))) MiB/s")
    }
case "rule-costs":
    guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else { fail("rule-costs needs a corpus file") }
    var session = loadEngine().classifier.session()
    session.measuresPatternTime = true
    DiffParser.parse([UInt8](data), into: &session)
    let stats = session.result().stats
    print("pattern runs and time per rule over \(stats.added + stats.removed) changed lines:")
    print("keywords that made the most rule candidates:")
    for (keyword, count) in session.keywordCosts.prefix(30) { print("  \(keyword): \(count)") }
    for (rule, runs, time) in session.patternCosts.prefix(40) {
        let ms = seconds(time) * 1000
        print(String(format: "  %-40@ %6d runs %8.1f ms %6.1f µs/run", rule as NSString, runs, ms, ms * 1000 / Double(max(runs, 1))))
    }
case "ai-share":
    let commits = Int(option("--commits", in: &arguments) ?? "250") ?? 250
    let lines = Int(option("--lines", in: &arguments) ?? "20000") ?? 20_000
    let runs = Int(option("--runs", in: &arguments) ?? "200") ?? 200
    aiShareBenchmark(commits: commits, lines: lines, runs: runs)
case "http":
    let requests = Int(option("--requests", in: &arguments) ?? "20000") ?? 20_000
    let rounds = Int(option("--rounds", in: &arguments) ?? "3") ?? 3
    let only = option("--only", in: &arguments)
    guard let url = arguments.first else { fail("http needs a URL (a loopback server)") }
    await httpBenchmark(url: url, requests: requests, rounds: rounds, only: only)
case "intake":
    let requests = Int(option("--requests", in: &arguments) ?? "20000") ?? 20_000
    let concurrency = Int(option("--concurrency", in: &arguments) ?? "32") ?? 32
    let bytes = Int(option("--payload-bytes", in: &arguments) ?? "8000") ?? 8_000
    let secret = option("--secret", in: &arguments) ?? ""
    let rate = option("--rate", in: &arguments).flatMap(Int.init)
    guard let url = arguments.first else { fail("intake needs the webhook URL of a running warden serve") }
    await intakeBenchmark(url: url, secret: secret, requests: requests, concurrency: concurrency, payloadBytes: bytes, rate: rate)
case "reconcile":
    let lines = Int(option("--lines", in: &arguments) ?? "500") ?? 500
    let runs = Int(option("--runs", in: &arguments) ?? "200") ?? 200
    let open = Int(option("--open", in: &arguments) ?? "1000") ?? 1000
    await reconcileBenchmark(lines: lines, runs: runs, open: open)
case "hostile":
    let size = Int(option("--bytes", in: &arguments) ?? "60000") ?? 60000
    hostileLines(bytes: size)
case "end-to-end":
    let lines = Int(option("--lines", in: &arguments) ?? "2000") ?? 2000
    let runs = Int(option("--runs", in: &arguments) ?? "200") ?? 200
    guard let path = arguments.first else { fail("end-to-end needs a corpus file") }
    endToEnd(path, lines: lines, runs: runs)
default:
    fail("unknown command \(command)")
}

/// Lines built to be expensive: for every content rule, a line of `bytes` made of its own
/// keywords (separated by punctuation, or run together into one word), in files of several
/// languages. Every keyword admits the line to the rule's patterns, so this is the worst a
/// diff can make the classifier do per byte; it reports the overall rate and the slowest lines.
func hostileLines(bytes size: Int) {
    let engine = loadEngine()
    let separators = [" ", "(", "\"", "'", ".", "=", " = ", "_", "/", "-", ""]
    var generator = SplitMix(seed: 7)
    var timings: [(seconds: Double, rule: String, file: String)] = []
    var total = 0
    let clock = ContinuousClock()
    let extensions = ["py", "js", "go", "php", "c", "java", "rb", "yml", "sh", "html"]
    /// Classifies a one-line diff adding `line` to a file of this extension: (seconds, bytes).
    func classifyLine(_ line: String, ext: String) -> (Double, Int) {
        let path = "src/hostile.\(ext)"
        let diff = Array("diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n@@ -0,0 +1 @@\n+\(line)\n".utf8)
        let start = clock.now
        _ = engine.classifier.classify(diff)
        return (seconds(clock.now - start), diff.count)
    }
    for rule in engine.classifier.ruleDefinitions where !rule.keywords.isEmpty {
        let keywords = rule.keywords.map { $0.replacingOccurrences(of: "\\b", with: "") }
        for ext in extensions {
            for joined in [false, true] {
                var line = ""
                while line.utf8.count < size {
                    line += keywords[Int(generator.next() % UInt64(keywords.count))]
                    line += joined ? "" : separators[Int(generator.next() % UInt64(separators.count))]
                }
                let (elapsed, bytes) = classifyLine(line, ext: ext)
                timings.append((elapsed, rule.id, "\(ext)\(joined ? " (one word)" : "")"))
                total += bytes
            }
        }
        // One keyword repeated is the worst case for a pattern that scans on from it (a
        // 60 KB line of `(uid=` cost 38 s in an LDAP pattern before negated classes were
        // bounded): every keyword once, in a third of the length, the language rotating.
        for (index, keyword) in keywords.enumerated() where !keyword.isEmpty {
            let ext = extensions[index % extensions.count]
            let line = String(repeating: keyword, count: max(1, size / 3 / keyword.utf8.count))
            let (elapsed, bytes) = classifyLine(line, ext: ext)
            timings.append((elapsed, rule.id, "\(ext) (`\(keyword)` repeated)"))
            total += bytes
        }
    }
    let elapsed = timings.reduce(0) { $0 + $1.seconds }
    print(String(format: "hostile: %d lines of up to %d bytes, %.1f MiB in %.1f s: %.1f MiB/s", timings.count, size, Double(total) / 1_048_576, elapsed, Double(total) / 1_048_576 / elapsed))
    for t in timings.sorted(by: { $0.seconds > $1.seconds }).prefix(5) {
        print(String(format: "  slowest: %6.1f ms  %@ in .%@", t.seconds * 1000, t.rule, t.file))
    }
}

/// A small deterministic generator, so every run builds the same lines.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
