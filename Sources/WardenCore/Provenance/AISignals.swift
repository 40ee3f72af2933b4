import Foundation
import Yams

/// Where an AI signal appears.
public enum SignalPlace: String, Sendable, Hashable, CaseIterable {
    case coAuthor = "co-author"
    case trailer
    case author
    case committer
    case subject
    case message
    case branch
    case description
    case mergeRequestAuthor = "mr-author"

    /// Places on a commit, as opposed to the merge request as a whole.
    public var isCommitLevel: Bool {
        switch self {
        case .coAuthor, .trailer, .author, .committer, .subject, .message: true
        case .branch, .description, .mergeRequestAuthor: false
        }
    }

    /// Places that hold an identity (`Name <email>`).
    var isIdentity: Bool { self == .coAuthor || self == .author || self == .committer }
}

/// One known way an AI assistant marks its work (`Config/ai-signals.yml`).
public struct AISignal: Sendable, Hashable {
    public var id: String
    public var tool: String
    public var places: [SignalPlace]
    /// For `trailer`: the trailer key, lowercased.
    public var key: String?
    public var pattern: String
    public var unless: String?
    public var strength: AIEvidence.Strength
}

/// A bot that is not AI: its commits are reported and left out of the share.
public struct BotSignature: Sendable, Hashable {
    public var id: String
    public var name: String
    public var pattern: String
}

/// The loaded and compiled contents of `Config/ai-signals.yml`. Immutable and thread-safe.
public struct AISignalSet: Sendable {
    public let signals: [AISignal]
    public let bots: [BotSignature]
    /// Globs of files never measured (lockfiles), besides generated and vendored files.
    public let exclude: [PathGlob]
    /// Lowercased tool name as written → the name shown.
    public let toolNames: [String: String]

    /// A class, so walking the candidates retains one reference, not every field.
    final class Compiled: @unchecked Sendable {
        let signal: AISignal
        let pattern: CompiledPattern
        let unless: CompiledRegex?

        init(signal: AISignal, pattern: CompiledPattern, unless: CompiledRegex?) {
            self.signal = signal
            self.pattern = pattern
            self.unless = unless
        }
    }

    let compiled: [SignalPlace: [Compiled]]
    let compiledBots: [(bot: BotSignature, pattern: CompiledPattern)]

    static let topLevelKeys = ["version", "exclude", "tool_names", "signals", "bots"]
    static let signalKeys = ["id", "tool", "in", "key", "pattern", "unless", "strength"]

    /// Loads a signals file. Throws ``ConfigError`` listing every problem.
    public init(file: String, text: String) throws(ConfigError) {
        var reader = YAMLReader(file: file)
        var signals: [AISignal] = []
        var bots: [BotSignature] = []
        var exclude: [String] = []
        var toolNames: [String: String] = [:]
        var compiled: [SignalPlace: [Compiled]] = [:]
        var compiledBots: [(BotSignature, CompiledPattern)] = []
        var seen = Set<String>()

        if let root = reader.parse(text), let entries = reader.mapping(root, "an AI signals file", allowed: AISignalSet.topLevelKeys) {
            for (key, _, value) in entries {
                switch key {
                case "version":
                    _ = reader.int(value, "version", range: 1...1)
                case "exclude":
                    exclude = reader.strings(value, "exclude") ?? []
                case "tool_names":
                    for (name, _, shown) in reader.mapping(value, "tool_names", allowed: nil) ?? [] {
                        if let shown = reader.string(shown, "tool_names.\(name)") { toolNames[name.lowercased()] = shown }
                    }
                case "signals":
                    guard case .sequence(let items) = value else {
                        reader.error(value, "signals must be a list", hint: "start each signal with '- id: ...'")
                        continue
                    }
                    for item in items {
                        guard let (signal, pattern, unless) = AISignalSet.signal(item, reader: &reader) else { continue }
                        guard seen.insert(signal.id).inserted else {
                            reader.error(item, "signal id '\(signal.id)' is defined twice", hint: "give each signal its own id")
                            continue
                        }
                        signals.append(signal)
                        for place in signal.places {
                            compiled[place, default: []].append(Compiled(signal: signal, pattern: pattern, unless: unless))
                        }
                    }
                case "bots":
                    guard case .sequence(let items) = value else {
                        reader.error(value, "bots must be a list", hint: "start each bot with '- id: ...'")
                        continue
                    }
                    for item in items {
                        guard let fields = reader.mapping(item, "a bot", allowed: ["id", "name", "pattern"]) else { continue }
                        var values: [String: Node] = [:]
                        for (field, _, node) in fields { values[field] = node }
                        guard let id = values["id"].flatMap({ reader.string($0, "bot id") }), let patternNode = values["pattern"],
                            let pattern = reader.string(patternNode, "bots.\(id).pattern")
                        else {
                            reader.error(item, "a bot needs an id and a pattern")
                            continue
                        }
                        let name = values["name"].flatMap { reader.string($0, "bots.\(id).name") } ?? id
                        guard let compiledPattern = AISignalSet.compile(pattern, node: patternNode, what: "bots.\(id).pattern", reader: &reader) else { continue }
                        let bot = BotSignature(id: id, name: name, pattern: pattern)
                        bots.append(bot)
                        compiledBots.append((bot, compiledPattern))
                    }
                default:
                    break
                }
            }
        }
        if reader.hasErrors { throw ConfigError(reader.diagnostics) }
        self.signals = signals
        self.bots = bots
        self.exclude = exclude.map(PathGlob.init)
        self.toolNames = toolNames
        self.compiled = compiled
        self.compiledBots = compiledBots
    }

