import Foundation
import WardenCore
import WardenHTTP

/// GitLab's REST API v4 (gitlab.com or self-managed), through Warden's HTTP client.
public final class GitLabClient: ForgeAPI, @unchecked Sendable {
    public let kind = ForgeKind.gitlab
    let http: ForgeHTTP
    private let token: Secret
    static let fileCap = 3_000
    static let commitCap = 250

    private let lock = NSLock()
    private var cachedBotLogin: String?
    private var userIDs: [String: Int] = [:]
    private var existingLabels: Set<String> = []

    public init(apiURL: String, token: Secret, transport: any HTTPTransport) {
        var headers = HTTPHeaders()
        headers.add("Accept", "application/json")
        http = ForgeHTTP(transport: transport, baseURL: apiURL, headers: headers)
        self.token = token
    }

    private var auth: HTTPHeaders { HTTPHeaders([("PRIVATE-TOKEN", token.value)]) }

    private func project(_ ref: MergeRequestRef) -> String {
        "/projects/" + (ref.projectID.map(String.init) ?? ForgeHTTP.segment(ref.repository))
    }

    private func mergeRequestPath(_ ref: MergeRequestRef) -> String { "\(project(ref))/merge_requests/\(ref.number)" }

    /// Statuses live in the project the head commit is in (a fork's, for a fork).
    private func statusProject(_ ref: MergeRequestRef, _ sourceProjectID: Int?) -> String {
        sourceProjectID.map { "/projects/\($0)" } ?? project(ref)
    }

    // MARK: - JSON shapes

    struct User: Decodable {
        var id: Int?
        var username: String
    }
    struct DiffRefs: Decodable {
        var base_sha: String?
        var head_sha: String?
        var start_sha: String?
    }
    struct MergeRequest: Decodable {
        var iid: Int
        var state: String
        var draft: Bool?
        var work_in_progress: Bool?
        var title: String?
        var description: String?
        var author: User?
        var source_branch: String
        var target_branch: String
        var sha: String?
        var diff_refs: DiffRefs?
        var source_project_id: Int?
        var labels: [String]?
        var reviewers: [User]?
    }
    struct DiffEntry: Decodable {
        var old_path: String
        var new_path: String
        var a_mode: String?
        var b_mode: String?
        var diff: String?
        var new_file: Bool
        var renamed_file: Bool
        var deleted_file: Bool
        var too_large: Bool?
        var collapsed: Bool?
    }
    struct CommitEntry: Decodable {
        var id: String
        var message: String?
        var title: String?
        var author_name: String?
        var author_email: String?
        var committer_name: String?
        var committer_email: String?
        var parent_ids: [String]?
    }
    struct Note: Decodable {
        var id: Int
        var body: String?
        var author: User?
        var system: Bool?
    }
    struct Status: Decodable {
        var status: String
        var name: String?
        var description: String?
        var target_url: String?
    }

    // MARK: - Reading

    public func snapshot(_ ref: MergeRequestRef, policyFile: String) async throws -> MergeRequestSnapshot {
        let response = try await http.request("GET", mergeRequestPath(ref), auth: auth)
        try http.check(response, [200], "read merge request \(ref.repository)!\(ref.number)")
        let mr = try http.decode(MergeRequest.self, response, "read merge request")
        let headSHA = mr.diff_refs?.head_sha ?? mr.sha ?? ""
        let baseSHA = mr.diff_refs?.base_sha ?? mr.diff_refs?.start_sha ?? ""

        async let commitsRead = commits(ref)
        async let diffRead = diffs(ref)
        // The target branch's file, as it is now: never the merge request's own.
        async let policyRead = file(ref, path: policyFile, ref: mr.target_branch)
        let commits = try await commitsRead
        let (files, truncated) = try await diffRead
        let policy = try await policyRead

        return MergeRequestSnapshot(
            ref: ref, isOpen: mr.state == "opened", isDraft: mr.draft ?? mr.work_in_progress ?? false, title: mr.title ?? "",
            description: mr.description ?? "", author: mr.author?.username ?? "", sourceBranch: mr.source_branch, targetBranch: mr.target_branch,
            baseSHA: baseSHA, headSHA: headSHA, sourceProjectID: mr.source_project_id, labels: mr.labels ?? [],
            requestedUsers: (mr.reviewers ?? []).map(\.username), requestedTeams: [], reviewerIDs: (mr.reviewers ?? []).compactMap(\.id),
            commits: commits, commitAuthorLogins: [], diff: .files(files), diffTruncated: truncated, policyText: policy)
    }

