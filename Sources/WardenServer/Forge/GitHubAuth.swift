import Crypto
import Foundation
import WardenHTTP
import _CryptoExtras

/// How Warden authenticates to GitHub: a token, or a GitHub App whose installation tokens
/// are minted from an RS256 JWT and cached until shortly before they expire.
public enum GitHubCredentials: Sendable {
    case token(Secret)
    case app(id: Int, privateKeyPEM: Secret)
}

actor GitHubAuthenticator {
    private let credentials: GitHubCredentials
    private let signingKey: _RSA.Signing.PrivateKey?
    private var installationTokens: [Int: (token: String, expires: Date)] = [:]
    private var repositoryInstallations: [String: Int] = [:]
    private let now: @Sendable () -> Date

    init(_ credentials: GitHubCredentials, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.credentials = credentials
        self.now = now
        if case .app(_, let pem) = credentials {
            do {
                signingKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem.value)
            } catch {
                throw ForgeError(operation: "GitHub App", message: "the private key is not an RSA key in PEM form", isRetryable: false)
            }
        } else {
            signingKey = nil
        }
    }

    var isApp: Bool {
        if case .app = credentials { return true }
        return false
    }

    /// The JWT that authenticates as the App itself (`GET /app`, installation tokens):
    /// RS256, issued a minute in the past for clock drift, valid nine minutes.
    func appJWT() throws -> String {
        guard case .app(let id, _) = credentials, let signingKey else {
            throw ForgeError(operation: "GitHub App", message: "no App is configured", isRetryable: false)
        }
        let issued = Int(now().timeIntervalSince1970) - 60
        let header = Data(#"{"alg":"RS256","typ":"JWT"}"#.utf8)
        let payload = Data(#"{"iat":\#(issued),"exp":\#(issued + 600),"iss":"\#(id)"}"#.utf8)
        let input = base64URL(header) + "." + base64URL(payload)
        let signature = try signingKey.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + base64URL(signature.rawRepresentation)
    }

    /// The `Authorization` header for calls about a repository. An App finds the
    /// repository's installation itself when the event did not name it.
    func authorization(installation: Int?, repository: String, http: ForgeHTTP) async throws -> HTTPHeaders {
        switch credentials {
        case .token(let token):
            return HTTPHeaders([("Authorization", "Bearer \(token.value)")])
        case .app:
            var installation = installation ?? repositoryInstallations[repository.lowercased()]
            if installation == nil {
                let parts = repository.split(separator: "/").map { ForgeHTTP.segment(String($0)) }.joined(separator: "/")
                let response = try await http.request("GET", "/repos/\(parts)/installation", auth: HTTPHeaders([("Authorization", "Bearer \(try appJWT())")]))
                if response.status == 404 {
                    throw ForgeError(operation: "GitHub App", status: 404, message: "the App is not installed on \(repository)", isRetryable: false)
                }
                try http.check(response, [200], "find the App's installation on \(repository)")
                struct Installation: Decodable { var id: Int }
                let found = try http.decode(Installation.self, response, "find the App's installation").id
                repositoryInstallations[repository.lowercased()] = found
                installation = found
            }
            guard let installation else {
                throw ForgeError(operation: "GitHub App", message: "no installation for \(repository)", isRetryable: false)
            }
            if let cached = installationTokens[installation], cached.expires.timeIntervalSince(now()) > 300 {
                return HTTPHeaders([("Authorization", "Bearer \(cached.token)")])
            }
            let jwt = try appJWT()
            let response = try await http.request(
                "POST", "/app/installations/\(installation)/access_tokens", auth: HTTPHeaders([("Authorization", "Bearer \(jwt)")]))
            try http.check(response, [201], "create an installation token")
            struct Token: Decodable {
                var token: String
                var expires_at: String?
            }
            let token = try http.decode(Token.self, response, "create an installation token")
            let expires = token.expires_at.flatMap { ISO8601DateFormatter().date(from: $0) } ?? now().addingTimeInterval(3600)
            installationTokens[installation] = (token.token, expires)
            return HTTPHeaders([("Authorization", "Bearer \(token.token)")])
        }
    }

    private func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
