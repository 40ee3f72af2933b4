import CCurl
import Foundation

/// One request in flight: its easy handle, the buffers libcurl reads from and writes to, and
/// the continuation of the task waiting for it. libcurl calls back on the loop's thread only;
/// the continuation is resumed exactly once, under the lock.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    let method: String
    let redactedURL: String
    private let url: CurlURL
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var requestBody: UnsafeMutableRawBufferPointer?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maxResponseBytes: Int

    // Written by libcurl's callbacks on the loop thread.
    private(set) var responseBody = Data()
    private(set) var responseHeaders = HTTPHeaders()
    private(set) var exceededLimit = false

    private let lock = NSLock()
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    private var outcome: Result<HTTPResponse, any Error>?
    private var cancelled = false

    /// Builds and configures the easy handle; nothing is sent until the loop adds it.
    init(_ request: HTTPRequest, configuration: CurlClient.Configuration) throws(HTTPClientError) {
        let method = request.method.uppercased()
        self.method = method
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw HTTPClientError(kind: .invalidRequest, method: String(method.prefix(20)), url: CurlURL.redact(request.url), detail: "bad method", isRetryable: false)
        }
        url = try CurlURL(request.url, method: method)
        redactedURL = url.redacted
        for header in request.headers {
            let nameOK = !header.name.isEmpty && header.name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
            let valueOK = !header.value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
            guard nameOK, valueOK else {
                // The header's name only: its value may be a token.
                throw HTTPClientError(
                    kind: .invalidRequest, method: method, url: redactedURL,
                    detail: "header '\(header.name.prefix(40).filter { !$0.isNewline })' has characters HTTP does not allow", isRetryable: false)
            }
        }
        guard let easy = curl_easy_init() else {
            throw HTTPClientError(kind: .other, method: method, url: redactedURL, detail: "curl_easy_init failed", isRetryable: false)
        }
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        maxResponseBytes = configuration.maxResponseBytes

        let context = Unmanaged.passUnretained(self).toOpaque()
        var ok = true
        func long(_ option: CURLoption, _ value: Int) { ok = ok && warden_easy_setopt_long(easy, option, value) == CURLE_OK }
        func string(_ option: CURLoption, _ value: String) { ok = ok && value.withCString { warden_easy_setopt_string(easy, option, $0) } == CURLE_OK }

        ok = ok && warden_easy_setopt_pointer(easy, CURLOPT_CURLU, UnsafeMutableRawPointer(url.handle)) == CURLE_OK
        string(CURLOPT_PROTOCOLS_STR, "http,https")
        string(CURLOPT_REDIR_PROTOCOLS_STR, "https")
        long(CURLOPT_FOLLOWLOCATION, 0)
        long(CURLOPT_NOSIGNAL, 1)
        long(CURLOPT_SSL_VERIFYPEER, 1)
        long(CURLOPT_SSL_VERIFYHOST, 2)
        long(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2)
        if let caBundle = configuration.caBundlePath { string(CURLOPT_CAINFO, caBundle) }
        long(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        long(CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.timeout).milliseconds)
        ok = ok && warden_easy_setopt_offset(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)) == CURLE_OK
        string(CURLOPT_ACCEPT_ENCODING, "")  // every encoding this libcurl decodes (gzip, deflate, br, zstd)
        string(CURLOPT_USERAGENT, configuration.userAgent)
        long(CURLOPT_TCP_KEEPALIVE, 1)
        ok = ok && warden_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)) == CURLE_OK
        ok = ok && warden_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody) == CURLE_OK
        ok = ok && warden_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context) == CURLE_OK
        ok = ok && warden_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader) == CURLE_OK
        ok = ok && warden_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context) == CURLE_OK
        ok = ok && warden_easy_setopt_pointer(easy, CURLOPT_PRIVATE, context) == CURLE_OK

        // Method and body. libcurl would read a POST body from standard input without
        // POSTFIELDS, so methods that carry a body always get one (possibly empty).
        var headers = request.headers
        let sendsBody = request.body != nil || ["POST", "PUT", "PATCH"].contains(method)
        switch method {
        case "GET": long(CURLOPT_HTTPGET, 1)
        case "HEAD": long(CURLOPT_NOBODY, 1)
        case "POST": break
        default: string(CURLOPT_CUSTOMREQUEST, method)
        }
        if sendsBody {
            let body = request.body ?? Data()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
            body.copyBytes(to: buffer.bindMemory(to: UInt8.self), count: body.count)
            requestBody = buffer
            ok = ok && warden_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) == CURLE_OK
            ok = ok && warden_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffer.baseAddress) == CURLE_OK
            // libcurl's default is a form; an unlabelled body is just bytes.
            if !headers.contains("Content-Type") { headers.add("Content-Type", body.isEmpty ? "" : "application/octet-stream") }
        }
        headers.remove("Expect")
        headers.add("Expect", "")  // no "100-continue" round trip
        for header in headers {
            // "Name:" removes a header libcurl would add; "Name;" sends it empty.
            let line = header.value.isEmpty ? "\(header.name):" : "\(header.name): \(header.value)"
            headerList = curl_slist_append(headerList, line)
        }
        ok = ok && warden_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList) == CURLE_OK
        guard ok else {
            cleanUp()
            throw HTTPClientError(kind: .other, method: method, url: redactedURL, detail: "libcurl rejected an option", isRetryable: false)
        }
    }

    /// Frees the handle and buffers. Called once, on the loop thread after the handle left
    /// the multi handle (or on the caller's thread when it never joined it).
    func cleanUp() {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        headerList = nil
        requestBody?.deallocate()
        requestBody = nil
        errorBuffer.deallocate()
    }

    // MARK: - Continuation

    /// Attaches the waiting task. Returns false when the transfer already finished (it was
    /// cancelled before it started): the continuation has been resumed.
    func attach(_ continuation: CheckedContinuation<HTTPResponse, any Error>) -> Bool {
        lock.lock()
        if let outcome {
            lock.unlock()
            continuation.resume(with: outcome)
            return false
        }
        self.continuation = continuation
        lock.unlock()
        return true
    }

    /// Finishes once; later calls are ignored.
    func finish(_ result: Result<HTTPResponse, any Error>) {
        lock.lock()
        guard outcome == nil else {
            lock.unlock()
            return
        }
        outcome = result
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(with: result)
    }

    func markCancelled() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    // MARK: - Callbacks (loop thread)

    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if responseBody.count + bytes.count > maxResponseBytes {
            exceededLimit = true
            return 0  // libcurl aborts with CURLE_WRITE_ERROR
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        // Bytes, not Foundation: GitHub sends some thirty header lines per response.
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var end = bytes.count
        while end > 0, isSpace(bytes[end - 1]) { end -= 1 }
        guard end > 0 else { return }
        if end >= 5, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"),
            bytes[4] == UInt8(ascii: "/")
        {
            // A new response (after an informational 1xx): start over.
            responseHeaders = HTTPHeaders()
            return
        }
        guard let colon = bytes[0..<end].firstIndex(of: UInt8(ascii: ":")) else { return }
        var nameEnd = colon
        while nameEnd > 0, isSpace(bytes[nameEnd - 1]) { nameEnd -= 1 }
        var valueStart = colon + 1
        while valueStart < end, isSpace(bytes[valueStart]) { valueStart += 1 }
        guard nameEnd > 0 else { return }
        responseHeaders.add(
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<nameEnd]), as: UTF8.self),
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<end]), as: UTF8.self))
    }

    /// The result of a finished transfer.
    func result(code: CURLcode) -> Result<HTTPResponse, any Error> {
        if code == CURLE_OK {
            var status = 0
            _ = warden_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody))
        }
        return .failure(error(code: code))
    }

    func error(code: CURLcode) -> HTTPClientError {
        let message = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let (kind, retryable) = exceededLimit ? (.responseTooLarge, false) : CurlTransfer.classify(code)
        let detail = kind == .responseTooLarge ? "the body is larger than \(maxResponseBytes) bytes" : message
        return HTTPClientError(kind: kind, method: method, url: redactedURL, curlCode: Int(code.rawValue), detail: detail, isRetryable: retryable)
    }

    static func classify(_ code: CURLcode) -> (HTTPClientError.Kind, Bool) {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: (.dnsFailure, true)
        case CURLE_COULDNT_CONNECT: (.connectFailure, true)
        case CURLE_OPERATION_TIMEDOUT: (.timeout, true)
        case CURLE_SSL_CONNECT_ERROR: (.tlsFailure, true)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE:
            (.tlsFailure, false)
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3:
            (.connectionLost, true)
        case CURLE_FILESIZE_EXCEEDED: (.responseTooLarge, false)
        case CURLE_UNSUPPORTED_PROTOCOL: (.insecureURL, false)
        case CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT: (.invalidRequest, false)
        default: (.other, false)
        }
    }
}

/// libcurl's write callback: the body, in pieces.
private let curlWriteBody: warden_curl_data_callback = { buffer, size, count, context in
    guard let context, let buffer else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
}

/// libcurl's header callback: one header line per call, the status line first.
private let curlWriteHeader: warden_curl_data_callback = { buffer, size, count, context in
    guard let context, let buffer else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
    return size * count
}

extension Duration {
    /// Whole milliseconds, at least 1.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
