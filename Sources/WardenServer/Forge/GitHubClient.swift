import Foundation
import WardenCore
import WardenHTTP

/// GitHub's REST API (github.com or GitHub Enterprise Server), through Warden's HTTP client.
public final class GitHubClient: ForgeAPI, @unchecked Sendable {
    public let kind = ForgeKind.github
    let http: ForgeHTTP
    let auth: GitHubAuthenticator
    /// The files list stops here (GitHub's documented cap).
    static let fileCap = 3_000
    static let commitCap = 250

    private let lock = NSLock()
    private var cachedBotLogin: String?
    private var existingLabels: Set<String> = []

    public init(apiURL: String, credentials: GitHubCredentials, transport: any HTTPTransport) throws {
        var headers = HTTPHeaders()
        headers.add("Accept", "application/vnd.github+json")
        headers.add("X-GitHub-Api-Version", "2022-11-28")
        http = ForgeHTTP(transport: transport, baseURL: apiURL, headers: headers)
        auth = try GitHubAuthenticator(credentials)
    }

    private func repoPath(_ ref: MergeRequestRef) -> String {
        let parts = ref.repository.split(separator: "/", maxSplits: 1).map { ForgeHTTP.segment(String($0)) }
        return "/repos/" + parts.joined(separator: "/")
    }

    private func authorization(_ ref: MergeRequestRef) async throws -> HTTPHeaders {
        try await auth.authorization(installation: ref.installationID, repository: ref.repository, http: http)
    }

    // MARK: - JSON shapes (only the fields Warden reads)

    struct User: Decodable { var login: String }
    struct Team: Decodable { var slug: String }
    struct Label: Decodable { var name: String }
    struct Branch: Decodable {
        var ref: String
        var sha: String
    }
    struct PullRequest: Decodable {
        var number: Int
        var state: String
        var draft: Bool?
        var merged: Bool?
        var title: String?
        var body: String?
        var user: User?
        var head: Branch
        var base: Branch
        var labels: [Label]?
        var requested_reviewers: [User]?
        var requested_teams: [Team]?
    }
    struct CommitEntry: Decodable {
        struct Person: Decodable {
            var name: String?
            var email: String?
        }
        struct Commit: Decodable {
            var message: String
            var author: Person?
            var committer: Person?
        }
        struct Parent: Decodable { var sha: String }
        var sha: String
        var commit: Commit
        var author: User?
        var parents: [Parent]?
    }
    struct FileEntry: Decodable {
        var filename: String
        var status: String
        var previous_filename: String?
        var patch: String?
    }
    struct Comment: Decodable {
        var id: Int
        var body: String?
        var user: User?
    }
    struct Status: Decodable {
        var state: String
        var description: String?
        var target_url: String?
        var context: String?
    }
    struct Content: Decodable {
        var content: String?
        var encoding: String?
    }

    // MARK: - Reading

    public func snapshot(_ ref: MergeRequestRef, policyFile: String) async throws -> MergeRequestSnapshot {
        let auth = try await authorization(ref)
        let path = repoPath(ref)
        let response = try await http.request("GET", "\(path)/pulls/\(ref.number)", auth: auth)
        try http.check(response, [200], "read pull request \(ref.repository)#\(ref.number)")
        let pull = try http.decode(PullRequest.self, response, "read pull request")

        async let commitsRead = commits(ref, auth: auth)
        async let diffRead = diff(ref, auth: auth)
        async let policyRead = file(ref, path: policyFile, at: pull.base.sha, auth: auth)
        let (commits, logins) = try await commitsRead
        let (diff, truncated) = try await diffRead
        let policy = try await policyRead

        return MergeRequestSnapshot(
            ref: ref, isOpen: pull.state == "open", isDraft: pull.draft ?? false, title: pull.title ?? "", description: pull.body ?? "",
            author: pull.user?.login ?? "", sourceBranch: pull.head.ref, targetBranch: pull.base.ref, baseSHA: pull.base.sha, headSHA: pull.head.sha,
            labels: (pull.labels ?? []).map(\.name), requestedUsers: (pull.requested_reviewers ?? []).map(\.login),
            requestedTeams: (pull.requested_teams ?? []).map(\.slug), commits: commits, commitAuthorLogins: logins, diff: diff,
            diffTruncated: truncated, policyText: policy)
    }

