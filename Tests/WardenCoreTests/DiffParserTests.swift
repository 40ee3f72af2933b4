import Foundation
import Testing

@testable import WardenCore

@Suite("Diff parser")
struct DiffParserTests {
    @Test func gitDiffWithLineNumbers() {
        let diff = Diff(parsing: """
            diff --git a/app/db.py b/app/db.py
            index 1111111..2222222 100644
            --- a/app/db.py
            +++ b/app/db.py
            @@ -10,4 +10,5 @@ def query(db):
                 a = 1
            -    b = 2
            +    b = 3
            +    c = 4
                 d = 5
            @@ -40,2 +41,2 @@ class X:
            -old
            +new
                 tail
            """)
        #expect(diff.files.count == 1)
        let file = diff.files[0]
        #expect(file.header.oldPath == "app/db.py")
        #expect(file.header.newPath == "app/db.py")
        #expect(file.header.change == .modified)
        #expect(file.hunks.count == 2)
        #expect(file.hunks[0].header.heading == "def query(db):")
        let lines = file.hunks[0].lines
        #expect(lines.map(\.kind) == [.context, .removed, .added, .added, .context])
        #expect(lines[1].oldLine == 11)
        #expect(lines[1].number == 11)
        #expect(lines[2].newLine == 11)
        #expect(lines[3].newLine == 12)
        #expect(lines[4].oldLine == 12 && lines[4].newLine == 13)
        #expect(file.hunks[1].lines[0].number == 40)
        #expect(file.hunks[1].lines[1].number == 41)
        #expect(file.addedLines == 3)
        #expect(file.removedLines == 2)
    }

    @Test func newDeletedRenamedCopiedAndModeChanges() {
        let diff = Diff(parsing: """
            diff --git a/new.txt b/new.txt
            new file mode 100644
            index 0000000..e69de29
            --- /dev/null
            +++ b/new.txt
            @@ -0,0 +1,2 @@
            +hello
            +world
            diff --git a/gone.txt b/gone.txt
            deleted file mode 100644
            index e69de29..0000000
            --- a/gone.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -bye
            diff --git a/old name.py b/new name.py
            similarity index 90%
            rename from old name.py
            rename to new name.py
            index 1..2 100644
            --- a/old name.py
            +++ b/new name.py
            @@ -1 +1 @@
            -x = 1
            +x = 2
            diff --git a/src/a.c b/src/b.c
            similarity index 100%
            copy from src/a.c
            copy to src/b.c
            diff --git a/run.sh b/run.sh
            old mode 100644
            new mode 100755
            diff --git a/empty b/empty
            new file mode 100644
            index 0000000..e69de29
            """)
        #expect(diff.files.map(\.path) == ["new.txt", "gone.txt", "new name.py", "src/b.c", "run.sh", "empty"])
        #expect(diff.files[0].header.change == .added)
        #expect(diff.files[0].header.oldPath == nil)
        #expect(diff.files[0].hunks[0].lines.map(\.newLine) == [1, 2])
        #expect(diff.files[1].header.change == .deleted)
        #expect(diff.files[1].header.newPath == nil)
        #expect(diff.files[1].path == "gone.txt")
        #expect(diff.files[1].hunks[0].lines[0].oldLine == 1)
        #expect(diff.files[2].header.change == .renamed)
        #expect(diff.files[2].header.oldPath == "old name.py")
        #expect(diff.files[2].header.similarity == 90)
        #expect(diff.files[3].header.change == .copied)
        #expect(diff.files[3].header.oldPath == "src/a.c")
        #expect(diff.files[3].hunks.isEmpty)
        #expect(diff.files[4].header.modeChanged)
        #expect(diff.files[4].header.newMode == "100755")
        #expect(diff.files[5].header.change == .added)
        #expect(diff.files[5].hunks.isEmpty)
    }

    @Test func binaryFiles() {
        let diff = Diff(parsing: """
            diff --git a/logo.png b/logo.png
            index 1..2 100644
            Binary files a/logo.png and b/logo.png differ
            diff --git a/icon.bin b/icon.bin
            new file mode 100644
            index 0000000..1234567
            GIT binary patch
            literal 10
            RcmZ?wbhEHbRA2z&0RSS10mT3S

            literal 0
            HcmV?d00001

            diff --git a/after.txt b/after.txt
            --- a/after.txt
            +++ b/after.txt
            @@ -1 +1 @@
            -a
            +b
            """)
        #expect(diff.files.map(\.path) == ["logo.png", "icon.bin", "after.txt"])
        #expect(diff.files[0].header.isBinary)
        #expect(diff.files[1].header.isBinary)
        #expect(diff.files[1].hunks.isEmpty)
        #expect(diff.files[2].addedLines == 1)
    }

