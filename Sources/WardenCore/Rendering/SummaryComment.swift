import Foundation
import Mustache

/// The one summary comment Warden keeps on a merge request, rendered from
/// `Templates/summary.md.mustache`. Every piece of untrusted text is escaped before it
/// reaches the template; the template itself renders as plain text.
public struct SummaryComment: Sendable {
    /// The hidden marker Warden finds its comment by.
    public static let marker = "<!-- warden:summary -->"
    /// Forges refuse longer comments (GitHub: 65,536 characters).
    public static let maximumLength = 60_000

    private let template: MustacheTemplate

    /// Compiles the template. Throws ``ConfigError`` for a template that does not parse.
    public init(template text: String, file: String = "Templates/summary.md.mustache") throws(ConfigError) {
        do {
            template = try MustacheTemplate(string: text)
        } catch {
            throw ConfigError([ConfigDiagnostic(file: file, message: "the template does not parse: \(error)", hint: "check that every {{#section}} has its {{/section}}")])
        }
        guard text.contains(SummaryComment.marker) else {
            throw ConfigError([ConfigDiagnostic(file: file, message: "the template lacks the marker \(SummaryComment.marker)", hint: "Warden finds its comment again by this marker; keep it in the template")])
        }
    }

    /// Renders the comment for a report; `detailsURL` is where the full evidence lives.
    public func render(_ report: ChangeReport, findingsPerArea: Int = 8) -> String {
        var text = template.render(context(report, findingsPerArea: findingsPerArea))
        if text.count > SummaryComment.maximumLength {
            text = String(text.prefix(SummaryComment.maximumLength - 200))
                + "\n\n… (cut: the evidence is longer than a comment may be; run `/warden explain` or see the details page)\n"
            if !text.contains(SummaryComment.marker) { text = SummaryComment.marker + "\n" + text }
        }
        return text
    }

    func context(_ report: ChangeReport, findingsPerArea: Int) -> [String: Any] {
        let decision = report.decision
        var context: [String: Any] = [:]
        switch decision.status.state {
        case .success: context["statusIcon"] = ":white_check_mark:"
        case .pending: context["statusIcon"] = ":hourglass_flowing_sand:"
        case .failure: context["statusIcon"] = ":no_entry:"
        }
        context["headline"] = MarkdownText.escape(decision.status.description)
        let areas: [[String: Any]] = report.flaggedReports.map { area in
            let shown = area.findings.prefix(findingsPerArea)
            return [
                "label": MarkdownText.escape(report.policy.label(for: area.area)),
                "summary": MarkdownText.escape(area.area.summary),
                "findings": shown.map { finding -> [String: Any] in
                    var location = finding.file
                    if let line = finding.line { location += ":\(line)" }
                    let side = finding.side == .old ? " (removed)" : ""
                    var reason = MarkdownText.escape(finding.reason)
                    if finding.isCredential, let colon = finding.reason.range(of: ": ", options: .backwards) {
                        // The masked value reads best as code.
                        reason = MarkdownText.escape(String(finding.reason[..<colon.lowerBound])) + ": "
                            + MarkdownText.code(String(finding.reason[colon.upperBound...]))
                    }
                    return ["location": MarkdownText.code(location) + side, "reason": reason]
                },
                "hasMore": area.totalFindings > shown.count,
                "more": String(area.totalFindings - shown.count),
            ]
        }
        context["areas"] = areas
        context["hasAreas"] = !areas.isEmpty
        context["hasBlocking"] = !decision.blocking.isEmpty
        if let first = decision.blocking.first {
            var where_ = first.file
            if let line = first.line { where_ += ":\(line)" }
            context["blockingText"] = MarkdownText.escape(first.isCredential ? "hard-coded credential" : "\(first.area.rawValue) finding")
                + " in " + MarkdownText.code(where_) + (decision.blocking.count > 1 ? " and \(decision.blocking.count - 1) more" : "")
        }
        context["aiText"] = MarkdownText.escape(report.aiText())
        var evidence = report.ai.evidence.prefix(20).map { item -> [String: Any] in
            var line = MarkdownText.escape(report.evidenceText(item))
            if !item.detail.isEmpty { line += ": " + MarkdownText.code(item.detail) }
            return ["text": line]
        }
        if report.ai.evidence.count > 20 { evidence.append(["text": "… \(report.ai.evidence.count - 20) more (`/warden explain`)"]) }
        for bot in report.ai.bots {
            evidence.append(["text": MarkdownText.escape("\(bot.bot): \(bot.commits) commit(s), \(bot.lines) lines — a bot, not AI; left out of the share")])
        }
        for note in report.ai.notes.prefix(10) { evidence.append(["text": MarkdownText.escape(note)]) }
        context["aiEvidence"] = Array(evidence)
        context["hasAIEvidence"] = !evidence.isEmpty
        context["signoffs"] = decision.signoffs.map { requirement -> [String: Any] in
            let signers = requirement.signers.users.map(MarkdownText.code) + requirement.signers.teams.map { "team " + MarkdownText.code($0) }
            return [
                "key": MarkdownText.escape(requirement.key), "given": String(requirement.given), "required": String(requirement.required),
                "signedBy": requirement.givenBy.map(MarkdownText.code).joined(separator: ", "),
                "hasSignedBy": !requirement.givenBy.isEmpty,
                "signers": signers.isEmpty ? "no one configured — add seniors to the policy" : signers.joined(separator: ", "),
            ]
        }
        context["hasSignoffs"] = !decision.signoffs.isEmpty
        let reviewers = decision.reviewers.users.map(MarkdownText.code) + decision.reviewers.teams.map { "team " + MarkdownText.code($0) }
        context["reviewers"] = reviewers.joined(separator: ", ")
        context["hasReviewers"] = !reviewers.isEmpty
        context["notes"] = decision.notes.map(MarkdownText.escape)
        let stats = report.classification.stats
        if stats.filesWithoutPatch > 0 {
            context["hasPartial"] = true
            context["partialText"] = "Partial analysis: the forge gave no patch text for \(stats.filesWithoutPatch) file(s) (too large, binary or over the file limit); their paths were still classified."
        } else {
            context["hasPartial"] = false
        }
        return context
    }
}
