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
            if scalar.isASCII {
                // The common case, without Unicode property look-ups.
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar == " " {
                    if (scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"), !lastWasSpace {
                        scalars.append(" ")
                        lastWasSpace = true
                    }
                    continue
                }
                scalars.append(scalar)
                lastWasSpace = false
                continue
            }
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
        let bytes = Array(text.utf8)
        let scheme: [UInt8] = Array("://".utf8)
        guard bytes.count >= 3, (0...(bytes.count - 3)).contains(where: { bytes[$0] == 0x3A && bytes[$0 + 1] == 0x2F && bytes[$0 + 2] == 0x2F }) else {
            return text
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard i + 3 <= bytes.count, bytes[i..<(i + 3)].elementsEqual(scheme) else {
                out.append(bytes[i])
                i += 1
                continue
            }
            out += scheme
            i += 3
            var end = i
            while end < bytes.count && bytes[end] != 0x20 { end += 1 }
            var rest = bytes[i..<end]
            if let cut = rest.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { rest = rest[..<cut] }
            let hostEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            if let at = rest[..<hostEnd].lastIndex(of: UInt8(ascii: "@")) { rest = rest[(at + 1)...] }
            out += rest
            i = end
        }
        return String(decoding: out, as: UTF8.self)
    }
}
