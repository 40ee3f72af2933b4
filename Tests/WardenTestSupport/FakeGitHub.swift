import Foundation
import NIOCore

/// One call a fake forge received.
public struct ForgeCall: Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var body: [String: Any]? {
        bodyBytes.isEmpty ? nil : (try? JSONSerialization.jsonObject(with: Data(bodyBytes))) as? [String: Any]
    }
    public var bodyBytes: [UInt8]

    public var isWrite: Bool { method != "GET" && method != "HEAD" }
    public var description: String { "\(method) \(path)" }
}

/// A scripted failure: the next `count` calls matching method and path prefix get this
/// answer instead.
public struct InjectedFailure: Sendable {
    public var method: String
    public var pathPrefix: String
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: String
    public var count: Int

    public init(method: String, pathPrefix: String, status: Int, headers: [(name: String, value: String)] = [], body: String = "{\"message\":\"injected\"}", count: Int = 1) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.status = status
        self.headers = headers
        self.body = body
        self.count = count
    }
}

/// A GitHub REST API for tests, on a real loopback HTTP server: the operations Warden uses,
/// with state (labels, comments, reviewers, statuses), request checks (token, User-Agent,
/// API version), pagination, and injectable failures. Every call is recorded.
public final class FakeGitHub: @unchecked Sendable {
    public struct Commit: Sendable {
        public var sha: String
        public var message: String
        public var authorName: String
        public var authorEmail: String
        public var login: String?

        public init(sha: String, message: String, authorName: String = "Dev", authorEmail: String = "dev@example.com", login: String? = nil) {
            self.sha = sha
            self.message = message
            self.authorName = authorName
            self.authorEmail = authorEmail
            self.login = login
        }
    }

    public struct PullRequest: Sendable {
        public var number: Int
        public var title = "A change"
        public var body = ""
        public var author = "octocat"
        public var headRef = "feature"
        public var headSHA: String
        public var baseRef = "main"
        public var baseSHA = "ba5e000000000000000000000000000000000000"
        public var state = "open"
        public var labels: [String] = []
        public var requestedReviewers: [String] = []
        public var requestedTeams: [String] = []
        public var diff: String
        public var commits: [Commit]
        /// The diff media type answers 406 (too large): Warden must use the files list.
        public var diffTooLarge = false

        public init(number: Int, headSHA: String, diff: String, commits: [Commit]) {
            self.number = number
            self.headSHA = headSHA
            self.diff = diff
            self.commits = commits
        }
    }

    public struct Comment: Sendable {
        public var id: Int
        public var body: String
        public var user: String
    }

    public struct Status: Sendable {
        public var state: String
        public var description: String?
        public var targetURL: String?
        public var context: String
    }

    public let repository: String
    public let token: String
    public let botLogin: String
    public var server: LoopbackServer?

    private let lock = NSLock()
    private var pulls: [Int: PullRequest] = [:]
    private var repoLabels: [String: (color: String, description: String)] = [:]
    private var comments: [Int: [Comment]] = [:]
    private var statuses: [String: [Status]] = [:]
    private var files: [String: [String: String]] = [:]  // sha → path → text
    private var collaborators: Set<String> = []
    private var nextID = 1000
    private var recorded: [ForgeCall] = []
    private var failures: [InjectedFailure] = []

    public init(repository: String = "acme/app", token: String = "ghp_test_token", botLogin: String = "warden-bot") {
        self.repository = repository
        self.token = token
        self.botLogin = botLogin
    }

    /// Starts the server.
    public func start() async throws {
        server = try await LoopbackServer { [weak self] request in
            self?.handle(request) ?? TestResponse(status: 503)
        }
    }

    public var baseURL: String { server?.baseURL ?? "" }

    // MARK: - Arranging state

    public func add(_ pull: PullRequest) { lock.withLock { pulls[pull.number] = pull } }

    public func update(_ number: Int, _ change: (inout PullRequest) -> Void) {
        lock.withLock {
            if var pull = pulls[number] {
                change(&pull)
                pulls[number] = pull
            }
        }
    }

    public func setFile(_ path: String, _ text: String, at sha: String) { lock.withLock { files[sha, default: [:]][path] = text } }

