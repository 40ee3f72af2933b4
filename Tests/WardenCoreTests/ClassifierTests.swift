import Foundation
import Testing
import WardenDefaults

@testable import WardenCore

/// The built-in rule pack, compiled once for all tests.
enum BuiltIn {
    static let engine: Engine = {
        do {
            return try Engine(rulePack: WardenDefaults.rulePackFiles, policyLayers: [WardenDefaults.policy], aiSignals: WardenDefaults.aiSignals, summaryTemplate: WardenDefaults.summaryTemplate)
        } catch {
            preconditionFailure("the built-in configuration does not load: \(error)")
        }
    }()

    static func classify(_ diff: String) -> Classification { engine.classifier.classify(diff) }
}

@Suite("Classifier on labelled cases")
struct ClassifierTests {
    @Test("at least 150 labelled cases") func enoughCases() {
        #expect(LabelledCases.all.count >= 150)
        for area in Area.allCases {
            #expect(LabelledCases.all.contains { $0.flags.contains(area) }, "no positive case for \(area)")
            #expect(LabelledCases.all.contains { $0.never.contains(area) }, "no negative case for \(area)")
        }
    }

    @Test(arguments: LabelledCases.all)
    func labelled(_ example: LabelledCase) {
        let result = BuiltIn.classify(example.diff)
        let flagged = Set(result.areas)
        let rules = Set(result.reports.flatMap { $0.findings.map(\.rule) })
        let evidence = result.reports.map { "\($0.area.rawValue) \($0.score): \($0.findings.map(\.rule))" }
        for area in example.flags {
            #expect(flagged.contains(area), "expected \(area) flagged; got \(evidence)")
        }
        for area in example.never {
            #expect(!flagged.contains(area), "expected \(area) not flagged; got \(evidence)")
        }
        for rule in example.rules {
            #expect(rules.contains(rule), "expected a finding of \(rule); got \(evidence)")
        }
        for rule in example.notRules {
            #expect(!rules.contains(rule), "expected no finding of \(rule); got \(evidence)")
        }
    }

    @Test func aParameterisedQueryWeighsLessThanAConcatenatedOne() throws {
        func sqlScore(_ line: String) -> Double {
            BuiltIn.classify("diff --git a/app/reports.py b/app/reports.py\n--- a/app/reports.py\n+++ b/app/reports.py\n@@ -0,0 +1 @@\n+\(line)\n")
                .report(for: .sql)?.score ?? 0
        }
        let parameterised = sqlScore("cursor.execute(\"SELECT * FROM t WHERE id = %s\", (uid,))")
        let concatenated = sqlScore("cursor.execute(\"SELECT * FROM t WHERE id = \" + uid)")
        #expect(parameterised > 0)
        #expect(concatenated >= parameterised + 1)
    }
}
