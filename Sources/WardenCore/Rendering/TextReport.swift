/// The report for people at a terminal. Colour only when asked (a TTY, no `NO_COLOR`).
extension ChangeReport {
    public func text(color: Bool) -> String {
        let style = TextStyle(enabled: color)
        var out: [String] = []
        let s = classification.stats
        var summary = "\(s.files) file\(s.files == 1 ? "" : "s"), +\(s.added) −\(s.removed)"
        if s.ignoredFiles > 0 { summary += ", \(s.ignoredFiles) ignored by policy" }
        if s.binaryFiles > 0 { summary += ", \(s.binaryFiles) binary" }
        if s.filesWithoutPatch > 0 { summary += ", \(s.filesWithoutPatch) without patch text (partial analysis)" }
        out.append(style.bold("Warden") + ": " + summary)
        out.append("")

        if flaggedReports.isEmpty {
            out.append("No security-sensitive area flagged.")
        }
        for report in flaggedReports {
            out.append(style.bold(style.yellow(policy.label(for: report.area))) + "  \(report.area.summary)  " + style.dim("score \(format(report.score))"))
            for finding in report.findings.prefix(20) {
                var location = finding.file
                if let line = finding.line { location += ":\(line)" }
                let side = finding.side == .old ? style.dim(" (removed line)") : ""
                let reason = finding.isCredential ? style.red(finding.reason) : finding.reason
                out.append("  \(location)\(side)  \(reason)  " + style.dim(finding.rule))
            }
            if report.totalFindings > min(report.findings.count, 20) {
                out.append(style.dim("  … \(report.totalFindings - min(report.findings.count, 20)) more"))
            }
        }
        if !weakReports.isEmpty {
            let weak = weakReports.map { "\($0.area.rawValue) \(format($0.score))" }.joined(separator: ", ")
            out.append(style.dim("Below threshold: \(weak)"))
        }
        out.append("")
        out.append(style.bold("AI share") + ": " + aiText())
        for item in ai.evidence.prefix(10) {
            out.append("  " + evidenceText(item) + (item.detail.isEmpty ? "" : ": " + style.dim(item.detail)))
        }
        if ai.evidence.count > 10 { out.append(style.dim("  … \(ai.evidence.count - 10) more pieces of evidence")) }
        for bot in ai.bots {
            out.append(style.dim("  \(bot.bot): \(bot.commits) commit\(bot.commits == 1 ? "" : "s"), \(bot.lines) lines — a bot, not AI; left out"))
        }
        for note in ai.notes { out.append(style.dim("  Note: \(note)")) }
        out.append(style.bold("Labels") + ": " + (decision.labels.isEmpty ? "none" : decision.labels.joined(separator: ", ")))
        if !decision.signoffs.isEmpty {
            let items = decision.signoffs.map { "\($0.key) \($0.given)/\($0.required)" }.joined(separator: ", ")
            out.append(style.bold("Sign-offs") + ": " + items)
        }
        let reviewers = decision.reviewers.users + decision.reviewers.teams.map { "team " + $0 }
        if !reviewers.isEmpty { out.append(style.bold("Reviewers") + ": " + reviewers.joined(separator: ", ")) }
        let state: String
        switch decision.status.state {
        case .success: state = style.green("success")
        case .pending: state = style.yellow("pending")
        case .failure: state = style.red("failure")
        }
        out.append(style.bold("Status") + ": \(state) — \(decision.status.description)")
        for note in decision.notes { out.append(style.dim("Note: \(note)")) }
        return out.joined(separator: "\n") + "\n"
    }

    func aiText() -> String {
        guard ai.isKnown else { return "unknown (no AI evidence found; that does not mean human-written)" }
        var text = "\(percent(ai.lower))–\(percent(ai.upper)) of \(ai.measuredLines) net added lines"
        if ai.attribution == .approximate { text += " (estimated from per-commit counts)" }
        if let label = aiLabel { text += " (\(label))" }
        if !ai.tools.isEmpty { text += "; tools: " + ai.tools.map(\.description).joined(separator: ", ") }
        return text
    }

    /// "Claude Code (Claude Opus 4.6), strong, co-author in 1a2b3c4d5e — 42 lines".
    func evidenceText(_ item: AIEvidence) -> String {
        var text = item.tool
        if let model = item.model { text += " (\(model))" }
        text += ", \(item.strength.rawValue), \(item.source)"
        if let commit = item.commit { text += " in \(String(commit.prefix(10)))" }
        if item.lines > 0 { text += " — \(item.lines) line\(item.lines == 1 ? "" : "s")" }
        return text
    }

    func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }
    func format(_ value: Double) -> String { String(Double(Int((value * 100).rounded())) / 100) }
}

struct TextStyle {
    let enabled: Bool
    func wrap(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ t: String) -> String { wrap("1", t) }
    func dim(_ t: String) -> String { wrap("2", t) }
    func red(_ t: String) -> String { wrap("31", t) }
    func green(_ t: String) -> String { wrap("32", t) }
    func yellow(_ t: String) -> String { wrap("33", t) }
}
