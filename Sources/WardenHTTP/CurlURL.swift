import CCurl

/// A URL parsed by libcurl's own URL parser (`curl_url`), so the host Warden checks is the
/// host libcurl connects to: no second parser to disagree with on tricky input.
final class CurlURL {
    let handle: OpaquePointer
    let scheme: String
    let host: String

    /// Parses and checks `text`: https anywhere, plain http only to loopback hosts
    /// (127.0.0.0/8, ::1, localhost). Throws before any connection is made.
    init(_ text: String, method: String) throws(HTTPClientError) {
        guard let handle = curl_url() else {
            throw HTTPClientError(kind: .other, method: method, url: CurlURL.redact(text), detail: "out of memory", isRetryable: false)
        }
        let code = text.withCString { curl_url_set(handle, CURLUPART_URL, $0, 0) }
        guard code == CURLUE_OK, !text.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else {
            curl_url_cleanup(handle)
            throw HTTPClientError(
                kind: .invalidRequest, method: method, url: CurlURL.redact(text), detail: "not a valid absolute URL", isRetryable: false)
        }
        self.handle = handle
        scheme = CurlURL.part(handle, CURLUPART_SCHEME)?.lowercased() ?? ""
        host = CurlURL.part(handle, CURLUPART_HOST)?.lowercased() ?? ""
        switch scheme {
        case "https":
            break
        case "http" where CurlURL.isLoopback(host):
            break
        case "http":
            throw HTTPClientError(
                kind: .insecureURL, method: method, url: redacted,
                detail: "plain http is allowed only to loopback hosts (127.0.0.0/8, ::1, localhost); use https", isRetryable: false)
        default:
            throw HTTPClientError(kind: .insecureURL, method: method, url: redacted, detail: "only https URLs are allowed", isRetryable: false)
        }
    }

    deinit { curl_url_cleanup(handle) }

    /// The URL as text with credentials removed, for messages and logs.
    var redacted: String {
        guard let copy = curl_url_dup(handle) else { return "<url>" }
        defer { curl_url_cleanup(copy) }
        curl_url_set(copy, CURLUPART_USER, nil, 0)
        curl_url_set(copy, CURLUPART_PASSWORD, nil, 0)
        curl_url_set(copy, CURLUPART_FRAGMENT, nil, 0)
        if let query = CurlURL.part(copy, CURLUPART_QUERY) {
            _ = CurlURL.redactQuery(query).withCString { curl_url_set(copy, CURLUPART_QUERY, $0, 0) }
        }
        return CurlURL.part(copy, CURLUPART_URL) ?? "<url>"
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "[::1]" || host == "::1" { return true }
        // Dotted IPv4 in 127.0.0.0/8 (libcurl normalises other numeric forms to this).
        var octets = 0, value = 0, digits = 0, first = -1
        for byte in host.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, value <= 255 else { return false }
                if first < 0 { first = value }
                octets += 1
                value = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3 else { return false }
            } else {
                return false
            }
        }
        return octets == 3 && digits > 0 && value <= 255 && first == 127
    }

    private static func part(_ handle: OpaquePointer, _ what: CURLUPart) -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, what, &pointer, 0) == CURLUE_OK, let pointer else { return nil }
        defer { curl_free(pointer) }
        return String(cString: pointer)
    }

    /// Query parameters whose names suggest a credential keep their name, not their value.
    static func redactQuery(_ query: String) -> String {
        let sensitive = ["token", "secret", "password", "passwd", "key", "signature", "sig", "auth", "credential", "code"]
        return query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = pair[..<equals].lowercased()
            return sensitive.contains(where: { name.contains($0) }) ? "\(pair[..<equals])=REDACTED" : String(pair)
        }.joined(separator: "&")
    }

    /// Redaction for text libcurl could not parse: drop everything between "://" and "@",
    /// and the query.
    static func redact(_ text: String) -> String {
        var out = String(text.prefix(300))
        if let query = out.firstIndex(where: { $0 == "?" || $0 == "#" }) { out = String(out[..<query]) }
        if let scheme = out.range(of: "://"), let at = out[scheme.upperBound...].firstIndex(of: "@") {
            out.removeSubrange(scheme.upperBound...at)
        }
        return out.filter { !$0.isNewline }
    }
}