    @Test func noNewlineAtEndOfFile() {
        let diff = Diff(parsing: """
            diff --git a/a b/a
            --- a/a
            +++ b/a
            @@ -1 +1 @@
            -old
            \\ No newline at end of file
            +new
            \\ No newline at end of file
            """)
        let lines = diff.files[0].hunks[0].lines
        #expect(lines.count == 2)
        #expect(lines[0].missingNewline && lines[1].missingNewline)
        #expect(lines[1].text == "new")
    }

    @Test func formatPatchSkipsMailAndSignature() {
        let diff = Diff(parsing: """
            From 1234 Mon Sep 17 00:00:00 2001
            From: A <a@example.com>
            Subject: [PATCH] Fix

            --- commit message line that looks like a header
            body text
            ---
             a.txt | 2 +-
             1 file changed

            diff --git a/a.txt b/a.txt
            index 1..2 100644
            --- a/a.txt
            +++ b/a.txt
            @@ -1,2 +1,2 @@
            -one
            +uno
             two
            --\u{20}
            2.39.5

            From 5678 Mon Sep 17 00:00:00 2001
            Subject: [PATCH 2/2] More

            diff --git a/b.txt b/b.txt
            --- a/b.txt
            +++ b/b.txt
            @@ -1 +1 @@
            -x
            +y
            --\u{20}
            2.39.5
            """)
        #expect(diff.files.map(\.path) == ["a.txt", "b.txt"])
        #expect(diff.files[0].hunks[0].lines.map(\.kind) == [.removed, .added, .context])
        #expect(diff.files[0].removedLines == 1)
        #expect(diff.files[1].removedLines == 1)
    }

    @Test func plainUnifiedDiffWithTimestamps() {
        let diff = Diff(parsing: """
            --- lib/old.c\t2024-01-01 10:00:00.000000000 +0000
            +++ lib/new.c\t2024-01-02 10:00:00.000000000 +0000
            @@ -1,2 +1,2 @@
             int a;
            -int b;
            +long b;
            """)
        #expect(diff.files.count == 1)
        #expect(diff.files[0].header.oldPath == "lib/old.c")
        #expect(diff.files[0].header.newPath == "lib/new.c")
        #expect(diff.files[0].addedLines == 1)
    }

    @Test func bareHunksFromForgePatchFields() {
        // GitHub's per-file `patch` and GitLab's `/diffs` entries carry no headers.
        var collector = DiffCollector()
        let header = FileHeader(oldPath: "src/auth.go", newPath: "src/auth.go")
        DiffParser.parsePatch(Array("@@ -3,3 +3,4 @@ func Login() {\n a\n-b\n+c\n+d\n e".utf8), header: header, into: &collector)
        #expect(collector.files.count == 1)
        #expect(collector.files[0].path == "src/auth.go")
        #expect(collector.files[0].hunks[0].lines.filter { $0.kind == .added }.map(\.newLine) == [4, 5])

        let anonymous = Diff(parsing: "@@ -1 +1 @@\n-a\n+b\n")
        #expect(anonymous.files.count == 1)
        #expect(anonymous.files[0].addedLines == 1)
    }

    @Test func crlfLineEndings() {
        let text = "diff --git a/w.bat b/w.bat\r\n--- a/w.bat\r\n+++ b/w.bat\r\n@@ -1 +1 @@\r\n-echo a\r\n+echo b\r\n"
        let diff = Diff(parsing: text)
        #expect(diff.files[0].path == "w.bat")
        #expect(diff.files[0].hunks[0].lines[1].text == "echo b")
    }

    @Test func invalidUTF8IsKeptAsBytes() {
        var bytes = Array("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+".utf8)
        bytes += [0xFF, 0xFE, 0xC3, 0x28, 0x41]
        bytes += Array("\n".utf8)
        let diff = Diff(parsing: bytes)
        let line = diff.files[0].hunks[0].lines[1]
        #expect(line.bytes == [0xFF, 0xFE, 0xC3, 0x28, 0x41])
        #expect(line.text.hasSuffix("A"))
    }

    @Test func quotedPathsAreUnquoted() {
        let diff = Diff(parsing: """
            diff --git "a/caf\\303\\251 \\"x\\".txt" "b/caf\\303\\251 \\"x\\".txt"
            --- "a/caf\\303\\251 \\"x\\".txt"
            +++ "b/caf\\303\\251 \\"x\\".txt"
            @@ -1 +1 @@
            -a
            +b
            """)
        #expect(diff.files[0].path == "café \"x\".txt")
    }

