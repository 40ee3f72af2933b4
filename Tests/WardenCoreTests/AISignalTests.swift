import Foundation
import Testing
import WardenDefaults

@testable import WardenCore

/// A text where a signal must (or must not) be seen.
struct SignalCase: Sendable, CustomTestStringConvertible {
    var place: SignalPlace
    var text: String
    var key: String? = nil
    /// The signal expected, `nil` for a near-miss that must not match.
    var signal: String?
    var tool: String? = nil
    var model: String? = nil

    var testDescription: String { "\(place.rawValue): \(text.prefix(60))" }
}

@Suite("AI signals")
struct AISignalTests {
    var signals: AISignalSet { BuiltIn.engine.aiSignals }

    static let cases: [SignalCase] = [
        // Claude Code
        SignalCase(place: .coAuthor, text: "Claude <noreply@anthropic.com>", signal: "claude-code.co-author", tool: "Claude Code"),
        SignalCase(place: .coAuthor, text: "Claude Opus 4.6 <noreply@anthropic.com>", signal: "claude-code.co-author", model: "Claude Opus 4.6"),
        SignalCase(place: .coAuthor, text: "Claude Sonnet 4.5 <noreply@anthropic.com>", signal: "claude-code.co-author", model: "Claude Sonnet 4.5"),
        SignalCase(place: .message, text: "🤖 Generated with [Claude Code](https://claude.com/claude-code)", signal: "claude-code.footer"),
        SignalCase(place: .message, text: "Generated with [Claude Code](https://claude.ai/code)", signal: "claude-code.footer"),
        SignalCase(place: .author, text: "claude[bot] <209825114+claude[bot]@users.noreply.github.com>", signal: "claude.bot-author"),
        // GitHub Copilot
        SignalCase(place: .author, text: "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>", signal: "copilot.coding-agent", tool: "GitHub Copilot coding agent"),
        SignalCase(place: .trailer, text: "https://github.com/acme/app/agent-sessions/abc", key: "Agent-Logs-Url", signal: "copilot.agent-logs"),
        SignalCase(place: .coAuthor, text: "Copilot <223556219+Copilot@users.noreply.github.com>", signal: "copilot.cli", tool: "GitHub Copilot CLI"),
        SignalCase(place: .coAuthor, text: "Copilot <175728472+Copilot@users.noreply.github.com>", signal: "copilot.co-author", tool: "GitHub Copilot"),
        // Cursor
        SignalCase(place: .coAuthor, text: "Cursor Agent <cursoragent@cursor.com>", signal: "cursor.agent", tool: "Cursor"),
        SignalCase(place: .author, text: "Cursor Agent <cursoragent@cursor.com>", signal: "cursor.agent"),
        SignalCase(place: .message, text: "Made with [Cursor](https://cursor.com)", signal: "cursor.footer"),
        // Aider
        SignalCase(place: .coAuthor, text: "aider (openai/gpt-4o) <noreply@aider.chat>", signal: "aider.co-author", model: "openai/gpt-4o"),
        SignalCase(place: .author, text: "Jane Doe (aider) <jane@example.com>", signal: "aider.author-suffix", tool: "Aider"),
        SignalCase(place: .subject, text: "aider: Add retry to the client", signal: "aider.subject-prefix"),
        // OpenAI Codex
        SignalCase(place: .coAuthor, text: "Codex <noreply@openai.com>", signal: "codex.co-author", tool: "OpenAI Codex"),
        SignalCase(place: .author, text: "chatgpt-codex-connector[bot] <199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>", signal: "codex.bot"),
        SignalCase(place: .description, text: "Codex Task: https://chatgpt.com/codex/tasks/task_e_68a1", signal: "codex.task-link"),
        SignalCase(place: .branch, text: "codex/fix-login-redirect", signal: "codex.branch"),
        // Devin, Jules, Gemini, Amazon Q, OpenHands, Amp, OpenCode and others
        SignalCase(place: .author, text: "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>", signal: "devin.bot", tool: "Devin"),
        SignalCase(place: .description, text: "Link to Devin run: https://app.devin.ai/sessions/0123abcd", signal: "devin.session-link"),
        SignalCase(place: .branch, text: "devin/1732000000-fix-auth", signal: "devin.branch"),
        SignalCase(place: .author, text: "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>", signal: "jules.bot", tool: "Jules"),
        SignalCase(place: .description, text: "PR created automatically by Jules for task [123](https://jules.google.com/task/123)", signal: "jules.task-link"),
        SignalCase(place: .coAuthor, text: "Gemini CLI <gemini-cli-agent@google.com>", signal: "gemini.cli"),
        SignalCase(place: .coAuthor, text: "gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>", signal: "gemini.code-assist"),
        SignalCase(place: .author, text: "amazon-q-developer[bot] <208079219+amazon-q-developer[bot]@users.noreply.github.com>", signal: "amazon-q.bot"),
        SignalCase(place: .coAuthor, text: "openhands <openhands@all-hands.dev>", signal: "openhands.identity", tool: "OpenHands"),
        SignalCase(place: .coAuthor, text: "Amp <amp@ampcode.com>", signal: "amp.co-author", tool: "Amp"),
        SignalCase(place: .trailer, text: "https://ampcode.com/threads/T-5d7c1d0a-1234", key: "Amp-Thread-ID", signal: "amp.thread"),
        SignalCase(place: .coAuthor, text: "opencode <noreply@opencode.ai>", signal: "opencode.co-author", tool: "OpenCode"),
        SignalCase(place: .coAuthor, text: "Windsurf <noreply@windsurf.com>", signal: "windsurf.co-author"),
        SignalCase(place: .coAuthor, text: "Cline <noreply@cline.bot>", signal: "cline.co-author"),
        SignalCase(place: .trailer, text: "Agent", key: "Replit-Commit-Author", signal: "replit.agent"),
        // Self-declared
        SignalCase(place: .trailer, text: "Claude:claude-3-opus coccinelle sparse", key: "Assisted-by", signal: "declared.assisted-by", tool: "Claude Code", model: "claude-3-opus"),
        SignalCase(place: .trailer, text: "GitHub-Copilot", key: "Generated-by", signal: "declared.generated-by", tool: "GitHub Copilot"),
        SignalCase(place: .description, text: "- [x] This contribution was assisted or created by Generative AI tools.", signal: "declared.ai-checkbox"),
        // Merge-request hints
        SignalCase(place: .description, text: "🤖 Generated with [Claude Code](https://claude.com/claude-code)", signal: "claude-code.description-footer"),
        SignalCase(place: .branch, text: "copilot/fix-123", signal: "agent.branch", tool: "GitHub Copilot"),
        SignalCase(place: .mergeRequestAuthor, text: "copilot-swe-agent[bot]", signal: "agent.mr-author", tool: "GitHub Copilot coding agent"),

        // Near-misses: no signal.
        SignalCase(place: .coAuthor, text: "Claude Monet <claude@example.com>", signal: nil),
        SignalCase(place: .author, text: "Claude Shannon <claude@bell-labs.example>", signal: nil),
        SignalCase(place: .author, text: "copilot-swe-agent[bot] <alice@example.com>", signal: nil),
        SignalCase(place: .author, text: "devin-ai-integration[bot] <mallory@example.com>", signal: nil),
        SignalCase(place: .coAuthor, text: "Jane Researcher <jane@openai.com>", signal: nil),
        SignalCase(place: .coAuthor, text: "Cursor Fan <cursor@example.com>", signal: nil),
        SignalCase(place: .author, text: "Aiden Smith <aiden@example.com>", signal: nil),
        SignalCase(place: .subject, text: "Docs: explain how aider: prefixes are written", signal: nil),
        SignalCase(place: .message, text: "We should add 'Generated with Claude Code' to the template", signal: nil),
        SignalCase(place: .description, text: "- [ ] This contribution was assisted or created by Generative AI tools.", signal: nil),
        SignalCase(place: .description, text: "- [x] I did not use AI tools for this change", signal: nil),
        SignalCase(place: .description, text: "- [x] Tests pass", signal: nil),
        SignalCase(place: .branch, text: "feature/claude-integration", signal: nil),
        SignalCase(place: .branch, text: "cursor-pagination", signal: nil),
        SignalCase(place: .trailer, text: "https://github.com/acme/app/actions/runs/1", key: "See-Also", signal: nil),
    ]

