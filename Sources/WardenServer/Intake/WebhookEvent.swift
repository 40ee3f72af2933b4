import Crypto
import Foundation

/// What an incoming (verified) delivery asks of Warden.
public enum WebhookAction: Sendable, Equatable {
    /// A ping: answer, store nothing.
    case ping
    /// Nothing to do (another event, an action Warden ignores): answer 204.
    case ignore(String)
    /// Work to queue for a merge request.
    case queue(ref: MergeRequestRef, kind: JobKind)
    /// The delivery is malformed.
    case malformed(String)
}

public enum JobKind: String, Sendable, Equatable {
    /// Read the merge request, decide, reconcile.
    case evaluate
    /// The merge request closed: forget its open review requests.
    case close
}

/// Reads just enough of a delivery to know what to do; the worker reads it again in full.
public enum WebhookEvent {
    /// GitHub: `X-GitHub-Event` and the body.
    public static func github(event: String, body: Data) -> WebhookAction {
        switch event {
        case "ping": return .ping
        case "pull_request": break
        case "installation", "installation_repositories":
            return .ignore("installation events need no work: tokens are minted per event")
        default: return .ignore("event \(event.prefix(40)) is not one Warden acts on")
        }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return .malformed("the body is not a JSON object") }
        guard let action = object["action"] as? String, let pull = object["pull_request"] as? [String: Any],
            let number = pull["number"] as? Int, let repository = (object["repository"] as? [String: Any])?["full_name"] as? String,
            repository.split(separator: "/").count == 2
        else { return .malformed("a pull_request event needs action, pull_request.number and repository.full_name") }
        let installation = (object["installation"] as? [String: Any])?["id"] as? Int
        let ref = MergeRequestRef(forge: .github, repository: repository, number: number, installationID: installation)
        switch action {
        case "opened", "reopened", "synchronize", "ready_for_review":
            return .queue(ref: ref, kind: .evaluate)
        case "edited":
            // A new target branch changes the diff and the policy; a new title does not.
            let changes = object["changes"] as? [String: Any]
            return changes?["base"] != nil ? .queue(ref: ref, kind: .evaluate) : .ignore("edited without a base change")
        case "closed":
            return .queue(ref: ref, kind: .close)
        default:
            return .ignore("pull_request action \(action.prefix(40)) needs no evaluation")
        }
    }

    /// GitLab: `X-Gitlab-Event` and the body.
    public static func gitlab(event: String, body: Data) -> WebhookAction {
        guard event == "Merge Request Hook" else { return .ignore("event \(event.prefix(40)) is not one Warden acts on") }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return .malformed("the body is not a JSON object") }
        guard let attributes = object["object_attributes"] as? [String: Any], let iid = attributes["iid"] as? Int,
            let project = object["project"] as? [String: Any], let projectID = project["id"] as? Int
        else { return .malformed("a merge request event needs object_attributes.iid and project.id") }
        let path = project["path_with_namespace"] as? String ?? String(projectID)
        let ref = MergeRequestRef(forge: .gitlab, repository: path, projectID: projectID, number: iid)
        let action = attributes["action"] as? String ?? ""
        switch action {
        case "open", "reopen":
            return .queue(ref: ref, kind: .evaluate)
        case "update":
            // A push carries `oldrev`; otherwise only metadata changed, which matters only
            // when the target branch did.
            if attributes["oldrev"] != nil { return .queue(ref: ref, kind: .evaluate) }
            let changes = object["changes"] as? [String: Any]
            return changes?["target_branch"] != nil ? .queue(ref: ref, kind: .evaluate) : .ignore("update without new commits or target branch")
        case "close", "merge":
            return .queue(ref: ref, kind: .close)
        default:
            return .ignore("merge request action \(action.prefix(40)) needs no evaluation")
        }
    }

    /// The key duplicates are recognised by: the forge's delivery id, or a digest of the body
    /// when the forge sent none.
    public static func deliveryKey(_ header: String?, body: Data) -> String {
        if let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty, header.count <= 200 { return header }
        return "sha256:" + Data(SHA256.hash(data: body)).hexString
    }
}
