import Foundation

/// SARIF 2.1.0 as GitHub code scanning accepts it: one run, rules with ids and
/// descriptions, results with a relative file URI and a start line (for a removed line, the
/// line of the new file where it was removed).
extension ChangeReport {
    public func sarif(toolVersion: String) -> String {
        var rules: [SARIF.Rule] = []
        var ruleIndex: [String: Int] = [:]
        var results: [SARIF.Result] = []
        for report in flaggedReports {
            for finding in report.findings {
                if ruleIndex[finding.rule] == nil {
                    ruleIndex[finding.rule] = rules.count
                    let description = finding.isCredential ? finding.reason.components(separatedBy: ": ").first ?? finding.reason : finding.reason
                    rules.append(
                        SARIF.Rule(
                            id: finding.rule, name: finding.rule,
                            shortDescription: .init(text: description.replacingOccurrences(of: " (in the enclosing code)", with: "")),
                            fullDescription: .init(text: "Warden area \(finding.area.rawValue): \(finding.area.summary)."),
                            defaultConfiguration: .init(level: finding.isCredential ? "error" : "warning"),
                            properties: .init(tags: ["security", "warden", "area:\(finding.area.rawValue)"])))
                }
                let line = finding.side == .old ? (finding.anchorLine ?? finding.line) : finding.line
                var message = "[\(finding.area.rawValue)] \(finding.reason)"
                if finding.side == .old, let old = finding.line { message += " (removed line \(old) of the old file)" }
                results.append(
                    SARIF.Result(
                        ruleId: finding.rule, ruleIndex: ruleIndex[finding.rule] ?? 0,
                        level: finding.isCredential ? "error" : "warning",
                        message: .init(text: message),
                        locations: [
                            .init(
                                physicalLocation: .init(
                                    artifactLocation: .init(uri: SARIF.uri(finding.file), uriBaseId: "%SRCROOT%"),
                                    region: .init(startLine: max(line ?? 1, 1))))
                        ]))
            }
        }
        let log = SARIF.Log(
            schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0",
            runs: [
                .init(
                    tool: .init(driver: .init(name: "Warden", version: toolVersion, rules: rules)),
                    results: results,
                    // SARIF has no place for provenance; a run's property bag carries it.
                    properties: .init(ai: JSONModel.AIJSON(ai, label: aiLabel), labels: decision.labels))
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
        guard let data = try? encoder.encode(log) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

enum SARIF {
    struct Log: Encodable {
        var schema: String
        var version: String
        var runs: [Run]
        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
        var properties: RunProperties
    }

    struct RunProperties: Encodable {
        var ai: JSONModel.AIJSON
        var labels: [String]
    }

    struct Tool: Encodable { var driver: Driver }

    struct Driver: Encodable {
        var name: String
        var version: String
        var rules: [Rule]
    }

    struct Text: Encodable { var text: String }

    struct Rule: Encodable {
        struct Configuration: Encodable { var level: String }
        struct Properties: Encodable { var tags: [String] }
        var id: String
        var name: String
        var shortDescription: Text
        var fullDescription: Text
        var defaultConfiguration: Configuration
        var properties: Properties
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var locations: [Location]
    }

    struct Location: Encodable { var physicalLocation: PhysicalLocation }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }

    struct ArtifactLocation: Encodable {
        var uri: String
        var uriBaseId: String
    }

    struct Region: Encodable { var startLine: Int }

    /// A relative URI for a repository path: each segment percent-encoded.
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#[]@;")
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }
            .joined(separator: "/")
    }
}
