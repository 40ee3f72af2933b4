import Foundation

/// A GitLab REST API v4 for tests, on a real loopback HTTP server: the operations Warden
/// uses, with state, `PRIVATE-TOKEN` checks, `X-Next-Page` pagination and injectable
/// failures. Every call is recorded.
public final class FakeGitLab: @unchecked Sendable {
    public struct MergeRequest: Sendable {
        public var iid: Int
        public var title = "A change"
        public var description = ""
        public var author = "dev"
        public var sourceBranch = "feature"
        public var targetBranch = "main"
        public var headSHA: String
        public var baseSHA = "ba5e000000000000000000000000000000000000"
        public var state = "opened"
        public var labels: [String] = []
        public var reviewerIDs: [Int] = []
        /// Per-file diffs as `/diffs` gives them: path and diff text (nil: too large).
        public var diffs: [(path: String, diff: String?, newFile: Bool)]
        public var commits: [FakeGitHub.Commit]

        public init(iid: Int, headSHA: String, diffs: [(path: String, diff: String?, newFile: Bool)], commits: [FakeGitHub.Commit]) {
            self.iid = iid
            self.headSHA = headSHA
            self.diffs = diffs
            self.commits = commits
        }
    }

    public struct Note: Sendable {
        public var id: Int
        public var body: String
        public var author: String
        public var system: Bool
    }

    public struct Status: Sendable {
        public var state: String
        public var description: String?
        public var targetURL: String?
        public var name: String
    }

    public let projectID: Int
    public let path: String
    public let token: String
    public let botUsername: String
    public var server: LoopbackServer?

    private let lock = NSLock()
    private var mergeRequests: [Int: MergeRequest] = [:]
    private var notes: [Int: [Note]] = [:]
    private var statuses: [String: [Status]] = [:]
    private var files: [String: [String: String]] = [:]  // branch → path → text
    private var users: [String: Int] = [:]
    private var projectLabels: [String: String] = [:]
    private var nextID = 5000
    private var recorded: [ForgeCall] = []
    private var failures: [InjectedFailure] = []

    public init(projectID: Int = 15, path: String = "acme/app", token: String = "glpat-test-token", botUsername: String = "warden-bot") {
        self.projectID = projectID
        self.path = path
        self.token = token
        self.botUsername = botUsername
        users = [botUsername: 1]
    }

    public func start() async throws {
        server = try await LoopbackServer { [weak self] request in
            self?.handle(request) ?? TestResponse(status: 503)
        }
    }

    /// The API root, `http://127.0.0.1:PORT/api/v4`.
    public var apiURL: String { (server?.baseURL ?? "") + "/api/v4" }

    public func add(_ mergeRequest: MergeRequest) { lock.withLock { mergeRequests[mergeRequest.iid] = mergeRequest } }
    public func update(_ iid: Int, _ change: (inout MergeRequest) -> Void) {
        lock.withLock {
            if var mr = mergeRequests[iid] {
                change(&mr)
                mergeRequests[iid] = mr
            }
        }
    }
    public func setFile(_ path: String, _ text: String, onBranch branch: String) { lock.withLock { files[branch, default: [:]][path] = text } }
    public func addUser(_ username: String, id: Int) { lock.withLock { users[username] = id } }
    public func inject(_ failure: InjectedFailure) { lock.withLock { failures.append(failure) } }

    public func mergeRequest(_ iid: Int) -> MergeRequest? { lock.withLock { mergeRequests[iid] } }
    public func notesOn(_ iid: Int) -> [Note] { lock.withLock { notes[iid] ?? [] } }
    public func statusesFor(_ sha: String) -> [Status] { lock.withLock { statuses[sha] ?? [] } }
    public func username(ofID id: Int) -> String? { lock.withLock { users.first { $0.value == id }?.key } }
    public var calls: [ForgeCall] { lock.withLock { recorded } }
    public var writes: [ForgeCall] { calls.filter(\.isWrite) }
    public func resetCalls() { lock.withLock { recorded = [] } }

