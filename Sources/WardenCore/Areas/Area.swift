/// A security-sensitive area of a change (SPEC, Areas). The raw value is the canonical id
/// used in labels, config, JSON output and commands.
public enum Area: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case auth
    case crypto
    case fileIO = "file-io"
    case sql
    case config
    case secrets
    case injection
    case network
    case dependencies

    public var id: String { rawValue }

    /// What the area covers, for humans (comments, `warden explain`, SARIF rule help).
    public var summary: String {
        switch self {
        case .auth: "authentication and authorization"
        case .crypto: "cryptography and TLS"
        case .fileIO: "file-system access"
        case .sql: "database queries and schema"
        case .config: "security-relevant configuration"
        case .secrets: "hard-coded credentials and key material"
        case .injection: "untrusted input handling"
        case .network: "outbound calls and external integrations"
        case .dependencies: "supply chain: packages, lockfiles, registries"
        }
    }

    public static func < (lhs: Area, rhs: Area) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int { Area.allCases.firstIndex(of: self) ?? 0
    }
}

/// What a file is for, which decides which rules look at it.
///
/// Only `source` files carry content rules by default. Tests, docs and translations change
/// what a reviewer reads, not what runs: content signals there would route senior reviewers
/// to every test tweak and every changelog that mentions "password". Secrets are the
/// exception (a real key in a README is still leaked), so secret rules name all roles.
public enum FileRole: String, Sendable, Hashable, Codable, CaseIterable {
    case source
    case test
    case docs
    case translation
    case generated
    case vendored
    case asset

    /// The order in which role globs are tried: vendored and generated code first (whatever
    /// it contains), then documentation (a README in a test folder is documentation), tests
    /// last.
    public static let resolutionOrder: [FileRole] = [.vendored, .generated, .docs, .translation, .asset, .test]

    /// One bit per role, for masks.
    var bit: UInt8 {
        switch self {
        case .source: 1
        case .test: 2
        case .docs: 4
        case .translation: 8
        case .generated: 16
        case .vendored: 32
        case .asset: 64
        }
    }
}