    @Test(arguments: cases)
    func signal(_ example: SignalCase) {
        let match = signals.match(example.text, in: example.place, trailerKey: example.key)
        #expect(match?.signal.id == example.signal, "got \(match?.signal.id ?? "nothing")")
        if let tool = example.tool { #expect(match?.tool == tool) }
        if let model = example.model { #expect(match?.model == model) }
    }

    @Test func everyPlaceHasSignals() {
        for place in SignalPlace.allCases {
            #expect(!(signals.compiled[place] ?? []).isEmpty, "no signal reads \(place.rawValue)")
        }
    }

    @Test func botsAreKnownByTheirAddressNotTheirName() {
        let dependabot = GitIdentity(name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com")
        #expect(signals.bot(dependabot)?.name == "Dependabot")
        #expect(signals.bot(GitIdentity(name: "renovate[bot]", email: "29139614+renovate[bot]@users.noreply.github.com"))?.name == "Renovate")
        #expect(signals.bot(GitIdentity(name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com"))?.name == "GitHub Actions")
        #expect(signals.bot(GitIdentity(name: "pre-commit-ci[bot]", email: "66853113+pre-commit-ci[bot]@users.noreply.github.com"))?.name == "pre-commit.ci")
        // A person who calls themselves dependabot is a person.
        #expect(signals.bot(GitIdentity(name: "dependabot[bot]", email: "alice@example.com")) == nil)
    }

    @Test func lockfilesAreNotMeasured() {
        let engine = BuiltIn.engine
        #expect(!engine.isMeasuredForAI("web/package-lock.json"))
        #expect(!engine.isMeasuredForAI("Cargo.lock"))
        #expect(!engine.isMeasuredForAI("vendor/github.com/x/y.go"))
        #expect(!engine.isMeasuredForAI("static/app.min.js"))
        #expect(engine.isMeasuredForAI("src/auth/login.py"))
        #expect(engine.isMeasuredForAI("package.json"))
    }

    @Test func signalFilesAreValidatedWithLinesAndHints() {
        let text = """
            version: 1
            signals:
              - id: a
                tool: A
                in: co-autor
                pattern: 'x'
                strength: strong
              - id: b
                tool: B
                in: branch
                pattern: '^b/'
                strength: strong
              - id: c
                tool: C
                in: trailer
                pattern: 'x'
                strength: medium
              - id: d
                tool: D
                in: message
                pattern: '(unclosed'
                strength: medium
              - id: e
                tool: E
                in: message
                pattern: 'e'
                strength: certain
            """
        var thrown: ConfigError?
        do { _ = try AISignalSet(file: "ai-signals.yml", text: text) } catch { thrown = error }
        let messages = thrown?.diagnostics.map(\.description) ?? []
        #expect(messages.contains { $0.contains("ai-signals.yml:5") && $0.contains("unknown place 'co-autor'") && $0.contains("did you mean 'co-author'") })
        #expect(messages.contains { $0.contains("signal 'b' is strong but reads the merge request") })
        #expect(messages.contains { $0.contains("signal 'c' reads a trailer but names no key") })
        #expect(messages.contains { $0.contains("d.pattern is not a valid regular expression") })
        #expect(messages.contains { $0.contains("strength must be strong, medium or weak, not 'certain'") })
    }
}

@Suite("Commit trailers")
struct TrailerTests {
    @Test func readsTheClosingTrailerBlock() {
        let message = """
            Fix the login redirect

            The redirect dropped the session.
            Reported-by: nobody (this line is prose: the paragraph is not a trailer block)

            Signed-off-by: Dev <dev@example.com>
            Co-authored-by: Claude <noreply@anthropic.com>
            Assisted-by: Claude:claude-opus-4
              coccinelle
            """
        let trailers = Trailer.parse(message)
        #expect(trailers.map(\.key) == ["Signed-off-by", "Co-authored-by", "Assisted-by"])
        #expect(trailers.last?.value == "Claude:claude-opus-4 coccinelle")
    }

    @Test func aTrailerInTheMiddleOfTheBodyIsProse() {
        let message = """
            Document attribution

            Agents add a line like
            Co-authored-by: Claude <noreply@anthropic.com>
            to the commits they write.

            Fixes #12
            """
        #expect(Trailer.parse(message).isEmpty)
    }

    @Test func gitsQuarterRuleNeedsAGitTrailer() {
        let withSignOff = "Subject\n\nsome prose line\nmore prose\nSigned-off-by: A <a@example.com>\nCo-authored-by: B <b@example.com>\n"
        #expect(Trailer.parse(withSignOff).count == 2)
        let without = "Subject\n\nsome prose line\nmore prose\nmore prose again\nCo-authored-by: B <b@example.com>\n"
        #expect(Trailer.parse(without).isEmpty)
    }

    @Test func aSubjectAloneHasNoTrailers() {
        #expect(Trailer.parse("Co-authored-by: Claude <noreply@anthropic.com>").isEmpty)
        #expect(Trailer.parse("").isEmpty)
        #expect(Trailer.parse("\n\n\n").isEmpty)
    }

    @Test func revertsAreRecognised() {
        let revert = CommitInfo(
            sha: "b", author: GitIdentity(name: "A", email: "a@example.com"),
            message: "Revert \"Add cache\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n")
        #expect(revert.revertedCommit == "0123456789abcdef0123456789abcdef01234567")
    }
}

@Suite("git-ai notes")
struct GitAINoteTests {
    static let note = """
        src/main.rs
          abcd1234abcd1234 1-10,15-20
          efab5678efab5678 25,30-35
        "src/my file.rs"
          abcd1234abcd1234 1-50
        ---
        {
          "schema_version": "authorship/3.0.0",
          "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
          "prompts": {
            "abcd1234abcd1234": {"agent_id": {"tool": "cursor", "id": "6ef2", "model": "claude-4.5-opus"}, "messages": [],
                                 "total_additions": 25, "total_deletions": 5, "accepted_lines": 20, "overriden_lines": 0},
            "efab5678efab5678": {"agent_id": {"tool": "claude", "id": "a1b2", "model": "claude-sonnet-4-5"}, "messages": [],
                                 "total_additions": 6, "total_deletions": 0, "accepted_lines": 6, "overriden_lines": 0}
          }
        }
        """

    @Test func readsAttestationsAndSessions() throws {
        let note = try GitAINote(parsing: Self.note)
        #expect(note.schemaVersion == "authorship/3.0.0")
        #expect(note.session(line: 1, in: "src/main.rs") == "abcd1234abcd1234")
        #expect(note.session(line: 12, in: "src/main.rs") == nil)
        #expect(note.session(line: 31, in: "src/main.rs") == "efab5678efab5678")
        #expect(note.session(line: 50, in: "src/my file.rs") == "abcd1234abcd1234")
        #expect(note.session(line: 51, in: "src/my file.rs") == nil)
        #expect(note.sessionInfo("efab5678efab5678") == GitAINote.Session(tool: "claude", model: "claude-sonnet-4-5"))
        // Older 7-character hashes match by prefix.
        #expect(note.sessionInfo("abcd123").tool == "cursor")
    }

    @Test func malformedNotesAreErrorsNotCrashes() {
        let bad = [
            "src/a.rs\n  abcd1234abcd1234 1-10\n{\"prompts\": {}}",  // no divider
            "  abcd1234abcd1234 1-10\n---\n{}",  // entry before a file
            "src/a.rs\n  nothex!! 1-10\n---\n{}",
            "src/a.rs\n  abcd1234abcd1234 10-1\n---\n{}",
            "src/a.rs\n  abcd1234abcd1234 1-10\n---\nnot json",
            "src/a.rs\n  abcd1234abcd1234 1-10\n---\n{\"schema_version\": \"something/9\"}",
        ]
        for text in bad {
            #expect(throws: GitAINote.ParseError.self) { try GitAINote(parsing: text) }
        }
    }
}

@Suite("Evidence text")
struct EvidenceTextTests {
    @Test func cleansUntrustedText() {
        #expect(EvidenceText.clean("Claude\u{202E}evil\u{0007}  <noreply@anthropic.com>\n") == "Claudeevil <noreply@anthropic.com>")
        #expect(EvidenceText.clean("see https://user:tok3n@example.com/x?token=abc#frag now") == "see https://example.com/x now")
        let long = String(repeating: "a", count: 500)
        #expect(EvidenceText.clean(long).count == EvidenceText.maximumLength)
    }
}