    private func handle(_ request: RecordedRequest) -> TestResponse {
        let (fullPath, query) = FakeGitHub.split(request.uri)
        let call = ForgeCall(method: request.method, path: fullPath, query: query, bodyBytes: request.body)
        return lock.withLock {
            recorded.append(call)
            if let index = failures.firstIndex(where: { $0.method == request.method && fullPath.hasPrefix($0.pathPrefix) && $0.count > 0 }) {
                failures[index].count -= 1
                let failure = failures[index]
                if failures[index].count == 0 { failures.remove(at: index) }
                return TestResponse(status: failure.status, headers: [("Content-Type", "application/json")] + failure.headers, body: Array(failure.body.utf8))
            }
            guard request.header("PRIVATE-TOKEN") == token else { return json(401, ["message": "401 Unauthorized"]) }
            guard fullPath.hasPrefix("/api/v4/") else { return json(404, ["message": "404 Not Found"]) }
            return route(request, path: String(fullPath.dropFirst("/api/v4".count)), query: query)
        }
    }

    private func json(_ status: Int, _ object: Any, headers: [(name: String, value: String)] = []) -> TestResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return TestResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
    }

    private func page(_ items: [Any], query: [String: String]) -> TestResponse {
        let perPage = min(100, Int(query["per_page"] ?? "20") ?? 20)
        let page = max(1, Int(query["page"] ?? "1") ?? 1)
        let start = min(items.count, (page - 1) * perPage)
        let slice = Array(items[start..<min(items.count, start + perPage)])
        let next = start + perPage < items.count ? String(page + 1) : ""
        return json(200, slice, headers: [("X-Next-Page", next), ("X-Page", String(page)), ("X-Total", String(items.count))])
    }

    private func body(_ request: RecordedRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
    }

    private func mergeRequestJSON(_ mr: MergeRequest) -> [String: Any] {
        [
            "iid": mr.iid, "state": mr.state, "draft": false, "title": mr.title, "description": mr.description, "author": ["username": mr.author, "id": users[mr.author] ?? 99],
            "source_branch": mr.sourceBranch, "target_branch": mr.targetBranch, "sha": mr.headSHA, "source_project_id": projectID,
            "diff_refs": ["base_sha": mr.baseSHA, "head_sha": mr.headSHA, "start_sha": mr.baseSHA], "labels": mr.labels,
            "reviewers": mr.reviewerIDs.map { id in ["id": id, "username": users.first { $0.value == id }?.key ?? "user\(id)"] },
        ]
    }

    private func route(_ request: RecordedRequest, path: String, query: [String: String]) -> TestResponse {
        let method = request.method
        if method == "GET" && path == "/user" { return json(200, ["id": users[botUsername] ?? 1, "username": botUsername]) }
        if method == "GET" && path == "/users" {
            let name = query["username"] ?? ""
            return json(200, users[name].map { [["id": $0, "username": name]] } ?? [])
        }
        let prefixes = ["/projects/\(projectID)", "/projects/" + (path.hasPrefix("/projects/acme%2Fapp") ? "acme%2Fapp" : "\(projectID)")]
        guard let prefix = prefixes.first(where: { path.hasPrefix($0) }) else { return json(404, ["message": "404 Project Not Found"]) }
        let rest = path.dropFirst(prefix.count).split(separator: "/").map(String.init)

        switch (method, rest.first, rest.count) {
        case ("GET", "merge_requests", 2):
            guard let iid = Int(rest[1]), let mr = mergeRequests[iid] else { return json(404, ["message": "404 Not found"]) }
            return json(200, mergeRequestJSON(mr))
        case ("PUT", "merge_requests", 2):
            guard let iid = Int(rest[1]), var mr = mergeRequests[iid] else { return json(404, ["message": "404 Not found"]) }
            let object = body(request)
            if let add = object["add_labels"] as? String {
                for label in add.split(separator: ",").map(String.init) where !mr.labels.contains(label) { mr.labels.append(label) }
            }
            if let remove = object["remove_labels"] as? String {
                let gone = Set(remove.split(separator: ",").map(String.init))
                mr.labels.removeAll { gone.contains($0) }
            }
            if let ids = object["reviewer_ids"] as? [Int] { mr.reviewerIDs = ids }
            mergeRequests[iid] = mr
            return json(200, mergeRequestJSON(mr))
        case ("GET", "merge_requests", 3) where rest[2] == "diffs":
            guard let iid = Int(rest[1]), let mr = mergeRequests[iid] else { return json(404, ["message": "404 Not found"]) }
            let entries: [Any] = mr.diffs.map { entry in
                [
                    "old_path": entry.path, "new_path": entry.path, "a_mode": entry.newFile ? "0" : "100644", "b_mode": "100644",
                    "diff": entry.diff ?? "", "new_file": entry.newFile, "renamed_file": false, "deleted_file": false,
                    "too_large": entry.diff == nil, "collapsed": false,
                ] as [String: Any]
            }
            return page(entries, query: query)
        case ("GET", "merge_requests", 3) where rest[2] == "commits":
            guard let iid = Int(rest[1]), let mr = mergeRequests[iid] else { return json(404, ["message": "404 Not found"]) }
            let commits: [Any] = mr.commits.map {
                [
                    "id": $0.sha, "title": String($0.message.split(separator: "\n").first ?? ""), "message": $0.message, "author_name": $0.authorName,
                    "author_email": $0.authorEmail, "committer_name": $0.authorName, "committer_email": $0.authorEmail, "parent_ids": [mr.baseSHA],
                ]
            }
            return page(commits, query: query)
        case ("GET", "merge_requests", 3) where rest[2] == "notes":
            guard let iid = Int(rest[1]) else { return json(404, ["message": "404 Not found"]) }
            return page((notes[iid] ?? []).map { ["id": $0.id, "body": $0.body, "author": ["username": $0.author], "system": $0.system] }, query: query)
        case ("POST", "merge_requests", 3) where rest[2] == "notes":
            guard let iid = Int(rest[1]), let text = body(request)["body"] as? String else { return json(400, ["message": "400 Bad request"]) }
            nextID += 1
            notes[iid, default: []].append(Note(id: nextID, body: text, author: botUsername, system: false))
            return json(201, ["id": nextID, "body": text, "author": ["username": botUsername], "system": false])
        case ("GET", "merge_requests", 4) where rest[2] == "notes":
            guard let iid = Int(rest[1]), let id = Int(rest[3]), let note = notes[iid]?.first(where: { $0.id == id }) else { return json(404, ["message": "404 Not found"]) }
            return json(200, ["id": note.id, "body": note.body, "author": ["username": note.author], "system": note.system])
        case ("PUT", "merge_requests", 4) where rest[2] == "notes":
            guard let iid = Int(rest[1]), let id = Int(rest[3]), let index = notes[iid]?.firstIndex(where: { $0.id == id }),
                let text = body(request)["body"] as? String
            else { return json(404, ["message": "404 Not found"]) }
            notes[iid]?[index].body = text
            return json(200, ["id": id, "body": text, "author": ["username": notes[iid]?[index].author ?? ""], "system": false])
        case ("POST", "labels", 1):
            guard let name = body(request)["name"] as? String else { return json(400, ["message": "name is missing"]) }
            if projectLabels[name] != nil { return json(409, ["message": "Label already exists"]) }
            projectLabels[name] = body(request)["color"] as? String ?? "#428BCA"
            return json(201, ["name": name])
        case ("GET", "repository", _) where rest.count >= 4 && rest[1] == "files" && rest.last == "raw":
            let filePath = rest[2..<(rest.count - 1)].joined(separator: "/")
            guard let text = files[query["ref"] ?? ""]?[filePath] else { return json(404, ["message": "404 File Not Found"]) }
            return TestResponse(headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
        case ("GET", "repository", 4) where rest[1] == "commits" && rest[3] == "statuses":
            let list = (statuses[rest[2]] ?? []).filter { query["name"] == nil || $0.name == query["name"] }.reversed().map {
                ["status": $0.state, "name": $0.name, "description": $0.description ?? NSNull(), "target_url": $0.targetURL ?? NSNull()] as [String: Any]
            }
            return json(200, Array(list))
        case ("POST", "statuses", 2):
            let object = body(request)
            guard let state = object["state"] as? String, ["pending", "running", "success", "failed", "canceled"].contains(state) else {
                return json(400, ["message": "state is invalid"])
            }
            let name = object["name"] as? String ?? "default"
            if let last = statuses[rest[1]]?.last(where: { $0.name == name }), last.state == state {
                return json(400, ["message": "Cannot transition status via :\(state) from :\(state)"])
            }
            statuses[rest[1], default: []].append(Status(state: state, description: object["description"] as? String, targetURL: object["target_url"] as? String, name: name))
            return json(201, ["status": state, "name": name])
        default:
            return json(404, ["message": "404 Not Found (fake GitLab has no \(method) \(path))"])
        }
    }
}
