import Yams

/// Reads YAML into typed values while collecting every problem with its line and column,
/// so `warden config validate` can report all of them at once. Decoding with `Codable`
/// would stop at the first error and lose positions.
public struct YAMLReader {
    public let file: String
    public private(set) var diagnostics: [ConfigDiagnostic] = []

    public init(file: String) { self.file = file }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Parses a document; syntax errors become diagnostics. An empty document is `nil`.
    public mutating func parse(_ text: String) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                diagnostics.append(
                    ConfigDiagnostic(
                        file: file, line: mark.line, column: mark.column, message: "YAML syntax error: \(what)",
                        hint: "check indentation and quoting on this line and the one before"))
            case .duplicatedKeysInMapping(let duplicates, let context):
                diagnostics.append(
                    ConfigDiagnostic(
                        file: file, line: context.mark.line, column: context.mark.column,
                        message: "duplicate keys: \(duplicates.joined(separator: ", "))",
                        hint: "each key may appear once in a mapping; merge the entries"))
            default:
                diagnostics.append(ConfigDiagnostic(file: file, message: "cannot read YAML: \(error)"))
            }
            return nil
        } catch {
            diagnostics.append(ConfigDiagnostic(file: file, message: "cannot read YAML: \(error)"))
            return nil
        }
    }

    public mutating func error(_ node: Node?, _ message: String, hint: String? = nil) {
        diagnostics.append(ConfigDiagnostic(.error, file: file, line: node?.mark?.line, column: node?.mark?.column, message: message, hint: hint))
    }

    public mutating func warning(_ node: Node?, _ message: String, hint: String? = nil) {
        diagnostics.append(ConfigDiagnostic(.warning, file: file, line: node?.mark?.line, column: node?.mark?.column, message: message, hint: hint))
    }

    /// The entries of a mapping, in order. Keys outside `allowed` are reported with the
    /// closest allowed key as a hint; pass `nil` to accept any key.
    public mutating func mapping(_ node: Node, _ what: String, allowed: [String]?) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(what) must be a mapping (key: value)", hint: allowed.map { "expected keys: \($0.joined(separator: ", "))" })
            return nil
        }
        var entries: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error(keyNode, "\(what): keys must be plain strings")
                continue
            }
            if let allowed, !allowed.contains(key) {
                let hint = Spelling.closest(to: key, in: allowed).map { "did you mean '\($0)'?" }
                    ?? "allowed keys: \(allowed.joined(separator: ", "))"
                error(keyNode, "unknown key '\(key)' in \(what)", hint: hint)
                continue
            }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    public mutating func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be a single value, not a list or mapping")
            return nil
        }
        return scalar.string
    }

    /// A list of strings; a single string is accepted as a list of one.
    public mutating func strings(_ node: Node, _ what: String) -> [String]? {
        switch node {
        case .scalar(let scalar):
            if scalar.string.isEmpty && scalar.style == .plain { return [] }
            return [scalar.string]
        case .sequence(let sequence):
            var values: [String] = []
            for item in sequence {
                guard case .scalar(let scalar) = item else {
                    error(item, "\(what) must be a list of strings")
                    continue
                }
                values.append(scalar.string)
            }
            return values
        default:
            error(node, "\(what) must be a list of strings", hint: "write it as [a, b] or one '- item' per line")
            return nil
        }
    }

    public mutating func int(_ node: Node, _ what: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            error(node, "\(what) must be a whole number")
            return nil
        }
        if let range, !range.contains(value) {
            error(node, "\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    public mutating func double(_ node: Node, _ what: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.replacingPercent) else {
            error(node, "\(what) must be a number")
            return nil
        }
        if let range, !range.contains(value) {
            error(node, "\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    public mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be true or false")
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error(node, "\(what) must be true or false, not '\(scalar.string)'")
            return nil
        }
    }
}

extension String {
    /// "30%" → "0.30"; other text unchanged.
    fileprivate var replacingPercent: String {
        guard hasSuffix("%"), let value = Double(dropLast()) else { return self }
        return String(value / 100)
    }
}
