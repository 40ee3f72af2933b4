import Foundation
import WardenCore

public enum ForgeKind: String, Sendable, Hashable, Codable {
    case github
    case gitlab
}

/// Which merge request: a GitHub pull request or a GitLab merge request.
public struct MergeRequestRef: Sendable, Hashable, Codable {
    public var forge: ForgeKind
    /// `owner/repo` or GitLab's `group/subgroup/project`.
    public var repository: String
    /// GitLab's numeric project id (API paths use it).
    public var projectID: Int?
    /// Pull request number or merge request iid.
    public var number: Int
    /// GitHub App installation that delivered the event.
    public var installationID: Int?

    public init(forge: ForgeKind, repository: String, projectID: Int? = nil, number: Int, installationID: Int? = nil) {
        self.forge = forge
        self.repository = repository
        self.projectID = projectID
        self.number = number
        self.installationID = installationID
    }

    /// `github:owner/repo#12`, `gitlab:group/project!7`: one merge request, for ordering jobs.
    public var key: String {
        forge == .github ? "github:\(repository)#\(number)" : "gitlab:\(projectID.map(String.init) ?? repository)!\(number)"
    }
}

/// A commit status as Warden reads and writes it.
public struct CommitStatus: Sendable, Hashable {
    public var state: StatusDecision.State
    public var description: String
    public var targetURL: String?

    public init(state: StatusDecision.State, description: String, targetURL: String?) {
        self.state = state
        self.description = description
        self.targetURL = targetURL
    }
}

/// A comment (GitHub issue comment, GitLab note).
public struct ForgeComment: Sendable, Hashable {
    public var id: String
    public var body: String
    public var author: String

    public init(id: String, body: String, author: String) {
        self.id = id
        self.body = body
        self.author = author
    }
}

/// The diff as a forge gives it.
public enum ForgeDiff: Sendable {
    /// A whole unified diff (GitHub's diff media type).
    case unified(Data)
    /// Per-file patches (GitHub's files list, GitLab's `/diffs`); a file without patch text
    /// (too large, binary, over the cap) has `patch == nil`.
    case files([FilePatch])
}

public struct FilePatch: Sendable {
    public var header: FileHeader
    public var patch: String?

    public init(header: FileHeader, patch: String?) {
        self.header = header
        self.patch = patch
    }
}

/// Everything read from the forge for one evaluation. Titles, descriptions, commit messages
/// and diffs are untrusted data.
public struct MergeRequestSnapshot: Sendable {
    public var ref: MergeRequestRef
    public var isOpen: Bool
    public var isDraft: Bool
    public var title: String
    public var description: String
    public var author: String
    public var sourceBranch: String
    public var targetBranch: String
    public var baseSHA: String
    public var headSHA: String
    /// GitLab: the project the head commit lives in (a fork's, for a fork's merge request).
    public var sourceProjectID: Int?
    public var labels: [String]
    public var requestedUsers: [String]
    public var requestedTeams: [String]
    /// GitLab: current reviewers' user ids (the list Warden's additions are merged into).
    public var reviewerIDs: [Int]
    public var commits: [CommitInfo]
    /// Forge logins of the commits' authors, where the forge knows them.
    public var commitAuthorLogins: [String]
    public var diff: ForgeDiff
    /// The forge said it left files out (GitHub's 3,000-file cap, GitLab's overflow).
    public var diffTruncated: Bool
    /// The repository's policy file on the target branch, if any.
    public var policyText: String?

    public init(
        ref: MergeRequestRef, isOpen: Bool, isDraft: Bool, title: String, description: String, author: String, sourceBranch: String,
        targetBranch: String, baseSHA: String, headSHA: String, sourceProjectID: Int? = nil, labels: [String], requestedUsers: [String],
        requestedTeams: [String], reviewerIDs: [Int] = [], commits: [CommitInfo], commitAuthorLogins: [String], diff: ForgeDiff,
        diffTruncated: Bool = false, policyText: String?
    ) {
        self.ref = ref
        self.isOpen = isOpen
        self.isDraft = isDraft
        self.title = title
        self.description = description
        self.author = author
        self.sourceBranch = sourceBranch
        self.targetBranch = targetBranch
        self.baseSHA = baseSHA
        self.headSHA = headSHA
        self.sourceProjectID = sourceProjectID
        self.labels = labels
        self.requestedUsers = requestedUsers
        self.requestedTeams = requestedTeams
        self.reviewerIDs = reviewerIDs
        self.commits = commits
        self.commitAuthorLogins = commitAuthorLogins
        self.diff = diff
        self.diffTruncated = diffTruncated
        self.policyText = policyText
    }
}

/// What a reviewer request did: who was asked, who could not be and why.
public struct ReviewerOutcome: Sendable, Hashable {
    public var requestedUsers: [String] = []
    public var requestedTeams: [String] = []
    /// Login or team → reason (e.g. not a collaborator).
    public var skipped: [String: String] = [:]

