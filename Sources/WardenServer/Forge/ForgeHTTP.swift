import Foundation
import WardenHTTP

/// The HTTP plumbing both forge clients share: a base URL, JSON in and out, pagination, and
/// errors turned into ``ForgeError`` (with the server's message, never a token).
struct ForgeHTTP: Sendable {
    let transport: any HTTPTransport
    let baseURL: String
    /// Sent with every request (Accept, API version).
    let headers: HTTPHeaders

    /// Percent-encodes one path segment (a label name, a file path for GitLab).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(segment($0.0))=\(segment($0.1))" }.joined(separator: "&")
    }

    func request(
        _ method: String, _ path: String, query: [(String, String)] = [], auth: HTTPHeaders, accept: String? = nil, json: (any Encodable)? = nil
    ) async throws -> HTTPResponse {
        try await request(method, url: baseURL + path + ForgeHTTP.query(query), auth: auth, accept: accept, json: json)
    }

    func request(_ method: String, url: String, auth: HTTPHeaders, accept: String? = nil, json: (any Encodable)? = nil) async throws -> HTTPResponse {
        var all = headers
        for header in auth { all.set(header.name, header.value) }
        if let accept { all.set("Accept", accept) }
        var body: Data?
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            body = try encoder.encode(json)
            all.set("Content-Type", "application/json")
        }
        do {
            return try await transport.send(HTTPRequest(method: method, url: url, headers: all, body: body))
        } catch let error as HTTPClientError {
            throw ForgeError(operation: "\(method) \(error.url)", message: error.description, isRetryable: error.isRetryable)
        }
    }

    /// Decodes a JSON body, or throws a ``ForgeError`` naming what was expected.
    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, _ operation: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw ForgeError(operation: operation, status: response.status, message: "unexpected response body (\(String(describing: T.self)))", isRetryable: false)
        }
    }

    /// Throws unless the status is one of `expected`.
    func check(_ response: HTTPResponse, _ expected: Set<Int>, _ operation: String) throws {
        guard !expected.contains(response.status) else { return }
        throw ForgeHTTP.error(response, operation)
    }

    static func error(_ response: HTTPResponse, _ operation: String) -> ForgeError {
        let decision = RetryPolicy().decide(method: "GET", response: response, attempt: 1, now: Date(), jitter: 0.5)
        var retryAfter: Duration?
        var retryable = response.status >= 500 || response.status == 429
        if case .retry(let wait, _) = decision {
            retryable = true
            retryAfter = wait
        } else if case .giveUp = decision, let wait = RetryPolicy().rateLimitWait(response, now: Date()) {
            // A rate limit too long for a request to wait out: the job waits until the reset.
            retryable = true
            retryAfter = wait
        }
        return ForgeError(operation: operation, status: response.status, message: message(response), isRetryable: retryable, retryAfter: retryAfter)
    }

    /// The forge's own explanation (`message`, `error`), cleaned and shortened.
    static func message(_ response: HTTPResponse) -> String {
        var text = ""
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            if let message = object["message"] as? String {
                text = message
            } else if let message = object["message"] {
                text = "\(message)"
            } else if let error = object["error"] as? String {
                text = error
            }
            if let errors = object["errors"] as? [[String: Any]] {
                let details = errors.compactMap { ($0["message"] as? String) ?? ($0["code"] as? String) }
                if !details.isEmpty { text += " (" + details.joined(separator: "; ") + ")" }
            }
        }
        if text.isEmpty { text = String(decoding: response.body.prefix(200), as: UTF8.self) }
        return String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(300))
    }

    /// The `rel="next"` URL of a GitHub `Link` header.
    static func nextLink(_ response: HTTPResponse) -> String? {
        guard let link = response.headers["link"] else { return nil }
        for part in link.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count >= 2, pieces.dropFirst().contains(where: { $0 == "rel=\"next\"" }) else { continue }
            let url = pieces[0]
            guard url.hasPrefix("<"), url.hasSuffix(">") else { continue }
            return String(url.dropFirst().dropLast())
        }
        return nil
    }
}
