import Testing

@testable import WardenCore

@Suite("Literal prefilter and path globs")
struct MatchingTests {
    func hits(_ keywords: [String], _ text: String) -> [(String, Int)] {
        let matcher = LiteralMatcher(keywords: keywords.map { Array($0.utf8) })
        var found: [(String, Int)] = []
        Array(text.utf8).withUnsafeBufferPointer { buffer in
            matcher.scan(buffer) { id, end in found.append((keywords[id], end)) }
        }
        return found
    }

    @Test func findsOverlappingKeywordsIgnoringCase() {
        let found = hits(["he", "she", "his", "hers"], "uSHErS")
        #expect(found.map(\.0).sorted() == ["he", "hers", "she"])
        #expect(found.first { $0.0 == "she" }?.1 == 4)
    }

    @Test func keywordsWithPunctuation() {
        let found = hits(["$_get", "->query(", "eval("], "x = eval($_GET['a']); $db->query($x)")
        #expect(Set(found.map(\.0)) == ["$_get", "->query(", "eval("])
    }

    @Test func nothingFoundInUnrelatedText() {
        #expect(hits(["password", "token"], "the quick brown fox").isEmpty)
        #expect(hits([], "anything").isEmpty)
    }

    @Test func identifierBoundaries() {
        let shape = Keyword("\\bmd5\\b").shape
        #expect(Keyword("\\bmd5\\b").text == "md5")
        func fits(_ text: String, _ end: Int) -> Bool {
            Array(text.utf8).withUnsafeBufferPointer { Keyword.fits(shape, in: $0, end: end) }
        }
        #expect(fits("md5(x)", 3))
        #expect(fits("hash = md5", 10))
        #expect(!fits("cmd5x", 4))
        #expect(!fits("md5sum", 3))
    }

    @Test func globs() {
        #expect(PathGlob("*.pem").matches("deploy/keys/server.pem"))
        #expect(!PathGlob("*.pem").matches("deploy/keys/server.pem.txt"))
        #expect(PathGlob("docs/**").matches("docs/a/b.md"))
        #expect(!PathGlob("docs/**").matches("src/docs.go"))
        #expect(PathGlob("**/migrations/*.sql").matches("migrations/001.sql"))
        #expect(PathGlob("**/migrations/*.sql").matches("db/migrations/001.sql"))
        #expect(!PathGlob("**/migrations/*.sql").matches("db/migrations/x/001.sql"))
        #expect(PathGlob(".github/workflows/**").matches(".github/workflows/ci.yml"))
        #expect(PathGlob("Dockerfile.*").matches("build/Dockerfile.prod"))
        #expect(PathGlob("*.{yml,yaml}").matches("a/b.yaml"))
        #expect(PathGlob("file[0-9].txt").matches("file7.txt"))
        #expect(!PathGlob("file[!0-9].txt").matches("file7.txt"))
        #expect(PathGlob("/src/*.go").matches("src/main.go"))
        #expect(!PathGlob("src/*.go").matches("src/sub/main.go"))
    }

    @Test func globsAreCaseSensitiveUnlessAsked() {
        #expect(!PathGlob("*IT.java").matches("src/DialectTrait.java"))
        #expect(PathGlob("*IT.java").matches("src/UserServiceIT.java"))
        #expect(!PathGlob("*password*").matches("src/ResetPasswordService.java"))
        #expect(PathGlob("(?i)*password*").matches("src/ResetPasswordService.java"))
    }

    @Test func fileNamesDecideBeforeExtensionsAndTheFirstDefinedWins() {
        // Exact names are looked up and patterned names matched in turn; either way the
        // name listed first wins, and names are case-sensitive.
        let table = LanguageTable([
            LanguageDefinition(id: "first", extensions: ["txt"], filenames: ["build.*", "Makefile"]),
            LanguageDefinition(id: "second", extensions: ["conf"], filenames: ["build.conf", "*.mk", "Makefile"]),
            LanguageDefinition(id: "third", extensions: [], filenames: ["(?i)jenkinsfile", "ci/*.yml"]),
        ])
        func language(_ path: String) -> String? { table.language(of: path).map { table.names[$0] } }
        #expect(language("src/build.conf") == "first")  // `build.*` is listed before `build.conf`
        #expect(language("Makefile") == "first")
        #expect(language("lib/rules.mk") == "second")
        #expect(language("lib/makefile") == nil)
        #expect(language("deploy/JenkinsFile") == "third")
        #expect(language("ci/deploy.yml") == "third")
        #expect(language("other/ci/deploy.yml") == nil)
        #expect(language("notes.txt") == "first")
        #expect(language("app.conf") == "second")
    }

    @Test func languagesAndRoles() {
        let classifier = BuiltIn.engine.classifier
        #expect(classifier.language(of: "app/main.py") == "python")
        #expect(classifier.language(of: "web/Index.tsx") == "typescript")
        #expect(classifier.language(of: "build/Dockerfile") == "dockerfile")
        #expect(classifier.language(of: "resources/views/home.blade.php") == "php")
        #expect(classifier.language(of: "LICENSE") == nil)
        #expect(classifier.role(of: "src/app.go") == .source)
        #expect(classifier.role(of: "pkg/api/handler_test.go") == .test)
        #expect(classifier.role(of: "Tests/WardenTests/ATests.swift") == .test)
        #expect(classifier.role(of: "src/test/java/com/acme/UserServiceIT.java") == .test)
        #expect(classifier.role(of: "docs/guide.md") == .docs)
        // Files named like documents are documents only with a document's extension, or in
        // capitals: code named for what it handles (`notice.php`, `history.py`) is code.
        #expect(classifier.role(of: "NEWS.txt") == .docs)
        #expect(classifier.role(of: "doc/History.md") == .docs)
        #expect(classifier.role(of: "README.Debian") == .docs)
        #expect(classifier.role(of: "COPYING.LIB") == .docs)
        #expect(classifier.role(of: "includes/notice.php") == .source)
        #expect(classifier.role(of: "app/history.py") == .source)
        #expect(classifier.role(of: "src/main/java/com/acme/License.java") == .source)
        #expect(classifier.role(of: "tests/fixtures/README.md") == .docs)
        #expect(classifier.role(of: "locales/de/messages.po") == .translation)
        #expect(classifier.role(of: "vendor/github.com/x/y_test.go") == .vendored)
        #expect(classifier.role(of: "static/app.min.js") == .generated)
        #expect(classifier.role(of: "img/logo.PNG") == .asset)
    }
}
