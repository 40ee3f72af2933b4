/// Lines of the measured diff that one commit contributed.
public struct CommitLines: Sendable, Hashable {
    /// Measured lines attributed to the commit (exact attribution), or the lines it added
    /// (approximate attribution).
    public var lines: Int
    /// Per-line attribution from a git-ai note: the commit's lines each AI session wrote.
    /// `nil` when the commit has no note; empty when it has one and none of these lines are
    /// AI's (they are then known to be human).
    public var noted: [NotedLines]?

    public init(lines: Int, noted: [NotedLines]? = nil) {
        self.lines = lines
        self.noted = noted
    }
}

/// Lines a git-ai note attributes to one AI session.
public struct NotedLines: Sendable, Hashable {
    public var tool: String
    public var model: String?
    public var lines: Int

    public init(tool: String, model: String? = nil, lines: Int) {
        self.tool = tool
        self.model = model
        self.lines = lines
    }
}

/// A person's own statement of how much of a merge request came from AI (`/warden ai 40`).
public struct AIDeclaration: Sendable, Hashable {
    /// 0...1.
    public var share: Double
    /// Who declared it.
    public var by: String

    public init(share: Double, by: String) {
        self.share = min(max(share, 0), 1)
        self.by = by
    }
}

/// What is known about a merge request as a whole (from either forge, or a local repository).
public struct MergeRequestHints: Sendable, Hashable {
    public var sourceBranch: String?
    public var title: String?
    public var description: String?
    /// The merge request author's login.
    public var author: String?
    public var declaration: AIDeclaration?

    public init(sourceBranch: String? = nil, title: String? = nil, description: String? = nil, author: String? = nil, declaration: AIDeclaration? = nil) {
        self.sourceBranch = sourceBranch
        self.title = title
        self.description = description
        self.author = author
        self.declaration = declaration
    }
}

/// Everything the AI share is computed from: plain data, so the server can fill it from
/// GitHub's or GitLab's API and `warden check` from a local repository.
public struct AIShareInput: Sendable {
    /// The merge request's commits (any order).
    public var commits: [CommitInfo]
    /// Lines per commit sha; commits missing here contributed no measured lines.
    public var lines: [String: CommitLines]
    /// Net added, non-blank lines of the merge request's diff, lockfiles, generated and
    /// vendored files left out.
    public var measuredLines: Int
    public var attribution: LineAttribution
    public var mergeRequest: MergeRequestHints
    /// Things the caller met while gathering the input (shown with the share).
    public var notes: [String]

    public init(
        commits: [CommitInfo], lines: [String: CommitLines], measuredLines: Int, attribution: LineAttribution,
        mergeRequest: MergeRequestHints = MergeRequestHints(), notes: [String] = []
    ) {
        self.commits = commits
        self.lines = lines
        self.measuredLines = measuredLines
        self.attribution = attribution
        self.mergeRequest = mergeRequest
        self.notes = notes
    }
}

extension AISignalSet {
    /// At most this many commits are read; a merge request with more is unusual and the
    /// share of the rest is reported as unknown.
    public static let maximumCommits = 10_000

