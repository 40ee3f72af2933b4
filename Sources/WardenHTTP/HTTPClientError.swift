/// Why a request got no response, said so an operator can act on it: what failed, libcurl's
/// code and text, the URL with credentials removed, and whether trying again makes sense.
/// Never carries request headers (they hold tokens).
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The request is malformed (bad method, header with a line break, unparseable URL).
        case invalidRequest
        /// Plain http to a host that is not loopback, or a scheme other than http(s).
        case insecureURL
        case dnsFailure
        case connectFailure
        /// Handshake or certificate verification failed.
        case tlsFailure
        case timeout
        /// The connection broke mid-exchange (reset, empty reply, partial body).
        case connectionLost
        /// The body exceeded the client's limit.
        case responseTooLarge
        /// The client was shut down.
        case shutdown
        case other
    }

    public var kind: Kind
    public var method: String
    /// The URL with user, password and token-like query values removed.
    public var url: String
    /// libcurl's `CURLcode`, when libcurl reported the failure.
    public var curlCode: Int?
    /// libcurl's explanation (its error buffer, or `curl_easy_strerror`).
    public var detail: String
    /// Whether sending the same request again may succeed (timeouts, dropped connections).
    public var isRetryable: Bool

    public init(kind: Kind, method: String, url: String, curlCode: Int? = nil, detail: String, isRetryable: Bool) {
        self.kind = kind
        self.method = method
        self.url = url
        self.curlCode = curlCode
        self.detail = detail
        self.isRetryable = isRetryable
    }

    public var description: String {
        var text = "\(method) \(url): \(summary)"
        if let curlCode { text += " (curl \(curlCode): \(detail))" } else if !detail.isEmpty { text += ": \(detail)" }
        text += isRetryable ? "; retrying may help" : "; retrying will not help"
        return text
    }

    private var summary: String {
        switch kind {
        case .invalidRequest: "invalid request"
        case .insecureURL: "refused: not https"
        case .dnsFailure: "host name not found"
        case .connectFailure: "cannot connect"
        case .tlsFailure: "TLS failed"
        case .timeout: "timed out"
        case .connectionLost: "connection lost"
        case .responseTooLarge: "response too large"
        case .shutdown: "client shut down"
        case .other: "request failed"
        }
    }
}
