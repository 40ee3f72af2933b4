// warden-eval: scores the built-in area classifier on a JSONL file of labelled diffs.
//
//   swift run -c release warden-eval FILE.jsonl [--rules DIR] [--misses] [--false-positives] [--json]
//
// Each line is an object with `diff` (unified diff text), `areas` (expected area ids; empty
// for a negative) and optionally `path_areas` (areas the changed paths imply, which are also
// acceptable predictions) and `id`. Figures printed:
//   recall per area   share of diffs labelled with the area where it is predicted
//   precision         share of predicted areas (on positives) within areas ∪ path_areas
//   negatives flagged share of diffs labelled with no area where any area is predicted
import Foundation
import WardenCore
import WardenDefaults

struct Record: Decodable {
    var id: String?
    var areas: [String]
    var path_areas: [String]?
    var diff: String
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("warden-eval: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
let showMisses = arguments.contains("--misses")
let showFalsePositives = arguments.contains("--false-positives")
let asJSON = arguments.contains("--json")
let ruleStats = arguments.contains("--rule-stats")
var ruleFired: [String: (good: Int, bad: Int, negative: Int)] = [:]
var rulesDir: String?
var explain: String?
var thresholds = FlagThresholds()
if let i = arguments.firstIndex(of: "--thresholds"), i + 1 < arguments.count {
    let parts = arguments[i + 1].split(separator: ",").compactMap { Double($0) }
    if parts.count == 3 { thresholds = FlagThresholds(minimum: parts[0], strong: parts[1], dominance: parts[2]) }
    arguments.removeSubrange(i...(i + 1))
}
if let i = arguments.firstIndex(of: "--explain"), i + 1 < arguments.count {
    explain = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
if let i = arguments.firstIndex(of: "--rules"), i + 1 < arguments.count {
    rulesDir = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
arguments.removeAll { $0.hasPrefix("--") }
guard let input = arguments.first else { fail("usage: warden-eval FILE.jsonl [--rules DIR] [--misses] [--false-positives] [--json]") }
guard let data = FileManager.default.contents(atPath: input) else { fail("cannot read \(input)") }

var packFiles = WardenDefaults.rulePackFiles
if let rulesDir {
    guard let files = WardenDefaults.rulePackFiles(inDirectory: rulesDir) else { fail("cannot list rule directory \(rulesDir)") }
    packFiles = files
}
let classifier: AreaClassifier
do {
    let (pack, _) = try RulePackLoader.load(files: packFiles)
    classifier = try AreaClassifier(pack: pack, thresholds: thresholds)
} catch {
    fail("rule pack: \(error)")
}

var labelled: [String: Int] = [:]
var hits: [String: Int] = [:]
var predictedOnPositives = 0
var correctOnPositives = 0
var negatives = 0
var negativesFlagged = 0
var misses: [String] = []
var falsePositives: [String] = []
var lineNumber = 0
let decoder = JSONDecoder()
let started = Date()
var bytes = 0

for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
    lineNumber += 1
    let record: Record
    do { record = try decoder.decode(Record.self, from: Data(line)) } catch { fail("\(input):\(lineNumber): not a labelled diff record: \(error)") }
    bytes += record.diff.utf8.count
    let result = classifier.classify(record.diff)
    if let explain, let id = record.id, id.hasPrefix(explain) {
        print("== \(id) expected \(record.areas) acceptable \(record.path_areas ?? [])")
        for report in result.reports {
            print("  \(report.area.rawValue) score \(String(format: "%.2f", report.score)) \(report.flagged ? "FLAGGED" : "")")
            for f in report.findings.prefix(12) { print("     \(f.rule) \(f.file):\(f.line ?? 0) \(f.side.rawValue) [\(f.role.rawValue)]") }
        }
        for file in result.files.prefix(30) { print("  file \(file.path) lang=\(file.language ?? "-") role=\(file.role.rawValue)") }
    }
    let predicted = Set(result.areas.map(\.rawValue))
    let expected = Set(record.areas)
    let acceptable = expected.union(record.path_areas ?? [])
    let name = record.id ?? "line \(lineNumber)"
    if ruleStats {
        var seen: Set<String> = []
        for report in result.reports { for f in report.findings where seen.insert(f.rule).inserted {
            var entry = ruleFired[f.rule] ?? (0, 0, 0)
            if expected.isEmpty { entry.negative += 1 } else if acceptable.contains(report.area.rawValue) { entry.good += 1 } else { entry.bad += 1 }
            ruleFired[f.rule] = entry
        } }
    }
    if expected.isEmpty {
        negatives += 1
        if !predicted.isEmpty {
            negativesFlagged += 1
            falsePositives.append("\(name): negative flagged \(predicted.sorted())")
        }
        continue
    }
    for area in expected {
        labelled[area, default: 0] += 1
        if predicted.contains(area) { hits[area, default: 0] += 1 } else {
            let score = Area(rawValue: area).flatMap(result.report(for:))?.score ?? 0
            misses.append("\(name): missed \(area) score \(String(format: "%.2f", score)) (predicted \(predicted.sorted()))")
        }
    }
    predictedOnPositives += predicted.count
    correctOnPositives += predicted.intersection(acceptable).count
    for area in predicted.subtracting(acceptable).sorted() {
        let report = Area(rawValue: area).flatMap(result.report(for:))
        let why = report?.findings.prefix(3).map { "\($0.rule)@\($0.file):\($0.line ?? 0)" }.joined(separator: " ") ?? ""
        falsePositives.append("\(name): extra \(area) [\(why)]")
    }
}

let elapsed = Date().timeIntervalSince(started)
let precision = predictedOnPositives == 0 ? 1.0 : Double(correctOnPositives) / Double(predictedOnPositives)
let negativeShare = negatives == 0 ? 0.0 : Double(negativesFlagged) / Double(negatives)

if asJSON {
    var recall: [String: Double] = [:]
    for (area, n) in labelled { recall[area] = Double(hits[area] ?? 0) / Double(n) }
    let object: [String: Any] = [
        "records": lineNumber, "recall": recall, "precision": precision,
        "negatives": negatives, "negatives_flagged": negativeShare,
    ]
    let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    print(String(decoding: json, as: UTF8.self))
} else {
    print("records: \(lineNumber)  (\(negatives) negatives)  \(bytes / 1024) KiB of diff in \(String(format: "%.2f", elapsed)) s")
    print("area          labelled  found  recall")
    for area in Area.allCases.map(\.rawValue) {
        let n = labelled[area] ?? 0
        let h = hits[area] ?? 0
        let recall = n == 0 ? "-" : String(format: "%.2f", Double(h) / Double(n))
        print(area.padding(toLength: 14, withPad: " ", startingAt: 0) + String(n).leftPad(8) + String(h).leftPad(7) + recall.leftPad(8))
    }
    print(String(format: "precision on positives: %.2f (%d of %d predicted areas acceptable)", precision, correctOnPositives, predictedOnPositives))
    print(String(format: "negatives flagged: %.1f%% (%d of %d)", negativeShare * 100, negativesFlagged, negatives))
    if ruleStats {
        print("\nrule                                   acceptable  other  negative")
        for (rule, e) in ruleFired.sorted(by: { $0.value.bad - $0.value.good > $1.value.bad - $1.value.good }) {
            print(rule.padding(toLength: 40, withPad: " ", startingAt: 0) + String(e.good).leftPad(8) + String(e.bad).leftPad(7) + String(e.negative).leftPad(9))
        }
    }
    if showMisses { print("\nmisses:"); misses.forEach { print("  " + $0) } }
    if showFalsePositives { print("\nfalse positives:"); falsePositives.forEach { print("  " + $0) } }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
