import Foundation
import Testing

@testable import WardenCore

@Suite("Pattern splitting and lowering")
struct PatternSplitterTests {
    @Test func splitsTopLevelAlternationsWithTheirLiterals() throws {
        let branches = try #require(PatternSplitter.split(#"(?i)(\bos\.(system|popen)\s*\(|shell\s*=\s*True|[a-z]+x|ab?c)"#))
        #expect(branches.map(\.pattern) == [
            #"(?i)(\bos\.(system|popen)\s*\()"#, #"(?i)(shell\s*=\s*True)"#, #"(?i)([a-z]+x)"#, #"(?i)(ab?c)"#,
        ])
        #expect(branches.map { $0.required.all.map { String(decoding: $0, as: UTF8.self) } } == [["os.", "("], ["shell", "=", "true"], ["x"], ["a", "c"]])
        #expect(branches[0].required.anyOf == [[Array("system".utf8), Array("popen".utf8)]])
    }

    @Test func keepsNamedGroupsOnEveryBranch() throws {
        let branches = try #require(PatternSplitter.split(#"(?<secret>AKIA[A-Z0-9]{16}|ghp_[A-Za-z0-9]{36})"#))
        #expect(branches.map(\.pattern) == [#"(?<secret>AKIA[A-Z0-9]{16})"#, #"(?<secret>ghp_[A-Za-z0-9]{36})"#])
        #expect(branches[0].required.all == [Array("AKIA".utf8)])
    }

    @Test func leavesPatternsItCannotSplit() {
        #expect(PatternSplitter.split(#"(?i)\bfoo(a|b)"#) == nil)
        #expect(PatternSplitter.split("abc") == nil)
        #expect(PatternSplitter.split(#"(?i)(a|b)c"#) == nil)
    }

    @Test func optionalAndRepeatedAtoms() {
        func literals(_ branch: String) -> [String] {
            PatternSplitter.requirement(Array(branch.unicodeScalars), lowercase: true).all.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(literals("colou?r") == ["colo", "r"])
        #expect(literals(#"x{0,2}yz\.com"#) == ["yz.com"])
        #expect(literals(#"[abc]def(ghi)?jk"#) == ["def", "jk"])
        #expect(literals("Hello+World") == ["hello", "world"])
        #expect(literals(#"\Qa.b\E"#).isEmpty)
        let group = PatternSplitter.requirement(Array(#"\b(compile|exec)\s*\((x|y)?"#.unicodeScalars), lowercase: true)
        #expect(group.anyOf == [[Array("compile".utf8), Array("exec".utf8)]])
        // A credential assignment needs one of the words, an assignment and a quote.
        let assignment = PatternSplitter.wholeRequirement(#"(?i)(password|token)\w*\s*(:=|=|:)\s*["'`](?<secret>[^"']{8,})["'`]"#)
        #expect(assignment.anyOf.count == 4)
        #expect(assignment.anyOf[1] == [Array(":=".utf8), Array("=".utf8), Array(":".utf8)])
        #expect(assignment.anyOf[2] == [[34], [39], [96]])
        #expect(PatternSplitter.wholeRequirement(#"[^a-z]x|y"#).isEmpty)
    }

    @Test func caseInsensitivePatternsAreLoweredSafely() {
        #expect(CompiledRegex.lowercasedPattern(#"(?i)\bFOO[A-Z]\S+(?<secret>Bar)"#) == #"\bfoo[a-z]\S+(?<secret>bar)"#)
        #expect(CompiledRegex.lowercasedPattern(#"(?i)a(?-i)B"#) == nil)
        #expect(CompiledRegex.lowercasedPattern(#"(?i)\p{Lu}"#) == nil)
        #expect(CompiledRegex.lowercasedPattern("Foo") == nil)
        // Lookbehinds are lowered like the rest (a `>` later in the pattern does not end them).
        #expect(CompiledRegex.lowercasedPattern(#"(?i)(?<![.A-Z])Sort_By(?!\s*>)"#) == #"(?<![.a-z])sort_by(?!\s*>)"#)
        #expect(CompiledRegex.lowercasedPattern(#"(?i)(?<=Key)X"#) == #"(?<=key)x"#)
    }

    @Test func splitAndLoweredPatternsMatchLikeTheOriginal() throws {
        let patterns = [
            #"(?i)(\beval\s*\(|Class\.forName|\bTemplate\s*\(\s*[^)'"]|freemarker)"#,
            #"(?<secret>\bAKIA[A-Z2-7]{16}\b|\bghp_[A-Za-z0-9]{36}\b)"#,
            #"(?i)(password|secret)\w*\s*=\s*["'](?<secret>[^"']{8,})["']"#,
            #"(?i)(?<![.\w])(Sort|ORDER)_?By\b(?!\s*[({&]|\s+do\b)"#,
        ]
        let lines = [
            "x = EVAL (y)", "Class.forName(\"a\")", "new Template(src)", "Template('x')", "uses FreeMarker",
            "key AKIAQ3EGRNKZ4XWPL7TR here", "ghp_R8x2mVq7LpZ3kT9wYc4NbH6sJd1FgE0aUoXi", "akiaq3egrnkz4xwpl7tr",
            "DB_PASSWORD = \"Sup3rS3cret\"", "Secret_Key='abcdefgh12'", "nothing to see",
            "if ORDER_BY not in allowed:", "items.sort_by { |i| i.name }", "sort_by(&:name)", "$Sort_By = $_GET['s'];",
        ]
        for pattern in patterns {
            let reference = try NSRegularExpression(pattern: pattern)
            let compiled = try CompiledPattern(pattern)
            for line in lines {
                let expected = reference.firstMatch(in: line, range: NSRange(location: 0, length: line.utf16.count))
                var text = MatchText(line)
                let actual = compiled.firstMatch(&text)
                #expect(actual?.range == expected?.range, "\(pattern) on \(line)")
                if let expected, pattern.contains("(?<secret>") {
                    #expect(actual?.range(withName: "secret") == expected.range(withName: "secret"))
                }
            }
        }
    }

    @Test func openRepeatsAreBoundedOutsideClassesAndEscapes() {
        #expect(PatternSplitter.boundingOpenRepeats(#"a.*b"#) == #"a.{0,256}b"#)
        #expect(PatternSplitter.boundingOpenRepeats(#"a.+?b"#) == #"a.{1,256}?b"#)
        #expect(PatternSplitter.boundingOpenRepeats(#"a\.*b"#) == #"a\.*b"#)
        #expect(PatternSplitter.boundingOpenRepeats(#"[.*]x[^].*]y"#) == #"[.*]x[^].*]y"#)
        #expect(PatternSplitter.boundingOpenRepeats(#"(a|b).*\bc\b"#) == #"(a|b).{0,256}\bc\b"#)
        // Negated classes repeated without bound are bounded too; other classes are not.
        #expect(PatternSplitter.boundingOpenRepeats(#"\(uid=[^)]*%s"#) == #"\(uid=[^)]{0,256}%s"#)
        #expect(PatternSplitter.boundingOpenRepeats(#"["'][^"']+["']"#) == #"["'][^"']{1,256}["']"#)
        #expect(PatternSplitter.boundingOpenRepeats(#"[^]x]*?y[a-z]*[^)]{2}"#) == #"[^]x]{0,256}?y[a-z]*[^)]{2}"#)
        // A set nested in a class is left as written (never rewritten into something else).
        #expect(PatternSplitter.boundingOpenRepeats(#"[^[:space:]]*x"#) == #"[^[:space:]]*x"#)
    }

    @Test func aBoundedPatternMatchesWithinReachOnly() throws {
        let pattern = try CompiledPattern(#"(?i)\bhide\b.*\bsecret\b"#)
        var near = MatchText("hide the secret")
        #expect(pattern.firstMatch(&near) != nil)
        var far = MatchText("hide " + String(repeating: "x", count: 300) + " secret")
        #expect(pattern.firstMatch(&far) == nil)
    }
}