    /// Every page of a list (GitLab's `X-Next-Page`).
    private func pages<T: Decodable>(_ path: String, query: [(String, String)] = [], limit: Int, operation: String) async throws -> [T] {
        var items: [T] = []
        var page = 1
        while items.count < limit {
            let response = try await http.request("GET", path, query: query + [("per_page", "100"), ("page", String(page))], auth: auth)
            try http.check(response, [200], operation)
            items += try http.decode([T].self, response, operation)
            guard let next = response.headers["x-next-page"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), next > page else { break }
            page = next
        }
        return Array(items.prefix(limit))
    }

    private func commits(_ ref: MergeRequestRef) async throws -> [CommitInfo] {
        let entries: [CommitEntry] = try await pages("\(mergeRequestPath(ref))/commits", limit: GitLabClient.commitCap, operation: "list merge request commits")
        return entries.map { entry in
            CommitInfo(
                sha: entry.id, parents: entry.parent_ids ?? [],
                author: GitIdentity(name: entry.author_name ?? "", email: entry.author_email ?? ""),
                committer: GitIdentity(name: entry.committer_name ?? entry.author_name ?? "", email: entry.committer_email ?? entry.author_email ?? ""),
                message: entry.message ?? entry.title ?? "")
        }
    }

    /// `/diffs`, page by page. An entry GitLab marks `too_large` or `collapsed` has no diff
    /// text: its path is still classified and the analysis is marked partial.
    private func diffs(_ ref: MergeRequestRef) async throws -> ([FilePatch], Bool) {
        let entries: [DiffEntry] = try await pages("\(mergeRequestPath(ref))/diffs", limit: GitLabClient.fileCap, operation: "list merge request diffs")
        let files = entries.map { entry -> FilePatch in
            let change: FileChange = entry.new_file ? .added : entry.deleted_file ? .deleted : entry.renamed_file ? .renamed : .modified
            let missing = entry.too_large == true || entry.collapsed == true || entry.diff == nil
            let header = FileHeader(
                oldPath: entry.new_file ? nil : entry.old_path, newPath: entry.deleted_file ? nil : entry.new_path, change: change,
                oldMode: entry.a_mode, newMode: entry.b_mode, patchMissing: missing)
            return FilePatch(header: header, patch: missing ? nil : entry.diff)
        }
        return (files, entries.count >= GitLabClient.fileCap)
    }

    func file(_ ref: MergeRequestRef, path: String, ref branch: String) async throws -> String? {
        let response = try await http.request("GET", "\(project(ref))/repository/files/\(ForgeHTTP.segment(path))/raw", query: [("ref", branch)], auth: auth)
        if response.status == 404 { return nil }
        try http.check(response, [200], "read \(path) on \(branch)")
        return String(decoding: response.body, as: UTF8.self)
    }

    public func botLogin(_ ref: MergeRequestRef) async throws -> String {
        if let login = lock.withLock({ cachedBotLogin }) { return login }
        let response = try await http.request("GET", "/user", auth: auth)
        try http.check(response, [200], "read the token's user")
        let login = try http.decode(User.self, response, "read the token's user").username
        lock.withLock { cachedBotLogin = login }
        return login
    }

