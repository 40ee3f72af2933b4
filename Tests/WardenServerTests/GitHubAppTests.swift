import Crypto
import Foundation
import Testing
import WardenHTTP
import WardenTestSupport
import _CryptoExtras

@testable import WardenServer

/// A clock the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

@Suite("GitHub App authentication")
struct GitHubAppTests {
    @Test func installationTokensAreMintedWithAValidJWTCachedAndRefreshedBeforeExpiry() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let clock = TestClock()
        let minted = Counter()
        let server = try await LoopbackServer { request in
            let bearer = request.header("Authorization")?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
            // Every App call carries an RS256 JWT signed by the App's key, issued by its id.
            let parts = bearer.split(separator: ".").map(String.init)
            guard parts.count == 3, let signature = base64URLDecoded(parts[2]),
                key.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5),
                let payload = base64URLDecoded(parts[1]).map({ String(decoding: $0, as: UTF8.self) }), payload.contains(#""iss":"4242""#)
            else { return TestResponse(status: 401, body: Array(#"{"message":"A JSON web token could not be decoded"}"#.utf8)) }
            switch (request.method, request.uri) {
            case ("GET", "/repos/acme/app/installation"):
                return TestResponse(body: Array(#"{"id":77}"#.utf8))
            case ("POST", "/app/installations/77/access_tokens"):
                let n = minted.next()
                // Valid for an hour from the test clock's now.
                let expires = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(3600))
                return TestResponse(status: 201, body: Array(#"{"token":"ghs_installation_\#(n)","expires_at":"\#(expires)"}"#.utf8))
            default:
                return TestResponse(status: 404)
            }
        }
        let client = try CurlClient()
        defer { client.shutdown() }
        let http = ForgeHTTP(transport: client, baseURL: server.baseURL, headers: HTTPHeaders())
        let auth = try GitHubAuthenticator(.app(id: 4242, privateKeyPEM: Secret(key.pemRepresentation)), now: { clock.now })

        // No installation in the event: the App looks it up, then mints a token.
        let first = try await auth.authorization(installation: nil, repository: "acme/app", http: http)
        #expect(first["Authorization"] == "Bearer ghs_installation_1")
        // Cached while more than five minutes remain; the installation lookup is remembered.
        clock.advance(3000)
        #expect(try await auth.authorization(installation: nil, repository: "acme/app", http: http)["Authorization"] == "Bearer ghs_installation_1")
        // Within five minutes of expiry a new one is minted.
        clock.advance(400)
        #expect(try await auth.authorization(installation: nil, repository: "acme/app", http: http)["Authorization"] == "Bearer ghs_installation_2")
        #expect(server.requests.filter { $0.uri == "/repos/acme/app/installation" }.count == 1)
        #expect(minted.value == 2)
        await server.shutdown()
    }

    @Test func aKeyThatIsNotRSAIsRefusedWithoutEchoingIt() throws {
        let pem = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
        let error = #expect(throws: ForgeError.self) { try GitHubAuthenticator(.app(id: 1, privateKeyPEM: Secret(pem))) }
        #expect(error?.description.contains("not an RSA key") == true)
        #expect(error?.description.contains("bm90IGEga2V5") == false)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func next() -> Int { lock.withLock { count += 1; return count } }
}

func base64URLDecoded(_ text: String) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
}
