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
    /// The action of a delivery from `forge` (intake, worker and replay read it the same way).
    public static func action(forge: ForgeKind, event: String, body: Data) -> WebhookAction {
        switch forge {
        case .github: github(event: event, body: body)
        case .gitlab: gitlab(event: event, body: body)
        }
    }

    /// GitHub: `X-GitHub-Event` and the body.
    public static func github(event: String, body: Data) -> WebhookAction {
        switch event {
        case "ping": return .ping
        case "pull_request": break
        case "installation", "installation_repositories":
            return .ignore("installation events need no work: tokens are minted per event")
        default: return .ignore("event \(event.prefix(40)) is not one Warden acts on")
        }
        // Only the fields needed, decoded directly (no Foundation object graph for the rest
        // of a payload that can be tens of kilobytes).
        struct Payload: Decodable {
            struct Pull: Decodable { var number: Int? }
            struct Repository: Decodable { var full_name: String? }
            struct Installation: Decodable { var id: Int? }
            struct Changes: Decodable { var base: IgnoredValue? }
            var action: String?
            var pull_request: Pull?
            var repository: Repository?
            var installation: Installation?
            var changes: Changes?
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: body) else { return .malformed("the body is not a JSON object of the expected shape") }
        guard let action = payload.action, let number = payload.pull_request?.number, let repository = payload.repository?.full_name,
            repository.split(separator: "/").count == 2
        else { return .malformed("a pull_request event needs action, pull_request.number and repository.full_name") }
        let ref = MergeRequestRef(forge: .github, repository: repository, number: number, installationID: payload.installation?.id)
        switch action {
        case "opened", "reopened", "synchronize", "ready_for_review":
            return .queue(ref: ref, kind: .evaluate)
        case "edited":
            // A new target branch changes the diff and the policy; a new title does not.
            return payload.changes?.base != nil ? .queue(ref: ref, kind: .evaluate) : .ignore("edited without a base change")
        case "closed":
            return .queue(ref: ref, kind: .close)
        default:
            return .ignore("pull_request action \(action.prefix(40)) needs no evaluation")
        }
    }

    /// GitLab: `X-Gitlab-Event` and the body.
    public static func gitlab(event: String, body: Data) -> WebhookAction {
        guard event == "Merge Request Hook" else { return .ignore("event \(event.prefix(40)) is not one Warden acts on") }
        struct Payload: Decodable {
            struct Attributes: Decodable {
                var iid: Int?
                var action: String?
                var oldrev: IgnoredValue?
            }
            struct Project: Decodable {
                var id: Int?
                var path_with_namespace: String?
            }
            struct Changes: Decodable { var target_branch: IgnoredValue? }
            var object_attributes: Attributes?
            var project: Project?
            var changes: Changes?
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: body) else { return .malformed("the body is not a JSON object of the expected shape") }
        guard let iid = payload.object_attributes?.iid, let projectID = payload.project?.id else {
            return .malformed("a merge request event needs object_attributes.iid and project.id")
        }
        let ref = MergeRequestRef(forge: .gitlab, repository: payload.project?.path_with_namespace ?? String(projectID), projectID: projectID, number: iid)
        switch payload.object_attributes?.action ?? "" {
        case "open", "reopen":
            return .queue(ref: ref, kind: .evaluate)
        case "update":
            // A push carries `oldrev`; otherwise only metadata changed, which matters only
            // when the target branch did.
            if payload.object_attributes?.oldrev != nil { return .queue(ref: ref, kind: .evaluate) }
            return payload.changes?.target_branch != nil ? .queue(ref: ref, kind: .evaluate) : .ignore("update without new commits or target branch")
        case "close", "merge":
            return .queue(ref: ref, kind: .close)
        case let action:
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

/// Any JSON value, present or not; its content is not needed.
struct IgnoredValue: Decodable {
    init(from decoder: any Decoder) throws {}
}
