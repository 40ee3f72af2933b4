import Foundation
import NIOCore
import Testing
import WardenTestSupport

@testable import WardenHTTP

/// Answers every request with what it received: method, body length and body.
@Sendable func echo(_ request: RecordedRequest) -> TestResponse {
    var headers: [(name: String, value: String)] = [("X-Method", request.method), ("X-Body-Length", String(request.body.count))]
    if let type = request.header("Content-Type") { headers.append(("X-Content-Type", type)) }
    return TestResponse(status: 200, headers: headers, body: request.body)
}

/// Runs `body` with a fresh client and server, shutting both down afterwards.
func withServer<T>(
    tls: TestCertificateAuthority? = nil, configuration: CurlClient.Configuration = CurlClient.Configuration(),
    handler: @escaping @Sendable (RecordedRequest) -> TestResponse = echo,
    _ body: (CurlClient, LoopbackServer) async throws -> T
) async throws -> T {
    let server = try await LoopbackServer(tls: try tls?.serverContext(), handler: handler)
    let client = try CurlClient(configuration: configuration)
    do {
        let result = try await body(client, server)
        client.shutdown()
        await server.shutdown()
        return result
    } catch {
        client.shutdown()
        await server.shutdown()
        throw error
    }
}

@Suite("libcurl client")
struct CurlClientTests {
    @Test func everyMethodWithAndWithoutBodies() async throws {
        try await withServer { client, server in
            for method in ["GET", "DELETE"] {
                let response = try await client.send(HTTPRequest(method: method, url: server.baseURL + "/items/1"))
                #expect(response.status == 200)
                #expect(response.headers["x-method"] == method)
                #expect(response.body.isEmpty)
            }
            for method in ["POST", "PUT", "PATCH", "DELETE"] {
                let payload = Data("{\"name\": \"\(method)\"}".utf8)
                var headers = HTTPHeaders()
                headers.add("Content-Type", "application/json")
                let response = try await client.send(HTTPRequest(method: method, url: server.baseURL + "/items", headers: headers, body: payload))
                #expect(response.headers["X-Method"] == method)
                #expect(response.headers["x-content-type"] == "application/json")
                #expect(response.body == payload)
            }
            // A body-carrying method without a body sends an empty one (never standard input),
            // and no made-up form content type.
            let empty = try await client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/lock"))
            #expect(empty.headers["x-body-length"] == "0")
            #expect(empty.headers["x-content-type"] == nil)
            let head = try await client.send(HTTPRequest(method: "HEAD", url: server.baseURL + "/"))
            #expect(head.status == 200)
            #expect(server.requests.last?.method == "HEAD")
        }
    }

    @Test func requestHeadersAreWhatWardenSends() async throws {
        let configuration = CurlClient.Configuration(userAgent: "Warden/9.9 (test)")
        try await withServer(configuration: configuration) { client, server in
            var headers = HTTPHeaders()
            headers.add("Authorization", "Bearer not-a-real-token")
            headers.add("Accept", "application/vnd.github+json")
            let big = Data(repeating: 0x61, count: 200_000)
            _ = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/x", headers: headers, body: big))
            let request = try #require(server.requests.last)
            #expect(request.header("User-Agent") == "Warden/9.9 (test)")
            #expect(request.header("Authorization") == "Bearer not-a-real-token")
            #expect(request.header("Accept") == "application/vnd.github+json")
            #expect(request.header("Expect") == nil)  // no 100-continue round trip for large bodies
            #expect(request.header("Accept-Encoding")?.contains("gzip") == true)
            #expect(request.body.count == 200_000)
        }
    }

    @Test func theDefaultUserAgentNamesWardenAndItsVersion() async throws {
        try await withServer { client, server in
            _ = try await client.send(HTTPRequest(url: server.baseURL + "/"))
            let agent = server.requests.last?.header("User-Agent") ?? ""
            #expect(agent.hasPrefix("Warden/0.") && agent.contains("libcurl/"), "\(agent)")
        }
    }

    @Test func compressedResponsesAreDecoded() async throws {
        let gzipped: [UInt8] = [
            31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 75, 206, 207, 45, 40, 74, 45, 46, 78, 77, 81, 72, 202, 79, 169, 84, 200, 201, 204, 75, 229,
            74, 30, 21, 28, 21, 28, 21, 28, 217, 130, 0, 87, 193, 215, 215, 26, 4, 0, 0,
        ]
        try await withServer(handler: { _ in TestResponse(headers: [("Content-Encoding", "gzip")], body: gzipped) }) { client, server in
            let response = try await client.send(HTTPRequest(url: server.baseURL + "/"))
            #expect(String(decoding: response.body, as: UTF8.self) == String(repeating: "compressed body line\n", count: 50))
        }
    }

