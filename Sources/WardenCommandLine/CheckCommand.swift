import ArgumentParser
import Foundation
import WardenCore
import WardenDefaults
import WardenGit

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, markdown
}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Classify a diff or a git range and show what Warden would decide.",
        discussion: """
            Reads a unified diff from a file (--diff FILE), from standard input (--diff -), or \
            computes it from a local repository (--repo DIR --base REV [--head REV], the diff \
            from the merge base of BASE and HEAD to HEAD, as a merge request shows it). With \
            --repo and no --policy, the repository's .warden.yml is read from BASE.

            Exit status: 0, or 1 when --fail-on matches, 2 on bad usage or input.
            --fail-on takes a comma-separated list of area ids (auth, crypto, file-io, sql, \
            config, secrets, injection, network, dependencies), `any` (any area flagged), \
            `blocking` (a blocking finding) and `ai-heavy`.
            """)

    @Option(help: ArgumentHelp("Unified diff to read; - for standard input.", valueName: "FILE|-"))
    var diff: String?

    @Option(help: ArgumentHelp("Local git repository to diff.", valueName: "DIR"))
    var repo: String?

    @Option(help: ArgumentHelp("Base revision (the target branch).", valueName: "REV"))
    var base: String?

    @Option(help: ArgumentHelp("Head revision (default HEAD).", valueName: "REV"))
    var head: String?

    @Option(help: ArgumentHelp("Policy file layered over the built-in default policy.", valueName: "FILE"))
    var policy: String?

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 when any of these match.", valueName: "LIST"))
    var failOn: String?

    func validate() throws {
        if diff != nil && repo != nil { throw ValidationError("give either --diff or --repo, not both") }
        if repo != nil && base == nil { throw ValidationError("--repo needs --base REV (the target branch)") }
        if repo == nil && (base != nil || head != nil) { throw ValidationError("--base and --head go with --repo DIR") }
        _ = try FailOn(failOn)
    }

    func run() async throws {
        let console = Console.current
        let failOn = try FailOn(self.failOn)
        var policyLayers = [WardenDefaults.policy]
        var repository: GitRepository?
        var range: (base: String, head: String)?

        do {
            if let repo {
                let git = try GitRepository(at: repo)
                let baseID = try git.resolve(base ?? "")
                let headID = try git.resolve(head ?? "HEAD")
                range = (try git.mergeBase(baseID, headID), headID)
                repository = git
                // The target branch's policy, never the change's own: a change cannot weaken
                // the rules that judge it.
                if policy == nil, let data = try git.file(".warden.yml", at: baseID) {
                    policyLayers.append(("\(repo)/.warden.yml@\(String(baseID.prefix(12)))", String(decoding: data, as: UTF8.self)))
                }
            }
        } catch let error as GitError {
            throw UsageError(error.description)
        }
        if let policy {
            guard let data = FileManager.default.contents(atPath: policy) else {
                throw UsageError("cannot read policy file \(policy)")
            }
            policyLayers.append((policy, String(decoding: data, as: UTF8.self)))
        }

        let engine: Engine
        do {
            engine = try Engine(rulePack: WardenDefaults.rulePackFiles, policyLayers: policyLayers, aiSignals: WardenDefaults.aiSignals, summaryTemplate: WardenDefaults.summaryTemplate)
        } catch {
            throw UsageError("invalid configuration:\n" + error.description)
        }

        var session = engine.classifier.session()
        var parser = DiffParser()
        var splitter = LineSplitter()
        var ai = AIShare.unknown
        if let repository, let range {
            // One pass over the diff feeds the classifier and collects the lines the AI share
            // is measured over.
            var both = DiffSinkPair(session, MeasuredLinesCollector(isMeasured: engine.isMeasuredForAI))
            do {
                try repository.streamDiff(from: range.base, to: range.head) { chunk in
                    splitter.feed(chunk) { parser.consume(line: $0, into: &both) }
                }
                splitter.finish { parser.consume(line: $0, into: &both) }
                parser.finish(into: &both)
                let hints = MergeRequestHints(sourceBranch: repository.branchName(head ?? "HEAD"))
                let input = try LocalAIShare(repository: repository).input(
                    base: range.base, head: range.head, measured: both.second.files, isMeasured: engine.isMeasuredForAI, hints: hints)
                ai = engine.aiSignals.score(input)
            } catch let error as GitError {
                throw UsageError(error.description)
            }
            session = both.first
        } else {
            ai = AIShare(notes: ["a diff alone has no commits to read; use --repo DIR --base REV to measure the AI share"])
            let input = try openDiff(console)
            defer { if diff != "-" && diff != nil { try? input.close() } }
            while true {
                let chunk: Data?
                do { chunk = try input.read(upToCount: 1 << 20) } catch { throw UsageError("cannot read \(diff ?? "standard input"): \(error.localizedDescription)") }
                guard let chunk, !chunk.isEmpty else { break }
                chunk.withUnsafeBytes { raw in splitter.feed(raw) { parser.consume(line: $0, into: &session) } }
            }
            splitter.finish { parser.consume(line: $0, into: &session) }
            parser.finish(into: &session)
        }
        session.noteTruncatedLines(splitter.truncatedLines)

        let report = engine.report(session.result(), ai: ai)
        switch format {
        case .text:
            let color = console.standardOutputIsTerminal && console.environment["NO_COLOR"] == nil && console.environment["TERM"] != "dumb"
            console.write(report.text(color: color))
        case .json:
            console.write(report.json() + "\n")
        case .sarif:
            console.write(report.sarif(toolVersion: WardenDefaults.version) + "\n")
        case .markdown:
            console.write(engine.summary.render(report))
        }
        if failOn.matches(report) { throw ExitCode(1) }
    }

    private func openDiff(_ console: Console) throws -> FileHandle {
        switch diff {
        case "-":
            return console.standardInput
        case .some(let path):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw UsageError("\(path): no such file") }
            guard !isDirectory.boolValue else { throw UsageError("\(path) is a directory; give a diff file or use --repo DIR") }
            guard let handle = FileHandle(forReadingAtPath: path) else { throw UsageError("\(path): cannot open for reading (check permissions)") }
            return handle
        case .none:
            guard !console.standardInputIsTerminal else {
                throw UsageError("nothing to check: give --diff FILE, --diff - (standard input) or --repo DIR --base REV")
            }
            return console.standardInput
        }
    }
}

/// The conditions of `--fail-on`.
struct FailOn {
    var areas: Set<Area> = []
    var any = false
    var blocking = false
    var aiHeavy = false

    init(_ list: String?) throws {
        guard let list else { return }
        for raw in list.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if let area = Area(rawValue: item) { areas.insert(area); continue }
            switch item {
            case "any": any = true
            case "blocking": blocking = true
            case "ai-heavy": aiHeavy = true
            case "": continue
            default:
                let known = Area.allCases.map(\.rawValue) + ["any", "blocking", "ai-heavy"]
                throw ValidationError("--fail-on: unknown item '\(item)'; use \(known.joined(separator: ", "))")
            }
        }
    }

    func matches(_ report: ChangeReport) -> Bool {
        let flagged = Set(report.decision.areas)
        if any && !flagged.isEmpty { return true }
        if !areas.isDisjoint(with: flagged) { return true }
        if blocking && !report.decision.blocking.isEmpty { return true }
        if aiHeavy && report.decision.aiLevel == .heavy { return true }
        return false
    }
}