    public func summaryComment(_ ref: MergeRequestRef, knownID: String?, marker: String) async throws -> ForgeComment? {
        let bot = try await botLogin(ref)
        if let knownID, let id = Int(knownID) {
            let response = try await http.request("GET", "\(mergeRequestPath(ref))/notes/\(id)", auth: auth)
            if response.status == 200, let note = try? JSONDecoder().decode(Note.self, from: response.body),
                note.author?.username.lowercased() == bot.lowercased(), (note.body ?? "").hasPrefix(marker)
            {
                return ForgeComment(id: String(note.id), body: note.body ?? "", author: bot)
            }
            if response.status != 404 && response.status != 200 { throw ForgeHTTP.error(response, "read the summary note") }
        }
        let notes: [Note] = try await pages(
            "\(mergeRequestPath(ref))/notes", query: [("sort", "asc"), ("order_by", "created_at")], limit: 5_000, operation: "list notes")
        guard let mine = notes.first(where: { $0.system != true && $0.author?.username.lowercased() == bot.lowercased() && ($0.body ?? "").hasPrefix(marker) })
        else { return nil }
        return ForgeComment(id: String(mine.id), body: mine.body ?? "", author: bot)
    }

    // MARK: - Writing

    public func createComment(_ ref: MergeRequestRef, body: String) async throws -> String {
        let response = try await http.request("POST", "\(mergeRequestPath(ref))/notes", auth: auth, json: ["body": body])
        try http.check(response, [201], "post the summary note")
        return String(try http.decode(Note.self, response, "post the summary note").id)
    }

    public func updateComment(_ ref: MergeRequestRef, id: String, body: String) async throws {
        let response = try await http.request("PUT", "\(mergeRequestPath(ref))/notes/\(id)", auth: auth, json: ["body": body])
        try http.check(response, [200], "update the summary note")
    }

    /// The status lives on the head commit in the source project (a fork's, for a fork).
    public func status(_ ref: MergeRequestRef, sha: String, projectID: Int?) async throws -> CommitStatus? {
        let response = try await http.request(
            "GET", "\(statusProject(ref, projectID))/repository/commits/\(sha)/statuses", query: [("name", StatusContext.name), ("per_page", "100")], auth: auth)
        if response.status == 404 { return nil }
        try http.check(response, [200], "read commit statuses")
        let statuses = try http.decode([Status].self, response, "read commit statuses").filter { $0.name == StatusContext.name }
        guard let current = statuses.first else { return nil }
        let state: StatusDecision.State =
            switch current.status {
            case "success": .success
            case "failed", "canceled": .failure
            default: .pending
            }
        return CommitStatus(state: state, description: current.description ?? "", targetURL: current.target_url)
    }

    public func setStatus(_ ref: MergeRequestRef, sha: String, projectID: Int?, status: CommitStatus) async throws {
        struct Body: Encodable {
            var state: String
            var name: String
            var description: String
            var target_url: String?
        }
        let state =
            switch status.state {
            case .pending: "pending"
            case .success: "success"
            case .failure: "failed"
            }
        let response = try await http.request(
            "POST", "\(statusProject(ref, projectID))/statuses/\(sha)", auth: auth,
            json: Body(state: state, name: StatusContext.name, description: String(status.description.prefix(255)), target_url: status.targetURL))
        // 400: the status is already in that state (GitLab refuses the transition).
        guard response.status == 201 || response.status == 200 || response.status == 400 else { throw ForgeHTTP.error(response, "set the warden/sign-off status") }
    }

    public func ensureLabels(_ ref: MergeRequestRef, _ labels: [String: (color: String, description: String)]) async throws {
        for (name, style) in labels.sorted(by: { $0.key < $1.key }) {
            let key = project(ref) + "\u{0}" + name.lowercased()
            if lock.withLock({ existingLabels.contains(key) }) { continue }
            struct Body: Encodable {
                var name: String
                var color: String
                var description: String
            }
            let response = try await http.request("POST", "\(project(ref))/labels", auth: auth, json: Body(name: name, color: "#" + style.color, description: style.description))
            // 409: it exists already.
            guard response.status == 201 || response.status == 409 else { throw ForgeHTTP.error(response, "create label \(name)") }
            lock.withLock { _ = existingLabels.insert(key) }
        }
    }

