import Foundation
import Testing

@testable import WardenCore

@Suite("Rendering")
struct RenderingTests {
    static let diff = """
        diff --git a/app/db.py b/app/db.py
        --- a/app/db.py
        +++ b/app/db.py
        @@ -1,2 +1,2 @@
        -    cursor.execute("SELECT * FROM t WHERE id = %s", (uid,))
        +    cursor.execute(f"SELECT * FROM t WHERE id = {uid}")
         pass
        diff --git a/web/`evil` @admin <!-- x -->.py b/web/`evil` @admin <!-- x -->.py
        --- a/web/`evil` @admin <!-- x -->.py
        +++ b/web/`evil` @admin <!-- x -->.py
        @@ -1 +1 @@
        -x
        +os.system("ping " + host)
        """

    var report: ChangeReport { BuiltIn.engine.report(BuiltIn.classify(Self.diff)) }

    @Test func jsonHasTheShapeOfTheSpec() throws {
        let object = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        let areas = try #require(object?["areas"] as? [[String: Any]])
        let sql = try #require(areas.first { $0["id"] as? String == "sql" })
        let finding = try #require((sql["findings"] as? [[String: Any]])?.first { $0["rule"] as? String == "sql.concatenated-query" })
        #expect(finding["file"] as? String == "app/db.py")
        #expect(finding["line"] as? Int == 1)
        #expect(finding["side"] as? String == "new")
        #expect(finding["reason"] as? String == "SQL built by concatenation or string interpolation")
        let ai = try #require(object?["ai"] as? [String: Any])
        #expect(ai.keys.contains("lower") && ai.keys.contains("upper") && ai.keys.contains("label") && ai.keys.contains("evidence"))
        #expect(ai["lower"] is NSNull)
        #expect((object?["labels"] as? [String])?.contains("security:sql") == true)
        let signoffs = try #require(object?["signoffs"] as? [[String: Any]])
        #expect(signoffs.contains { $0["area"] as? String == "sql" && $0["required"] as? Int == 1 })
        let reviewers = try #require(object?["reviewers"] as? [String: Any])
        #expect(reviewers["users"] is [Any] && reviewers["teams"] is [Any])
        let stats = try #require(object?["stats"] as? [String: Any])
        #expect(stats["files"] as? Int == 2 && stats["added"] as? Int == 2 && stats["removed"] as? Int == 2)
    }

    @Test func sarifIsWhatCodeScanningAccepts() throws {
        let object = try JSONSerialization.jsonObject(with: Data(report.sarif(toolVersion: "0.1.0").utf8)) as? [String: Any]
        #expect(object?["version"] as? String == "2.1.0")
        #expect((object?["$schema"] as? String)?.contains("sarif-2.1.0") == true)
        let run = try #require((object?["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "Warden")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ids = rules.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == ids.count)
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(!results.isEmpty)
        for result in results {
            let id = try #require(result["ruleId"] as? String)
            #expect(ids[result["ruleIndex"] as? Int ?? -1] == id)
            #expect((result["message"] as? [String: Any])?["text"] is String)
            let location = try #require((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
            let uri = try #require((location["artifactLocation"] as? [String: Any])?["uri"] as? String)
            #expect(!uri.hasPrefix("/") && !uri.contains(" ") && !uri.contains("`"))
            #expect(((location["region"] as? [String: Any])?["startLine"] as? Int ?? 0) >= 1)
        }
    }

    @Test func removedLineFindingsPointIntoTheNewFile() {
        let diff = "diff --git a/v.py b/v.py\n--- a/v.py\n+++ b/v.py\n@@ -10,3 +20,2 @@\n a\n-@login_required\n b\n"
        let report = BuiltIn.engine.report(BuiltIn.classify(diff))
        let finding = report.classification.report(for: .auth)?.findings.first { $0.rule == "auth.decorator" }
        #expect(finding?.side == .old)
        #expect(finding?.line == 11)
        #expect(finding?.anchorLine == 21)
        #expect(report.sarif(toolVersion: "t").contains("\"startLine\" : 21"))
    }

    @Test func markdownNeutralisesHostileFileNames() {
        let markdown = BuiltIn.engine.summary.render(report)
        #expect(markdown.hasPrefix(SummaryComment.marker))
        #expect(markdown.components(separatedBy: "-->").count == 2, "only the marker may close an HTML comment")
        #expect(!markdown.contains("@admin"))
        #expect(markdown.contains("@\u{200D}admin"))
        #expect(markdown.contains("``web/`evil` @\u{200D}admin"))
        #expect(markdown.contains("**security:sql**"))
        #expect(markdown.contains("/warden signoff"))
    }

    @Test func hostileCommitTextInAIEvidenceIsNeutralised() {
        var history = History()
        history.commit("Change\n\nAssisted-by: @admin:`x`-->|<b>\nCo-authored-by: Claude <noreply@anthropic.com>", lines: 10)
        history.commit("Revert\n\nThis reverts commit deadbeef.", lines: 5)
        let share = BuiltIn.engine.aiSignals.score(history.input())
        let hostile = BuiltIn.engine.report(BuiltIn.classify(Self.diff), ai: share)
        let markdown = BuiltIn.engine.summary.render(hostile)
        #expect(markdown.components(separatedBy: "-->").count == 2, "only the marker may close an HTML comment")
        #expect(!markdown.contains("@admin"))
        #expect(markdown.contains("AI evidence"))
        // Outside code spans, HTML is escaped.
        #expect(markdown.contains("&lt;b&gt;"))
        let text = hostile.text(color: false)
        #expect(text.contains("Claude Code, strong, co-author in "))
        let object = try? JSONSerialization.jsonObject(with: Data(hostile.json().utf8)) as? [String: Any]
        let ai = object?["ai"] as? [String: Any]
        #expect(ai?["label"] as? String == "ai-heavy")
        #expect((ai?["tools"] as? [[String: Any]])?.contains { $0["name"] as? String == "Claude Code" } == true)
    }

    @Test func markdownEscapesAndCodeSpans() {
        #expect(MarkdownText.code("a`b") == "``a`b``")
        #expect(MarkdownText.code("`x") == "`` `x ``")
        #expect(MarkdownText.escape("*bold* [link](x) @team <b>") == "\\*bold\\* \\[link\\](x) @\u{200D}team &lt;b&gt;")
        #expect(MarkdownText.escape("line\nbreak") == "line break")
    }

    @Test func hugeReportsAreCutToACommentsSize() {
        var diff = ""
        let folder = String(repeating: "deeply/nested/", count: 14)
        for i in 0..<600 {
            let path = folder + "f\(i).py"
            diff += "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n@@ -0,0 +1 @@\n+os.system(\"x\" + y)\n"
        }
        let report = BuiltIn.engine.report(BuiltIn.classify(diff))
        let markdown = BuiltIn.engine.summary.render(report, findingsPerArea: 5_000)
        #expect(markdown.count <= SummaryComment.maximumLength)
        #expect(markdown.hasPrefix(SummaryComment.marker))
    }

    @Test func textOutputHasColourOnlyWhenAsked() {
        #expect(!report.text(color: false).contains("\u{1B}["))
        #expect(report.text(color: true).contains("\u{1B}["))
        #expect(report.text(color: false).contains("AI share: unknown"))
    }
}
