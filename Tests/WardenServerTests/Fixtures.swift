import Foundation
import WardenDefaults

/// Webhook bodies shaped like the forges' real ones (GitHub: octokit/webhooks payload
/// examples; GitLab: its webhook events documentation), written for these tests.
enum Fixtures {
    static var builtInServerConfig: String? { WardenDefaults.file("Config/warden.yml") }

    static func githubPullRequest(
        action: String, repository: String = "acme/app", number: Int = 7, headSHA: String = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
        installation: Int? = 42, baseChanged: Bool = false, author: String = "octocat"
    ) -> Data {
        let owner = String(repository.split(separator: "/").first ?? "acme")
        var object: [String: Any] = [
            "action": action,
            "number": number,
            "pull_request": [
                "url": "https://api.github.com/repos/\(repository)/pulls/\(number)",
                "id": 279_147_437,
                "node_id": "MDExOlB1bGxSZXF1ZXN0Mjc5MTQ3NDM3",
                "html_url": "https://github.com/\(repository)/pull/\(number)",
                "number": number,
                "state": action == "closed" ? "closed" : "open",
                "locked": false,
                "title": "Update the README with new information.",
                "user": ["login": author, "id": 21_031_067, "type": "User"],
                "body": "This is a pretty simple change that we need to pull into master.",
                "created_at": "2019-05-15T15:20:33Z",
                "updated_at": "2019-05-15T15:20:33Z",
                "closed_at": NSNull(),
                "merged_at": NSNull(),
                "assignees": [],
                "requested_reviewers": [],
                "requested_teams": [],
                "labels": [],
                "head": ["label": "\(owner):changes", "ref": "changes", "sha": headSHA, "user": ["login": owner]],
                "base": ["label": "\(owner):master", "ref": "master", "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", "user": ["login": owner]],
                "author_association": "OWNER",
                "draft": false,
                "merged": false,
                "commits": 1,
                "additions": 1,
                "deletions": 1,
                "changed_files": 1,
            ] as [String: Any],
            "repository": [
                "id": 186_853_002,
                "name": String(repository.split(separator: "/").last ?? "app"),
                "full_name": repository,
                "private": false,
                "owner": ["login": owner, "type": "User"],
                "default_branch": "master",
            ] as [String: Any],
            "sender": ["login": author, "type": "User"],
        ]
        if let installation { object["installation"] = ["id": installation, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="] }
        if baseChanged { object["changes"] = ["base": ["ref": ["from": "develop"], "sha": ["from": "a10867b14bb761a232cd80139fbd4c0d33264240"]]] }
        return data(object)
    }

    static func gitlabMergeRequest(
        action: String, projectID: Int = 15, path: String = "acme/app", iid: Int = 3, oldrev: String? = nil, targetBranchChanged: Bool = false,
        lastCommit: String = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
    ) -> Data {
        var attributes: [String: Any] = [
            "id": 99,
            "iid": iid,
            "target_branch": "master",
            "source_branch": "ms-viewport",
            "source_project_id": projectID,
            "author_id": 51,
            "assignee_ids": [6],
            "reviewer_ids": [6],
            "title": "MS-Viewport",
            "created_at": "2013-12-03T17:23:34Z",
            "updated_at": "2013-12-03T17:23:34Z",
            "state": action == "merge" ? "merged" : action == "close" ? "closed" : "opened",
            "work_in_progress": false,
            "merge_status": "unchecked",
            "target_project_id": projectID,
            "description": "",
            "url": "https://gitlab.example.com/\(path)/-/merge_requests/\(iid)",
            "last_commit": ["id": lastCommit, "message": "fixed readme", "author": ["name": "GitLab dev user", "email": "gitlabdev@dv6700.(none)"]],
            "labels": [],
            "action": action,
        ]
        if let oldrev { attributes["oldrev"] = oldrev }
        var changes: [String: Any] = ["updated_at": ["previous": "2017-09-15 16:50:55 UTC", "current": "2017-09-15 16:52:00 UTC"]]
        if targetBranchChanged { changes["target_branch"] = ["previous": "develop", "current": "master"] }
        let object: [String: Any] = [
            "object_kind": "merge_request",
            "event_type": "merge_request",
            "user": ["id": 1, "name": "Administrator", "username": "root"],
            "project": [
                "id": projectID, "name": "Gitlab Test", "web_url": "https://gitlab.example.com/\(path)", "path_with_namespace": path, "default_branch": "master",
            ] as [String: Any],
            "object_attributes": attributes,
            "labels": [],
            "changes": changes,
            "reviewers": [["id": 6, "name": "User1", "username": "user1"]],
        ]
        return data(object)
    }

    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
