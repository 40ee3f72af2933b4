/// Splits a rule pattern's top-level alternation into branches and finds, for each branch,
/// a literal every match of it must contain.
///
/// ICU tries every branch of `(A|B|C|…)` at every position of a line, so a 40-branch
/// pattern costs tens of microseconds per line. With the branches apart, a branch runs only
/// when its required literal occurs in the line (a byte search), which is usually one
/// branch of one rule. The split is conservative: anything it does not understand keeps the
/// pattern whole or the branch without a literal (always run).
enum PatternSplitter {
    struct Branch: Equatable {
        /// The branch as a pattern of its own (with the original's flags and named group).
        var pattern: String
        /// What a line must contain for the branch to match (lowercased when the pattern is
        /// case-insensitive); empty: nothing known, always run.
        var required: Requirement
    }

    /// Literals a matching line must contain: every one of `all`, and for each set in
    /// `anyOf`, at least one of its members.
    struct Requirement: Equatable {
        var all: [[UInt8]] = []
        var anyOf: [[[UInt8]]] = []
        var isEmpty: Bool { all.isEmpty && anyOf.isEmpty }
    }

    /// How far `.*`, `.+` and repeated negated classes in a rule pattern may reach.
    static let repeatReach = 256

    /// `pattern` with every unbounded `.*` / `.+` (outside character classes) made
    /// `.{0,256}` / `.{1,256}`, and likewise every negated class repeated without bound
    /// (`[^)]*`, `[^"']+`). Rules use them to join two parts of one statement; unbounded,
    /// a line repeating the first part thousands of times (minified code, or a diff written
    /// to stall the bot) costs time quadratic in its length for every such pattern. Lazy and
    /// possessive suffixes stay as they were.
    static func boundingOpenRepeats(_ pattern: String) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var inClass = false
        var negatedClass = false
        func boundedRepeat(_ quantifier: Unicode.Scalar) -> String { "{\(quantifier == "*" ? 0 : 1),\(repeatReach)}" }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" {
                out.append(c)
                if i + 1 < scalars.count { out.append(scalars[i + 1]) }
                i += 2
                continue
            }
            if inClass {
                out.append(c)
                i += 1
                if c == "]" {
                    inClass = false
                    if negatedClass, i < scalars.count, scalars[i] == "*" || scalars[i] == "+" {
                        out.append(contentsOf: boundedRepeat(scalars[i]).unicodeScalars)
                        i += 1
                    }
                }
                continue
            }
            if c == "[" {
                inClass = true
                out.append(c)
                i += 1
                // A `]` first in the class (after an optional `^`) is a literal.
                negatedClass = i < scalars.count && scalars[i] == "^"
                if negatedClass { out.append(scalars[i]); i += 1 }
                if i < scalars.count, scalars[i] == "]" { out.append(scalars[i]); i += 1 }
                continue
            }
            if c == ".", i + 1 < scalars.count, scalars[i + 1] == "*" || scalars[i + 1] == "+" {
                out.append(".")
                out.append(contentsOf: boundedRepeat(scalars[i + 1]).unicodeScalars)
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return String(out)
    }

    /// Whether `pattern` has a numbered backreference (`\1`), outside character classes.
    /// ``split(_:)`` runs each branch on its own, inside a group of its own, which renumbers
    /// the groups a number refers to (`warden config validate` warns about it).
    static func hasNumberedBackreference(_ pattern: String) -> Bool {
        let scalars = Array(pattern.unicodeScalars)
        var i = 0
        var inClass = false
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\", i + 1 < scalars.count {
                if !inClass, ("1"..."9").contains(scalars[i + 1]) { return true }
                i += 2
                continue
            }
            if c == "[" { inClass = true } else if c == "]" { inClass = false }
            i += 1
        }
        return false
    }

    /// The branches of `pattern`, or `nil` when it has no top-level alternation to split.
    static func split(_ pattern: String) -> [Branch]? {
        var scalars = Array(pattern.unicodeScalars)
        var flags = ""
        if scalars.starts(with: Array("(?i)".unicodeScalars)) {
            flags = "(?i)"
            scalars.removeFirst(4)
        }
        // An outer group around everything: `(…)`, `(?:…)` or `(?<name>…)`.
        var open = "(", close = ")"
        var body = scalars
        if let end = matchingParen(scalars, from: 0), end == scalars.count - 1 {
            var start = 1
            if scalars.count > 2, scalars[1] == "?" {
                if scalars[2] == ":" {
                    start = 3
                    open = "(?:"
                } else if scalars[2] == "<", let gt = scalars.firstIndex(of: ">"), gt < end, scalars[3] != "=" && scalars[3] != "!" {
                    start = gt + 1
                    open = String(String.UnicodeScalarView(scalars[0...gt]))
                } else {
                    return nil
                }
            }
            body = Array(scalars[start..<end])
        } else {
            open = "(?:"
        }
        let parts = topLevelAlternatives(body)
        guard parts.count > 1 else { return nil }
        let caseInsensitive = !flags.isEmpty
        return parts.map { part in
            let text = String(String.UnicodeScalarView(part))
            return Branch(pattern: flags + open + text + close, required: requirement(part, lowercase: caseInsensitive))
        }
    }

    /// The requirement of a whole pattern (flags removed), for patterns that are not split.
    static func wholeRequirement(_ pattern: String) -> Requirement {
        var scalars = Array(pattern.unicodeScalars)
        let lowercase = scalars.starts(with: Array("(?i)".unicodeScalars))
        if lowercase { scalars.removeFirst(4) }
        // A top-level alternation requires nothing in particular.
        guard topLevelAlternatives(scalars).count == 1 else { return Requirement() }
        return requirement(scalars, lowercase: lowercase)
    }

    /// The index of the `)` closing the group opened at `index`, if `scalars[index]` is `(`.
    static func matchingParen(_ scalars: [Unicode.Scalar], from index: Int) -> Int? {
        guard index < scalars.count, scalars[index] == "(" else { return nil }
        var depth = 0, i = index, inClass = false
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" { i += 2; continue }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
                // `[]…]` and `[^]…]`: a leading `]` is literal.
                if i + 1 < scalars.count, scalars[i + 1] == "]" { i += 1 } else if i + 2 < scalars.count, scalars[i + 1] == "^", scalars[i + 2] == "]" { i += 2 }
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    static func topLevelAlternatives(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var parts: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var depth = 0, i = 0, inClass = false
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\", i + 1 < scalars.count {
                current.append(c)
                current.append(scalars[i + 1])
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            } else if c == "|" && depth == 0 {
                parts.append(current)
                current = []
                i += 1
                continue
            }
            current.append(c)
            i += 1
        }
        parts.append(current)
        return parts
    }

    /// The literal runs every match of `branch` contains, from its top level only (inside
    /// groups and classes nothing is assumed, except a group of plain alternatives, which
    /// requires one of them). Runs shorter than 2 characters are not worth a search.
    static func requirement(_ branch: [Unicode.Scalar], lowercase: Bool) -> Requirement {
        var requirement = Requirement()
        var run: [Unicode.Scalar] = []
        func bytes(_ scalars: [Unicode.Scalar]) -> [UInt8] {
            var out = Array(String(String.UnicodeScalarView(scalars)).utf8)
            if lowercase { for k in out.indices where out[k] >= 65 && out[k] <= 90 { out[k] += 32 } }
            return out
        }
        func endRun() {
            if !run.isEmpty { requirement.all.append(bytes(run)) }
            run = []
        }
        func optionalAfter(_ index: Int) -> Bool {
            index < branch.count && (branch[index] == "?" || branch[index] == "*" || (branch[index] == "{" && index + 1 < branch.count && branch[index + 1] == "0"))
        }
        var i = 0
        while i < branch.count {
            let c = branch[i]
            switch c {
            case "\\":
                guard i + 1 < branch.count else { return Requirement() }
                let next = branch[i + 1]
                if "QEpPNxuk".unicodeScalars.contains(next) { return Requirement() }
                if next.properties.isAlphabetic || next.properties.numericType != nil {
                    endRun()  // \b \w \s \d … are classes or assertions
                } else {
                    run.append(next)  // an escaped punctuation character is itself
                }
                i += 2
            case "[":
                endRun()
                var j = i + 1
                let negated = j < branch.count && branch[j] == "^"
                if negated { j += 1 }
                if j < branch.count, branch[j] == "]" { j += 1 }
                while j < branch.count, branch[j] != "]" { j += branch[j] == "\\" ? 2 : 1 }
                // A small class of plain characters (`["'`]`) requires one of them.
                if !negated, j < branch.count, !optionalAfter(j + 1), let members = classMembers(Array(branch[(i + 1)..<j])) {
                    requirement.anyOf.append(members.map { bytes([$0]) })
                }
                i = j + 1
            case "(":
                endRun()
                guard let end = matchingParen(branch, from: i) else { return Requirement() }
                if !optionalAfter(end + 1), let choices = plainAlternatives(Array(branch[(i + 1)..<end])), choices.allSatisfy({ !$0.isEmpty }) {
                    requirement.anyOf.append(choices.map(bytes))
                }
                i = end + 1
            case "?", "*":
                // The previous atom is optional.
                if !run.isEmpty { run.removeLast() }
                endRun()
                i += 1
            case "{":
                // `{0,…}` makes the previous atom optional; `{n,…}` with n ≥ 1 keeps it.
                if i + 1 < branch.count, branch[i + 1] == "0", !run.isEmpty { run.removeLast() }
                endRun()
                while i < branch.count, branch[i] != "}" { i += 1 }
                i += 1
            case "+":
                endRun()
                i += 1
            case ".", "^", "$", "|", ")":
                endRun()
                i += 1
            default:
                run.append(c)
                i += 1
            }
        }
        endRun()
        return requirement
    }

    /// The members of a character class body when they are all plain characters (no ranges,
    /// no class escapes such as `\w`), at most 8 of them.
    static func classMembers(_ body: [Unicode.Scalar]) -> [Unicode.Scalar]? {
        var members: [Unicode.Scalar] = []
        var i = 0
        while i < body.count {
            let c = body[i]
            if c == "\\" {
                guard i + 1 < body.count, !(body[i + 1].properties.isAlphabetic || body[i + 1].properties.numericType != nil) else { return nil }
                members.append(body[i + 1])
                i += 2
                continue
            }
            if c == "-" && i > 0 && i + 1 < body.count { return nil }
            if c == "[" { return nil }
            members.append(c)
            i += 1
        }
        return members.isEmpty || members.count > 8 ? nil : members
    }

    /// `a|bc|d` (after an optional `?:`) when every alternative is plain literal text.
    static func plainAlternatives(_ group: [Unicode.Scalar]) -> [[Unicode.Scalar]]? {
        var body = group
        if body.starts(with: Array("?:".unicodeScalars)) { body.removeFirst(2) }
        if body.first == "?" { return nil }
        let parts = topLevelAlternatives(body)
        var literals: [[Unicode.Scalar]] = []
        for part in parts {
            var literal: [Unicode.Scalar] = []
            var i = 0
            while i < part.count {
                let c = part[i]
                if c == "\\", i + 1 < part.count, !(part[i + 1].properties.isAlphabetic || part[i + 1].properties.numericType != nil) {
                    literal.append(part[i + 1])
                    i += 2
                    continue
                }
                if "\\[](){}?*+.^$|".unicodeScalars.contains(c) { return nil }
                literal.append(c)
                i += 1
            }
            literals.append(literal)
        }
        return literals
    }
}