    private static func signal(_ node: Node, reader: inout YAMLReader) -> (AISignal, CompiledPattern, CompiledRegex?)? {
        let errorsBefore = reader.diagnostics.count(where: { $0.severity == .error })
        guard let fields = reader.mapping(node, "a signal", allowed: signalKeys) else { return nil }
        var values: [String: Node] = [:]
        for (field, _, value) in fields { values[field] = value }
        guard let idNode = values["id"], let id = reader.string(idNode, "signal id"), !id.isEmpty else {
            reader.error(node, "a signal has no id", hint: "add `id: tool.what`, e.g. `id: claude-code.co-author`")
            return nil
        }
        let tool = values["tool"].flatMap { reader.string($0, "\(id).tool") } ?? ""
        if tool.isEmpty { reader.error(node, "signal '\(id)' has no tool", hint: "add `tool: <the assistant's name>`") }

        var places: [SignalPlace] = []
        if let placesNode = values["in"] {
            for name in reader.strings(placesNode, "\(id).in") ?? [] {
                if let place = SignalPlace(rawValue: name) {
                    places.append(place)
                } else {
                    let known = SignalPlace.allCases.map(\.rawValue)
                    reader.error(placesNode, "signal '\(id)': unknown place '\(name)'", hint: Spelling.closest(to: name, in: known).map { "did you mean '\($0)'?" } ?? "use one of \(known.joined(separator: ", "))")
                }
            }
        } else {
            reader.error(node, "signal '\(id)' does not say where it appears", hint: "add `in: co-author` (or trailer, author, message, branch, description, ...)")
        }
        let key = values["key"].flatMap { reader.string($0, "\(id).key") }?.lowercased()
        if places.contains(.trailer) && key == nil {
            reader.error(node, "signal '\(id)' reads a trailer but names no key", hint: "add `key: Assisted-by` (the trailer's key)")
        }

        var strength = AIEvidence.Strength.medium
        if let strengthNode = values["strength"], let text = reader.string(strengthNode, "\(id).strength") {
            if let value = AIEvidence.Strength(rawValue: text) {
                strength = value
            } else {
                reader.error(strengthNode, "signal '\(id)': strength must be strong, medium or weak, not '\(text)'")
            }
        } else {
            reader.error(node, "signal '\(id)' has no strength", hint: "add `strength: strong` (lower bound), `medium` or `weak` (upper bound only)")
        }
        if strength == .strong, places.contains(where: { !$0.isCommitLevel }) {
            reader.error(node, "signal '\(id)' is strong but reads the merge request, not a commit", hint: "merge-request hints cannot say which lines an assistant wrote; use medium or weak")
        }

        guard let patternNode = values["pattern"], let pattern = reader.string(patternNode, "\(id).pattern") else {
            reader.error(node, "signal '\(id)' has no pattern")
            return nil
        }
        let compiledPattern = compile(pattern, node: patternNode, what: "\(id).pattern", reader: &reader)
        var unless: CompiledRegex?
        if let unlessNode = values["unless"], let text = reader.string(unlessNode, "\(id).unless") {
            do { unless = try CompiledRegex("(?i)" + text) } catch {
                reader.error(unlessNode, "\(id).unless is not a valid regular expression")
            }
        }
        guard reader.diagnostics.count(where: { $0.severity == .error }) == errorsBefore, let compiledPattern else { return nil }
        return (AISignal(id: id, tool: tool, places: places, key: key, pattern: pattern, unless: values["unless"]?.scalar?.string, strength: strength), compiledPattern, unless)
    }