    public func setCollaborators(_ logins: [String]) { lock.withLock { collaborators = Set(logins.map { $0.lowercased() }) } }

    public func inject(_ failure: InjectedFailure) { lock.withLock { failures.append(failure) } }

    public func addComment(_ number: Int, body: String, user: String) {
        lock.withLock {
            nextID += 1
            comments[number, default: []].append(Comment(id: nextID, body: body, user: user))
        }
    }

    // MARK: - Reading state

    public func pull(_ number: Int) -> PullRequest? { lock.withLock { pulls[number] } }
    public func commentsOn(_ number: Int) -> [Comment] { lock.withLock { comments[number] ?? [] } }
    public func statusesFor(_ sha: String) -> [Status] { lock.withLock { statuses[sha] ?? [] } }
    public func label(_ name: String) -> (color: String, description: String)? { lock.withLock { repoLabels[name.lowercased()] } }
    public var calls: [ForgeCall] { lock.withLock { recorded } }
    public var writes: [ForgeCall] { calls.filter(\.isWrite) }
    public func resetCalls() { lock.withLock { recorded = [] } }

    // MARK: - Serving

    private func handle(_ request: RecordedRequest) -> TestResponse {
        let (path, query) = Self.split(request.uri)
        let call = ForgeCall(method: request.method, path: path, query: query, bodyBytes: request.body)
        return lock.withLock {
            recorded.append(call)
            if let index = failures.firstIndex(where: { $0.method == request.method && path.hasPrefix($0.pathPrefix) && $0.count > 0 }) {
                failures[index].count -= 1
                let failure = failures[index]
                if failures[index].count == 0 { failures.remove(at: index) }
                return TestResponse(status: failure.status, headers: [("Content-Type", "application/json")] + failure.headers, body: Array(failure.body.utf8))
            }
            // GitHub rejects requests without a User-Agent, and unknown API versions.
            guard request.header("User-Agent")?.isEmpty == false else { return json(403, ["message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"]) }
            if let version = request.header("X-GitHub-Api-Version"), !["2022-11-28", "2026-03-10"].contains(version) {
                return json(400, ["message": "Unsupported API version"])
            }
            guard request.header("Authorization") == "Bearer \(token)" || request.header("Authorization") == "token \(token)" else {
                return json(401, ["message": "Bad credentials"])
            }
            return route(request, path: path, query: query)
        }
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        let parts = uri.split(separator: "?", maxSplits: 1)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                query[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
        }
        return (String(parts[0]).removingPercentEncoding ?? String(parts[0]), query)
    }

