import Foundation

/// Putting untrusted text (file names, commit metadata, branch names) into Markdown that a
/// forge renders: it must neither format nor mention anyone nor close our HTML comment marker.
public enum MarkdownText {
    /// Text as a code span, with a fence longer than any run of backticks inside it.
    /// Mentions and HTML comment delimiters are broken with a zero-width joiner even here:
    /// not every renderer treats code spans alike, and a file name must never carry the
    /// marker Warden finds its own comment by.
    public static func code(_ text: String) -> String {
        let clean = singleLine(text)
            .replacingOccurrences(of: "@", with: "@\u{200D}")
            .replacingOccurrences(of: "-->", with: "--\u{200D}>")
            .replacingOccurrences(of: "<!--", with: "<\u{200D}!--")
        var longest = 0, run = 0
        for character in clean {
            if character == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = clean.hasPrefix("`") || clean.hasSuffix("`") || clean.isEmpty ? " " : ""
        return fence + pad + clean + pad + fence
    }

    /// Plain text for inside a line (a table cell, after other text): the characters that
    /// format there are escaped, HTML is neutralised and @mentions are broken (a zero-width
    /// joiner after `@`); newlines become spaces.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in singleLine(text) {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "|", "~":
                out.append("\\")
                out.append(character)
            case ">": out += "&gt;"
            case "<": out += "&lt;"
            case "&": out += "&amp;"
            case "@": out += "@\u{200D}"
            default: out.append(character)
            }
        }
        return out
    }

    /// Newlines and other control characters become spaces; very long text is cut.
    static func singleLine(_ text: String, limit: Int = 300) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
                out.append(" ")
            } else {
                out.unicodeScalars.append(scalar)
            }
            if out.count >= limit { return out + "…" }
        }
        return out
    }
}
