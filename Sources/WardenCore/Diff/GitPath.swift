/// File names as git writes them in diff headers: optionally C-quoted
/// (`"a/caf\303\251 \"x\".txt"`), with `a/` and `b/` prefixes, `/dev/null` for no file, and
/// in plain `diff -u` output a tab and a timestamp after the name.
enum GitPath {
    /// A name from `rename from`, `copy to` and similar lines: no prefix to strip.
    static func name(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        let bytes = Array(raw)
        if bytes.first == UInt8(ascii: "\""), let (unquoted, _) = unquote(bytes, from: 0) {
            return String(decoding: unquoted, as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A name from a `---` or `+++` line; `nil` for `/dev/null`.
    static func fileName(_ raw: UnsafeBufferPointer<UInt8>, prefix: String?) -> String? {
        var bytes = Array(raw)
        if bytes.first == UInt8(ascii: "\""), let (unquoted, _) = unquote(bytes, from: 0) {
            bytes = unquoted
        } else if let tab = bytes.firstIndex(of: UInt8(ascii: "\t")) {
            bytes = Array(bytes[..<tab])
        } else {
            while bytes.last == UInt8(ascii: " ") { bytes.removeLast() }
        }
        let name = String(decoding: bytes, as: UTF8.self)
        if name == "/dev/null" { return nil }
        if let prefix, name.hasPrefix(prefix) { return String(name.dropFirst(prefix.count)) }
        return name
    }

    /// The two names of a `diff --git a/x b/y` line. Unquoted names may contain spaces; when
    /// both names are the same (no rename) the split is unambiguous, otherwise the first
    /// ` b/` wins and later header lines (`rename to`, `+++`) correct it.
    static func diffGitNames(_ raw: UnsafeBufferPointer<UInt8>) -> (String?, String?) {
        let bytes = Array(raw)
        var old: [UInt8]
        var new: [UInt8]
        if bytes.first == UInt8(ascii: "\"") {
            guard let (first, end) = unquote(bytes, from: 0) else { return (nil, nil) }
            old = first
            var rest = Array(bytes[min(end, bytes.count)...])
            while rest.first == UInt8(ascii: " ") { rest.removeFirst() }
            if rest.first == UInt8(ascii: "\""), let (second, _) = unquote(rest, from: 0) {
                new = second
            } else {
                new = rest
            }
        } else if let quote = bytes.firstIndex(of: UInt8(ascii: "\"")), quote > 0, bytes[quote - 1] == UInt8(ascii: " "),
            let (second, _) = unquote(bytes, from: quote)
        {
            old = Array(bytes[..<(quote - 1)])
            new = second
        } else {
            let spaces = bytes.indices.filter { bytes[$0] == UInt8(ascii: " ") }
            var chosen: Int?
            for s in spaces {
                let a = bytes[..<s], b = bytes[(s + 1)...]
                if strip(Array(a)) == strip(Array(b)) { chosen = s; break }
            }
            if chosen == nil {
                chosen = spaces.first { s in
                    s + 2 < bytes.count && bytes[s + 1] == UInt8(ascii: "b") && bytes[s + 2] == UInt8(ascii: "/")
                } ?? spaces.first
            }
            guard let split = chosen else { return (String(decoding: bytes, as: UTF8.self), nil) }
            old = Array(bytes[..<split])
            new = Array(bytes[(split + 1)...])
        }
        let oldName = String(decoding: old, as: UTF8.self)
        let newName = String(decoding: new, as: UTF8.self)
        let hasPrefixes = oldName.hasPrefix("a/") && newName.hasPrefix("b/")
        return (
            hasPrefixes ? String(oldName.dropFirst(2)) : oldName,
            hasPrefixes ? String(newName.dropFirst(2)) : newName
        )
    }

    private static func strip(_ name: [UInt8]) -> ArraySlice<UInt8> {
        if name.count > 2, name[1] == UInt8(ascii: "/"), name[0] == UInt8(ascii: "a") || name[0] == UInt8(ascii: "b") {
            return name[2...]
        }
        return name[...]
    }

    /// Unquotes a C-style quoted string starting at `start` (which must be `"`). Returns the
    /// bytes and the index after the closing quote, or `nil` when it is not closed.
    static func unquote(_ bytes: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var out: [UInt8] = []
        var i = start + 1
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { return (out, i + 1) }
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "a"): out.append(0x07)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "v"): out.append(0x0B)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(e - UInt8(ascii: "0"))
                    var digits = 1
                    while digits < 3, i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "7") {
                        value = value * 8 + Int(bytes[i] - UInt8(ascii: "0"))
                        i += 1
                        digits += 1
                    }
                    out.append(UInt8(truncatingIfNeeded: value))
                default: out.append(e)
                }
                continue
            }
            out.append(b)
            i += 1
        }
        return nil
    }
}

/// A path as git writes it in its output, C-quoted when it holds special characters
/// (`"caf\303\251.txt"`).
public enum GitQuotedPath {
    public static func unquote(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "\""), let (unquoted, _) = GitPath.unquote(bytes, from: 0) else { return text }
        return String(decoding: unquoted, as: UTF8.self)
    }
}
