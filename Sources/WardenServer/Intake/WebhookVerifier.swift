import Crypto
import Foundation

/// Checks that a delivery comes from the forge, over the raw body, before anything parses
/// it. Every comparison is constant-time.
public enum WebhookVerifier {
    /// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
    public static func github(body: Data, signatureHeader: String?, secret: Secret) -> Bool {
        guard let header = signatureHeader?.trimmingCharacters(in: .whitespaces), header.hasPrefix("sha256="),
            let signature = Data(hex: String(header.dropFirst("sha256=".count))), signature.count == 32
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: SymmetricKey(data: Data(secret.value.utf8)))
    }

    /// GitLab: `X-Gitlab-Token` is the shared secret itself.
    public static func gitlabToken(_ header: String?, secret: Secret) -> Bool {
        guard let header else { return false }
        return constantTimeEqual(Data(header.utf8), Data(secret.value.utf8))
    }

    /// Standard Webhooks (GitLab's signing token): `webhook-signature: v1,<base64>` (several
    /// may be listed), HMAC-SHA256 with the decoded `whsec_` key over `id.timestamp.body`,
    /// and a timestamp within `tolerance` of now (replays of old deliveries fail).
    public static func standardWebhooks(
        body: Data, id: String?, timestamp: String?, signatures: String?, secret: Secret, now: Date = Date(), tolerance: TimeInterval = 300
    ) -> Bool {
        guard let id, let timestamp, let signatures, let seconds = TimeInterval(timestamp.trimmingCharacters(in: .whitespaces)),
            abs(now.timeIntervalSince1970 - seconds) <= tolerance
        else { return false }
        let encodedKey = secret.value.hasPrefix("whsec_") ? String(secret.value.dropFirst("whsec_".count)) : secret.value
        let key = SymmetricKey(data: Data(base64Encoded: encodedKey) ?? Data(secret.value.utf8))
        var signed = Data("\(id).\(timestamp.trimmingCharacters(in: .whitespaces)).".utf8)
        signed.append(body)
        for candidate in signatures.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let signature = Data(base64Encoded: String(parts[1])) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) { return true }
        }
        return false
    }

    /// Equal length and equal bytes, in time that depends only on the length.
    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        // Comparing digests makes the time independent of where the inputs differ and of
        // the secret's length.
        let left = SHA256.hash(data: a), right = SHA256.hash(data: b)
        var difference: UInt8 = 0
        for (x, y) in zip(left, right) { difference |= x ^ y }
        return difference == 0
    }
}

extension Data {
    /// Hex text to bytes; nil for anything else.
    init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var out = Data(capacity: bytes.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var index = 0
        while index < bytes.count {
            guard let high = value(bytes[index]), let low = value(bytes[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        self = out
    }
}