    /// Every page of a list, following `Link: rel="next"` on the API's own host only.
    private func pages<T: Decodable>(_ url: String, auth: HTTPHeaders, limit: Int, operation: String) async throws -> [T] {
        var items: [T] = []
        var next: String? = url
        while let current = next, items.count < limit {
            let response = try await http.request("GET", url: current, auth: auth)
            try http.check(response, [200], operation)
            items += try http.decode([T].self, response, operation)
            next = ForgeHTTP.nextLink(response).flatMap { $0.hasPrefix(http.baseURL + "/") ? $0 : nil }
        }
        return Array(items.prefix(limit))
    }

    private func commits(_ ref: MergeRequestRef, auth: HTTPHeaders) async throws -> ([CommitInfo], [String]) {
        let url = http.baseURL + repoPath(ref) + "/pulls/\(ref.number)/commits?per_page=100"
        let entries: [CommitEntry] = try await pages(url, auth: auth, limit: GitHubClient.commitCap, operation: "list pull request commits")
        let commits = entries.map { entry in
            CommitInfo(
                sha: entry.sha, parents: (entry.parents ?? []).map(\.sha),
                author: GitIdentity(name: entry.commit.author?.name ?? "", email: entry.commit.author?.email ?? ""),
                committer: GitIdentity(name: entry.commit.committer?.name ?? "", email: entry.commit.committer?.email ?? ""),
                message: entry.commit.message)
        }
        return (commits, entries.compactMap { $0.author?.login })
    }

    /// The whole diff in one call when GitHub will give it (the diff media type answers 406
    /// above its size limits); otherwise the files list, page by page, up to 3,000 files.
    private func diff(_ ref: MergeRequestRef, auth: HTTPHeaders) async throws -> (ForgeDiff, Bool) {
        let response = try await http.request("GET", "\(repoPath(ref))/pulls/\(ref.number)", auth: auth, accept: "application/vnd.github.diff")
        let type = response.headers["content-type"]?.lowercased() ?? ""
        if response.status == 200, !type.contains("json") {
            return (.unified(response.body), false)
        }
        if response.status != 200 && response.status != 406 && response.status != 415 {
            throw ForgeHTTP.error(response, "read the pull request diff")
        }
        let url = http.baseURL + repoPath(ref) + "/pulls/\(ref.number)/files?per_page=100"
        let entries: [FileEntry] = try await pages(url, auth: auth, limit: GitHubClient.fileCap, operation: "list pull request files")
        let files = entries.map { entry -> FilePatch in
            let change: FileChange =
                switch entry.status {
                case "added": .added
                case "removed": .deleted
                case "renamed": .renamed
                case "copied": .copied
                default: .modified
                }
            let header = FileHeader(
                oldPath: change == .added ? nil : (entry.previous_filename ?? entry.filename), newPath: change == .deleted ? nil : entry.filename,
                change: change, patchMissing: entry.patch == nil)
            return FilePatch(header: header, patch: entry.patch)
        }
        return (.files(files), entries.count >= GitHubClient.fileCap)
    }