    /// Patterns are case-insensitive; they run on lowered text with a literal prefilter.
    private static func compile(_ pattern: String, node: Node, what: String, reader: inout YAMLReader) -> CompiledPattern? {
        let text = pattern.hasPrefix("(?i)") ? pattern : "(?i)" + pattern
        do {
            return try CompiledPattern(text)
        } catch {
            reader.error(node, "\(what) is not a valid regular expression", hint: "ICU syntax; quote it in single quotes and write one backslash: '\\.'")
            return nil
        }
    }

    // MARK: - Matching

    /// A signal seen in a piece of text.
    public struct Match: Sendable, Hashable {
        public var signal: AISignal
        public var tool: String
        public var model: String?
        /// The text it was seen in, cleaned and shortened.
        public var detail: String
    }

    /// The first signal for `place` that matches `text` (one line or one identity).
    public func match(_ text: String, in place: SignalPlace, trailerKey: String? = nil) -> Match? {
        guard let candidates = compiled[place], !text.isEmpty else { return nil }
        let bounded = text.utf16.count > 4_096 ? String(text.prefix(4_096)) : text
        var line = MatchText(bounded)
        for candidate in candidates {
            if place == .trailer, candidate.signal.key != trailerKey?.lowercased() { continue }
            guard let result = candidate.pattern.firstMatch(&line) else { continue }
            if let unless = candidate.unless, unless.matches(bounded) { continue }
            let ns = bounded as NSString
            func group(_ name: String) -> String? {
                let range = result.range(withName: name)
                guard range.location != NSNotFound, range.length > 0 else { return nil }
                let value = EvidenceText.clean(ns.substring(with: range), limit: 80)
                return value.isEmpty ? nil : value
            }
            let tool = group("tool").map(toolName) ?? candidate.signal.tool
            var model = group("model")
            if let value = model, value.lowercased() == tool.lowercased() { model = nil }
            let shown = place == .trailer ? "\(trailerKey ?? ""): \(bounded)" : bounded
            return Match(signal: candidate.signal, tool: tool, model: model, detail: EvidenceText.clean(shown))
        }
        return nil
    }

    /// The first signal for `place` on any line of `text`.
    func matchLines(_ text: String, in place: SignalPlace) -> Match? {
        guard let candidates = compiled[place], !candidates.isEmpty else { return nil }
        // Most messages carry no signal: check each candidate's literal requirement against the
        // whole text before looking at lines.
        var whole = MatchText(text.utf8.count > 262_144 ? String(text.prefix(262_144)) : text)
        guard candidates.contains(where: { whole.satisfies($0.pattern.requirement, lowercased: true) }) else { return nil }
        for line in whole.original.utf8.split(separator: UInt8(ascii: "\n")).prefix(2_000) {
            if let match = match(String(decoding: line, as: UTF8.self), in: place) { return match }
        }
        return nil
    }

    /// The bot an identity belongs to, if it is one of the known non-AI bots.
    public func bot(_ identity: GitIdentity) -> BotSignature? {
        var text = MatchText(identity.text)
        return compiledBots.first { $0.pattern.firstMatch(&text) != nil }?.bot
    }

    /// The name shown for a tool as notes, trailers and branches write it.
    public func toolName(_ written: String) -> String {
        toolNames[written.lowercased()] ?? written
    }

    /// Whether a file's added lines count towards the share (lockfiles do not).
    public func isExcluded(_ path: String) -> Bool {
        exclude.contains { $0.matches(path) }
    }
}