    /// The AI share of a merge request. Pure: the same input gives the same result.
    ///
    /// - Lines come from commits. A commit with a git-ai note gives its noted lines as AI
    ///   (strong) and the rest as human. Otherwise its lines count in the upper bound when it
    ///   has any evidence and in the lower bound when it has strong evidence.
    /// - An agent co-author is strong evidence when it is the commit's only co-author: the
    ///   commit is the agent's session, committed by its operator. When the commit credits
    ///   other people as well (a squash of several people's work), the agent wrote an unknown
    ///   part of it: medium.
    /// - Commits by bots that are not AI leave the share (numerator and denominator), unless
    ///   they also carry AI evidence.
    /// - A reverted commit's lines do not count; with exact attribution they are already gone
    ///   from the diff, with approximate attribution the commit and its revert are dropped.
    /// - Merge-request hints (branch, description, author) cannot say which lines an
    ///   assistant wrote: they raise the upper bound to every line not known to be human or a
    ///   bot's, never the lower bound.
    /// - A declaration raises both bounds to at least the declared share; it never lowers
    ///   what the evidence shows.
    public func score(_ input: AIShareInput) -> AIShare {
        var notes = input.notes
        var commits = input.commits
        if commits.count > AISignalSet.maximumCommits {
            notes.append("only \(AISignalSet.maximumCommits) of \(commits.count) commits were read")
            commits = Array(commits.prefix(AISignalSet.maximumCommits))
        }
        let approximate = input.attribution == .approximate

        // Lines per commit, adjusted for merges and reverts.
        var lines: [Int] = commits.map { input.lines[$0.sha]?.lines ?? input.lines[$0.sha.lowercased()]?.lines ?? 0 }
        let notedLines: [[NotedLines]?] = commits.map { input.lines[$0.sha]?.noted ?? input.lines[$0.sha.lowercased()]?.noted }
        if approximate {
            // A merge commit's added lines are mostly the target branch's.
            for (index, commit) in commits.enumerated() where commit.isMerge { lines[index] = 0 }
        }

        // Evidence per commit.
        var perCommit: [[AIEvidence]] = []
        perCommit.reserveCapacity(commits.count)
        var botOf: [BotSignature?] = []
        for commit in commits {
            let evidence = commitEvidence(commit)
            perCommit.append(evidence)
            botOf.append(evidence.isEmpty ? bot(commit.author) : nil)
        }

        // Reverts: index the commits by sha prefix once.
        var reverted: [Int: Int] = [:]  // reverted commit index → reverting commit index
        let revertTargets = commits.enumerated().compactMap { index, commit in commit.revertedCommit.map { (index, $0) } }
        if !revertTargets.isEmpty {
            let shas = commits.map { $0.sha.lowercased() }
            for (reverter, target) in revertTargets {
                if let index = shas.firstIndex(where: { $0.hasPrefix(target) }), index != reverter, reverted[index] == nil {
                    reverted[index] = reverter
                }
            }
            for (index, reverter) in reverted.sorted(by: { $0.key < $1.key }) {
                let tools = Set(perCommit[index].map(\.tool)).sorted()
                if approximate {
                    lines[index] = 0
                    lines[reverter] = 0
                }
                if !tools.isEmpty {
                    notes.append("\(short(commits[index].sha)) (\(tools.joined(separator: ", "))) was reverted by \(short(commits[reverter].sha)); its lines do not count")
                    if lines[index] == 0 { perCommit[index] = [] }
                }
            }
        }

        // Weights.
        var botLines: [String: (commits: Int, lines: Int)] = [:]
        var botTotal = 0
        for (index, bot) in botOf.enumerated() {
            guard let bot else { continue }
            botLines[bot.name, default: (0, 0)].commits += 1
            botLines[bot.name, default: (0, 0)].lines += lines[index]
            botTotal += lines[index]
        }
        var denominator: Int
        if approximate {
            denominator = lines.enumerated().reduce(0) { $0 + (botOf[$1.offset] == nil ? $1.element : 0) }
            if denominator == 0 && !commits.isEmpty {
                // No line counts: weigh the non-bot, non-reverted commits equally.
                for index in commits.indices where botOf[index] == nil && reverted[index] == nil && !reverted.values.contains(index) && !commits[index].isMerge {
                    lines[index] = 1
                }
                denominator = lines.enumerated().reduce(0) { $0 + (botOf[$1.offset] == nil ? $1.element : 0) }
                if denominator > 0 { notes.append("no per-commit line counts: commits are weighed equally") }
            }
        } else {
            denominator = max(0, input.measuredLines - botTotal)
        }

        // Bounds.
        var lowerLines = 0, upperLines = 0, knownHuman = 0
        var evidence: [AIEvidence] = []
        for index in commits.indices {
            let commitLines = lines[index]
            if let noted = notedLines[index], !approximate {
                let ai = min(commitLines, noted.reduce(0) { $0 + max(0, $1.lines) })
                lowerLines += ai
                upperLines += ai
                knownHuman += commitLines - ai
                for session in noted where session.lines > 0 {
                    evidence.append(
                        AIEvidence(
                            signal: "git-ai.notes", tool: toolName(session.tool), model: session.model, strength: .strong,
                            commit: commits[index].sha, source: "notes", detail: "git-ai note: \(session.lines) line\(session.lines == 1 ? "" : "s")",
                            lines: session.lines))
                }
                // The note is more precise than the commit's marks; those stay as evidence.
                evidence += perCommit[index].map { var item = $0; item.lines = 0; return item }
                continue
            }
            let items = perCommit[index]
            guard let strongest = items.map(\.strength).max() else { continue }
            upperLines += commitLines
            if strongest == .strong { lowerLines += commitLines }
            evidence += items.map { var item = $0; item.lines = commitLines; return item }
        }

        // Merge-request hints.
        let hints = mergeRequestEvidence(input.mergeRequest)
        if !hints.isEmpty {
            let reach = max(0, denominator - knownHuman)
            let extended = max(0, reach - upperLines)
            upperLines = max(upperLines, reach)
            evidence += hints.map { var item = $0; item.lines = extended; return item }
        }

        var lower = denominator > 0 ? Double(lowerLines) / Double(denominator) : 0
        var upper = denominator > 0 ? Double(upperLines) / Double(denominator) : 0

        if let declaration = input.mergeRequest.declaration {
            let by = EvidenceText.clean(declaration.by, limit: 40)
            let percent = Int((declaration.share * 100).rounded())
            if declaration.share > 0 {
                lower = max(lower, declaration.share)
                upper = max(upper, declaration.share)
                evidence.append(
                    AIEvidence(
                        signal: "warden.declaration", tool: "declared assistant", strength: .strong, source: "declaration",
                        detail: "\(by) declared \(percent)% AI-written", lines: Int((declaration.share * Double(denominator)).rounded())))
            } else {
                notes.append("\(by) declared no AI help; the evidence above is unchanged by it")
            }
        }
        lower = min(max(lower, 0), 1)
        upper = min(max(upper, lower), 1)

        // Strongest first, otherwise in the order found (commit order).
        evidence = evidence.enumerated().sorted { a, b in
            a.element.strength != b.element.strength ? a.element.strength > b.element.strength : a.offset < b.offset
        }.map(\.element)
        return AIShare(
            lower: lower, upper: upper, evidence: evidence, tools: billOfMaterials(evidence), measuredLines: input.measuredLines,
            bots: botLines.map { BotContribution(bot: $0.key, commits: $0.value.commits, lines: $0.value.lines) }.sorted { $0.bot < $1.bot },
            attribution: input.attribution, notes: notes)
    }

