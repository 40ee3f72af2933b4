/// Commit metadata shown as evidence is untrusted text: it is cleaned before it reaches any
/// output (control and bidirectional-override characters removed, whitespace collapsed,
/// URL credentials and query strings dropped, length bounded). Renderers still escape it for
/// their format.
enum EvidenceText {
    static let maximumLength = 120

    static func clean(_ text: some StringProtocol) -> String {
        clean(text, limit: maximumLength)
    }

    static func clean(_ text: some StringProtocol, limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = true
        var count = 0
        for scalar in text.unicodeScalars {
            if count > limit * 4 { break }
            count += 1
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                || scalar.properties.generalCategory == .lineSeparator || scalar.properties.generalCategory == .paragraphSeparator
                || scalar.properties.isWhitespace
            {
                // Tabs and newlines become a space; zero-width and direction controls vanish.
                if scalar.properties.isWhitespace, !lastWasSpace {
                    scalars.append(" ")
                    lastWasSpace = true
                }
                continue
            }
            scalars.append(scalar)
            lastWasSpace = false
        }
        var out = String(scalars)
        if out.hasSuffix(" ") { out.removeLast() }
        out = withoutURLSecrets(out)
        if out.count > limit { out = String(out.prefix(limit - 1)) + "…" }
        return out
    }

    /// `https://user:token@host/path?key=v#x` → `https://host/path`.
    static func withoutURLSecrets(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var words: [String] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            guard let scheme = word.range(of: "://") else {
                words.append(String(word))
                continue
            }
            var rest = word[scheme.upperBound...]
            if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
            let hostEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<hostEnd].lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
            words.append(String(word[..<scheme.upperBound]) + rest)
        }
        return words.joined(separator: " ")
    }
}
