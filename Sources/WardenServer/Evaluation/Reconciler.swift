import Foundation
import Logging
import WardenCore

/// Brings a merge request on its forge in line with a decision, in the fewest writes:
/// labels Warden owns, reviewers it has not asked yet, its one summary comment, and the
/// `warden/sign-off` status. Nothing is written when nothing changed. Labels Warden did not
/// add are never removed; a reviewer is never asked twice.
struct Reconciler {
    let forge: any ForgeAPI
    let config: ServerConfig
    let logger: Logger

    struct Outcome {
        var report: ChangeReport
        var writes: [String]
    }

    /// Colours and descriptions for labels Warden creates.
    static func style(for label: String, policy: Policy) -> (color: String, description: String) {
        for area in Area.allCases where policy.label(for: area).caseInsensitiveCompare(label) == .orderedSame {
            return ("b60205", "Warden: touches \(area.summary)")
        }
        switch label {
        case policy.labels.aiHeavy: return ("5319e7", "Warden: AI assistants wrote at least the policy's share of this change")
        case policy.labels.aiAssisted: return ("d4c5f9", "Warden: AI assistants wrote part of this change")
        case policy.labels.needsSignoff: return ("fbca04", "Warden: senior sign-off required before merge")
        case policy.labels.signedOff: return ("0e8a16", "Warden: every required sign-off is given")
        default: return ("ededed", "Warden")
        }
    }

    func reconcile(
        ref: MergeRequestRef, snapshot: MergeRequestSnapshot, report original: ChangeReport, engine: Engine, record: inout MergeRequestRecord, store: Store
    ) async throws -> Outcome {
        var report = original
        var writes: [String] = []
        record.headSHA = snapshot.headSHA
        record.isOpen = true
        record.updatedAt = Date()

        // Labels.
        let current = Set(snapshot.labels.map { $0.lowercased() })
        let desired = report.decision.labels
        let desiredSet = Set(desired.map { $0.lowercased() })
        let owned = record.wardenLabels.filter { current.contains($0.lowercased()) }
        let add = desired.filter { !current.contains($0.lowercased()) }
        let remove = owned.filter { !desiredSet.contains($0.lowercased()) }

        // Reviewers: only people Warden has not asked on this merge request.
        let asked = Set((snapshot.requestedUsers + record.requestedUsers + Array(record.skippedReviewers.keys)).map { $0.lowercased() })
        let askedTeams = Set((snapshot.requestedTeams + record.requestedTeams).map { $0.lowercased() } + record.skippedReviewers.keys.map { $0.lowercased() })
        let users = report.decision.reviewers.users.filter { !asked.contains($0.lowercased()) && $0.lowercased() != snapshot.author.lowercased() }
        let teams = report.decision.reviewers.teams.filter { !askedTeams.contains($0.lowercased()) && !askedTeams.contains("team \($0.lowercased())") }

        // Status.
        let target = "\(config.server.publicURL)/mr/\(ref.forge.rawValue)/\(ref.repository)/\(ref.number)"
        let status = CommitStatus(state: report.decision.status.state, description: report.decision.status.description, targetURL: target)
        let currentStatus = try await forge.status(ref, sha: snapshot.headSHA, projectID: snapshot.sourceProjectID)
        let statusChanged = currentStatus == nil || currentStatus?.state != status.state || currentStatus?.description != status.description
            || currentStatus?.targetURL != status.targetURL

        if !add.isEmpty { writes.append("labels.add " + add.joined(separator: ",")) }
        if !remove.isEmpty { writes.append("labels.remove " + remove.joined(separator: ",")) }
        if !users.isEmpty || !teams.isEmpty { writes.append("reviewers.request " + (users + teams.map { "team:" + $0 }).joined(separator: ",")) }
        if statusChanged { writes.append("status \(status.state.rawValue): \(status.description)") }

        if config.dryRun {
            let body = render(report: &report, engine: engine, record: record)
            let existing = try await forge.summaryComment(ref, knownID: record.commentID, marker: SummaryComment.marker)
            if existing == nil { writes.append("comment.create") } else if existing?.body != body { writes.append("comment.update") }
            return Outcome(report: report, writes: writes)
        }

        // Independent writes at once; what succeeded is remembered even if another failed,
        // so a retry neither repeats nor forgets it.
        let update = MergeRequestUpdate(
            addLabels: add,
            labelStyles: Dictionary(uniqueKeysWithValues: add.map { label in
                let style = Self.style(for: label, policy: engine.policy)
                return (label, MergeRequestUpdate.LabelStyle(color: style.color, description: style.description))
            }),
            removeLabels: remove, users: users, teams: teams)
        async let updated = forge.updateMergeRequest(ref, update, snapshot: snapshot)
        async let statusDone: Result<Void, any Error> = attempt {
            if statusChanged { try await forge.setStatus(ref, sha: snapshot.headSHA, projectID: snapshot.sourceProjectID, status: status) }
        }
        let (outcome, statusResult) = await (updated, statusDone)
        let (labelsResult, reviewersResult) = (outcome.labels, outcome.reviewers)
        var failure: (any Error)?
        switch labelsResult {
        case .success:
            let removed = Set(remove.map { $0.lowercased() })
            record.wardenLabels = (owned.filter { !removed.contains($0.lowercased()) } + add).uniquedCaseInsensitive()
        case .failure(let error): failure = failure ?? error
        }
        if case .failure(let error) = statusResult { failure = failure ?? error }
        switch reviewersResult {
        case .success(let outcome):
            record.requestedUsers = (record.requestedUsers + outcome.requestedUsers).uniquedCaseInsensitive()
            record.requestedTeams = (record.requestedTeams + outcome.requestedTeams).uniquedCaseInsensitive()
            record.skippedReviewers.merge(outcome.skipped) { old, _ in old }
        case .failure(let error): failure = failure ?? error
        }
        if let failure {
            try await store.record(record, audit: nil)
            throw failure
        }

        // The comment last: it reports who could not be asked.
        let body = render(report: &report, engine: engine, record: record)
        let existing = try await forge.summaryComment(ref, knownID: record.commentID, marker: SummaryComment.marker)
        if let existing {
            record.commentID = existing.id
            if existing.body != body {
                try await forge.updateComment(ref, id: existing.id, body: body)
                writes.append("comment.update")
            }
        } else {
            // A POST that timed out may still have created the comment: look again first.
            record.commentID = try await forge.createComment(ref, body: body)
            writes.append("comment.create")
        }
        return Outcome(report: report, writes: writes)
    }

    /// The summary comment, with reviewers the forge refused named in the notes.
    private func render(report: inout ChangeReport, engine: Engine, record: MergeRequestRecord) -> String {
        for (who, reason) in record.skippedReviewers.sorted(by: { $0.key < $1.key }) {
            report.decision.notes.append("Could not request a review from \(who): \(reason)")
        }
        return engine.summary.render(report)
    }
}

extension Array where Element == String {
    func uniquedCaseInsensitive() -> [String] {
        var seen = Set<String>()
        return filter { seen.insert($0.lowercased()).inserted }
    }
}
