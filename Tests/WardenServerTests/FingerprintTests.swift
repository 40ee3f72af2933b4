import Foundation
import Testing
import WardenCore

@testable import WardenServer

@Suite("Sign-off fingerprints")
struct FingerprintTests {
    static let engine: Engine? = try? EngineCache(config: ServerConfig()).engine(repositoryPolicy: nil).get()

    func fingerprints(_ diff: String) throws -> [String: String] {
        let engine = try #require(Self.engine)
        var sink = DiffSinkPair(engine.classifier.session(), HunkDigests())
        DiffParser.parse(Array(diff.utf8), into: &sink)
        return sink.second.fingerprints(sink.first.result())
    }

    static func diff(sqlAt line: Int, query: String = "cursor.execute(\"SELECT * FROM users WHERE name = '\" + name + \"'\")", other: String = "total = a + b") -> String {
        """
        diff --git a/app/db.py b/app/db.py
        --- a/app/db.py
        +++ b/app/db.py
        @@ -\(line),1 +\(line),1 @@ def find(name):
        -    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
        +    \(query)
        diff --git a/app/auth/session.py b/app/auth/session.py
        --- a/app/auth/session.py
        +++ b/app/auth/session.py
        @@ -3,1 +3,1 @@
        -@login_required
        +def check(request): return verify_password(request.user, request.password)
        diff --git a/app/math.py b/app/math.py
        --- a/app/math.py
        +++ b/app/math.py
        @@ -1,1 +1,1 @@
        -total = a - b
        +\(other)

        """
    }

    @Test func eachAreaGetsItsOwnFingerprint() throws {
        let prints = try fingerprints(Self.diff(sqlAt: 10))
        let sql = try #require(prints["sql"])
        let auth = try #require(prints["auth"])
        #expect(sql != auth)
        #expect(sql.count == 32)
    }

    @Test func movedOrUnrelatedChangesKeepTheFingerprint() throws {
        let before = try fingerprints(Self.diff(sqlAt: 10))
        // The same hunk further down (a rebase moved it) and another file edited again.
        let after = try fingerprints(Self.diff(sqlAt: 42, other: "total = sum([a, b])"))
        #expect(after["sql"] == before["sql"])
        #expect(after["auth"] == before["auth"])
    }

    @Test func changingTheSensitiveHunkChangesOnlyThatArea() throws {
        let before = try fingerprints(Self.diff(sqlAt: 10))
        let after = try fingerprints(Self.diff(sqlAt: 10, query: "cursor.execute(\"SELECT id FROM users WHERE name = '\" + name + \"'\")"))
        #expect(after["sql"] != nil)
        #expect(after["sql"] != before["sql"])
        #expect(after["auth"] == before["auth"])
    }
}