    public func addLabels(_ ref: MergeRequestRef, _ labels: [String], snapshot: MergeRequestSnapshot) async throws {
        let update = MergeRequestUpdate(addLabels: labels, labelStyles: [:], removeLabels: [], users: [], teams: [])
        try await updateMergeRequest(ref, update, snapshot: snapshot).labels.get()
    }

    public func removeLabels(_ ref: MergeRequestRef, _ labels: [String], snapshot: MergeRequestSnapshot) async throws {
        let update = MergeRequestUpdate(addLabels: [], labelStyles: [:], removeLabels: labels, users: [], teams: [])
        try await updateMergeRequest(ref, update, snapshot: snapshot).labels.get()
    }

    /// GitLab replaces the reviewer list: Warden's additions are merged with the current
    /// reviewers. Usernames are looked up once and cached; teams do not exist on GitLab.
    public func requestReviewers(_ ref: MergeRequestRef, users: [String], teams: [String], snapshot: MergeRequestSnapshot) async throws -> ReviewerOutcome {
        let update = MergeRequestUpdate(addLabels: [], labelStyles: [:], removeLabels: [], users: users, teams: teams)
        return try await updateMergeRequest(ref, update, snapshot: snapshot).reviewers.get()
    }

    /// One `PUT` for labels and reviewers together (GitLab takes `add_labels`,
    /// `remove_labels` and `reviewer_ids` in the same request), after creating missing labels
    /// (those with a style given) and looking up usernames (cached). The reviewer list is
    /// replaced by GitLab, so Warden's additions are merged with the current reviewers.
    public func updateMergeRequest(_ ref: MergeRequestRef, _ update: MergeRequestUpdate, snapshot: MergeRequestSnapshot) async -> MergeRequestUpdate.Outcome {
        var reviewers = ReviewerOutcome()
        for team in update.teams { reviewers.skipped["team \(team)"] = "GitLab has no team reviewers; list the people in the policy" }
        var ids = snapshot.reviewerIDs
        var added: [String] = []
        do {
            if !update.labelStyles.isEmpty { try await ensureLabels(ref, update.labelStyles.mapValues { ($0.color, $0.description) }) }
            for user in update.users {
                if let id = try await userID(user) {
                    if !ids.contains(id) { ids.append(id) }
                    added.append(user)
                } else {
                    reviewers.skipped[user] = "no GitLab user with this username"
                }
            }
        } catch {
            return MergeRequestUpdate.Outcome(labels: .failure(error), reviewers: .failure(error))
        }
        struct Body: Encodable {
            var addLabels: String?
            var removeLabels: String?
            var reviewerIDs: [Int]?
            enum CodingKeys: String, CodingKey {
                case addLabels = "add_labels"
                case removeLabels = "remove_labels"
                case reviewerIDs = "reviewer_ids"
            }
        }
        let body = Body(
            addLabels: update.addLabels.isEmpty ? nil : update.addLabels.joined(separator: ","),
            removeLabels: update.removeLabels.isEmpty ? nil : update.removeLabels.joined(separator: ","),
            reviewerIDs: added.isEmpty ? nil : ids)
        if body.addLabels != nil || body.removeLabels != nil || body.reviewerIDs != nil {
            do {
                let response = try await http.request("PUT", mergeRequestPath(ref), auth: auth, json: body)
                try http.check(response, [200], "update labels and reviewers")
            } catch {
                return MergeRequestUpdate.Outcome(labels: .failure(error), reviewers: .failure(error))
            }
        }
        reviewers.requestedUsers = added
        return MergeRequestUpdate.Outcome(labels: .success(()), reviewers: .success(reviewers))
    }

    private func userID(_ username: String) async throws -> Int? {
        if let id = lock.withLock({ userIDs[username.lowercased()] }) { return id }
        let response = try await http.request("GET", "/users", query: [("username", username)], auth: auth)
        try http.check(response, [200], "look up user \(username)")
        guard let user = try http.decode([User].self, response, "look up user").first(where: { $0.username.lowercased() == username.lowercased() }),
            let id = user.id
        else { return nil }
        lock.withLock { userIDs[username.lowercased()] = id }
        return id
    }
}