    private func json(_ status: Int, _ object: Any, headers: [(name: String, value: String)] = []) -> TestResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return TestResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: Array(data))
    }

    /// One page of `items` and a `Link` header for the next.
    private func page(_ items: [Any], path: String, query: [String: String]) -> TestResponse {
        let perPage = min(100, Int(query["per_page"] ?? "30") ?? 30)
        let page = max(1, Int(query["page"] ?? "1") ?? 1)
        let start = min(items.count, (page - 1) * perPage)
        let slice = Array(items[start..<min(items.count, start + perPage)])
        var headers: [(name: String, value: String)] = []
        if start + perPage < items.count {
            headers.append(("Link", "<\(baseURL)\(path)?per_page=\(perPage)&page=\(page + 1)>; rel=\"next\""))
        }
        return json(200, slice, headers: headers)
    }

    private func body(_ request: RecordedRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
    }

    private func pullJSON(_ pull: PullRequest) -> [String: Any] {
        [
            "number": pull.number, "state": pull.state, "draft": false, "title": pull.title, "body": pull.body, "user": ["login": pull.author],
            "head": ["ref": pull.headRef, "sha": pull.headSHA], "base": ["ref": pull.baseRef, "sha": pull.baseSHA],
            "labels": pull.labels.map { ["name": $0] }, "requested_reviewers": pull.requestedReviewers.map { ["login": $0] },
            "requested_teams": pull.requestedTeams.map { ["slug": $0] },
        ]
    }

    private func route(_ request: RecordedRequest, path: String, query: [String: String]) -> TestResponse {
        let method = request.method
        if method == "GET" && path == "/user" { return json(200, ["login": botLogin]) }
        let prefix = "/repos/\(repository)"
        guard path.hasPrefix(prefix) else { return json(404, ["message": "Not Found"]) }
        let rest = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: true).map(String.init)

        switch (method, rest.count, rest.first) {
        case ("GET", 2, "pulls"):
            guard let number = Int(rest[1]), let pull = pulls[number] else { return json(404, ["message": "Not Found"]) }
            if request.header("Accept")?.contains("diff") == true {
                if pull.diffTooLarge { return json(406, ["message": "Sorry, the diff exceeded the maximum number of files (300)."]) }
                return TestResponse(headers: [("Content-Type", "application/vnd.github.diff; charset=utf-8")], body: Array(pull.diff.utf8))
            }
            return json(200, pullJSON(pull))
        case ("GET", 3, "pulls") where rest[2] == "files":
            guard let number = Int(rest[1]), let pull = pulls[number] else { return json(404, ["message": "Not Found"]) }
            return page(Self.files(fromDiff: pull.diff), path: path, query: query)
        case ("GET", 3, "pulls") where rest[2] == "commits":
            guard let number = Int(rest[1]), let pull = pulls[number] else { return json(404, ["message": "Not Found"]) }
            let commits: [Any] = pull.commits.map { commit in
                var entry: [String: Any] = [
                    "sha": commit.sha, "parents": [["sha": pull.baseSHA]],
                    "commit": [
                        "message": commit.message, "author": ["name": commit.authorName, "email": commit.authorEmail],
                        "committer": ["name": commit.authorName, "email": commit.authorEmail],
                    ],
                ]
                entry["author"] = commit.login.map { ["login": $0] } ?? NSNull()
                return entry
            }
            return page(commits, path: path, query: query)
        case ("POST", 3, "pulls") where rest[2] == "requested_reviewers":
            guard let number = Int(rest[1]), var pull = pulls[number] else { return json(404, ["message": "Not Found"]) }
            let users = body(request)["reviewers"] as? [String] ?? []
            let teams = body(request)["team_reviewers"] as? [String] ?? []
            if users.isEmpty && teams.isEmpty { return json(422, ["message": "Invalid request: reviewers or team_reviewers required"]) }
            if users.contains(where: { !collaborators.contains($0.lowercased()) || $0.lowercased() == pull.author.lowercased() }) {
                return json(422, ["message": "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the \(repository) repository."])
            }
            pull.requestedReviewers += users.filter { !pull.requestedReviewers.contains($0) }
            pull.requestedTeams += teams.filter { !pull.requestedTeams.contains($0) }
            pulls[number] = pull
            return json(201, pullJSON(pull))
        case ("GET", _, "contents"):
            let filePath = rest.dropFirst().joined(separator: "/")
            guard let sha = query["ref"], let text = files[sha]?[filePath] else { return json(404, ["message": "Not Found"]) }
            if request.header("Accept")?.contains("raw") == true { return TestResponse(headers: [("Content-Type", "application/vnd.github.raw")], body: Array(text.utf8)) }
            return json(200, ["type": "file", "encoding": "base64", "content": Data(text.utf8).base64EncodedString()])
        case ("GET", 3, "issues") where rest[2] == "comments":
            guard let number = Int(rest[1]) else { return json(404, ["message": "Not Found"]) }
            return page((comments[number] ?? []).map { ["id": $0.id, "body": $0.body, "user": ["login": $0.user]] }, path: path, query: query)
        case ("POST", 3, "issues") where rest[2] == "comments":
            guard let number = Int(rest[1]), let text = body(request)["body"] as? String else { return json(422, ["message": "body is required"]) }
            if text.count > 65_536 { return json(422, ["message": "Body is too long (maximum is 65536 characters)"]) }
            nextID += 1
            comments[number, default: []].append(Comment(id: nextID, body: text, user: botLogin))
            return json(201, ["id": nextID, "body": text, "user": ["login": botLogin]])
        case ("GET", 3, "issues") where rest[1] == "comments":
            guard let id = Int(rest[2]), let comment = comments.values.joined().first(where: { $0.id == id }) else { return json(404, ["message": "Not Found"]) }
            return json(200, ["id": comment.id, "body": comment.body, "user": ["login": comment.user]])
        case ("PATCH", 3, "issues") where rest[1] == "comments":
            guard let id = Int(rest[2]), let text = body(request)["body"] as? String else { return json(422, ["message": "body is required"]) }
            for (number, list) in comments {
                if let index = list.firstIndex(where: { $0.id == id }) {
                    comments[number]?[index].body = text
                    return json(200, ["id": id, "body": text, "user": ["login": list[index].user]])
                }
            }
            return json(404, ["message": "Not Found"])
        case ("POST", 1, "labels"):
            guard let name = body(request)["name"] as? String else { return json(422, ["message": "name is required"]) }
            if repoLabels[name.lowercased()] != nil {
                return json(422, ["message": "Validation Failed", "errors": [["resource": "Label", "code": "already_exists", "field": "name"]]])
            }
            repoLabels[name.lowercased()] = (body(request)["color"] as? String ?? "ededed", body(request)["description"] as? String ?? "")
            return json(201, ["name": name])
        case ("POST", 3, "issues") where rest[2] == "labels":
            guard let number = Int(rest[1]), var pull = pulls[number], let labels = body(request)["labels"] as? [String], !labels.isEmpty else {
                return json(422, ["message": "Invalid request"])
            }
            for label in labels where !pull.labels.contains(where: { $0.lowercased() == label.lowercased() }) {
                pull.labels.append(label)
                if repoLabels[label.lowercased()] == nil { repoLabels[label.lowercased()] = ("ededed", "") }
            }
            pulls[number] = pull
            return json(200, pull.labels.map { ["name": $0] })
        case ("DELETE", 4, "issues") where rest[2] == "labels":
            guard let number = Int(rest[1]), var pull = pulls[number] else { return json(404, ["message": "Not Found"]) }
            guard let index = pull.labels.firstIndex(where: { $0.lowercased() == rest[3].lowercased() }) else { return json(404, ["message": "Label does not exist"]) }
            pull.labels.remove(at: index)
            pulls[number] = pull
            return json(200, pull.labels.map { ["name": $0] })
        case ("GET", 3, "commits") where rest[2] == "statuses":
            let list = (statuses[rest[1]] ?? []).reversed().map { status -> [String: Any] in
                ["state": status.state, "description": status.description ?? NSNull(), "target_url": status.targetURL ?? NSNull(), "context": status.context] as [String: Any]
            }
            return json(200, Array(list))
        case ("POST", 2, "statuses"):
            let object = body(request)
            guard let state = object["state"] as? String, ["error", "failure", "pending", "success"].contains(state) else {
                return json(422, ["message": "Validation Failed: state"])
            }
            let description = object["description"] as? String
            if (description?.count ?? 0) > 140 { return json(422, ["message": "Validation Failed: description is too long (maximum is 140 characters)"]) }
            statuses[rest[1], default: []].append(
                Status(state: state, description: description, targetURL: object["target_url"] as? String, context: object["context"] as? String ?? "default"))
            return json(201, ["state": state, "context": object["context"] as? String ?? "default"])
        default:
            return json(404, ["message": "Not Found (fake GitHub has no \(method) \(path))"])
        }
    }

    /// The files list of a unified diff, as GitHub's `/pulls/{n}/files` gives it.
    static func files(fromDiff diff: String) -> [Any] {
        var result: [[String: Any]] = []
        var current: [String: Any]?
        var patch: [String] = []
        func flush() {
            guard var file = current else { return }
            file["patch"] = patch.joined(separator: "\n")
            result.append(file)
        }
        for line in diff.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("diff --git ") {
                flush()
                let name = line.split(separator: " ").last.map { String($0.dropFirst(2)) } ?? ""
                current = ["filename": name, "status": "modified"]
                patch = []
            } else if line.hasPrefix("new file mode") {
                current?["status"] = "added"
            } else if line.hasPrefix("deleted file mode") {
                current?["status"] = "removed"
            } else if line.hasPrefix("@@") || !patch.isEmpty {
                if !line.hasPrefix("--- ") && !line.hasPrefix("+++ ") || !patch.isEmpty { patch.append(String(line)) }
            }
        }
        flush()
        return result
    }
}
