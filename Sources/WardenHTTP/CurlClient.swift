import CCurl
import Foundation
import WardenDefaults

/// Warden's one HTTP client: libcurl's multi interface driven by a dedicated thread
/// (`curl_multi_poll`, woken by `curl_multi_wakeup`), so no event loop and no task of the
/// cooperative pool ever blocks on the network. Connections, TLS sessions and DNS answers
/// are shared by every request of a client, and reused.
///
/// Safe by default: https only (plain http solely to loopback hosts), peer and host
/// verification always on, TLS 1.2 or newer, redirects never followed (a 3xx is returned),
/// connect and total timeouts, a cap on the body, no `Expect: 100-continue`, compressed
/// responses accepted. libcurl honours the proxy variables `https_proxy`/`HTTPS_PROXY`,
/// `http_proxy`, `all_proxy`/`ALL_PROXY` and `no_proxy`/`NO_PROXY` (docs/HTTP.md).
public final class CurlClient: HTTPTransport, @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Sent as `User-Agent`; forges ask for one that names the application.
        public var userAgent: String
        public var connectTimeout: Duration
        /// Total time per request unless the request says otherwise.
        public var timeout: Duration
        /// Bodies larger than this (after decompression) fail with `responseTooLarge`.
        public var maxResponseBytes: Int
        /// A PEM file of CA certificates to trust instead of the system's (a self-managed
        /// GitLab or GitHub Enterprise Server with a private CA). Verification cannot be
        /// turned off.
        public var caBundlePath: String?
        /// Connections kept open for reuse, and at most this many to one host at a time
        /// (further requests wait for a free connection).
        public var maxConnections: Int
        public var maxConnectionsPerHost: Int

        public init(
            userAgent: String = CurlClient.defaultUserAgent, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30),
            maxResponseBytes: Int = 64 << 20, caBundlePath: String? = nil, maxConnections: Int = 64, maxConnectionsPerHost: Int = 32
        ) {
            self.userAgent = userAgent
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.caBundlePath = caBundlePath
            self.maxConnections = maxConnections
            self.maxConnectionsPerHost = maxConnectionsPerHost
        }
    }

    public let configuration: Configuration
    private let loop: CurlMultiLoop

    /// "Warden/0.1.0 (libcurl/7.88.1)".
    public static let defaultUserAgent = "Warden/\(WardenDefaults.version) (libcurl/\(libcurlVersion))"

    /// The version of the libcurl Warden runs on.
    public static var libcurlVersion: String { String(cString: warden_curl_version()) }

    /// Throws when the client would refuse `url` (not https, or plain http to a host that is
    /// not loopback, or not a URL libcurl can parse): the same check every request gets, for
    /// configuration validation to use before any request is made.
    public static func checkURL(_ url: String) throws(HTTPClientError) {
        _ = try CurlURL(url, method: "GET")
    }

    /// Starts the client's thread. Throws when libcurl cannot start or the CA bundle cannot
    /// be read.
    public init(configuration: Configuration = Configuration()) throws(HTTPClientError) {
        CurlGlobal.initialize
        if let path = configuration.caBundlePath, !FileManager.default.isReadableFile(atPath: path) {
            throw HTTPClientError(
                kind: .tlsFailure, method: "-", url: "-", detail: "the CA bundle \(path) does not exist or cannot be read", isRetryable: false)
        }
        self.configuration = configuration
        loop = try CurlMultiLoop(maxConnections: configuration.maxConnections, maxConnectionsPerHost: configuration.maxConnectionsPerHost)
    }

    deinit { loop.stop() }

    /// Stops the thread; requests in flight fail with `shutdown`. Idempotent.
    public func shutdown() { loop.stop() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let transfer = try CurlTransfer(request, configuration: configuration)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard transfer.attach(continuation) else { return }
                loop.submit(transfer)
            }
        } onCancel: {
            transfer.markCancelled()
            loop.cancel(transfer)
        }
    }
}

/// `curl_global_init` once per process, before any thread uses libcurl.
enum CurlGlobal {
    static let initialize: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        // A peer that closes a connection while libcurl writes must not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }()
}

/// The thread that owns the multi handle and every easy handle in it. Other threads talk to
/// it through a locked inbox and `curl_multi_wakeup`.
final class CurlMultiLoop: @unchecked Sendable {
    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var inbox: [Command] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    /// Loop thread only.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(maxConnections: Int, maxConnectionsPerHost: Int) throws(HTTPClientError) {
        guard let multi = curl_multi_init() else {
            throw HTTPClientError(kind: .other, method: "-", url: "-", detail: "curl_multi_init failed", isRetryable: false)
        }
        self.multi = multi
        _ = warden_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
        _ = warden_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        let thread = Thread { [self] in run() }
        thread.name = "warden-curl"
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) { post(.add(transfer), or: transfer) }

    func cancel(_ transfer: CurlTransfer) { post(.cancel(transfer), or: nil) }

    private func post(_ command: Command, or transfer: CurlTransfer?) {
        lock.lock()
        guard !stopping else {
            lock.unlock()
            if let transfer {
                transfer.finish(.failure(HTTPClientError(kind: .shutdown, method: transfer.method, url: transfer.redactedURL, detail: "", isRetryable: false)))
                transfer.cleanUp()
            }
            return
        }
        inbox.append(command)
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    /// Stops the loop and waits for the thread to let go of the multi handle.
    func stop() {
        lock.lock()
        let already = stopping
        stopping = true
        lock.unlock()
        guard !already else { return }
        curl_multi_wakeup(multi)
        finished.wait()
        curl_multi_cleanup(multi)
    }

    private func run() {
        while true {
            lock.lock()
            let commands = inbox
            inbox.removeAll(keepingCapacity: true)
            let stop = stopping
            lock.unlock()

            for command in commands {
                switch command {
                case .add(let transfer):
                    if transfer.isCancelled || stop {
                        transfer.finish(.failure(stop ? shutdownError(transfer) : CancellationError()))
                        transfer.cleanUp()
                    } else if curl_multi_add_handle(multi, transfer.easy) == CURLM_OK {
                        active[transfer.easy] = transfer
                    } else {
                        transfer.finish(.failure(HTTPClientError(kind: .other, method: transfer.method, url: transfer.redactedURL, detail: "curl_multi_add_handle failed", isRetryable: true)))
                        transfer.cleanUp()
                    }
                case .cancel(let transfer):
                    guard active[transfer.easy] === transfer else { continue }  // finished, or never started
                    retire(transfer, with: .failure(CancellationError()))
                }
            }
            if stop {
                for transfer in Array(active.values) { retire(transfer, with: .failure(shutdownError(transfer))) }
                finished.signal()
                return
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                var handle: UnsafeMutableRawPointer?
                var code = CURLE_OK
                guard warden_multi_message_done(message, &handle, &code) != 0, let handle, let transfer = active[handle] else { continue }
                retire(transfer, with: transfer.result(code: code))
            }
            var descriptors: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1_000, &descriptors)
        }
    }

    /// Takes a transfer out of the multi handle, frees it and hands its result over.
    private func retire(_ transfer: CurlTransfer, with result: Result<HTTPResponse, any Error>) {
        curl_multi_remove_handle(multi, transfer.easy)
        active[transfer.easy] = nil
        transfer.finish(result)
        transfer.cleanUp()
    }

    private func shutdownError(_ transfer: CurlTransfer) -> HTTPClientError {
        HTTPClientError(kind: .shutdown, method: transfer.method, url: transfer.redactedURL, detail: "", isRetryable: false)
    }
}
