import Foundation
import Testing

@testable import WardenCore

@Suite("Regular expressions run through ICU")
struct RegexEngineTests {
    private func firstMatch(_ pattern: String, _ text: String) throws -> RegexMatch? {
        let regex = try CompiledRegex(pattern)
        var line = MatchText(text)
        return regex.firstMatch(&line)
    }

    @Test func rangesAreUTF16OffsetsOfTheOriginalLine() throws {
        // Two non-ASCII characters before the match: one BMP (é), one outside it (🔑, two units).
        let text = "é🔑 password = \"hunter2hunter2\""
        let match = try #require(try firstMatch(#"(?i)PASSWORD\s*=\s*"(?<secret>[^"]+)""#, text))
        let secret = match.range(withName: "secret")
        #expect(secret.location == 16 && secret.length == 14)
        #expect((text as NSString).substring(with: secret) == "hunter2hunter2")
        #expect(match.range.location == 4)
    }

    @Test func namedGroupsThatTookNoPartAreNotFound() throws {
        let match = try #require(try firstMatch(#"(?<tool>claude)|(?<model>opus)"#, "opus 4"))
        #expect(match.range(withName: "tool").location == NSNotFound)
        #expect(match.range(withName: "model") == NSRange(location: 0, length: 4))
        #expect(match.range(withName: "absent").location == NSNotFound)
    }

    @Test func noMatchAndEmptyLines() throws {
        #expect(try firstMatch(#"\bexec\s*\("#, "execute the plan") == nil)
        #expect(try firstMatch(#"^$"#, "") != nil)
        #expect(try firstMatch(#"x"#, "") == nil)
    }

    @Test func invalidPatternsAreErrorsNotCrashes() {
        #expect(throws: (any Error).self) { try RegexEngine("(unclosed") }
        #expect(throws: (any Error).self) { try CompiledRegex("(?i)[z-a]") }
    }

    @Test func declaredGroupNamesSkipLookbehindsAndEscapes() {
        #expect(RegexEngine.declaredGroupNames(#"(?<=a)(?<!b)\(?<x>(?<secret>s)(?<tool2>t)"#) == ["secret", "tool2"])
    }

    /// One compiled pattern shared by many threads at once (the server classifies several
    /// merge requests concurrently): each match must see its own line.
    @Test func oneRegexServesConcurrentMatches() async throws {
        let regex = try CompiledRegex(#"(?i)token\s*=\s*(?<secret>\d+)"#)
        let results = await withTaskGroup(of: Bool.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<500 {
                        let value = String(worker * 1_000 + i)
                        var line = MatchText("TOKEN = \(value);")
                        guard let match = regex.firstMatch(&line) else { return false }
                        if (line.original as NSString).substring(with: match.range(withName: "secret")) != value { return false }
                    }
                    return true
                }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 8 && results.allSatisfy { $0 })
    }
}