    @Test func largeResponsesArriveWhole() async throws {
        let size = 12 << 20
        let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try await withServer(handler: { _ in TestResponse(body: body) }) { client, server in
            let response = try await client.send(HTTPRequest(url: server.baseURL + "/big"))
            #expect(response.body.count == size)
            #expect(response.body == Data(body))
        }
    }

    @Test func theSizeCapStopsLargeBodies() async throws {
        let configuration = CurlClient.Configuration(maxResponseBytes: 1 << 20)
        let big = [UInt8](repeating: 0x62, count: 3 << 20)
        try await withServer(configuration: configuration, handler: { request in
            request.uri == "/chunked" ? TestResponse(body: big, trickle: (bytes: 256 << 10, every: .milliseconds(1))) : TestResponse(body: big)
        }) { client, server in
            // With a Content-Length, libcurl refuses before reading the body.
            let declared = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: server.baseURL + "/declared")) }
            #expect(declared?.kind == .responseTooLarge)
            #expect(declared?.isRetryable == false)
            // Chunked, the body is cut off as it passes the cap.
            let chunked = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: server.baseURL + "/chunked")) }
            #expect(chunked?.kind == .responseTooLarge)
            #expect(chunked?.description.contains("larger than 1048576 bytes") == true)
        }
    }

    @Test func timeoutsAreTypedAndRetryable() async throws {
        // The server would answer after 30 s; the request gives up after 0.3 s. How long it
        // waited is read from libcurl's own message ("Operation timed out after 301
        // milliseconds …"), not from the test's clock: under a parallel test run the task
        // that receives the error can wait many seconds for a thread, which once made a
        // wall-clock bound of 15 s fail although curl had given up after 0.3 s.
        try await withServer(handler: { _ in TestResponse(body: Array("late".utf8), delay: .seconds(30)) }) { client, server in
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(300)))
            }
            #expect(error?.kind == .timeout)
            #expect(error?.curlCode == 28)
            #expect(error?.isRetryable == true)
            let waited = (error?.detail).flatMap { detail in
                detail.firstMatch(of: /timed out after (\d+) milliseconds/).flatMap { Int($0.1) }
            }
            #expect(waited != nil, "libcurl's message names how long it waited: \(error?.detail ?? "-")")
            #expect((waited ?? .max) >= 300 && (waited ?? .max) < 5_000)
        }
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        let body = [UInt8](repeating: 0x63, count: 1 << 20)
        try await withServer(handler: { request in
            request.uri == "/trickle" ? TestResponse(body: body, trickle: (bytes: 1024, every: .milliseconds(50))) : TestResponse(body: Array("ok".utf8))
        }) { client, server in
            let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/trickle", timeout: .seconds(60))) }
            // Let the response start flowing, then cancel.
            while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(200))
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            // The whole body would take 51 s. Loose: under a parallel test run the task that
            // receives the result can wait many seconds for a thread (21 s was seen once).
            #expect(ContinuousClock.now - start < .seconds(45))
            #expect(throws: CancellationError.self) { try result.get() }
            // The client goes on working.
            let next = try await client.send(HTTPRequest(url: server.baseURL + "/after"))
            #expect(String(decoding: next.body, as: UTF8.self) == "ok")
        }
        // Cancelled before it starts: nothing is sent.
        try await withServer { client, server in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.send(HTTPRequest(url: server.baseURL + "/never"))
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func hundredConcurrentRequests() async throws {
        try await withServer(handler: { request in TestResponse(body: Array(request.uri.utf8)) }) { client, server in
            let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let response = try await client.send(HTTPRequest(url: server.baseURL + "/n/\(index)"))
                        return (index, String(decoding: response.body, as: UTF8.self))
                    }
                }
                var results: [Int: String] = [:]
                for try await (index, body) in group { results[index] = body }
                return results
            }
            #expect(bodies.count == 100)
            #expect((0..<100).allSatisfy { bodies[$0] == "/n/\($0)" })
            #expect(server.requests.count == 100)
            // At most maxConnectionsPerHost connections, kept for reuse.
            #expect(server.connectionCount <= 32)
        }
    }

    @Test func connectionsAreReused() async throws {
        try await withServer { client, server in
            for index in 0..<25 {
                let response = try await client.send(HTTPRequest(url: server.baseURL + "/seq/\(index)"))
                #expect(response.status == 200)
            }
            #expect(server.requests.count == 25)
            #expect(server.connectionCount == 1)
        }
    }

    @Test func httpsWithAPrivateCA() async throws {
        let authority = try TestCertificateAuthority()
        let bundle = try authority.writeCABundle()
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        try await withServer(tls: authority, configuration: CurlClient.Configuration(caBundlePath: bundle)) { client, server in
            #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
            let response = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/secure", body: Data("over tls".utf8)))
            #expect(response.status == 200)
            #expect(response.body == Data("over tls".utf8))
        }
        // The system's CAs do not know this one: verification fails, and retrying will not help.
        try await withServer(tls: authority) { client, server in
            let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: server.baseURL + "/secure")) }
            #expect(error?.kind == .tlsFailure)
            #expect(error?.isRetryable == false)
            #expect(server.requests.isEmpty)
        }
        // A CA bundle that does not exist is an error at start-up.
        #expect(throws: HTTPClientError.self) { try CurlClient(configuration: CurlClient.Configuration(caBundlePath: "/no/such/ca.pem")) }
    }

    @Test func plainHTTPOnlyToLoopback() async throws {
        try await withServer { client, server in
            for url in [
                "http://example.com/", "http://10.0.0.1/", "http://127.0.0.1.example.com/", "http://localhost.example.com/",
                "ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1:70/",
            ] {
                let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: url)) }
                #expect(error?.kind == .insecureURL, "\(url)")
            }
            for url in ["not a url", "https://", "/relative/path"] {
                let error = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: url)) }
                #expect(error?.kind == .invalidRequest, "\(url)")
            }
            #expect(server.connectionCount == 0)
            // Loopback by name works.
            let local = try await client.send(HTTPRequest(url: "http://localhost:\(server.port)/by-name"))
            #expect(local.status == 200)
        }
        #expect(CurlURL.isLoopback("127.0.0.1") && CurlURL.isLoopback("127.255.0.9") && CurlURL.isLoopback("[::1]"))
        #expect(!CurlURL.isLoopback("128.0.0.1") && !CurlURL.isLoopback("127.0.0.1.nip.io") && !CurlURL.isLoopback("127.0.0.256"))
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await withServer(handler: { request in
            request.uri == "/start"
                ? TestResponse(status: 302, headers: [("Location", "/elsewhere")]) : TestResponse(body: Array("followed".utf8))
        }) { client, server in
            var headers = HTTPHeaders()
            headers.add("PRIVATE-TOKEN", "glpat-notreal")
            let response = try await client.send(HTTPRequest(url: server.baseURL + "/start", headers: headers))
            #expect(response.status == 302)
            #expect(response.headers["location"] == "/elsewhere")
            #expect(server.requests.map(\.uri) == ["/start"])
        }
    }

    @Test func errorsNameTheProblemButNoSecrets() async throws {
        let client = try CurlClient()
        defer { client.shutdown() }
        // Nothing listens on port 1.
        let refused = await #expect(throws: HTTPClientError.self) {
            try await client.send(HTTPRequest(url: "http://user:hunter2@127.0.0.1:1/api?private_token=glpat-secret&page=2"))
        }
        #expect(refused?.kind == .connectFailure)
        #expect(refused?.isRetryable == true)
        let text = refused?.description ?? ""
        #expect(!text.contains("hunter2") && !text.contains("glpat-secret"))
        #expect(text.contains("private_token=REDACTED") && text.contains("page=2"))

        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer abc\r\nX-Injected: 1")
        let injected = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: "https://127.0.0.1:1/", headers: headers)) }
        #expect(injected?.kind == .invalidRequest)
        #expect(injected?.description.contains("abc") == false)
        let method = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(method: "GET /x HTTP/1.1\r\n", url: "https://127.0.0.1:1/")) }
        #expect(method?.kind == .invalidRequest)
    }

    @Test func shutdownFailsWhatIsInFlight() async throws {
        let server = try await LoopbackServer { _ in TestResponse(body: Array("late".utf8), delay: .seconds(5)) }
        let client = try CurlClient()
        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/slow")) }
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        client.shutdown()
        let error = await #expect(throws: HTTPClientError.self) { try await task.value }
        #expect(error?.kind == .shutdown)
        let after = await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: server.baseURL + "/")) }
        #expect(after?.kind == .shutdown)
        await server.shutdown()
    }
}