    public init() {}
}

/// A forge Warden can read a merge request from and write its decision to. One
/// implementation per forge, both over ``HTTPTransport``.
public protocol ForgeAPI: Sendable {
    var kind: ForgeKind { get }
    /// Reads the merge request, its diff, commits and the target branch's policy file.
    func snapshot(_ ref: MergeRequestRef, policyFile: String) async throws -> MergeRequestSnapshot
    /// The login comments by Warden are posted under.
    func botLogin(_ ref: MergeRequestRef) async throws -> String
    /// Warden's summary comment: by id when known, else found by its marker among the bot's
    /// comments.
    func summaryComment(_ ref: MergeRequestRef, knownID: String?, marker: String) async throws -> ForgeComment?
    func createComment(_ ref: MergeRequestRef, body: String) async throws -> String
    func updateComment(_ ref: MergeRequestRef, id: String, body: String) async throws
    /// The current `warden/sign-off` status of a commit, if any.
    func status(_ ref: MergeRequestRef, sha: String, projectID: Int?) async throws -> CommitStatus?
    func setStatus(_ ref: MergeRequestRef, sha: String, projectID: Int?, status: CommitStatus) async throws
    /// Makes sure labels exist in the repository with Warden's colour and description.
    func ensureLabels(_ ref: MergeRequestRef, _ labels: [String: (color: String, description: String)]) async throws
    func addLabels(_ ref: MergeRequestRef, _ labels: [String], snapshot: MergeRequestSnapshot) async throws
    func removeLabels(_ ref: MergeRequestRef, _ labels: [String], snapshot: MergeRequestSnapshot) async throws
    func requestReviewers(_ ref: MergeRequestRef, users: [String], teams: [String], snapshot: MergeRequestSnapshot) async throws -> ReviewerOutcome
    /// Labels to add (created first when missing) and remove, and reviewers to ask, in as few
    /// calls as the forge allows. The two results say what happened to each part.
    func updateMergeRequest(_ ref: MergeRequestRef, _ update: MergeRequestUpdate, snapshot: MergeRequestSnapshot) async -> MergeRequestUpdate.Outcome
}

/// The labels and reviewers part of a reconciliation.
public struct MergeRequestUpdate: Sendable {
    public var addLabels: [String]
    public var labelStyles: [String: LabelStyle]
    public var removeLabels: [String]
    public var users: [String]
    public var teams: [String]

    public struct LabelStyle: Sendable, Hashable {
        public var color: String
        public var description: String
    }

    public struct Outcome: Sendable {
        public var labels: Result<Void, any Error>
        public var reviewers: Result<ReviewerOutcome, any Error>
    }

    public init(addLabels: [String], labelStyles: [String: LabelStyle], removeLabels: [String], users: [String], teams: [String]) {
        self.addLabels = addLabels
        self.labelStyles = labelStyles
        self.removeLabels = removeLabels
        self.users = users
        self.teams = teams
    }

    var asksForReviewers: Bool { !users.isEmpty || !teams.isEmpty }
}

extension ForgeAPI {
    /// Separate calls, labels and reviewers at the same time (GitHub has an endpoint each).
    public func updateMergeRequest(_ ref: MergeRequestRef, _ update: MergeRequestUpdate, snapshot: MergeRequestSnapshot) async -> MergeRequestUpdate.Outcome {
        async let labels: Result<Void, any Error> = attempt {
            if !update.addLabels.isEmpty {
                try await ensureLabels(ref, update.labelStyles.mapValues { ($0.color, $0.description) })
                try await addLabels(ref, update.addLabels, snapshot: snapshot)
            }
            if !update.removeLabels.isEmpty { try await removeLabels(ref, update.removeLabels, snapshot: snapshot) }
        }
        async let reviewers: Result<ReviewerOutcome, any Error> = attempt {
            update.asksForReviewers ? try await requestReviewers(ref, users: update.users, teams: update.teams, snapshot: snapshot) : ReviewerOutcome()
        }
        return await MergeRequestUpdate.Outcome(labels: labels, reviewers: reviewers)
    }
}

func attempt<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

/// A forge answered in a way Warden cannot go on from.
public struct ForgeError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var status: Int?
    public var message: String
    /// Worth trying the whole job again later (a 5xx, a rate limit, a network failure).
    public var isRetryable: Bool
    /// When the forge said when to come back.
    public var retryAfter: Duration?

    public init(operation: String, status: Int? = nil, message: String, isRetryable: Bool, retryAfter: Duration? = nil) {
        self.operation = operation
        self.status = status
        self.message = message
        self.isRetryable = isRetryable
        self.retryAfter = retryAfter
    }

    public var description: String {
        "\(operation): \(status.map { "HTTP \($0): " } ?? "")\(message)"
    }
}