    /// A file's text at a commit, or nil when it does not exist there.
    func file(_ ref: MergeRequestRef, path: String, at sha: String, auth: HTTPHeaders) async throws -> String? {
        let encoded = path.split(separator: "/").map { ForgeHTTP.segment(String($0)) }.joined(separator: "/")
        let response = try await http.request(
            "GET", "\(repoPath(ref))/contents/\(encoded)", query: [("ref", sha)], auth: auth, accept: "application/vnd.github.raw+json")
        if response.status == 404 { return nil }
        try http.check(response, [200], "read \(path) at \(sha.prefix(12))")
        // Raw text, or the JSON object with base64 content when the raw type is not honoured.
        if response.headers["content-type"]?.contains("json") == true, let content = try? JSONDecoder().decode(Content.self, from: response.body),
            let encodedText = content.content, content.encoding == "base64"
        {
            let data = Data(base64Encoded: encodedText.replacingOccurrences(of: "\n", with: "")) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        return String(decoding: response.body, as: UTF8.self)
    }

    public func botLogin(_ ref: MergeRequestRef) async throws -> String {
        if let login = lock.withLock({ cachedBotLogin }) { return login }
        let login: String
        if await auth.isApp {
            let jwt = try await auth.appJWT()
            let response = try await http.request("GET", "/app", auth: HTTPHeaders([("Authorization", "Bearer \(jwt)")]))
            try http.check(response, [200], "read the GitHub App")
            struct App: Decodable { var slug: String }
            login = try http.decode(App.self, response, "read the GitHub App").slug + "[bot]"
        } else {
            let response = try await http.request("GET", "/user", auth: try await authorization(ref))
            try http.check(response, [200], "read the token's user")
            login = try http.decode(User.self, response, "read the token's user").login
        }
        lock.withLock { cachedBotLogin = login }
        return login
    }

    public func summaryComment(_ ref: MergeRequestRef, knownID: String?, marker: String) async throws -> ForgeComment? {
        let auth = try await authorization(ref)
        let bot = try await botLogin(ref)
        if let knownID, let id = Int(knownID) {
            let response = try await http.request("GET", "\(repoPath(ref))/issues/comments/\(id)", auth: auth)
            if response.status == 200, let comment = try? JSONDecoder().decode(Comment.self, from: response.body),
                comment.user?.login.lowercased() == bot.lowercased(), (comment.body ?? "").hasPrefix(marker)
            {
                return ForgeComment(id: String(comment.id), body: comment.body ?? "", author: bot)
            }
            if response.status != 404 && response.status != 200 { throw ForgeHTTP.error(response, "read the summary comment") }
        }
        // Found by marker, and only among the bot's own comments: anyone can write the marker.
        let url = http.baseURL + repoPath(ref) + "/issues/\(ref.number)/comments?per_page=100"
        let comments: [Comment] = try await pages(url, auth: auth, limit: 3_000, operation: "list comments")
        guard let mine = comments.first(where: { $0.user?.login.lowercased() == bot.lowercased() && ($0.body ?? "").hasPrefix(marker) }) else {
            return nil
        }
        return ForgeComment(id: String(mine.id), body: mine.body ?? "", author: bot)
    }

    // MARK: - Writing

    public func createComment(_ ref: MergeRequestRef, body: String) async throws -> String {
        let response = try await http.request("POST", "\(repoPath(ref))/issues/\(ref.number)/comments", auth: try await authorization(ref), json: ["body": body])
        try http.check(response, [201], "post the summary comment")
        return String(try http.decode(Comment.self, response, "post the summary comment").id)
    }

    public func updateComment(_ ref: MergeRequestRef, id: String, body: String) async throws {
        let response = try await http.request("PATCH", "\(repoPath(ref))/issues/comments/\(id)", auth: try await authorization(ref), json: ["body": body])
        try http.check(response, [200], "update the summary comment")
    }

    public func status(_ ref: MergeRequestRef, sha: String, projectID: Int?) async throws -> CommitStatus? {
        let response = try await http.request("GET", "\(repoPath(ref))/commits/\(sha)/statuses", query: [("per_page", "100")], auth: try await authorization(ref))
        try http.check(response, [200], "read commit statuses")
        // Newest first; the first of Warden's context is the current one.
        let statuses = try http.decode([Status].self, response, "read commit statuses")
        guard let current = statuses.first(where: { $0.context == StatusContext.name }) else { return nil }
        let state: StatusDecision.State =
            switch current.state {
            case "success": .success
            case "failure", "error": .failure
            default: .pending
            }
        return CommitStatus(state: state, description: current.description ?? "", targetURL: current.target_url)
    }

    public func setStatus(_ ref: MergeRequestRef, sha: String, projectID: Int?, status: CommitStatus) async throws {
        struct Body: Encodable {
            var state: String
            var description: String
            var context: String
            var target_url: String?
        }
        let body = Body(state: status.state.rawValue, description: String(status.description.prefix(140)), context: StatusContext.name, target_url: status.targetURL)
        let response = try await http.request("POST", "\(repoPath(ref))/statuses/\(sha)", auth: try await authorization(ref), json: body)
        try http.check(response, [201], "set the warden/sign-off status")
    }

    public func ensureLabels(_ ref: MergeRequestRef, _ labels: [String: (color: String, description: String)]) async throws {
        let auth = try await authorization(ref)
        for (name, style) in labels.sorted(by: { $0.key < $1.key }) {
            let key = ref.repository.lowercased() + "\u{0}" + name.lowercased()
            if lock.withLock({ existingLabels.contains(key) }) { continue }
            struct Body: Encodable {
                var name: String
                var color: String
                var description: String
            }
            let response = try await http.request(
                "POST", "\(repoPath(ref))/labels", auth: auth, json: Body(name: name, color: style.color, description: String(style.description.prefix(100))))
            // 422: it exists already (someone's colour wins).
            guard response.status == 201 || response.status == 422 else { throw ForgeHTTP.error(response, "create label \(name)") }
            lock.withLock { _ = existingLabels.insert(key) }
        }
    }

    public func addLabels(_ ref: MergeRequestRef, _ labels: [String], snapshot: MergeRequestSnapshot) async throws {
        guard !labels.isEmpty else { return }
        let response = try await http.request("POST", "\(repoPath(ref))/issues/\(ref.number)/labels", auth: try await authorization(ref), json: ["labels": labels])
        try http.check(response, [200], "add labels")
    }

    public func removeLabels(_ ref: MergeRequestRef, _ labels: [String], snapshot: MergeRequestSnapshot) async throws {
        let auth = try await authorization(ref)
        for label in labels {
            let response = try await http.request("DELETE", "\(repoPath(ref))/issues/\(ref.number)/labels/\(ForgeHTTP.segment(label))", auth: auth)
            // 404: someone removed it already.
            guard response.status == 200 || response.status == 404 else { throw ForgeHTTP.error(response, "remove label \(label)") }
        }
    }

    /// Requests reviewers in one call. GitHub refuses the whole request (422) when one of them
    /// cannot review (not a collaborator, the author); then each is asked alone so the others
    /// still are, and the refused ones are reported.
    public func requestReviewers(_ ref: MergeRequestRef, users: [String], teams: [String], snapshot: MergeRequestSnapshot) async throws -> ReviewerOutcome {
        var outcome = ReviewerOutcome()
        guard !users.isEmpty || !teams.isEmpty else { return outcome }
        let auth = try await authorization(ref)
        let path = "\(repoPath(ref))/pulls/\(ref.number)/requested_reviewers"
        struct Body: Encodable {
            var reviewers: [String]?
            var team_reviewers: [String]?
        }
        let all = try await http.request(
            "POST", path, auth: auth, json: Body(reviewers: users.isEmpty ? nil : users, team_reviewers: teams.isEmpty ? nil : teams))
        if all.status == 201 {
            outcome.requestedUsers = users
            outcome.requestedTeams = teams
            return outcome
        }
        guard all.status == 422 else { throw ForgeHTTP.error(all, "request reviewers") }
        for (name, isTeam) in users.map({ ($0, false) }) + teams.map({ ($0, true) }) {
            let one = try await http.request("POST", path, auth: auth, json: isTeam ? Body(team_reviewers: [name]) : Body(reviewers: [name]))
            if one.status == 201 {
                if isTeam { outcome.requestedTeams.append(name) } else { outcome.requestedUsers.append(name) }
            } else if one.status == 422 {
                outcome.skipped[isTeam ? "team \(name)" : name] = ForgeHTTP.message(one)
            } else {
                throw ForgeHTTP.error(one, "request reviewer \(name)")
            }
        }
        return outcome
    }
}

/// The commit status context Warden owns.
public enum StatusContext {
    public static let name = "warden/sign-off"
}