    @Test func emptyAndJunkInput() {
        #expect(Diff(parsing: "").files.isEmpty)
        #expect(Diff(parsing: "just some text\nwithout any diff\n").files.isEmpty)
        // A hunk header that is not one: ignored, not a crash.
        #expect(Diff(parsing: "@@ -x +y @@\n+a\n").files.isEmpty)
    }

    @Test func countsDecideWhereAHunkEnds() {
        // The hunk says one line each; the `-- ` after it is not a removed line.
        let diff = Diff(parsing: "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.5\n")
        #expect(diff.files[0].removedLines == 1)
        #expect(diff.files[0].addedLines == 1)
    }

    @Test func combinedDiffsAreSkipped() {
        let diff = Diff(parsing: """
            diff --cc merged.txt
            index 1,2..3
            --- a/merged.txt
            +++ b/merged.txt
            @@@ -1,1 -1,1 +1,1 @@@
            - a
             -b
            ++c
            diff --git a/next.txt b/next.txt
            --- a/next.txt
            +++ b/next.txt
            @@ -1 +1 @@
            -a
            +b
            """)
        #expect(diff.files.map(\.path) == ["next.txt"])
    }

    @Test func splitterGivesTheSameLinesWhateverTheChunks() {
        let text = Array("diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n".utf8)
        let whole = Diff(parsing: text)
        for chunkSize in [1, 2, 3, 7, 64] {
            var collector = DiffCollector()
            var parser = DiffParser()
            var splitter = LineSplitter()
            var offset = 0
            while offset < text.count {
                let end = min(offset + chunkSize, text.count)
                Array(text[offset..<end]).withUnsafeBytes { raw in
                    splitter.feed(raw) { parser.consume(line: $0, into: &collector) }
                }
                offset = end
            }
            splitter.finish { parser.consume(line: $0, into: &collector) }
            parser.finish(into: &collector)
            #expect(collector.files == whole.files, "chunk size \(chunkSize)")
        }
    }

    @Test func linesOfEveryLengthAreSplitAtTheirNewlines() {
        // Lines of 0 to 150 bytes, with bytes that differ from `\n` in one bit, fed whole and
        // in chunks that cut lines anywhere; the last line has no newline.
        var text: [UInt8] = []
        var expected: [[UInt8]] = []
        for length in 0...150 {
            let line = (0..<length).map { UInt8([0x0B, 0x08, 0x8A, 0x61, 0x00, 0xFF][($0 + length) % 6]) }
            expected.append(line)
            text += line
            text.append(0x0A)
        }
        text += [0x61, 0x0B]
        expected.append([0x61, 0x0B])
        for chunkSize in [text.count, 5, 13, 64, 100] {
            var splitter = LineSplitter()
            var lines: [[UInt8]] = []
            var offset = 0
            while offset < text.count {
                let end = min(offset + chunkSize, text.count)
                Array(text[offset..<end]).withUnsafeBytes { splitter.feed($0) { lines.append(Array($0)) } }
                offset = end
            }
            splitter.finish { lines.append(Array($0)) }
            #expect(lines == expected, "chunk size \(chunkSize)")
        }
    }

    @Test func overlongLinesAreCut() {
        var splitter = LineSplitter(maxLineLength: 10)
        var lines: [[UInt8]] = []
        let text = Array("short\n0123456789abcdef\nnext".utf8)
        text.withUnsafeBytes { splitter.feed($0) { lines.append(Array($0)) } }
        splitter.finish { lines.append(Array($0)) }
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["short", "0123456789", "next"])
        #expect(splitter.truncatedLines == 1)
    }

    @Test func largeFilesStreamWithoutKeepingLines() {
        // 200,000 added lines through a sink that counts: nothing is kept.
        struct Counter: DiffSink {
            var added = 0, last = 0
            mutating func beginFile(_ header: FileHeader) {}
            mutating func line(_ line: LineView) { if line.kind == .added { added += 1; last = line.newLine } }
            mutating func endFile() {}
        }
        var text = "diff --git a/big b/big\n--- a/big\n+++ b/big\n@@ -0,0 +1,200000 @@\n"
        text += String(repeating: "+some line of text\n", count: 200_000)
        var counter = Counter()
        DiffParser.parse(Array(text.utf8), into: &counter)
        #expect(counter.added == 200_000)
        #expect(counter.last == 200_000)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("@@ -+1,2\n \\diff --git a/b/\"".utf8) + [0xFF, 0x00, 0x0D]
        for _ in 0..<300 {
            let count = Int.random(in: 0..<400, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            var collector = DiffCollector()
            DiffParser.parse(bytes, into: &collector)
            for file in collector.files {
                for hunk in file.hunks {
                    #expect(hunk.lines.count <= hunk.header.oldCount + hunk.header.newCount)
                }
            }
        }
    }
}