    /// The evidence one commit carries, with the mixed-authorship rule applied.
    func commitEvidence(_ commit: CommitInfo) -> [AIEvidence] {
        var found: [(match: Match, place: SignalPlace)] = []
        if let match = match(commit.author.text, in: .author) { found.append((match, .author)) }
        if commit.committer != commit.author, let match = match(commit.committer.text, in: .committer) { found.append((match, .committer)) }
        var humanCoAuthors = 0
        for trailer in commit.trailers.prefix(100) {
            if trailer.key.lowercased() == "co-authored-by" {
                guard let identity = GitIdentity(parsing: trailer.value) else { continue }
                if let match = match(identity.text, in: .coAuthor) {
                    found.append((match, .coAuthor))
                } else if bot(identity) == nil, identity.email.lowercased() != commit.author.email.lowercased() {
                    humanCoAuthors += 1
                }
            } else if let match = match(trailer.value, in: .trailer, trailerKey: trailer.key) {
                found.append((match, .trailer))
            }
        }
        if let match = match(String(commit.subject), in: .subject) { found.append((match, .subject)) }
        if let match = matchLines(commit.message, in: .message) { found.append((match, .message)) }
        guard !found.isEmpty else { return [] }

        // An agent among several human co-authors wrote an unknown part of the commit.
        let agentIsAuthor = found.contains { ($0.place == .author || $0.place == .committer) && $0.match.signal.strength == .strong }
        let mixed = humanCoAuthors > 0 && !agentIsAuthor

        var seen = Set<String>()
        var evidence: [AIEvidence] = []
        for (match, place) in found where seen.insert(match.signal.id).inserted {
            var strength = match.signal.strength
            var detail = match.detail
            if mixed && strength == .strong && (place == .coAuthor || place == .trailer || place == .message) {
                strength = .medium
                detail += " (with \(humanCoAuthors) other co-author\(humanCoAuthors == 1 ? "" : "s"))"
            }
            evidence.append(
                AIEvidence(signal: match.signal.id, tool: match.tool, model: match.model, strength: strength, commit: commit.sha, source: place.rawValue, detail: detail))
        }
        return evidence
    }

    /// Evidence about the merge request as a whole.
    func mergeRequestEvidence(_ hints: MergeRequestHints) -> [AIEvidence] {
        var evidence: [AIEvidence] = []
        func add(_ match: Match?, _ place: SignalPlace) {
            guard let match, !evidence.contains(where: { $0.signal == match.signal.id }) else { return }
            evidence.append(AIEvidence(signal: match.signal.id, tool: match.tool, model: match.model, strength: match.signal.strength, source: place.rawValue, detail: match.detail))
        }
        if let branch = hints.sourceBranch { add(match(branch, in: .branch), .branch) }
        let text = [hints.title, hints.description].compactMap { $0 }.joined(separator: "\n")
        if !text.isEmpty { add(matchLines(text, in: .description), .description) }
        if let author = hints.author { add(match(author, in: .mergeRequestAuthor), .mergeRequestAuthor) }
        return evidence
    }

    /// Tools and models from the evidence; lines counted once per commit and tool.
    func billOfMaterials(_ evidence: [AIEvidence]) -> [AITool] {
        var tools: [String: AITool] = [:]
        var order: [String] = []
        var linesByToolAndCommit: [String: [String: Int]] = [:]
        for item in evidence {
            var tool = tools[item.tool] ?? AITool(name: item.tool, strongest: item.strength)
            if tools[item.tool] == nil { order.append(item.tool) }
            if let model = item.model, !tool.models.contains(where: { $0.lowercased() == model.lowercased() }) {
                tool.models.append(model)
            }
            tool.strongest = max(tool.strongest, item.strength)
            tools[item.tool] = tool
            if let commit = item.commit {
                var perCommit = linesByToolAndCommit[item.tool] ?? [:]
                if item.source == "notes" {
                    perCommit[commit] = (perCommit[commit] ?? 0) + item.lines
                } else if perCommit[commit] == nil {
                    perCommit[commit] = item.lines
                }
                linesByToolAndCommit[item.tool] = perCommit
            }
        }
        return order.compactMap { name in
            guard var tool = tools[name] else { return nil }
            let perCommit = linesByToolAndCommit[name] ?? [:]
            tool.commits = perCommit.count
            tool.lines = perCommit.values.reduce(0, +)
            tool.models.sort()
            return tool
        }
    }

    private func short(_ sha: String) -> String { String(sha.prefix(10)) }
}
